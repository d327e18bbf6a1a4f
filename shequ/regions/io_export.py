"""Exporting the region tree (xlsx, csv, GeoJSON) and the import template; audited."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.audit.models import Action
from shequ.audit.services import audit_record
from shequ.lib.tabular import XLSX_CELL_LIMIT, write_csv, write_xlsx
from shequ.regions.io_columns import COLUMNS, FORMATS
from shequ.regions.models import CommunityType, Level, Region


def region_export(
    *, actor: Any, root: Region, fmt: str, request: HttpRequest | None = None
) -> tuple[bytes, str, str]:
    """The subtree of `root` within the actor's scope as (content, content type, file name).

    The file imports back as it is. In .xlsx a boundary longer than a cell holds (32,767
    characters) is left out: GeoJSON carries every boundary.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    regions = Region.objects.select_related("level", "parent").subtree(root)
    if actor is not None:
        regions = regions.visible_to(actor)
    nodes = _tree_order(list(regions), root)
    if not nodes:
        raise PermissionDenied
    if fmt == "geojson":
        content = json.dumps(_feature_collection(nodes), ensure_ascii=False).encode()
    else:
        headers = [str(column.label) for column in COLUMNS]
        rows = [_table_row(region, fmt) for region in nodes]
        content = (
            write_xlsx(rows, headers, _("Regions")) if fmt == "xlsx" else write_csv(rows, headers)
        )
    audit_record(
        actor=actor,
        action=Action.EXPORT,
        obj=root,
        changes={"format": fmt, "rows": len(nodes)},
        request=request,
    )
    filename = f"regions-{root.code}-{timezone.localdate():%Y%m%d}.{fmt}"
    return content, FORMATS[fmt], filename


def _tree_order(regions: list[Region], root: Region) -> list[Region]:
    """Depth first from the root, siblings by code: each parent right above its children."""
    children: dict[int | None, list[Region]] = {}
    for region in regions:
        children.setdefault(region.parent_id, []).append(region)
    ordered: list[Region] = []
    stack = [region for region in regions if region.pk == root.pk]
    while stack:
        region = stack.pop()
        ordered.append(region)
        stack.extend(sorted(children.get(region.pk, []), key=lambda r: r.code, reverse=True))
    return ordered


def _table_row(region: Region, fmt: str) -> list[Any]:
    boundary = ""
    if region.boundary:
        boundary = json.dumps(region.boundary, ensure_ascii=False, separators=(",", ":"))
        if fmt == "xlsx" and len(boundary) > XLSX_CELL_LIMIT:
            boundary = ""
    return [
        region.code,
        region.name,
        region.level.name,
        region.parent.code if region.parent else "",
        region.get_community_type_display() if region.community_type else "",
        _("Yes") if region.is_special else _("No"),
        boundary,
    ]


def _feature_collection(nodes: list[Region]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "code": region.code,
                    "name": region.name,
                    "level": region.level.key,
                    "parent_code": region.parent.code if region.parent else None,
                    "community_type": region.community_type or None,
                    "is_special": region.is_special,
                },
                "geometry": region.boundary or None,
            }
            for region in nodes
        ],
    }


def template_rows() -> list[list[str]]:
    """Two example rows for the downloadable template: a street and a community in it."""
    names = dict(Level.objects.values_list("key", "name"))
    return [
        ["110101001", "东华门街道", names.get("street", "street"), "110101", "", "", ""],
        [
            "110101001001",
            "多福巷社区",
            names.get("community", "community"),
            "110101001",
            str(CommunityType.OLD_TOWN.label),
            _("No"),
            "",
        ],
    ]


def template_xlsx() -> bytes:
    return write_xlsx(template_rows(), [str(column.label) for column in COLUMNS], _("Regions"))
