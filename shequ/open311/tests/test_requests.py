"""GET requests, GET a request, GET tokens: public, in XML and JSON, nothing personal.

From the specification: service_request_id (comma list) overrides every other argument;
service_code and status take comma lists; start_date and end_date are W3C date-times with a
time zone and may not span more than 90 days; without them the range is the last 90 days;
at most 1,000 requests are returned.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shequ.cases.models import Case, Clock
from shequ.cases.services import case_transition
from shequ.incidents.services_loop import incident_dispatch
from shequ.incidents.tests.loop import report
from shequ.incidents.tests.table import Table
from shequ.lib.codes import new_code
from shequ.open311.models import ServiceRequest
from shequ.open311.protocol import format_datetime
from shequ.open311.tests.helpers import BASE, Client311, data, errors_xml, fields, post, xml
from shequ.regions.tests.factories import World

pytestmark = pytest.mark.django_db

REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
]


def posted(client: Client, app: Client311, **values: Any) -> Case:
    response = post(
        client,
        "json",
        api_key=app.raw,
        first_name="小明",
        last_name="王",
        phone="13912345678",
        email="wang@example.cn",
        device_id="device-secret",
        account_id="account-secret",
        media_url="https://img.example.cn/private.jpg",
        **values,
    )
    assert response.status_code == 200, response.content
    return Case.objects.get(pk=data(response)[0]["service_request_id"])


def requested_at(case: Case, moment: dt.datetime) -> None:
    """Move a request back in time (tests only: the columns are set on creation)."""
    ServiceRequest.objects.filter(case=case).update(created_at=moment)
    Case.objects.filter(pk=case.pk).update(created_at=moment, updated_at=moment)


def close(case: Case, at: dt.datetime) -> None:
    Case.objects.filter(pk=case.pk).update(
        state="closed", clock=Clock.STOPPED, finished_at=at, updated_at=at
    )


def ids(response: Any) -> list[int]:
    return [item["service_request_id"] for item in data(response)]


@pytest.mark.english
def test_requests_in_xml_show_nothing_personal(
    client: Client, app: Client311, world: World
) -> None:
    first = posted(client, app, token="tok-1")
    second = posted(client, app, service_code="E0501", description="游商", address_id="A-7")
    response = client.get(f"{BASE}/requests.xml", {"jurisdiction_id": "xinhua.gov.cn"})
    assert response.status_code == 200
    root = xml(response)
    assert root.tag == "service_requests"
    assert [child.tag for child in root] == ["request", "request"]
    newest, oldest = root
    assert [child.tag for child in newest] == REQUEST_FIELDS
    assert newest.findtext("service_request_id") == str(second.pk)
    assert fields(oldest) == {
        "service_request_id": str(first.pk),
        "status": "open",
        "status_notes": "Your report has arrived; the grid worker will check it on site.",
        "service_name": "暴露垃圾",
        "service_code": "E0102",
        "description": "路口垃圾堆了三天",
        "agency_responsible": "湖北一网格",
        "service_notice": "To be handled within 4 Working hours once the report is filed.",
        "requested_datetime": format_datetime(first.created_at),
        "updated_datetime": format_datetime(first.updated_at),
        "expected_datetime": None,
        "address": "湖北路12号",
        "address_id": None,
        "zipcode": None,
        "lat": "39.05",
        "long": "116.05",
    }
    assert newest.findtext("address_id") == "A-7"
    body = response.content.decode()
    for secret in (
        "王",
        "小明",
        "13912345678",
        "5678",
        "wang@example.cn",
        "device-secret",
        "account-secret",
        "private.jpg",
        "tok-1",
        first.tracking_code,
        "市民通",
    ):
        assert secret not in body


def test_requests_in_json(client: Client, app: Client311) -> None:
    case = posted(client, app)
    (document,) = data(client.get(f"{BASE}/requests.json"))
    assert list(document) == REQUEST_FIELDS
    assert document | {"status_notes": None, "service_notice": None} == {
        "service_request_id": case.pk,
        "status": "open",
        "status_notes": None,
        "service_name": "暴露垃圾",
        "service_code": "E0102",
        "description": "路口垃圾堆了三天",
        "agency_responsible": "湖北一网格",
        "service_notice": None,
        "requested_datetime": format_datetime(case.created_at),
        "updated_datetime": format_datetime(case.created_at),
        "expected_datetime": None,
        "address": "湖北路12号",
        "address_id": None,
        "zipcode": None,
        "lat": 39.05,
        "long": 116.05,
    }
    assert document["requested_datetime"].endswith("+08:00")


def test_the_state_deadline_and_agency_follow_the_case(
    client: Client, app: Client311, world: World, table: Table
) -> None:
    case = posted(client, app)
    director = world.users["director"]
    case_transition(case=case, name="verify", actor=director)
    filed = case_transition(case=case, name="file", actor=director)
    incident_dispatch(case=filed, actor=director, tier="district", unit=table.unit)
    (document,) = data(client.get(f"{BASE}/requests/{case.pk}.json"))
    case.refresh_from_db()
    assert case.due_at is not None
    assert document["status"] == "open"
    assert document["expected_datetime"] == format_datetime(case.due_at)
    assert document["agency_responsible"] == "区环境卫生服务中心"
    assert document["updated_datetime"] == format_datetime(case.updated_at)
    finished = timezone.now() + dt.timedelta(hours=3)
    close(case, finished)
    (document,) = data(client.get(f"{BASE}/requests/{case.pk}.json"))
    assert (document["status"], document["updated_datetime"]) == (
        "closed",
        format_datetime(finished),
    )


def test_status_filters_open_and_closed(client: Client, app: Client311) -> None:
    open_case = posted(client, app)
    closed_case = posted(client, app)
    close(closed_case, timezone.now())
    assert ids(client.get(f"{BASE}/requests.json", {"status": "closed"})) == [closed_case.pk]
    assert ids(client.get(f"{BASE}/requests.json", {"status": "open"})) == [open_case.pk]
    both = client.get(f"{BASE}/requests.json", {"status": "open,closed"})
    assert ids(both) == [closed_case.pk, open_case.pk]
    assert ids(client.get(f"{BASE}/requests.json", {"status": ""})) == ids(both)
    response = client.get(f"{BASE}/requests.xml", {"status": "open,pending"})
    assert response.status_code == 400
    assert errors_xml(response) == [("400", "status 'pending' is not one of open, closed")]


def test_service_code_filters_by_a_comma_list(client: Client, app: Client311) -> None:
    garbage = posted(client, app)
    vendor = posted(client, app, service_code="E0501")
    assert ids(client.get(f"{BASE}/requests.json", {"service_code": "E0501"})) == [vendor.pk]
    assert ids(client.get(f"{BASE}/requests.json", {"service_code": "E0501,E0102"})) == [
        vendor.pk,
        garbage.pk,
    ]
    assert ids(client.get(f"{BASE}/requests.json", {"service_code": "C0101"})) == []


def test_service_request_ids_override_every_other_argument(client: Client, app: Client311) -> None:
    old = posted(client, app)
    requested_at(old, timezone.now() - dt.timedelta(days=400))
    new = posted(client, app)
    other = posted(client, app)
    response = client.get(
        f"{BASE}/requests.json",
        {
            "service_request_id": f"{old.pk},{new.pk},999999",
            "status": "closed",
            "service_code": "C0101",
            "start_date": "2010-01-01T00:00:00Z",
            "end_date": "2010-01-02T00:00:00Z",
        },
    )
    assert ids(response) == [new.pk, old.pk]
    assert other.pk not in ids(response)
    response = client.get(f"{BASE}/requests.json", {"service_request_id": f"{old.pk},abc"})
    assert data(response) == [
        {"code": 400, "description": "service_request_id 'abc' is not a request id"}
    ]


def test_the_default_range_is_the_last_90_days(client: Client, app: Client311) -> None:
    now = timezone.now()
    recent = posted(client, app)
    requested_at(recent, now - dt.timedelta(days=89))
    old = posted(client, app)
    requested_at(old, now - dt.timedelta(days=91))
    assert ids(client.get(f"{BASE}/requests.json")) == [recent.pk]


def test_dates_with_time_zones_bound_the_range(client: Client, app: Client311) -> None:
    # Requested at 2026-03-02 10:00 in Shanghai, that is 02:00 UTC.
    case = posted(client, app)
    requested_at(case, dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC))

    def found(**dates: str) -> list[int]:
        response = client.get(f"{BASE}/requests.json", dates)
        assert response.status_code == 200, response.content
        return ids(response)

    assert found(start_date="2026-03-02T01:59:59Z", end_date="2026-03-02T02:00:00Z") == [case.pk]
    assert found(start_date="2026-03-02T10:00:01+08:00", end_date="2026-03-03T00:00:00Z") == []
    assert found(start_date="2026-03-01T21:00:00-05:00", end_date="2026-03-02T10:00:00+08:00") == [
        case.pk
    ]
    # The "+" of an offset sent unencoded arrives as a space; it is read as "+".
    response = client.get(
        f"{BASE}/requests.json?start_date=2026-03-02T09:00:00+08:00&end_date=2026-03-02T11:00:00+08:00"
    )
    assert ids(response) == [case.pk]
    # One date alone: the 90 days from it, or up to it.
    assert found(start_date="2025-12-03T10:00:00+08:00") == [case.pk]
    assert found(start_date="2025-12-01T10:00:00+08:00") == []
    assert found(end_date="2026-05-31T10:00:00+08:00") == [case.pk]
    assert found(end_date="2026-06-01T10:00:00+08:00") == []
    assert found(end_date="2026-03-02T09:59:59+08:00") == []


@pytest.mark.parametrize(
    ("dates", "error"),
    [
        (
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-01T00:00:01Z"},
            "start_date and end_date may not span more than 90 days",
        ),
        (
            {"start_date": "2026-03-02T00:00:00Z", "end_date": "2026-03-01T00:00:00Z"},
            "end_date is before start_date",
        ),
        (
            {"start_date": "2026-03-02"},
            "start_date must be a W3C date and time with a time zone, e.g. "
            "2026-03-02T10:00:00+08:00 or 2026-03-02T02:00:00Z, not '2026-03-02'",
        ),
        (
            {"end_date": "2026-03-02T10:00:00"},
            "end_date must be a W3C date and time with a time zone, e.g. "
            "2026-03-02T10:00:00+08:00 or 2026-03-02T02:00:00Z, not '2026-03-02T10:00:00'",
        ),
    ],
)
def test_bad_dates_are_refused(
    client: Client, app: Client311, dates: dict[str, str], error: str
) -> None:
    response = client.get(f"{BASE}/requests.json", dates)
    assert (response.status_code, data(response)) == (400, [{"code": 400, "description": error}])
    response = client.get(f"{BASE}/requests.xml", dates)
    assert errors_xml(response) == [("400", error)]


def test_exactly_90_days_is_allowed(client: Client, app: Client311) -> None:
    response = client.get(
        f"{BASE}/requests.json",
        {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-04-01T00:00:00+08:00"},
    )
    assert response.status_code == 200


def test_at_most_1000_requests_are_returned_newest_first(
    client: Client, app: Client311, world: World
) -> None:
    now = timezone.now()
    cases = Case.objects.bulk_create(
        Case(
            type_key="incident",
            state="reported",
            tracking_code=new_code(),
            title="暴露垃圾",
            region=world.grid,
            requester_name="市民通",
        )
        for _ in range(1001)
    )
    ServiceRequest.objects.bulk_create(
        ServiceRequest(
            case=case,
            key=app.key,
            source="incidents",
            service_code="E0102",
            service_name="暴露垃圾",
        )
        for case in cases
    )
    for number, case in enumerate(cases):
        # The first made is the oldest.
        ServiceRequest.objects.filter(case=case).update(
            created_at=now - dt.timedelta(minutes=1001 - number)
        )
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{BASE}/requests.json")
    found = ids(response)
    assert len(found) == 1000
    assert found[0] == cases[-1].pk
    assert cases[0].pk not in found
    # The requests with their cases, and the incidents' handling nodes: two queries.
    assert len(queries) == 2
    root = xml(client.get(f"{BASE}/requests.xml"))
    assert len(root.findall("request")) == 1000


def test_the_number_of_queries_does_not_grow_with_the_requests(
    client: Client, app: Client311
) -> None:
    posted(client, app)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(f"{BASE}/requests.json")
        return len(queries)

    one = count()
    for _ in range(3):
        posted(client, app)
    assert count() == one


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_one_request_by_its_id(client: Client, app: Client311, fmt: str) -> None:
    case = posted(client, app)
    response = client.get(f"{BASE}/requests/{case.pk}.{fmt}", {"jurisdiction_id": "x"})
    assert response.status_code == 200
    if fmt == "xml":
        root = xml(response)
        assert root.tag == "service_requests"
        (request,) = root.findall("request")
        assert [child.tag for child in request] == REQUEST_FIELDS
        assert request.findtext("service_request_id") == str(case.pk)
    else:
        assert ids(response) == [case.pk]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_unknown_request_is_not_found(
    client: Client, app: Client311, world: World, table: Table, fmt: str
) -> None:
    # An incident a grid worker reported is the staff's record, not an Open311 request.
    incident = report(world, table, photos=[])
    for missing in (str(incident.pk), "999999", "abc"):
        response = client.get(f"{BASE}/requests/{missing}.{fmt}")
        assert response.status_code == 404
        description = f"service_request_id {missing} was not found"
        if fmt == "xml":
            assert errors_xml(response) == [("404", description)]
        else:
            assert data(response) == [{"code": 404, "description": description}]
    assert ids(client.get(f"{BASE}/requests.json")) == []


def test_a_token_answers_its_request_id(client: Client, app: Client311) -> None:
    case = posted(client, app, token="c1d2-e3f4")
    root = xml(client.get(f"{BASE}/tokens/c1d2-e3f4.xml", {"jurisdiction_id": "x"}))
    assert root.tag == "service_requests"
    (request,) = root.findall("request")
    assert fields(request) == {"service_request_id": str(case.pk), "token": "c1d2-e3f4"}
    assert data(client.get(f"{BASE}/tokens/c1d2-e3f4.json")) == [
        {"service_request_id": case.pk, "token": "c1d2-e3f4"}
    ]
    response = client.get(f"{BASE}/tokens/unknown.json")
    assert (response.status_code, data(response)) == (
        404,
        [{"code": 404, "description": "token unknown was not found"}],
    )
    assert errors_xml(client.get(f"{BASE}/tokens/unknown.xml")) == [
        ("404", "token unknown was not found")
    ]


def test_status_notes_speak_the_language_the_client_asks_for(
    client: Client, app: Client311
) -> None:
    from django.utils import translation

    from shequ.incidents.casetype import INCIDENT

    case = posted(client, app)
    with translation.override("zh-hans"):
        chinese = str(INCIDENT.public_states["reported"])
    with translation.override("en"):
        english = str(INCIDENT.public_states["reported"])
    assert chinese != english
    url = f"{BASE}/requests/{case.pk}.json"
    assert data(Client().get(url))[0]["status_notes"] == chinese
    english_client = Client(headers={"accept-language": "en"})
    assert data(english_client.get(url))[0]["status_notes"] == english
    # Protocol errors stay in English whatever the language.
    missing = Client().get(f"{BASE}/requests/999999.json")
    assert data(missing) == [
        {"code": 404, "description": "service_request_id 999999 was not found"}
    ]
