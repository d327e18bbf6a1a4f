"""Export of a filtered person list: masked by default, full values by role and reason, audited."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from openpyxl import load_workbook

from shequ.audit.models import Action, AuditEvent
from shequ.people.exporting import person_export
from shequ.people.models import CareTag, Person
from shequ.people.selectors import PersonFilters
from shequ.people.services import person_create
from shequ.regions.tests.factories import World
from shequ.workdays.calendar import today

pytestmark = pytest.mark.english


@pytest.fixture
def persons(world: World) -> list[Person]:
    admin = world.users["admin"]
    zhang = person_create(
        actor=admin,
        region=world.grid,
        name="张伟",
        id_number="11010519491231002X",
        phone="13812345678",
    )
    zhao = person_create(
        actor=admin, region=world.sibling, name="赵文", id_number="440106198001010019"
    )
    wang = person_create(
        actor=admin, region=world.grid, name="王芳", id_number="110105198506070014"
    )
    CareTag.objects.create(person=zhang, kind="disabled", since=today())
    CareTag.objects.create(person=zhang, kind="veteran", since=today())
    return [zhang, zhao, wang]


def sheet_rows(content: bytes) -> list[list[object]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def test_export_is_masked_by_default_and_audited(world: World, persons: list[Person]) -> None:
    result = person_export(actor=world.users["director"], filters=PersonFilters(q="zw"))
    rows = sheet_rows(result.file.read())
    assert rows[0][:6] == ["Name", "Gender", "Birth date", "Age", "Identity number", "Phone"]
    assert [row[0] for row in rows[1:]] == ["张伟", "赵文"]
    assert rows[1][4:6] == ["110105********002X", "138****5678"]
    assert rows[1][10] == "Veteran" and rows[1][11] == "Disabled person"
    assert result.rows == 2
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.changes == {"filters": {"search": "initials"}, "rows": 2, "full": []}
    assert event.reason == ""
    assert event.region_path == world.community.path


def test_full_values_need_a_reason_and_a_role(world: World, persons: list[Person]) -> None:
    director = world.users["director"]
    with pytest.raises(ValidationError):
        person_export(actor=director, filters=PersonFilters(), reveal_identity=True)
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()
    result = person_export(
        actor=director,
        filters=PersonFilters(q="张伟"),
        reveal_identity=True,
        reveal_phone=True,
        reason="低保复核名单",
    )
    rows = sheet_rows(result.file.read())
    assert rows[1][4:6] == ["11010519491231002X", "13812345678"]
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.changes["full"] == ["id_number", "phone"]
    assert event.reason == "低保复核名单"
    assert "11010519491231002X" not in str(event.changes)


def test_roles_without_export_are_refused(world: World, persons: list[Person]) -> None:
    for name in ("gridworker", "window", "supervisor"):
        with pytest.raises(PermissionDenied):
            person_export(actor=world.users[name], filters=PersonFilters())
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_export_keeps_to_the_scope_and_the_filters(world: World, persons: list[Person]) -> None:
    result = person_export(actor=world.users["director"], filters=PersonFilters(region=world.grid))
    assert [row[0] for row in sheet_rows(result.file.read())[1:]] == ["张伟", "王芳"]


def test_export_page_downloads_and_refuses(
    world: World, persons: list[Person], client: Client
) -> None:
    client.force_login(world.users["director"])
    page = client.get("/people/", {"q": "zw"}).content.decode()
    assert "Export this list to Excel" in page and 'name="q" value="zw"' in page
    response = client.post("/people/export/", {"q": "zw"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="persons-')
    rows = sheet_rows(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    assert [row[0] for row in rows[1:]] == ["张伟", "赵文"]
    response = client.post("/people/export/", {"q": "zw", "full_identity": "on"})
    assert response.status_code == 400
    assert "State why the export needs the full values" in response.content.decode()
    client.force_login(world.users["gridworker"])
    assert "Export this list" not in client.get("/people/").content.decode()
    assert client.post("/people/export/", {}).status_code == 403
    assert AuditEvent.objects.filter(action=Action.EXPORT).count() == 1


def test_export_api(world: World, persons: list[Person], client: Client) -> None:
    client.force_login(world.users["street"])
    response = client.post(
        "/api/v1/people/persons/export",
        {"q": "wf", "reveal_phone": True, "reason": "核对"},
        content_type="application/json",
    )
    assert response.status_code == 200
    rows = sheet_rows(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    assert [row[0] for row in rows[1:]] == ["王芳"]
    client.force_login(world.users["gridworker"])
    response = client.post("/api/v1/people/persons/export", {}, content_type="application/json")
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action=Action.EXPORT).count() == 1
