"""Import and export of the service catalog as a spreadsheet (.xlsx or .csv).

The file has one row per item, in the columns the district's catalog sheets use (事项编码,
事项名称, ...). The materials of an item share one cell: materials are separated by ";" and the
parts of a material by "|": 名称|原件/复印件/原件和复印件|份数|可电子|必需, with an optional
sixth part for a note. An export is read back by the import unchanged, so an export edited in
Excel and uploaded again only versions the items whose cells changed.

An import lands whole or not at all: every row is checked first and every problem is collected
with its row and column; one problem refuses the file with `ImportFailed`. A clean file is saved
item by item through `item_save` (which audits each new version) in one transaction, and the
import itself is one more audit event with its counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _

from shequ.audit.models import Action
from shequ.audit.services import Target, audit_record
from shequ.hall.catalog_seed import DEPARTMENT_NAMES, FLOWS, ITEMS
from shequ.hall.models import ItemKind, Material, MaterialForm, ServiceItem
from shequ.hall.services import item_save
from shequ.lib.tabular import ImportFailed, RowError, cell_text, read_rows, write_xlsx
from shequ.regions import permissions as perms
from shequ.regions.models import Unit

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_SUFFIXES = (".xlsx", ".csv")
MAX_UPLOAD_BYTES = 10 * 1024 * 1024

# (key, header, other names the column may have). The headers are the file format and stay in
# Chinese whatever the interface language, so that a file always reads back.
COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("code", "事项编码", ("编码", "code", "item code")),
    ("name", "事项名称", ("名称", "name", "item name")),
    ("kind", "事项类型", ("类型", "kind", "type")),
    ("department", "实施部门编码", ("部门编码", "实施主体编码", "department", "department code")),
    ("legal_basis", "设定依据", ("法律依据", "legal basis")),
    ("procedure", "办理流程", ("流程", "procedure")),
    ("conditions", "受理条件", ("申请条件", "conditions")),
    ("promised_days", "承诺时限", ("承诺办结时限", "promised days", "promised working days")),
    ("statutory_days", "法定时限", ("法定办结时限", "statutory days", "statutory working days")),
    ("fee", "收费", ("收费标准", "是否收费", "fee")),
    ("online", "网上办理", ("网办", "online")),
    ("by_proxy", "代办", ("可代办", "by proxy", "proxy")),
    ("delivery", "寄递", ("结果寄递", "delivery")),
    ("queue_group", "排队分组", ("分组", "queue group", "group")),
    ("materials", "材料", ("申请材料", "materials")),
)
HEADERS = [header for _key, header, _names in COLUMNS]
REQUIRED = ("code", "name", "kind", "department", "promised_days", "statutory_days")

# The file's words for the item kinds and the material forms.
KIND_WORDS = {
    ItemKind.LICENSE: "行政许可",
    ItemKind.CONFIRMATION: "行政确认",
    ItemKind.PAYMENT: "行政给付",
    ItemKind.PUBLIC_SERVICE: "公共服务",
    ItemKind.CERTIFICATE: "证明",
    ItemKind.OTHER: "其他",
}
FORM_WORDS = {
    MaterialForm.ORIGINAL: "原件",
    MaterialForm.COPY: "复印件",
    MaterialForm.BOTH: "原件和复印件",
}
YES, NO = "是", "否"
_TRUE = {"是", "1", "true", "yes", "y", "√", "✓"}
_FALSE = {"否", "0", "false", "no", "n", "×"}
_MATERIAL_SEPARATOR = re.compile(r"[;；\n]")
_PART_SEPARATOR = re.compile(r"[|｜]")
_DAYS = re.compile(r"^(\d+)\s*(?:个?工作日|日|天)?$")
_CODE_MAX = ServiceItem._meta.get_field("code").max_length or 32
_NAME_MAX = ServiceItem._meta.get_field("name").max_length or 200
_FEE_MAX = ServiceItem._meta.get_field("fee").max_length or 200
_GROUP_MAX = ServiceItem._meta.get_field("queue_group").max_length or 8
_MATERIAL_NAME_MAX = Material._meta.get_field("name").max_length or 200


def _in_every_language(text: Any) -> set[str]:
    words = {str(text).casefold()}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            words.add(str(text).casefold())
    return words


def _vocabulary(words: Mapping[Any, str], choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """Every way a file may name a choice: the file's word, the key, the label in any language."""
    lookup: dict[str, str] = {}
    for value, label in choices:
        for word in (words[value], value, *_in_every_language(label)):
            lookup[str(word).casefold()] = str(value)
    return lookup


@dataclass
class ImportReport:
    """What an import did: items read, created, given a new version, or left as they were."""

    rows: int = 0
    created: int = 0
    versions: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass
class _Row:
    row: int
    code: str
    values: dict[str, Any]
    materials: list[dict[str, Any]]


@dataclass
class _Errors:
    items: list[RowError] = field(default_factory=list)

    def add(self, row: int, key: str, value: Any, message: str) -> None:
        header = dict((k, h) for k, h, _n in COLUMNS).get(key, key)
        self.items.append(RowError(row, header, cell_text(value), message))


def _text(value: Any) -> str:
    return cell_text(value).strip()


def _flag(value: Any, default: bool) -> bool | None:
    """A yes/no cell; None when the cell says neither."""
    if value is None or _text(value) == "":
        return default
    if isinstance(value, bool):
        return value
    word = _text(value).casefold()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    return None


def _days(value: Any) -> int | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value) if float(value).is_integer() and value >= 0 else None
    match = _DAYS.match(_text(value))
    return int(match.group(1)) if match else None


def _parse_materials(text: str, forms: Mapping[str, str]) -> tuple[list[dict[str, Any]], list[str]]:
    """The materials of one cell, and a message for each bad material."""
    materials: list[dict[str, Any]] = []
    problems: list[str] = []
    parts_list = [p.strip() for p in _MATERIAL_SEPARATOR.split(text) if p.strip()]
    for index, entry in enumerate(parts_list, start=1):
        parts = [p.strip() for p in _PART_SEPARATOR.split(entry)]
        name = parts[0]
        form_word = parts[1] if len(parts) > 1 else ""
        count_text = parts[2] if len(parts) > 2 else "1"
        electronic = _flag(parts[3] if len(parts) > 3 else None, False)
        required = _flag(parts[4] if len(parts) > 4 else None, True)
        note = "|".join(parts[5:]) if len(parts) > 5 else ""
        form = forms.get(form_word.casefold())
        count = _days(count_text or "1")
        bad = []
        if not name:
            bad.append(_("the name is empty"))
        elif len(name) > _MATERIAL_NAME_MAX:
            bad.append(_("the name is longer than %(n)d characters") % {"n": _MATERIAL_NAME_MAX})
        if form is None:
            bad.append(
                _("the form “%(value)s” is not one of %(forms)s")
                % {"value": form_word, "forms": "、".join(FORM_WORDS.values())}
            )
        if count is None or count < 1:
            bad.append(
                _("the number of copies “%(value)s” is not a whole number from 1")
                % {"value": count_text}
            )
        if electronic is None:
            bad.append(_("“electronic accepted” should be 是 or 否"))
        if required is None:
            bad.append(_("“required” should be 是 or 否"))
        if bad:
            problems.append(
                _("Material %(n)d (%(name)s): %(problems)s")
                % {"n": index, "name": name, "problems": "; ".join(bad)}
            )
            continue
        materials.append(
            {
                "name": name,
                "form": form,
                "count": count,
                "electronic_ok": electronic,
                "required": required,
                "note": note,
            }
        )
    return materials, problems


def _check_row(
    number: int,
    cells: dict[str, Any],
    *,
    actor: Any,
    units: Mapping[str, Unit],
    kinds: Mapping[str, str],
    forms: Mapping[str, str],
    seen: dict[str, int],
    errors: _Errors,
) -> _Row | None:
    before = len(errors.items)
    code = _text(cells["code"])
    if not code:
        errors.add(number, "code", "", _("Enter the item code"))
    elif len(code) > _CODE_MAX:
        errors.add(
            number, "code", code, _("A code has at most %(n)d characters") % {"n": _CODE_MAX}
        )
    elif code in seen:
        errors.add(
            number, "code", code, _("The code is already in row %(row)d") % {"row": seen[code]}
        )
    else:
        seen[code] = number
    name = _text(cells["name"])
    if not name:
        errors.add(number, "name", "", _("Enter the item name"))
    elif len(name) > _NAME_MAX:
        errors.add(
            number, "name", name, _("A name has at most %(n)d characters") % {"n": _NAME_MAX}
        )
    kind_text = _text(cells["kind"])
    kind = kinds.get(kind_text.casefold())
    if kind is None:
        errors.add(
            number,
            "kind",
            kind_text,
            _("The item type should be one of %(kinds)s")
            % {"kinds": "、".join(KIND_WORDS.values())},
        )
    unit_code = _text(cells["department"])
    unit = units.get(unit_code)
    if unit is None:
        errors.add(
            number,
            "department",
            unit_code,
            _("No department has the code “%(code)s”") % {"code": unit_code},
        )
    elif actor is not None and not (
        perms.is_district_admin(actor) or perms.can_manage_regions(actor, unit.region)
    ):
        errors.add(
            number,
            "department",
            unit_code,
            _("You may not manage the items of %(unit)s") % {"unit": unit.name},
        )
    promised = _days(cells["promised_days"])
    statutory = _days(cells["statutory_days"])
    for key, value in (("promised_days", promised), ("statutory_days", statutory)):
        if value is None:
            errors.add(
                number, key, cells[key], _("Enter the number of working days as a whole number")
            )
    if promised is not None and statutory is not None and promised > statutory:
        errors.add(
            number,
            "promised_days",
            cells["promised_days"],
            _("The promised time (%(p)d working days) cannot exceed the statutory time (%(s)d)")
            % {"p": promised, "s": statutory},
        )
    fee = _text(cells["fee"]) or "不收费"
    if len(fee) > _FEE_MAX:
        errors.add(number, "fee", fee, _("At most %(n)d characters") % {"n": _FEE_MAX})
    flags: dict[str, bool] = {}
    for key, default in (("online", False), ("by_proxy", True), ("delivery", False)):
        flag = _flag(cells[key], default)
        if flag is None:
            errors.add(number, key, cells[key], _("Write 是 or 否"))
        else:
            flags[key] = flag
    group = _text(cells["queue_group"]).upper() or "A"
    if len(group) > _GROUP_MAX or not group.isalnum():
        errors.add(
            number,
            "queue_group",
            group,
            _("A queue group is 1 to %(n)d letters or digits") % {"n": _GROUP_MAX},
        )
    materials, problems = _parse_materials(_text(cells["materials"]), forms)
    for problem in problems:
        errors.add(number, "materials", cells["materials"], problem)
    if len(errors.items) > before or unit is None:
        return None
    values = {
        "name": name,
        "kind": kind,
        "department_id": unit.pk,
        "legal_basis": _text(cells["legal_basis"]),
        "procedure": _text(cells["procedure"]),
        "conditions": _text(cells["conditions"]),
        "promised_days": promised,
        "statutory_days": statutory,
        "fee": fee,
        "queue_group": group,
        **flags,
    }
    return _Row(number, code, values, materials)


def catalog_import(
    *, actor: Any, file: IO[bytes], filename: str, request: HttpRequest | None = None
) -> ImportReport:
    """Import catalog items from an .xlsx or .csv upload, whole or not at all.

    `actor` None is a system import (a management command). Raises `ImportFailed` with every
    problem found; then nothing has been written.
    """
    aliases = {key: [header, *names] for key, header, names in COLUMNS}
    kinds = _vocabulary(KIND_WORDS, ItemKind.choices)
    forms = _vocabulary(FORM_WORDS, MaterialForm.choices)
    errors = _Errors()
    cells_by_row: list[tuple[int, dict[str, Any]]] = []
    with read_rows(file, filename, aliases=aliases, required=REQUIRED) as reader:
        cells_by_row = list(reader)
    codes = {_text(cells["department"]) for _n, cells in cells_by_row}
    units = {u.code: u for u in Unit.objects.filter(code__in=codes).select_related("region")}
    seen: dict[str, int] = {}
    rows = [
        row
        for number, cells in cells_by_row
        if (
            row := _check_row(
                number,
                cells,
                actor=actor,
                units=units,
                kinds=kinds,
                forms=forms,
                seen=seen,
                errors=errors,
            )
        )
        is not None
    ]
    if not cells_by_row and not errors.items:
        errors.add(0, "", "", _("The file holds no items below the header row"))
    if errors.items:
        raise ImportFailed(errors.items)
    report = ImportReport(rows=len(rows))
    with transaction.atomic():
        current = dict(
            ServiceItem.objects.current()
            .filter(code__in=[r.code for r in rows])
            .values_list("code", "pk")
        )
        failed = _Errors()
        for row in rows:
            try:
                item = item_save(
                    actor=actor,
                    code=row.code,
                    values=row.values,
                    materials=row.materials,
                    request=request,
                )
            except ValidationError as exc:
                # Checked above already; kept for rules that only the service knows.
                for key, messages in exc.message_dict.items():
                    for message in messages:
                        failed.add(row.row, key, row.values.get(key, ""), message)
                continue
            if row.code not in current:
                report.created += 1
            elif current[row.code] == item.pk:
                report.unchanged += 1
            else:
                report.versions += 1
        if failed.items:
            raise ImportFailed(failed.items)
        audit_record(
            actor=actor,
            action=Action.IMPORT,
            obj=Target("hall.serviceitem", object_repr=filename[:200]),
            changes={"file": filename, **report.as_dict()},
            request=request,
        )
    return report


def materials_text(materials: Iterable[Any]) -> str:
    """The materials cell of an item (materials or the seed's materials)."""
    entries = []
    for material in materials:
        parts = [
            material.name,
            FORM_WORDS.get(MaterialForm(material.form), material.form),
            str(material.count),
            YES if material.electronic_ok else NO,
            YES if material.required else NO,
        ]
        note = getattr(material, "note", "")
        if note:
            parts.append(note)
        entries.append("|".join(parts))
    return ";".join(entries)


def item_row(item: ServiceItem) -> list[Any]:
    """One item as a row of the file, in the order of COLUMNS."""
    return [
        item.code,
        item.name,
        KIND_WORDS.get(ItemKind(item.kind), item.kind),
        item.department.code,
        item.legal_basis,
        item.procedure,
        item.conditions,
        item.promised_days,
        item.statutory_days,
        item.fee,
        YES if item.online else NO,
        YES if item.by_proxy else NO,
        YES if item.delivery else NO,
        item.queue_group,
        materials_text(item.materials.all()),
    ]


def catalog_export(items: Iterable[ServiceItem]) -> bytes:
    """An .xlsx workbook of the given items (prefetch their department and materials)."""
    return write_xlsx((item_row(item) for item in items), HEADERS, _("Service catalog"))


def template_xlsx() -> bytes:
    """The columns with one example row: the first item of the starting catalog."""
    seed = ITEMS[0]
    example = [
        seed.code,
        seed.name,
        KIND_WORDS[ItemKind(seed.kind)],
        seed.department,
        seed.legal_basis,
        FLOWS[seed.flow].format(dept=DEPARTMENT_NAMES[seed.department]),
        seed.conditions,
        seed.promised_days,
        seed.statutory_days,
        seed.fee,
        YES if seed.online else NO,
        YES if seed.by_proxy else NO,
        YES if seed.delivery else NO,
        seed.queue_group,
        materials_text(seed.materials),
    ]
    return write_xlsx([example], HEADERS, _("Service catalog"))
