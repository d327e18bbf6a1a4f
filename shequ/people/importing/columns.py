"""The columns of each register's import file, and the words its choice columns accept.

A column has a key, a label (its header in the template, in the user's language), other names
it may carry in a file (the usual Chinese and English headers), and a note for the template's
notes sheet. Choice columns accept a value's code, its label in every language of the site, and
the words communities write in their own sheets (户主, 配偶, 流动人口, 出租 ...).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.lib.idnumbers import DocType
from shequ.lib.tabular import normalise_header
from shequ.people.models import DwellingUse, Gender, ImportKind, Relation, ResidenceStatus


@dataclass(frozen=True)
class Column:
    """One column of an import file."""

    key: str
    label: Promise
    synonyms: tuple[str, ...]
    note: Promise
    required: bool = False
    # Values in this column are personal data: the error report shows them masked.
    personal: bool = False


_DATE = _("A date: 2023-05-01, 2023/5/1, 2023.5.1, 2023年5月1日, 20230501 or an Excel date cell.")
_GRID = Column(
    "grid",
    _("Grid (code or name)"),
    ("网格", "所属网格", "网格编码", "网格名称", "grid"),
    _(
        "The region node the record belongs to, by its code or its name; it must lie within the node chosen for the import. A name that several nodes share is refused: use the code."
    ),
    required=True,
)
_ADDRESS = Column(
    "building_address",
    _("Building address"),
    ("楼栋地址", "地址", "楼栋", "address"),
    _("The building's address exactly as in the register of buildings, e.g. 幸福路12号."),
)
_UNIT = Column(
    "unit",
    pgettext_lazy("dwelling", "Unit"),
    ("单元", "单元号", "unit"),
    _("The unit (单元) number, 1 when empty."),
)
_NUMBER = Column(
    "dwelling_number",
    _("Dwelling number"),
    ("房号", "门牌号", "室", "number"),
    _("The dwelling's number within its unit, e.g. 302."),
)

PERSON_COLUMNS = (
    Column(
        "household_number",
        _("Household number"),
        ("户号", "户编号", "household"),
        _(
            "Members of one household share its number; each household has exactly one head, and all its members are in the same grid."
        ),
    ),
    Column(
        "relation",
        _("Relation to head"),
        ("与户主关系", "关系", "relation"),
        _("Required with a household number: 户主, 配偶, 子女, 父母, 孙子女, 兄弟姐妹 or 其他."),
    ),
    Column(
        "name",
        _("Name"),
        ("姓名", "name"),
        _("The full name; rare characters and the middle dot (·) are kept."),
        required=True,
    ),
    Column(
        "doc_type",
        _("Document type"),
        ("证件类型", "doc_type"),
        _("居民身份证 when empty; also 港澳台居民居住证 or 外国人永久居留身份证."),
    ),
    Column(
        "id_number",
        _("Identity number"),
        ("身份证号", "身份证号码", "公民身份号码", "证件号码", "id_number"),
        _(
            "18 characters, the last may be X; old 15-digit numbers are converted. Format the column as text in Excel so that it keeps every digit."
        ),
        required=True,
        personal=True,
    ),
    Column(
        "gender",
        _("Gender"),
        ("性别", "gender"),
        _(
            "男 or 女. May be left empty: it comes from the identity number, and must agree with it."
        ),
    ),
    Column(
        "birth_date",
        _("Birth date"),
        ("出生日期", "出生年月", "birth_date"),
        format_lazy(
            "{}{}",
            _("May be left empty: it comes from the identity number, and must agree with it. "),
            _DATE,
        ),
    ),
    Column(
        "phone",
        _("Phone"),
        ("联系电话", "电话", "手机号", "手机", "phone"),
        _("A mobile number of 11 digits or a landline with its area code, e.g. 020-81234567."),
        personal=True,
    ),
    Column(
        "residence_status",
        _("Residence status"),
        ("居住状态", "人口类型", "户籍状态", "residence"),
        _("户籍 (registered here), 常住 (resident, registered elsewhere) or 流动 (floating)."),
        required=True,
    ),
    Column(
        "registration_place",
        _("Household registration place"),
        ("户籍地", "户籍地址", "户口所在地", "registration_place"),
        _(
            "Where the household is registered (户籍地); the province of the identity number when empty."
        ),
    ),
    Column(
        "permit_number",
        _("Residence permit number"),
        ("居住证号", "居住证号码", "permit_number"),
        _("Only for 常住 and 流动 persons; with the expiry date."),
        personal=True,
    ),
    Column(
        "permit_expiry",
        _("Residence permit expiry"),
        ("居住证有效期至", "居住证有效期", "居住证到期日", "permit_expiry"),
        format_lazy("{}{}", _("With the permit number. "), _DATE),
    ),
    _ADDRESS,
    _UNIT,
    _NUMBER,
    _GRID,
)

BUILDING_COLUMNS = (
    Column(
        "name",
        _("Building name"),
        ("楼栋名称", "名称", "楼号", "name"),
        _("E.g. 3号楼; the address when empty."),
    ),
    Column(
        "address",
        _("Address"),
        ("楼栋地址", "地址", "address"),
        _("A re-import matches buildings by address within the chosen node."),
        required=True,
    ),
    Column(
        "floors",
        _("Floors"),
        ("层数", "楼层数", "floors"),
        _("A whole number from 1 to 200; 6 when empty."),
    ),
    Column(
        "units", _("Units"), ("单元数", "units"), _("A whole number from 1 to 50; 1 when empty.")
    ),
    _GRID,
)

DWELLING_COLUMNS = (
    Column(
        "building_address",
        _("Building address"),
        ("楼栋地址", "地址", "楼栋", "address"),
        _("The address of a building already in the register."),
        required=True,
    ),
    _UNIT,
    Column(
        "floor",
        _("Floor"),
        ("楼层", "所在层", "floor"),
        _("A whole number; basements are negative."),
        required=True,
    ),
    Column(
        "dwelling_number",
        _("Dwelling number"),
        ("房号", "门牌号", "室", "number"),
        _("A re-import matches dwellings by building, unit and number."),
        required=True,
    ),
    Column("area", _("Area (m²)"), ("面积", "建筑面积", "area"), _("Square metres, e.g. 89.5.")),
    Column(
        "use", _("Use"), ("用途", "房屋用途", "use"), _("自住, 出租, 空置 or 商用."), required=True
    ),
    Column(
        "grid",
        _("Grid (code or name)"),
        ("网格", "所属网格", "grid"),
        _("The building's grid when empty; otherwise a node within the chosen node."),
    ),
)

TENANCY_COLUMNS = (
    Column(
        "building_address",
        _("Building address"),
        ("楼栋地址", "地址", "楼栋", "address"),
        _("The address of a building already in the register."),
        required=True,
    ),
    _UNIT,
    Column(
        "dwelling_number",
        _("Dwelling number"),
        ("房号", "门牌号", "室", "number"),
        _("A dwelling already in the register."),
        required=True,
    ),
    Column(
        "landlord_id",
        _("Landlord identity number"),
        ("房东身份证号", "出租人身份证号", "landlord_id"),
        _("A person of the register; or give only the landlord's name."),
        personal=True,
    ),
    Column(
        "landlord_name",
        _("Landlord name"),
        ("房东姓名", "出租人", "landlord"),
        _("Required when the landlord is not in the register."),
    ),
    Column(
        "tenant_ids",
        _("Tenant identity numbers"),
        ("租户身份证号", "承租人身份证号", "tenants"),
        _("One or more persons of the register, separated by 、 , ; or spaces."),
        required=True,
        personal=True,
    ),
    Column(
        "starts_on",
        _("From"),
        ("起租日期", "租赁开始日期", "开始日期", "from"),
        format_lazy("{}{}", _("A re-import matches tenancies by dwelling and start date. "), _DATE),
        required=True,
    ),
    Column(
        "ends_on",
        _("To"),
        ("止租日期", "租赁结束日期", "结束日期", "to"),
        format_lazy("{}{}", _("Not before the start. "), _DATE),
        required=True,
    ),
    Column(
        "registered_on",
        _("Lease registered on"),
        ("登记备案日期", "备案日期", "registered_on"),
        format_lazy("{}{}", _("A lease is registered within 30 days of signing. "), _DATE),
    ),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    ImportKind.PERSONS: PERSON_COLUMNS,
    ImportKind.BUILDINGS: BUILDING_COLUMNS,
    ImportKind.DWELLINGS: DWELLING_COLUMNS,
    ImportKind.TENANCIES: TENANCY_COLUMNS,
}

# The words of each choice column besides codes and labels.
CHOICE_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "relation": {
        Relation.HEAD: ("户主", "本人"),
        Relation.SPOUSE: ("配偶", "妻", "夫", "妻子", "丈夫"),
        Relation.CHILD: ("子女", "子", "女", "儿子", "女儿", "长子", "长女", "次子", "次女"),
        Relation.PARENT: ("父母", "父亲", "母亲", "父", "母"),
        Relation.GRANDCHILD: ("孙子女", "孙子", "孙女", "外孙", "外孙女"),
        Relation.SIBLING: ("兄弟姐妹", "兄", "弟", "姐", "妹", "哥哥", "弟弟", "姐姐", "妹妹"),
        Relation.OTHER: ("其他", "其它"),
    },
    "residence_status": {
        ResidenceStatus.REGISTERED: ("户籍", "户籍人口", "户籍居民"),
        ResidenceStatus.RESIDENT: ("常住", "常住人口", "非户籍常住", "常住非户籍"),
        ResidenceStatus.FLOATING: ("流动", "流动人口"),
    },
    "gender": {Gender.MALE: ("男", "male", "m"), Gender.FEMALE: ("女", "female", "f")},
    "doc_type": {
        DocType.ID_CARD: ("居民身份证", "身份证", "二代身份证"),
        DocType.HMT_PERMIT: ("港澳台居民居住证", "港澳台居住证"),
        DocType.FOREIGN_PR: ("外国人永久居留身份证", "外国人永久居留证", "永久居留证"),
    },
    "use": {
        DwellingUse.OWNER: ("自住", "自用"),
        DwellingUse.RENTED: ("出租", "租住"),
        DwellingUse.VACANT: ("空置", "闲置"),
        DwellingUse.COMMERCIAL: ("商用", "经营", "商铺"),
    },
}
CHOICE_LABELS: dict[str, type] = {
    "relation": Relation,
    "residence_status": ResidenceStatus,
    "gender": Gender,
    "doc_type": DocType,
    "use": DwellingUse,
}


def in_every_language(text: Promise | str) -> list[str]:
    """A translatable text in the current language, then in every language of the site."""
    names = [str(text)]
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.append(str(text))
    return list(dict.fromkeys(names))


def aliases(kind: str) -> dict[str, list[str]]:
    """Header names per column key: the label in the current language first (it names the
    column in messages), then in every language, then the usual names."""
    return {
        column.key: list(dict.fromkeys([*in_every_language(column.label), *column.synonyms]))
        for column in COLUMNS[kind]
    }


def required(kind: str) -> tuple[str, ...]:
    return tuple(column.key for column in COLUMNS[kind] if column.required)


def choice_lookup(key: str) -> dict[str, str]:
    """Normalised word -> code for one choice column."""
    lookup: dict[str, str] = {}
    choices = CHOICE_LABELS[key]
    for value, label in choices.choices:  # type: ignore[attr-defined]
        lookup[normalise_header(value)] = str(value)
        for name in in_every_language(label):
            lookup[normalise_header(name)] = str(value)
    for value, words in CHOICE_WORDS[key].items():
        for word in words:
            lookup[normalise_header(word)] = str(value)
    return lookup


def choice_names(key: str) -> str:
    """The usual words of a choice column, for messages: 户主、配偶、..."""
    return "、".join(words[0] for words in CHOICE_WORDS[key].values())
