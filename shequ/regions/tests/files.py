"""Building the files the region-import tests upload (xlsx, CSV, GeoJSON) and reading refusals."""

import csv
import io
import json
from typing import Any

import pytest

from shequ.audit.models import AuditEvent
from shequ.lib.tabular import ImportFailed, RowError, write_xlsx
from shequ.regions.io import region_import
from shequ.regions.models import Region

HEADER = ["编码", "名称", "层级", "上级编码", "社区类型", "边界"]
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[116.0, 39.0], [116.1, 39.0], [116.1, 39.1], [116.0, 39.1], [116.0, 39.0]]],
}


def xlsx(*rows: list[Any], header: list[str] = HEADER) -> io.BytesIO:
    return io.BytesIO(write_xlsx(rows, header))


def csv_file(*rows: list[Any], header: list[str] = HEADER, encoding: str = "utf-8") -> io.BytesIO:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return io.BytesIO(buffer.getvalue().encode(encoding))


def geojson(*features: dict[str, Any]) -> io.BytesIO:
    collection = {"type": "FeatureCollection", "features": list(features)}
    return io.BytesIO(json.dumps(collection, ensure_ascii=False).encode())


def feature(geometry: dict[str, Any] | None = None, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def tree() -> list[tuple[Any, ...]]:
    """The whole tree as comparable values, checking each stored path on the way."""
    rows = []
    for region in Region.objects.select_related("level", "parent").order_by("code"):
        parent = region.parent
        assert region.path == f"{parent.path if parent else '/'}{region.pk}/"
        assert region.depth == (parent.depth + 1 if parent else 0)
        rows.append(
            (
                region.code,
                region.name,
                region.level.key,
                parent.code if parent else "",
                region.depth,
                region.community_type,
                region.is_special,
                region.boundary,
            )
        )
    return rows


def refused(actor: Any, file: io.BytesIO, filename: str = "regions.xlsx") -> list[RowError]:
    """Import a bad file and return its errors, asserting that nothing was written."""
    regions, events = tree(), AuditEvent.objects.count()
    with pytest.raises(ImportFailed) as caught:
        region_import(actor=actor, file=file, filename=filename)
    assert tree() == regions
    assert AuditEvent.objects.count() == events
    return caught.value.errors


# Building and changing the tree ---------------------------------------------------------------
