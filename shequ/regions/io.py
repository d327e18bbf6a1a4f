"""Import and export of the region tree: Excel (.xlsx), CSV and GeoJSON.

An import lands whole or not at all. Every row is first checked against the file and the tree
(codes, levels, parents, boundaries, the importer's rights) and every problem is collected with
its row and column; one problem refuses the whole file with `ImportFailed`. A clean file is
applied in one transaction through the region services, which audit each node, and the import
itself is one more audit event with its counts.

Rows may come in any order: a parent's level is always above its child's, so applying the rows
level by level creates every parent before its children. A code already in the tree is updated;
a different parent code moves the node with its subtree. An empty optional cell (community type,
special grid, boundary) and, for a region already in the tree, an empty parent code leave the
stored value as it is.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Generator, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import PurePath
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.audit.models import Action
from shequ.audit.services import Target, audit_record
from shequ.lib.tabular import (
    ImportFailed,
    RowError,
    RowReader,
    cell_text,
    normalise_header,
    read_rows,
)
from shequ.regions.geojson import boundary_parse
from shequ.regions.io_columns import COLUMNS, REQUIRED, column_aliases, in_every_language
from shequ.regions.models import CommunityType, Level, Region
from shequ.regions.permissions import can_manage_regions
from shequ.regions.services import (
    region_create,
    region_move,
    region_update,
    validate_code,
    validate_level,
)

IMPORT_SUFFIXES = (".xlsx", ".csv", ".geojson", ".json")
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
_GEOMETRY_COLUMN = "geometry"
_CODE_MAX = Region._meta.get_field("code").max_length or 32
_NAME_MAX = Region._meta.get_field("name").max_length or 100
_TRUE = ("是", "1", "true", "yes", "y", "√", "✓")
_FALSE = ("否", "0", "false", "no", "n", "×")


@dataclass
class ImportReport:
    """What an import did: rows read, and nodes created, changed, moved or left as they were."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    moved: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(eq=False)
class _Row:
    """One checked row of the file, with what it refers to in the file and in the tree."""

    row: int
    code: str
    name: str
    level: Level
    parent_code: str
    community_type: str | None
    is_special: bool | None
    boundary: dict[str, Any] | None
    existing: Region | None = None
    parent: _Row | Region | None = None
    moved: bool = False
    failed: bool = False


@dataclass
class _Errors:
    labels: Mapping[str, str]
    items: list[RowError] = field(default_factory=list)

    def add(self, row: int, key: str, value: Any, message: str) -> None:
        self.items.append(RowError(row, self.labels.get(key, key), cell_text(value), message))

    def add_validation(self, item: _Row, error: ValidationError) -> None:
        values = {"code": item.code, "level": item.level.name, "parent_code": item.parent_code}
        for field_name, messages in error.message_dict.items():
            key = {"parent": "parent_code"}.get(field_name, field_name)
            for message in messages:
                self.add(item.row, key, values.get(key, ""), message)


# Reading the file ------------------------------------------------------------------------------

_Rows = RowReader | Generator[tuple[int, dict[str, Any]]]


def _read(file: IO[bytes], filename: str, errors: list[RowError]) -> tuple[_Rows, dict[str, str]]:
    """The rows of the upload as (row number, values) and the file's names of the columns."""
    if PurePath(filename).suffix.lower() in (".geojson", ".json"):
        return geojson_rows(file, errors), {"boundary": _GEOMETRY_COLUMN}
    reader = read_rows(file, filename, aliases=column_aliases(), required=REQUIRED)
    return reader, reader.labels


def geojson_rows(file: IO[bytes], errors: list[RowError]) -> Generator[tuple[int, dict[str, Any]]]:
    """Features as rows numbered from 1; their properties matched like spreadsheet headers."""
    if hasattr(file, "seek"):
        file.seek(0)
    try:
        data = json.loads(file.read().decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        message = _("The file is not GeoJSON: %(error)s") % {"error": exc}
        raise ImportFailed([RowError(0, "", "", message)]) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        message = _("A GeoJSON file of regions holds one FeatureCollection")
        raise ImportFailed([RowError(0, "", "", message)])
    lookup = {
        normalise_header(name): key
        for key, names in column_aliases().items()
        for name in (key, *names)
    }
    for number, feature in enumerate(data.get("features") or [], start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            errors.append(RowError(number, "", "", _("This item is not a GeoJSON Feature")))
            continue
        values: dict[str, Any] = dict.fromkeys(column.key for column in COLUMNS)
        properties = feature.get("properties")
        for name, value in (properties if isinstance(properties, dict) else {}).items():
            key = lookup.get(normalise_header(name))
            if key is not None and key != "boundary":
                values[key] = value if value != "" else None
        values["boundary"] = feature.get("geometry")
        yield number, values


class _Vocabulary:
    """The words a row may use for levels, community types and yes/no, looked up once."""

    def __init__(self) -> None:
        self.levels = list(Level.objects.all())
        self.level_names: dict[str, Level] = {}
        for level in self.levels:
            self.level_names[normalise_header(level.key)] = level
            self.level_names[normalise_header(level.name)] = level
        self.community_types: dict[str, str] = {}
        for value, label in CommunityType.choices:
            self.community_types[normalise_header(value)] = value
            for name in in_every_language(label):
                self.community_types[normalise_header(name)] = value
        self.flags: dict[str, bool] = {}
        for words, flag in ((_TRUE, True), (_FALSE, False)):
            for word in words:
                self.flags[normalise_header(word)] = flag
        for name in in_every_language(gettext_lazy("Yes")):
            self.flags[normalise_header(name)] = True
        for name in in_every_language(gettext_lazy("No")):
            self.flags[normalise_header(name)] = False


def _parse(number: int, values: dict[str, Any], words: _Vocabulary, errors: _Errors) -> _Row | None:
    """One row's own values; None when its code or level is unusable for the checks that follow."""
    usable = True
    code = cell_text(values["code"])
    if not code:
        errors.add(number, "code", "", _("Enter the code"))
        usable = False
    elif len(code) > _CODE_MAX:
        errors.add(
            number,
            "code",
            code,
            _("A code has at most %(count)d characters") % {"count": _CODE_MAX},
        )
        usable = False
    name = cell_text(values["name"])
    if not name:
        errors.add(number, "name", "", _("Enter the name"))
    elif len(name) > _NAME_MAX:
        message = _("A name has at most %(count)d characters") % {"count": _NAME_MAX}
        errors.add(number, "name", name, message)
    level_text = cell_text(values["level"])
    level = words.level_names.get(normalise_header(level_text)) if level_text else None
    if level is None:
        usable = False
        if not level_text:
            errors.add(number, "level", "", _("Enter the level"))
        else:
            message = _("There is no level “%(level)s”; the levels are %(names)s") % {
                "level": level_text,
                "names": "、".join(level.name for level in words.levels),
            }
            errors.add(number, "level", level_text, message)
    community_type = None
    if type_text := cell_text(values["community_type"]):
        community_type = words.community_types.get(normalise_header(type_text))
        if community_type is None:
            message = _("There is no community type “%(type)s”; the types are %(names)s") % {
                "type": type_text,
                "names": "、".join(str(label) for label in CommunityType.labels),
            }
            errors.add(number, "community_type", type_text, message)
    is_special = None
    raw_flag = values["is_special"]
    if isinstance(raw_flag, bool):
        is_special = raw_flag
    elif flag_text := cell_text(raw_flag):
        is_special = words.flags.get(normalise_header(flag_text))
        if is_special is None:
            message = _("Write “%(yes)s” or “%(no)s”") % {"yes": _("Yes"), "no": _("No")}
            errors.add(number, "is_special", flag_text, message)
    boundary = None
    if values["boundary"] not in (None, ""):
        boundary, problem = boundary_parse(values["boundary"])
        if problem:
            raw = values["boundary"]
            shown = raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False)
            errors.add(number, "boundary", shown[:200], problem)
    if not usable or level is None:
        return None
    return _Row(
        row=number,
        code=code,
        name=name,
        level=level,
        parent_code=cell_text(values["parent_code"]),
        community_type=community_type,
        is_special=is_special,
        boundary=boundary,
    )


def _stored(codes: set[str]) -> dict[str, Region]:
    found: dict[str, Region] = {}
    ordered = sorted(codes)
    # In chunks: SQLite limits the number of parameters of one query.
    for start in range(0, len(ordered), 2000):
        chunk = ordered[start : start + 2000]
        for region in Region.objects.filter(code__in=chunk).select_related("level", "parent"):
            found[region.code] = region
    return found


def _as_region(parent: _Row | Region | None) -> Region | None:
    """The parent as the code and level validators take it (a file row is not saved yet)."""
    if parent is None or isinstance(parent, Region):
        return parent
    return Region(code=parent.code, level=parent.level)


def _anchor(parent: _Row | Region | None) -> tuple[Region | None, bool]:
    """The region in the tree at or above a parent, and whether the file's chain is intact."""
    while isinstance(parent, _Row):
        if parent.existing is not None:
            return parent.existing, True
        if parent.failed:
            return None, False
        parent = parent.parent
    return parent, True


def _check(rows: Iterable[tuple[int, dict[str, Any]]], errors: _Errors, actor: Any) -> list[_Row]:
    """Every row checked; returns them in the order to apply, or raises ImportFailed."""
    words = _Vocabulary()
    items: list[_Row] = []
    first_row: dict[str, int] = {}
    count = 0
    for number, values in rows:
        count += 1
        code = cell_text(values["code"])
        if code in first_row:
            message = _("The code %(code)s is already on row %(row)d") % {
                "code": code,
                "row": first_row[code],
            }
            errors.add(number, "code", code, message)
            continue
        if code:
            first_row[code] = number
        item = _parse(number, values, words, errors)
        if item is not None:
            items.append(item)
    if count == 0:
        errors.items.append(RowError(0, "", "", _("The file has no regions in it")))
    in_file = {item.code: item for item in items}
    stored = _stored(set(in_file) | {item.parent_code for item in items if item.parent_code})
    # Level by level, so that a row's parent has been looked at before the row itself.
    items.sort(key=lambda item: (item.level.depth, item.row))
    for item in items:
        item.failed = not _check_row(item, in_file, stored, errors, actor)
    if errors.items:
        raise ImportFailed(sorted(errors.items, key=lambda error: error.row))
    return items


def _check_row(
    item: _Row, in_file: dict[str, _Row], stored: dict[str, Region], errors: _Errors, actor: Any
) -> bool:
    before = len(errors.items)
    existing = item.existing = stored.get(item.code)
    if existing is not None and existing.level_id != item.level.pk:
        message = _("%(region)s is a %(level)s: import cannot change the level of a region") % {
            "region": existing,
            "level": existing.level.name,
        }
        errors.add(item.row, "level", item.level.name, message)
        return False
    if not item.parent_code:
        # An empty parent keeps a stored region where it is, and makes a new one a top node.
        item.parent = existing.parent if existing is not None else None
    elif item.parent_code == item.code:
        errors.add(
            item.row, "parent_code", item.parent_code, _("A region cannot be its own parent")
        )
        return False
    else:
        item.parent = in_file.get(item.parent_code) or stored.get(item.parent_code)
        if item.parent is None:
            message = _("No region has the code %(code)s, neither in this file nor in the tree") % {
                "code": item.parent_code
            }
            errors.add(item.row, "parent_code", item.parent_code, message)
            return False
        item.moved = existing is not None and (
            existing.parent is None or existing.parent.code != item.parent_code
        )
    if existing is not None and actor is not None and not can_manage_regions(actor, existing):
        message = _("%(region)s is outside the part of the tree you manage") % {"region": existing}
        errors.add(item.row, "code", item.code, message)
        return False
    if existing is None or item.moved:
        _check_place(item, errors, actor)
    return len(errors.items) == before


def _check_place(item: _Row, errors: _Errors, actor: Any) -> None:
    """Checks for a new node and for a node that moves: its level, code and the actor's rights."""
    existing = item.existing
    if existing is not None and existing.parent_id is None:
        errors.add(
            item.row, "parent_code", item.parent_code, _("The top of the tree cannot be moved")
        )
        return
    target, intact = _anchor(item.parent)
    if existing is not None and target is not None and target.path.startswith(existing.path):
        message = _("A node cannot move under itself or its own subtree")
        errors.add(item.row, "parent_code", item.parent_code, message)
        return
    parent = _as_region(item.parent)
    before = len(errors.items)
    checks = [lambda: validate_level(item.level, parent)]
    if existing is None:
        # A code is checked against its parent when the node is made; a node that moves
        # keeps its code (its records and history refer to it).
        checks.append(lambda: validate_code(item.code, item.level, parent))
    for validate in checks:
        try:
            validate()
        except ValidationError as exc:
            errors.add_validation(item, exc)
    if actor is None or not intact or len(errors.items) > before:
        return
    if target is None:
        message = _("Only a system import may add a region at the top of the tree")
        errors.add(item.row, "parent_code", item.parent_code, message)
    elif not can_manage_regions(actor, target):
        message = _("You may not add or move regions under %(region)s") % {"region": target}
        errors.add(item.row, "parent_code", item.parent_code, message)


# Applying --------------------------------------------------------------------------------------


def region_import(
    *, actor: Any, file: IO[bytes], filename: str, request: HttpRequest | None = None
) -> ImportReport:
    """Import regions from an .xlsx, .csv or .geojson upload, whole or not at all.

    `actor` None is a system import (a management command), which may also add top nodes.
    Raises `ImportFailed` with every problem found; then nothing has been written.
    """
    structure: list[RowError] = []
    rows, labels = _read(file, filename, structure)
    errors = _Errors(labels, structure)
    try:
        items = _check(rows, errors, actor)
    finally:
        rows.close()
    report = ImportReport(rows=len(items))
    with transaction.atomic():
        regions = {item.code: item.existing for item in items if item.existing is not None}
        regions |= {
            item.parent.code: item.parent for item in items if isinstance(item.parent, Region)
        }
        for item in items:
            try:
                regions[item.code] = _apply_row(item, regions, report, actor, request)
            except ValidationError as exc:
                # Checked above already; a concurrent edit of the tree can still get here.
                failed = _Errors(labels)
                failed.add_validation(item, exc)
                raise ImportFailed(failed.items) from exc
        # Read the paths again: moves have rewritten some since the rows were checked.
        paths = [region.path for region in _stored({item.code for item in items}).values()]
        audit_record(
            actor=actor,
            action=Action.IMPORT,
            obj=Target("regions.region", object_repr=filename[:200], region_path=_common(paths)),
            changes={"file": filename, **report.as_dict()},
            request=request,
        )
    return report


def _apply_row(
    item: _Row,
    regions: dict[str, Region],
    report: ImportReport,
    actor: Any,
    request: HttpRequest | None,
) -> Region:
    parent = regions[item.parent_code] if item.parent_code else None
    if parent is not None and report.moved:
        # Moves rewrite the paths below the moved node; read the parent's place again.
        parent.refresh_from_db(fields=["path", "depth"])
    region = item.existing
    if region is None:
        report.created += 1
        return region_create(
            actor=actor,
            code=item.code,
            name=item.name,
            level=item.level,
            parent=parent,
            boundary=item.boundary,
            community_type=item.community_type or "",
            is_special=bool(item.is_special),
            request=request,
        )
    wanted: dict[str, Any] = {"name": item.name}
    for name in ("boundary", "community_type", "is_special"):
        if getattr(item, name) is not None:
            wanted[name] = getattr(item, name)
    changes = {name: value for name, value in wanted.items() if getattr(region, name) != value}
    if changes:
        region = region_update(actor=actor, region=region, request=request, **changes)
        report.updated += 1
    if item.moved:
        assert parent is not None
        region = region_move(actor=actor, region=region, new_parent=parent, request=request)
        report.moved += 1
    if not changes and not item.moved:
        report.unchanged += 1
    return region


def _common(paths: Iterable[str]) -> str:
    """The path of the lowest node above all the given ones ("" when they share none)."""
    prefix = posixpath.commonprefix(list(paths))
    return prefix[: prefix.rfind("/") + 1] if prefix.count("/") >= 2 else ""
