"""Helpers of the incident loop tests: a world with grid boundaries, staff, a report."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from shequ.cases.models import Case
from shequ.incidents.models_loop import Incident
from shequ.incidents.services_loop import incident_report
from shequ.incidents.tests.table import Table
from shequ.regions.locate import invalidate
from shequ.regions.models import Region, RoleAssignment
from shequ.regions.roles import Role
from shequ.regions.tests.factories import UserFactory, World

# The grid worker's grid is the square 116.0-116.1 / 39.0-39.1; the sibling lies east of it.
GRID_SQUARE = [[[116.0, 39.0], [116.1, 39.0], [116.1, 39.1], [116.0, 39.1], [116.0, 39.0]]]
SIBLING_SQUARE = [[[116.1, 39.0], [116.2, 39.0], [116.2, 39.1], [116.1, 39.1], [116.1, 39.0]]]
IN_GRID = (116.05, 39.05)  # lng, lat
IN_SIBLING = (116.15, 39.05)
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def photo(name: str = "p.jpg", content: bytes = JPEG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def draw_grids(world: World) -> None:
    Region.objects.filter(pk=world.grid.pk).update(
        boundary={"type": "Polygon", "coordinates": GRID_SQUARE}
    )
    Region.objects.filter(pk=world.sibling.pk).update(
        boundary={"type": "Polygon", "coordinates": SIBLING_SQUARE}
    )
    invalidate()


def department_staff(table: Table, username: str = "sanitation") -> Any:
    user: Any = UserFactory(username=username)
    RoleAssignment.objects.create(
        user=user, role=Role.BACK_OFFICE, region=table.unit.region, unit=table.unit
    )
    return user


def report(world: World, table: Table, **changes: Any) -> Incident:
    values: dict[str, Any] = {
        "actor": world.users["gridworker"],
        "category": table.garbage,
        "description": "楼下垃圾堆放三天未清运",
        "lng": IN_GRID[0],
        "lat": IN_GRID[1],
        "address": "湖北路12号",
        "grid": world.grid,
        "photos": [photo()],
        **changes,
    }
    return incident_report(**values)


def fresh(incident: Incident) -> Case:
    return Case.objects.get(pk=incident.pk)


def jpeg_stream() -> io.BytesIO:
    return io.BytesIO(JPEG)
