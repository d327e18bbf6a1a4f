import datetime as dt
import io
from collections.abc import Callable
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from shequ.accounts.models import Resident, User
from shequ.audit.models import Action, AuditEvent
from shequ.audit.services import Target, audit_record
from shequ.audit.tests.conftest import Events, record
from shequ.audit.views import PAGE_SIZE
from shequ.lib import crypto
from shequ.regions.tests.factories import World

Login = Callable[[User], Client]
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def listed(response: object) -> list[int]:
    return [row.event.pk for row in response.context["rows"]]  # type: ignore[attr-defined]


def test_login_is_required(client: Client, events: Events) -> None:
    response = client.get(reverse("audit:event-list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_district_admin_sees_every_event(login: Login, world: World, events: Events) -> None:
    response = login(world.users["admin"]).get(reverse("audit:event-list"))

    assert response.status_code == 200
    assert listed(response) == [
        events.unplaced.pk,
        events.other_street.pk,
        events.other_community.pk,
        events.sibling.pk,
        events.grid.pk,
    ]
    assert response.context["can_verify"] is True


def test_director_sees_the_community_only(login: Login, world: World, events: Events) -> None:
    response = login(world.users["director"]).get(reverse("audit:event-list"))

    assert response.status_code == 200
    assert listed(response) == [events.sibling.pk, events.grid.pk]
    assert b"other-street-person" not in response.content
    assert response.context["can_verify"] is False


def test_street_manager_sees_the_street(login: Login, world: World, events: Events) -> None:
    response = login(world.users["street"]).get(reverse("audit:event-list"))

    assert listed(response) == [events.other_community.pk, events.sibling.pk, events.grid.pk]


def test_supervisor_reads_the_district_but_not_unplaced_events(
    login: Login, world: World, events: Events
) -> None:
    response = login(world.users["supervisor"]).get(reverse("audit:event-list"))

    assert response.status_code == 200
    assert events.unplaced.pk not in listed(response)
    assert len(listed(response)) == 4
    assert response.context["can_export"] is False


@pytest.mark.parametrize("name", ["gridworker", "window", "stranger"])
def test_roles_that_do_not_audit_get_403(
    login: Login, world: World, events: Events, name: str
) -> None:
    client = login(world.users[name])

    assert client.get(reverse("audit:event-list")).status_code == 403
    assert client.get(reverse("audit:event-export")).status_code == 403
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_a_page_shows_the_changes_readably(login: Login, world: World, db: None) -> None:
    target = Target("people.person", "9", "张三", region_path=world.grid.path)
    audit_record(
        actor=world.users["window"],
        action=Action.UPDATE,
        obj=target,
        changes={"name": ["张三", "张叁"], "phone": "changed", "relation": [None, "head"]},
        reason="更正姓名",
    )

    response = login(world.users["director"]).get(reverse("audit:event-list"))

    row = response.context["rows"][0]
    assert row.changes == [
        ("name", "张三 → 张叁"),
        ("phone", "changed"),
        ("relation to head", "— → head"),
    ]
    html = response.content.decode()
    assert "张三 → 张叁" in html
    assert "更正姓名" in html
    assert "Changed" in html  # the action's label


def test_a_reveal_names_the_field_and_actors_are_labelled(
    login: Login, world: World, events: Events
) -> None:
    reveal = audit_record(
        actor=world.users["window"],
        action=Action.REVEAL,
        obj=Target("people.person", "9", "张三", region_path=world.grid.path),
        changes={"field": "id_number"},
        reason="核对身份",
    )
    resident = Resident.objects.create(
        phone_enc=crypto.encrypt("13812345678"),
        phone_hash=crypto.keyed_hash("13812345678"),
        phone_masked="138****5678",
        name="王芳",
    )
    resident_login = audit_record(actor=resident, action=Action.LOGIN, obj=resident)

    response = login(world.users["admin"]).get(reverse("audit:event-list"))

    rows = {row.event.pk: row for row in response.context["rows"]}
    assert rows[reveal.pk].changes == [("field", "identity number")]
    assert rows[reveal.pk].actor == "window"
    assert rows[events.unplaced.pk].actor == "system"
    assert rows[resident_login.pk].actor == "王芳 138****5678 (resident)"


def test_times_are_shown_in_shanghai_time(login: Login, world: World, db: None) -> None:
    at = dt.datetime(2026, 3, 1, 16, 30, tzinfo=dt.UTC)
    with mock.patch("django.utils.timezone.now", return_value=at):
        event = record(world.users["admin"], world.grid.path, "late")

    response = login(world.users["admin"]).get(reverse("audit:event-detail", args=[event.pk]))

    assert "2026-03-02 00:30:00" in response.content.decode()


def _at(moment: dt.datetime, world: World, name: str, action: str = Action.UPDATE) -> AuditEvent:
    with mock.patch("django.utils.timezone.now", return_value=moment):
        return record(world.users["admin"], world.grid.path, name, action)


def test_date_filters_use_shanghai_days(login: Login, world: World, db: None) -> None:
    before_midnight = _at(dt.datetime(2026, 3, 1, 23, 30, tzinfo=SHANGHAI), world, "a")
    after_midnight = _at(dt.datetime(2026, 3, 2, 0, 30, tzinfo=SHANGHAI), world, "b")
    client = login(world.users["admin"])
    url = reverse("audit:event-list")

    assert listed(client.get(url, {"date_from": "2026-03-02"})) == [after_midnight.pk]
    assert listed(client.get(url, {"date_to": "2026-03-01"})) == [before_midnight.pk]
    assert listed(client.get(url, {"date_from": "2026-03-01", "date_to": "2026-03-02"})) == [
        after_midnight.pk,
        before_midnight.pk,
    ]


def test_filters(login: Login, world: World, events: Events) -> None:
    reveal = audit_record(
        actor=world.users["window"],
        action=Action.REVEAL,
        obj=Target("people.person", "77", "王五", region_path=world.grid.path),
        changes={"field": "id_number"},
        reason="核对低保材料",
    )
    client = login(world.users["admin"])
    url = reverse("audit:event-list")

    assert listed(client.get(url, {"actor": "WIN"})) == [reveal.pk]
    assert listed(client.get(url, {"action": "reveal"})) == [reveal.pk]
    assert listed(client.get(url, {"action": "login_failed"})) == [events.unplaced.pk]
    assert listed(client.get(url, {"object_type": "people.person", "object_id": "77"})) == [
        reveal.pk
    ]
    assert listed(client.get(url, {"q": "低保"})) == [reveal.pk]
    assert listed(client.get(url, {"q": "SIBLING"})) == [events.sibling.pk]
    assert listed(client.get(url, {"object_type": "people.household"})) == []


def test_filters_never_widen_the_scope(login: Login, world: World, events: Events) -> None:
    response = login(world.users["director"]).get(
        reverse("audit:event-list"), {"q": "other-street"}
    )

    assert listed(response) == []


def test_a_wrong_filter_is_explained_and_lists_nothing(
    login: Login, world: World, events: Events
) -> None:
    client = login(world.users["admin"])

    response = client.get(
        reverse("audit:event-list"), {"date_from": "2026-03-05", "date_to": "2026-03-01"}
    )

    assert response.status_code == 200
    assert listed(response) == []
    assert response.context["form"].errors == {"date_to": ["The end date is before the start date"]}
    response = client.get(reverse("audit:event-list"), {"action": "nonsense"})
    assert "action" in response.context["form"].errors


def test_pages_of_50_newest_first(login: Login, world: World, db: None) -> None:
    made = [record(world.users["admin"], world.grid.path, f"p{n}").pk for n in range(120)]
    newest_first = made[::-1]
    client = login(world.users["admin"])
    url = reverse("audit:event-list")

    first = client.get(url, {"action": "update"})
    assert listed(first) == newest_first[:PAGE_SIZE]
    assert first.context["pager"].newer is None
    older = first.context["pager"].older
    assert older == newest_first[PAGE_SIZE - 1]
    assert f"before={older}" in first.content.decode()
    assert "action=update" in first.content.decode()

    second = client.get(url, {"action": "update", "before": older})
    assert listed(second) == newest_first[PAGE_SIZE : 2 * PAGE_SIZE]

    third = client.get(url, {"action": "update", "before": second.context["pager"].older})
    assert listed(third) == newest_first[2 * PAGE_SIZE :]
    assert third.context["pager"].older is None

    back = client.get(url, {"action": "update", "after": third.context["pager"].newer})
    assert listed(back) == newest_first[PAGE_SIZE : 2 * PAGE_SIZE]
    assert back.context["pager"].newer == newest_first[PAGE_SIZE]

    back_to_first = client.get(url, {"action": "update", "after": back.context["pager"].newer})
    assert listed(back_to_first) == newest_first[:PAGE_SIZE]
    assert back_to_first.context["pager"].newer is None


def test_queries_do_not_grow_with_the_rows(login: Login, world: World, db: None) -> None:
    client = login(world.users["director"])
    url = reverse("audit:event-list")
    for n in range(3):
        record(world.users["admin"], world.grid.path, f"few{n}")
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(60):
        record(world.users["admin"], world.grid.path, f"many{n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert len(listed(response)) == PAGE_SIZE
    assert len(many) == len(few)


def test_htmx_gets_the_table_only(login: Login, world: World, events: Events) -> None:
    response = login(world.users["admin"]).get(
        reverse("audit:event-list"), {"q": "grid"}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="events">')
    assert "grid-person" in html
    assert "<html" not in html


def test_detail_shows_the_hashes(login: Login, world: World, events: Events) -> None:
    response = login(world.users["director"]).get(
        reverse("audit:event-detail", args=[events.grid.pk])
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert events.grid.hash in html
    assert events.grid.prev_hash in html
    assert "grid-person-old → grid-person" in html


def test_detail_out_of_scope_is_not_found(login: Login, world: World, events: Events) -> None:
    client = login(world.users["director"])

    for event in (events.other_street, events.other_community, events.unplaced):
        assert client.get(reverse("audit:event-detail", args=[event.pk])).status_code == 404
    assert client.get(reverse("audit:event-detail", args=[999999])).status_code == 404


def test_stranger_cannot_open_an_event_of_another_grid(
    login: Login, world: World, events: Events
) -> None:
    client = login(world.users["stranger"])

    assert client.get(reverse("audit:event-detail", args=[events.grid.pk])).status_code == 404
    # In the stranger's own grid the event exists for them, but a grid worker does not audit.
    assert client.get(reverse("audit:event-detail", args=[events.sibling.pk])).status_code == 403


def _workbook_rows(response: object) -> list[tuple[object, ...]]:
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_export_writes_the_filtered_list_and_is_audited(
    login: Login, world: World, events: Events
) -> None:
    response = login(world.users["street"]).get(
        reverse("audit:event-export"), {"action": "update", "q": "person"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    rows = _workbook_rows(response)
    assert rows[0][:4] == ("Id", "Time", "Actor", "Action")
    assert [row[0] for row in rows[1:]] == [
        events.other_community.pk,
        events.sibling.pk,
        events.grid.pk,
    ]
    assert rows[1][2] == "admin"
    assert rows[1][3] == "Changed"
    assert rows[1][7] == "name: other-community-person-old → other-community-person"
    assert isinstance(rows[1][1], dt.datetime)

    export = AuditEvent.objects.get(action=Action.EXPORT)
    assert export.actor_name == "street"
    assert (export.object_type, export.object_id, export.object_repr) == (
        "audit.auditevent",
        "",
        "audit log export",
    )
    assert export.changes == {"filters": {"action": "update", "q": "person"}, "rows": 3}
    assert export.region_path == world.street.path


def test_export_times_are_local_and_text_is_never_a_formula(
    login: Login, world: World, db: None
) -> None:
    _at(dt.datetime(2026, 3, 2, 0, 30, tzinfo=SHANGHAI), world, '=HYPERLINK("x")')

    rows = _workbook_rows(login(world.users["admin"]).get(reverse("audit:event-export")))

    assert rows[1][1] == dt.datetime(2026, 3, 2, 0, 30)
    assert rows[1][6] == '=HYPERLINK("x")'


def test_export_of_an_empty_selection(login: Login, world: World, events: Events) -> None:
    rows = _workbook_rows(
        login(world.users["admin"]).get(reverse("audit:event-export"), {"actor": "nobody"})
    )

    assert len(rows) == 1
    assert AuditEvent.objects.get(action=Action.EXPORT).changes == {
        "filters": {"actor": "nobody"},
        "rows": 0,
    }


def test_export_needs_an_export_role(login: Login, world: World, events: Events) -> None:
    response = login(world.users["supervisor"]).get(reverse("audit:event-export"))

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_export_with_wrong_filters_goes_back_to_the_list(
    login: Login, world: World, events: Events
) -> None:
    response = login(world.users["admin"]).get(
        reverse("audit:event-export"), {"date_from": "yesterday"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("audit:event-list") + "?date_from=yesterday"
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_verify_button_reports_an_intact_chain(login: Login, world: World, events: Events) -> None:
    response = login(world.users["admin"]).post(reverse("audit:verify"))

    assert response.status_code == 302
    assert response["Location"] == reverse("audit:event-list")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "The audit chain is intact: 5 events checked."
    ]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL refuses the edit")
def test_verify_button_names_the_first_broken_event(
    login: Login, world: World, events: Events
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET reason = 'x' WHERE id = %s", [events.other_street.pk]
        )

    response = login(world.users["admin"]).post(reverse("audit:verify"), follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        f"The audit chain is broken at event {events.other_street.pk} "
        "(content does not match its hash); 3 events before it are intact."
    ]


@pytest.mark.parametrize("name", ["street", "director", "supervisor", "gridworker"])
def test_only_district_admins_verify(login: Login, world: World, events: Events, name: str) -> None:
    assert login(world.users[name]).post(reverse("audit:verify")).status_code == 403


def test_verify_is_a_post(login: Login, world: World, events: Events) -> None:
    assert login(world.users["admin"]).get(reverse("audit:verify")).status_code == 405


def test_the_page_offers_the_buttons_by_role(login: Login, world: World, events: Events) -> None:
    admin_html = login(world.users["admin"]).get(reverse("audit:event-list")).content.decode()
    assert reverse("audit:verify") in admin_html
    assert reverse("audit:event-export") in admin_html

    director_html = login(world.users["director"]).get(reverse("audit:event-list")).content
    assert reverse("audit:verify").encode() not in director_html
    assert reverse("audit:event-export").encode() in director_html


def test_a_large_export_is_cut_with_a_note(
    login: Login, world: World, events: Events, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("shequ.audit.views.EXPORT_LIMIT", 2)

    rows = _workbook_rows(login(world.users["admin"]).get(reverse("audit:event-export")))

    assert [row[0] for row in rows[1:3]] == [events.unplaced.pk, events.other_street.pk]
    assert rows[3][0] == "Only the newest 2 events are exported: narrow the filters."
    assert len(rows) == 4
    assert AuditEvent.objects.get(action=Action.EXPORT).changes["rows"] == 2
