"""The workdays API: reads for every staff user, edits for district administrators."""

import datetime as dt

import pytest

from shequ.accounts.services import api_token_create
from shequ.audit.models import AuditEvent
from shequ.workdays.models import CalendarYear, SpecialDay

D = dt.date
API = "/api/v1/workdays"

pytestmark = pytest.mark.django_db


def state() -> tuple[list[tuple], list[tuple], int]:
    return (
        list(SpecialDay.objects.values_list("date", "kind", "name", "source")),
        list(CalendarYear.objects.values_list("year", "source", "note")),
        AuditEvent.objects.count(),
    )


def test_anonymous_callers_are_refused(client, db) -> None:
    assert client.get(f"{API}/days", {"year": 2026}).status_code == 401


def test_the_days_of_a_year(client, world) -> None:
    client.force_login(world.users["gridworker"])
    body = client.get(f"{API}/days", {"year": 2026}).json()
    assert (body["year"], body["covered"], len(body["days"])) == (2026, True, 39)
    first = body["days"][0]
    assert {k: first[k] for k in ("date", "kind", "name", "source")} == {
        "date": "2026-01-01",
        "kind": "holiday",
        "name": "元旦",
        "source": "package",
    }
    assert client.get(f"{API}/days", {"year": 2027}).json() == {
        "year": 2027,
        "covered": False,
        "days": [],
    }


def test_add_working_days(client, world) -> None:
    client.force_login(world.users["gridworker"])
    response = client.get(f"{API}/add", {"start": "2026-09-30", "days": 3})
    assert response.json() == {"date": "2026-10-10", "provisional": False, "uncovered_years": []}
    response = client.get(f"{API}/add", {"start": "2026-02-11", "days": 5})
    assert response.json()["date"] == "2026-02-25"


def test_add_working_days_into_2027_is_provisional(client, world) -> None:
    client.force_login(world.users["gridworker"])
    response = client.get(f"{API}/add", {"start": "2026-12-30", "days": 5})
    assert response.json() == {"date": "2027-01-06", "provisional": True, "uncovered_years": [2027]}


def test_add_refuses_a_negative_or_huge_count(client, world) -> None:
    client.force_login(world.users["gridworker"])
    assert client.get(f"{API}/add", {"start": "2026-12-30", "days": -1}).status_code == 422
    assert client.get(f"{API}/add", {"start": "2026-12-30", "days": 99999}).status_code == 422


def test_working_days_between(client, world) -> None:
    client.force_login(world.users["gridworker"])
    response = client.get(f"{API}/between", {"start": "2026-09-18", "end": "2026-10-10"})
    assert response.json() == {"days": 11, "provisional": False, "uncovered_years": []}
    response = client.get(f"{API}/between", {"start": "2026-12-25", "end": "2027-01-08"})
    assert response.json() == {"days": 10, "provisional": True, "uncovered_years": [2027]}
    response = client.get(f"{API}/between", {"start": "2000-01-01", "end": "2026-01-08"})
    assert response.status_code == 400


def test_an_administrator_sets_and_deletes_a_day_with_a_token(client, world) -> None:
    _token, raw = api_token_create(actor=world.users["admin"], name="政务系统")
    auth = {"Authorization": f"Bearer {raw}"}

    response = client.post(
        f"{API}/days",
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("date", "kind", "name", "source")} == {
        "date": "2027-01-01",
        "kind": "holiday",
        "name": "元旦",
        "source": "manual",
    }
    response = client.post(
        f"{API}/years",
        {"year": 2027, "note": "国务院通知"},
        content_type="application/json",
        headers=auth,
    )
    assert response.json() == {"year": 2027, "source": "manual", "note": "国务院通知"}
    response = client.get(f"{API}/add", {"start": "2026-12-30", "days": 5}, headers=auth)
    assert response.json() == {"date": "2027-01-07", "provisional": False, "uncovered_years": []}

    response = client.delete(f"{API}/days/{body['id']}", headers=auth)
    assert response.status_code == 204
    assert not SpecialDay.objects.filter(date=D(2027, 1, 1)).exists()
    assert client.delete(f"{API}/days/{body['id']}", headers=auth).status_code == 404


def test_a_bad_day_is_refused_with_400(client, world) -> None:
    client.force_login(world.users["admin"])
    before = state()
    response = client.post(
        f"{API}/days",
        {"date": "2027-01-04", "kind": "workday", "name": ""},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()["detail"]) == ["kind"]
    assert state() == before


def test_a_grid_worker_may_not_edit_over_the_api(client, world) -> None:
    client.force_login(world.users["gridworker"])
    day = SpecialDay.objects.get(date=D(2026, 10, 10))
    before = state()

    created = client.post(
        f"{API}/days",
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
        content_type="application/json",
    )
    deleted = client.delete(f"{API}/days/{day.pk}")
    covered = client.post(f"{API}/years", {"year": 2027}, content_type="application/json")

    assert (created.status_code, deleted.status_code, covered.status_code) == (403, 403, 403)
    assert state() == before
