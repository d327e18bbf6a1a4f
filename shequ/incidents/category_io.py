"""Import and export of the incident category table as a spreadsheet (.xlsx or .csv).

One row per subclass, with its class on the same row (类型, 大类代码, 大类名称, 小类代码, 小类名称,
立案条件, 结案条件, 处置时限, 时限类型, 处置单位编码, 处置层级, 启用), as city tables are kept. The
time limit may carry its kind in the same cell ("4个工作时"). An export is read back by the
import unchanged, so a table exported, edited in Excel and uploaded again changes only the
rows whose cells changed. Subclasses missing from a file stay as they are: a file may hold one
class only; retire a subclass with 启用 = 否.

An import lands whole or not at all: every row is checked first, every problem collected with
its row and column; one problem refuses the file with `ImportFailed`. A clean file is saved
row by row through the services (which audit each change) in one transaction, and the import
itself is one more audit event with its counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _

from shequ.audit.models import Action
from shequ.audit.services import Target, audit_record
from shequ.incidents.models import IncidentCategory, IncidentKind, Tier, TimeLimitKind
from shequ.incidents.services import TIME_LIMIT_MAX, category_save, class_save
from shequ.lib.tabular import ImportFailed, RowError, cell_text, read_rows, write_csv, write_xlsx
from shequ.regions import permissions as perms
from shequ.regions.models import Unit

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
IMPORT_SUFFIXES = (".xlsx", ".csv")
MAX_UPLOAD_BYTES = 10 * 1024 * 1024

# (key, header, other names the column may have). The headers are the file format and stay in
# Chinese whatever the interface language, so that a file always reads back.
COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("kind", "类型", ("部件事件", "kind")),
    ("class_code", "大类代码", ("大类编码", "class code")),
    ("class_name", "大类名称", ("大类", "class name", "class")),
    ("code", "小类代码", ("小类编码", "subclass code", "code")),
    ("name", "小类名称", ("小类", "subclass name", "name")),
    ("filing_condition", "立案条件", ("立案标准", "filing condition")),
    ("closing_condition", "结案条件", ("结案标准", "closing condition")),
    ("time_limit", "处置时限", ("时限", "time limit")),
    ("time_limit_kind", "时限类型", ("时限单位", "time limit kind")),
    ("default_unit", "处置单位编码", ("责任单位编码", "单位编码", "unit code", "unit")),
    ("default_tier", "处置层级", ("层级", "tier")),
    ("is_active", "启用", ("是否启用", "active")),
)
HEADERS = [header for _key, header, _names in COLUMNS]
REQUIRED = (
    "kind",
    "class_code",
    "class_name",
    "code",
    "name",
    "filing_condition",
    "closing_condition",
    "time_limit",
    "default_tier",
)

# The file's words for the choices; the import also takes the other words listed here, the
# keys and the labels in every interface language.
KIND_WORDS = {IncidentKind.COMPONENT: "部件", IncidentKind.EVENT: "事件"}
LIMIT_WORDS = {
    TimeLimitKind.URGENT_HOURS: "紧急时",
    TimeLimitKind.WORKING_HOURS: "工作时",
    TimeLimitKind.WORKING_DAYS: "工作日",
    TimeLimitKind.NATURAL_DAYS: "自然日",
}
LIMIT_OTHER_WORDS = {
    "紧急小时": TimeLimitKind.URGENT_HOURS,
    "小时": TimeLimitKind.URGENT_HOURS,
    "工作小时": TimeLimitKind.WORKING_HOURS,
    "天": TimeLimitKind.NATURAL_DAYS,
    "日": TimeLimitKind.NATURAL_DAYS,
}
TIER_WORDS = {Tier.GRID: "网格", Tier.COMMUNITY: "社区", Tier.STREET: "街道", Tier.DISTRICT: "区"}
TIER_OTHER_WORDS = {
    "网格级": Tier.GRID,
    "社区级": Tier.COMMUNITY,
    "街道级": Tier.STREET,
    "区级": Tier.DISTRICT,
}
YES, NO = "是", "否"
_TRUE = {"是", "1", "true", "yes", "y", "√", "✓"}
_FALSE = {"否", "0", "false", "no", "n", "×"}
_LIMIT = re.compile(r"^(\d+)\s*个?\s*(.*)$")
_CODE_MAX = 2


def _in_every_language(text: Any) -> set[str]:
    words = {str(text).casefold()}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            words.add(str(text).casefold())
    return words


def _vocabulary(
    words: Mapping[Any, str], others: Mapping[str, Any], choices: Iterable[tuple[str, Any]]
) -> dict[str, str]:
    """Every way a file may name a choice: the file's word, other words, key, labels."""
    lookup = {word.casefold(): str(value) for word, value in others.items()}
    for value, label in choices:
        for word in (words[value], value, *_in_every_language(label)):
            lookup[str(word).casefold()] = str(value)
    return lookup


@dataclass
class ImportReport:
    """What an import did: subclasses read, created, changed, or left as they were."""

    rows: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass
class _Row:
    row: int
    kind: str
    class_code: str
    class_name: str
    code: str
    values: dict[str, Any]


@dataclass
class _Errors:
    items: list[RowError] = field(default_factory=list)

    def add(self, row: int, key: str, value: Any, message: str) -> None:
        header = dict((k, h) for k, h, _n in COLUMNS).get(key, key)
        self.items.append(RowError(row, header, cell_text(value), message))


def _code(value: Any) -> str:
    """A two-digit code; Excel turns 01 into the number 1, so one digit gets its zero back."""
    text = cell_text(value)
    return text.zfill(2) if len(text) == 1 and text.isdigit() else text


class _Checker:
    """Checks rows one by one against the vocabulary, the units and the rows before them."""

    def __init__(self, units: Mapping[str, Unit], errors: _Errors) -> None:
        self.units = units
        self.errors = errors
        self.kinds = _vocabulary(KIND_WORDS, {}, IncidentKind.choices)
        self.limits = _vocabulary(LIMIT_WORDS, LIMIT_OTHER_WORDS, TimeLimitKind.choices)
        self.tiers = _vocabulary(TIER_WORDS, TIER_OTHER_WORDS, Tier.choices)
        self.seen: dict[tuple[str, str, str], int] = {}
        self.class_names: dict[tuple[str, str], tuple[str, int]] = {}

    def _choice(
        self, number: int, key: str, value: Any, lookup: Mapping[str, str], words: Iterable[str]
    ) -> str | None:
        text = cell_text(value)
        found = lookup.get(text.casefold())
        if found is None:
            message = _("Write one of %(words)s") % {"words": "、".join(words)}
            self.errors.add(number, key, text, message if text else _("This cell is required"))
        return found

    def _limit(self, number: int, cells: dict[str, Any]) -> tuple[int | None, str | None]:
        raw = cells["time_limit"]
        limit_text = cell_text(raw)
        match = _LIMIT.match(limit_text)
        limit = int(match.group(1)) if match else None
        if limit is None or not 1 <= limit <= TIME_LIMIT_MAX:
            message = _(
                "Write the time limit as a whole number from 1 to %(max)d, for example 4 or 4工作时"
            )
            self.errors.add(number, "time_limit", limit_text, message % {"max": TIME_LIMIT_MAX})
        words = LIMIT_WORDS.values()
        kind_text = cell_text(cells["time_limit_kind"])
        in_cell = match.group(2).strip() if match else ""
        if in_cell:
            kind = self._choice(number, "time_limit", in_cell, self.limits, words)
            if kind is not None and kind_text and self.limits.get(kind_text.casefold()) != kind:
                message = _("The time limit says “%(cell)s” but the kind column says “%(kind)s”")
                self.errors.add(
                    number,
                    "time_limit_kind",
                    kind_text,
                    message % {"cell": in_cell, "kind": kind_text},
                )
            return limit, kind
        return limit, self._choice(number, "time_limit_kind", kind_text, self.limits, words)

    def check(self, number: int, cells: dict[str, Any]) -> _Row | None:
        errors = self.errors
        before = len(errors.items)
        kind = self._choice(number, "kind", cells["kind"], self.kinds, KIND_WORDS.values())
        codes = {key: _code(cells[key]) for key in ("class_code", "code")}
        for key, code in codes.items():
            if len(code) != _CODE_MAX or not code.isdigit() or code == "00":
                errors.add(number, key, code, _("A code is two digits from 01 to 99"))
        class_name = cell_text(cells["class_name"])
        texts = {
            key: cell_text(cells[key]) for key in ("name", "filing_condition", "closing_condition")
        }
        for key, text in (("class_name", class_name), *texts.items()):
            if not text:
                errors.add(number, key, "", _("This cell is required"))
        name_max = IncidentCategory._meta.get_field("name").max_length or 50
        if len(texts["name"]) > name_max:
            errors.add(
                number,
                "name",
                texts["name"],
                _("A name has at most %(count)d characters") % {"count": name_max},
            )
        limit, limit_kind = self._limit(number, cells)
        tier = self._choice(
            number, "default_tier", cells["default_tier"], self.tiers, TIER_WORDS.values()
        )
        unit_code = cell_text(cells["default_unit"])
        unit = self.units.get(unit_code) if unit_code else None
        if unit_code and unit is None:
            errors.add(
                number,
                "default_unit",
                unit_code,
                _("No unit has the code “%(code)s”") % {"code": unit_code},
            )
        active_text = cell_text(cells["is_active"]).casefold()
        active = (
            True
            if not active_text
            else (True if active_text in _TRUE else False if active_text in _FALSE else None)
        )
        if active is None:
            errors.add(number, "is_active", cells["is_active"], _("Write 是 or 否"))
        if kind is not None and len(errors.items) == before:
            identity = (kind, codes["class_code"], codes["code"])
            if identity in self.seen:
                message = _("This subclass is already on row %(row)d") % {
                    "row": self.seen[identity]
                }
                errors.add(number, "code", codes["code"], message)
            self.seen.setdefault(identity, number)
            named, row = self.class_names.setdefault(identity[:2], (class_name, number))
            if named != class_name:
                message = _("Row %(row)d names this class “%(name)s”") % {"row": row, "name": named}
                errors.add(number, "class_name", class_name, message)
        if len(errors.items) > before or kind is None:
            return None
        values = {
            **texts,
            "time_limit": limit,
            "time_limit_kind": limit_kind,
            "default_unit": unit,
            "default_tier": tier,
            "is_active": active,
        }
        return _Row(number, kind, codes["class_code"], class_name, codes["code"], values)


def category_import(
    *, actor: Any, file: IO[bytes], filename: str, request: HttpRequest | None = None
) -> ImportReport:
    """Import subclasses from an .xlsx or .csv upload, whole or not at all.

    `actor` None is a system import (a management command); anyone else must be a district
    administrator. Raises `ImportFailed` with every problem found; then nothing was written.
    """
    if actor is not None and not perms.is_district_admin(actor):
        raise PermissionDenied
    aliases = {key: [header, *names] for key, header, names in COLUMNS}
    with read_rows(file, filename, aliases=aliases, required=REQUIRED) as reader:
        cells_by_row = list(reader)
    codes = {cell_text(cells["default_unit"]) for _n, cells in cells_by_row}
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=codes - {""})}
    errors = _Errors()
    checker = _Checker(units, errors)
    rows = [row for number, cells in cells_by_row if (row := checker.check(number, cells))]
    if not cells_by_row:
        errors.add(0, "", "", _("The file holds no subclasses below the header row"))
    if errors.items:
        raise ImportFailed(errors.items)
    report = ImportReport(rows=len(rows))
    with transaction.atomic():
        stamps = dict(IncidentCategory.objects.values_list("pk", "updated_at"))
        classes = {}
        for row in rows:
            key = (row.kind, row.class_code)
            if key not in classes:
                classes[key] = class_save(
                    actor=actor,
                    kind=row.kind,
                    code=row.class_code,
                    name=row.class_name,
                    request=request,
                )
            try:
                category = category_save(
                    actor=actor,
                    incident_class=classes[key],
                    code=row.code,
                    values=row.values,
                    request=request,
                )
            except ValidationError as exc:
                # Checked above already; kept for rules that only the service knows.
                failed = _Errors()
                for name, messages in exc.message_dict.items():
                    for message in messages:
                        failed.add(row.row, name, row.values.get(name, ""), message)
                raise ImportFailed(failed.items) from exc
            if category.pk not in stamps:
                report.created += 1
            elif stamps[category.pk] != category.updated_at:
                report.changed += 1
            else:
                report.unchanged += 1
        audit_record(
            actor=actor,
            action=Action.IMPORT,
            obj=Target("incidents.incidentcategory", object_repr=filename[:200]),
            changes={"file": filename, **report.as_dict()},
            request=request,
        )
    return report


def category_row(category: IncidentCategory) -> list[Any]:
    """One subclass as a row of the file, in the order of COLUMNS."""
    incident_class = category.incident_class
    return [
        KIND_WORDS[IncidentKind(incident_class.kind)],
        incident_class.code,
        incident_class.name,
        category.code,
        category.name,
        category.filing_condition,
        category.closing_condition,
        category.time_limit,
        LIMIT_WORDS[TimeLimitKind(category.time_limit_kind)],
        category.default_unit.code if category.default_unit else "",
        TIER_WORDS[Tier(category.default_tier)],
        YES if category.is_active else NO,
    ]


def category_export(categories: Iterable[IncidentCategory], *, as_csv: bool = False) -> bytes:
    """The subclasses as an .xlsx workbook (or CSV); select their class and unit first."""
    rows = (category_row(category) for category in categories)
    if as_csv:
        return write_csv(rows, HEADERS)
    return write_xlsx(rows, HEADERS, _("Incident categories"))
