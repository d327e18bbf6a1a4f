"""Everyone has a stranger: a grid worker of the sibling grid visits every URL of the project.

The URL map is walked, not listed: a new URL is covered as soon as it exists. URLs with an
object in their path are called with the objects of the grid next door and must answer 404
(or 403, or 405 for a method the URL does not take) for every method, changing nothing.
URLs without an object must not show the other grid's records. A URL whose parameters the
test cannot fill fails the test until it is declared public in shequ/core/public.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from shequ.accounts.services import api_token_create
from shequ.audit.models import Action, AuditEvent, AuditHead
from shequ.audit.services import audit_verify
from shequ.cases.models import Attachment
from shequ.core.public import ADMIN_PREFIX, PUBLIC_ROUTES, SHARED_ROUTES
from shequ.hall.models import ItemKind, Window
from shequ.hall.services import item_save, notice_issue, ticket_take, window_accept
from shequ.incidents.services import category_save, class_save
from shequ.people.models import Building, Dwelling, DwellingUse, Household, ImportJob
from shequ.people.services import person_create
from shequ.regions.models import Unit, UnitKind
from shequ.regions.tests.factories import World

MARKER_NAME = "靶子甲"
PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


def walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, route)
        else:
            yield route.lstrip("^").rstrip("$"), entry


def snapshot() -> dict[str, Any]:
    """Every row of every project table, less the traces of the stranger's own session.

    Left out: sessions, `last_login` stamps, the stranger's own login and logout events, and
    the audit chain head (derived from the events; the chain is verified separately).
    """
    state = {}
    for model in apps.get_models():
        if model._meta.app_label in {"sessions", "contenttypes", "admin", "auth"}:
            continue
        if model is AuditHead:
            continue
        rows = []
        for row in model._default_manager.values():
            row.pop("last_login", None)
            if (
                model is AuditEvent
                and row["actor_name"] == "stranger"
                and row["action"]
                in (
                    Action.LOGIN,
                    Action.LOGOUT,
                )
            ):
                continue
            rows.append(json.dumps(row, sort_keys=True, default=str))
        state[model._meta.label] = sorted(rows)
    return state


@pytest.fixture
def target(world: World, settings: Any, tmp_path: Any) -> dict[str, Any]:
    """Records of world.grid, the grid next to the stranger's."""
    admin = world.users["admin"]
    building = Building.objects.create(region=world.grid, name="1号楼", address="湖北路1号")
    dwelling = Dwelling.objects.create(
        building=building, region=world.grid, unit=1, floor=1, number="101", use=DwellingUse.OWNER
    )
    household = Household.objects.create(region=world.grid, dwelling=dwelling, number="H-1")
    person = person_create(
        actor=admin,
        region=world.grid,
        name=MARKER_NAME,
        id_number="11010519491231002X",
        phone="13812345678",
        household=household,
        relation="head",
    )
    token, _raw = api_token_create(actor=world.users["gridworker"], name="target token")
    event = AuditEvent.objects.filter(object_type="people.person", object_id=str(person.pk)).get()
    from shequ.workdays.models import DayKind, Source, SpecialDay

    day = SpecialDay.objects.create(
        date="2031-10-01", kind=DayKind.HOLIDAY, name="国庆节", source=Source.MANUAL
    )
    unit = Unit.objects.create(
        code="D-TEST", name="区民政局", kind=UnitKind.DEPARTMENT, region=world.district
    )
    item = item_save(
        actor=None,
        code="TEST-001",
        values={
            "name": "高龄津贴申领",
            "kind": ItemKind.PUBLIC_SERVICE,
            "department_id": unit.pk,
            "promised_days": 5,
            "statutory_days": 10,
        },
        materials=[{"name": "身份证原件", "form": "original"}, {"name": "户口簿", "form": "both"}],
    )
    first, second = item.materials.all()
    case = window_accept(
        actor=world.users["window"],
        item=item,
        applicant=person,
        region=world.grid,
        materials=[first.pk, second.pk],
    )
    notice = notice_issue(
        actor=world.users["window"],
        item=item,
        applicant=person,
        region=world.grid,
        materials=[first.pk],
    )
    settings.MEDIA_ROOT = tmp_path
    attachment = Attachment.objects.create(
        case=case, file=SimpleUploadedFile("photo.txt", b"x"), name="photo.txt"
    )
    window = Window.objects.create(region=world.grid, number=1, groups="A")
    category = category_save(
        actor=None,
        incident_class=class_save(actor=None, kind="event", code="01", name="市容环境"),
        code="02",
        values={
            "name": "暴露垃圾",
            "filing_condition": "成堆垃圾",
            "closing_condition": "清除",
            "time_limit": 4,
            "time_limit_kind": "working_hours",
            "default_tier": "street",
        },
    )
    ticket = ticket_take(region=world.grid, group="A")
    from shequ.incidents.services_loop import incident_report

    incident = incident_report(
        actor=world.users["gridworker"],
        category=category,
        description="垃圾堆放",
        grid=world.grid,
        photos=[SimpleUploadedFile("p.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 32)],
    )
    from shequ.people.services_care import care_tag_add, visit_record

    tag = care_tag_add(actor=admin, person=person, kind="living_alone", since="2024-01-01")
    visit = visit_record(
        actor=admin, person=person, data={"visited_on": "2024-02-01", "found": "好"}
    )
    return {
        "unit_id": unit.pk,
        "item_id": item.pk,
        "case_id": case.pk,
        "attachment_id": attachment.pk,
        "notice_id": notice.pk,
        "window_id": window.pk,
        "category_id": category.pk,
        "ticket_id": ticket.pk,
        "photo_id": incident.photos.get().pk,
        "region_id": world.grid.pk,
        "person_id": person.pk,
        "household_id": household.pk,
        "building_id": building.pk,
        "dwelling_id": dwelling.pk,
        "token_id": token.pk,
        "event_id": event.pk,
        "day_id": day.pk,
        "tag_id": tag.pk,
        "visit_id": visit.pk,
        "year": 2026,
        "job_id": ImportJob.objects.create(
            kind="persons",
            region=world.grid,
            file=SimpleUploadedFile("p.csv", b"x"),
            file_name=MARKER_NAME,
            created_by=admin,
        ).pk,
    }


def api_bodies() -> dict[tuple[str, str], dict[str, Any]]:
    """A minimal valid JSON body for every API write, from the generated OpenAPI description.

    With a valid body the request reaches the scope check (an empty one would stop at 422).
    """
    from shequ.api.api import api

    schema = api.get_openapi_schema()
    components = schema.get("components", {}).get("schemas", {})
    bodies: dict[tuple[str, str], dict[str, Any]] = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            body_schema = content.get("application/json", {}).get("schema")
            if not body_schema:
                continue
            if "$ref" in body_schema:
                body_schema = components[body_schema["$ref"].rsplit("/", 1)[1]]
            body: dict[str, Any] = {}
            for name in body_schema.get("required", []):
                kind = body_schema["properties"][name].get("type")
                body[name] = {"integer": 1, "boolean": False, "object": {}, "array": []}.get(
                    kind or "", "2031-10-01" if "date" in name else "x"
                )
            bodies[(path, method)] = body
    return bodies


def fill(route: str, values: dict[str, Any]) -> str | None:
    missing = [m.group("name") for m in PARAM.finditer(route) if m.group("name") not in values]
    if missing:
        return None
    return "/" + PARAM.sub(lambda m: str(values[m.group("name")]), route)


def is_public(route: str) -> bool:
    return any(route.startswith(prefix) for prefix in PUBLIC_ROUTES)


@pytest.mark.django_db
def test_stranger_gets_not_found_everywhere(world: World, target: dict[str, Any]) -> None:
    stranger = world.users["stranger"]
    page = Client()
    page.force_login(stranger)
    _token, raw = api_token_create(actor=stranger, name="stranger")
    api = Client(headers={"authorization": f"Bearer {raw}"})
    # The first use of a token stamps its last use (then at most once a minute): do it now.
    assert api.get("/api/v1/accounts/me").status_code == 200
    bodies = api_bodies()
    before = snapshot()
    uncovered: list[str] = []
    failures: list[str] = []
    checked = 0
    for route, _entry in walk(get_resolver().url_patterns):
        if is_public(route):
            continue
        is_api = route.startswith("api/")
        client = api if is_api else page
        page.force_login(stranger)  # a visited logout URL must not end the tour
        if route.startswith(ADMIN_PREFIX):
            # The admin guards itself; its catch-all regular expressions are not pages.
            if "(?P" in route:
                continue
            admin_url = "/" + PARAM.sub("1", route)
            for method in ("get", "post"):
                response = getattr(client, method)(admin_url)
                expected = (
                    (200, 302) if route in ("admin/login/", "admin/logout/") else (302, 403, 404)
                )
                if response.status_code not in expected:
                    failures.append(f"{method.upper()} {admin_url} -> {response.status_code}")
            checked += 1
            continue
        url = fill(route, target)
        if url is None:
            uncovered.append(route)
            continue
        has_object = PARAM.search(route) is not None
        shared = any(route.startswith(prefix) for prefix in SHARED_ROUTES)
        for method in ("get", "post", "patch", "delete"):
            if is_api and method in ("post", "patch"):
                openapi_path = "/" + PARAM.sub(lambda m: "{" + m.group("name") + "}", route)
                body = bodies.get((openapi_path, method), {})
                response = getattr(client, method)(url, data=body, content_type="application/json")
            elif is_api:
                response = getattr(client, method)(url)
            elif method == "post":
                response = client.post(url, {})
            elif method == "get":
                response = client.get(url)
            else:
                continue
            body = response.content.decode(errors="replace")
            if has_object and shared and method == "get":
                if response.status_code not in (200, 403, 404):
                    failures.append(f"{method.upper()} {url} -> {response.status_code}")
            elif has_object:
                if response.status_code not in (403, 404, 405):
                    failures.append(f"{method.upper()} {url} -> {response.status_code}")
            elif response.status_code >= 500:
                failures.append(f"{method.upper()} {url} -> {response.status_code}")
            if MARKER_NAME in body or world.grid.name in body:
                failures.append(f"{method.upper()} {url} shows the other grid's records")
        checked += 1
    assert uncovered == [], (
        "These URLs take parameters the stranger test cannot fill: add the object to the "
        f"`target` fixture or declare the URL public in shequ/core/public.py: {uncovered}"
    )
    assert failures == [], "\n".join(failures)
    after = snapshot()
    changed = {
        label: {
            "gone": sorted(set(rows) - set(after[label])),
            "new": sorted(set(after[label]) - set(rows)),
        }
        for label, rows in before.items()
        if rows != after[label]
    }
    assert changed == {}
    assert audit_verify().ok
    assert checked > 20


@pytest.mark.django_db
def test_owner_reaches_the_same_urls(world: World, target: dict[str, Any]) -> None:
    """The control: the grid worker of the grid itself opens its person and region pages."""
    client = Client()
    client.force_login(world.users["gridworker"])
    assert client.get(f"/people/{target['person_id']}/").status_code == 200
    assert client.get(f"/regions/{target['region_id']}/").status_code == 200
    assert client.get(f"/api/v1/people/persons/{target['person_id']}").status_code == 200
