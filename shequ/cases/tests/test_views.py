"""The staff case pages: the work queue, a case page and its actions, the inbox."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from shequ.accounts.models import User
from shequ.audit.models import Action, AuditEvent
from shequ.cases.models import Attachment, Case, CaseEvent, Notification, Rating
from shequ.cases.services import case_open, case_transition, notify
from shequ.hall.models import Application, ServiceItem
from shequ.hall.services import item_save, window_accept
from shequ.lib.codes import display_code
from shequ.lib.idnumbers import check_char
from shequ.people.models import Person
from shequ.people.services import person_create
from shequ.regions.models import RoleAssignment, Unit, UnitKind
from shequ.regions.roles import Role
from shequ.regions.tests.factories import UserFactory, World

pytestmark = pytest.mark.django_db

VIEW_DAY = "2026-03-12 02:00:00"  # 10:00 in Shanghai, a Thursday


@pytest.fixture(autouse=True)
def _urls_loaded() -> None:
    """Load the URL map before any frozen clock: the API schemas do not build under one."""
    reverse("cases:queue")


def at(day: str) -> Any:
    """Freeze the clock at 10:00 Shanghai time of a day."""
    return freeze_time(f"{day} 02:00:00")


def id_number(first17: str) -> str:
    return first17 + check_char(first17)


@dataclass
class Hall:
    unit: Unit
    other_unit: Unit
    back: User  # back office of `unit`, whose role sits at the other street
    other_back: User  # back office of `other_unit`, same node
    item: ServiceItem
    other_item: ServiceItem
    elder: Person  # 76 years old: the result is offered at home
    young: Person


def back_office(world: World, unit: Unit, username: str) -> User:
    user: User = UserFactory(username=username)  # type: ignore[assignment]
    RoleAssignment.objects.create(
        user=user, role=Role.BACK_OFFICE, region=world.other_street, unit=unit
    )
    return user


def make_item(code: str, unit: Unit, promised: int = 5) -> ServiceItem:
    return item_save(
        actor=None,
        code=code,
        values={
            "name": f"事项{code}",
            "kind": "public_service",
            "department_id": unit.pk,
            "promised_days": promised,
            "statutory_days": 20,
            "delivery": True,
            "by_proxy": True,
        },
        materials=[
            {"name": "身份证", "form": "original"},
            {"name": "户口簿", "form": "copy", "required": False},
        ],
    )


@pytest.fixture
def hall(world: World) -> Hall:
    unit = Unit.objects.create(
        code="MZJ", name="区民政局", kind=UnitKind.DEPARTMENT, region=world.district
    )
    other_unit = Unit.objects.create(
        code="RSJ", name="区人社局", kind=UnitKind.DEPARTMENT, region=world.district
    )
    admin = world.users["admin"]
    return Hall(
        unit=unit,
        other_unit=other_unit,
        back=back_office(world, unit, "back"),
        other_back=back_office(world, other_unit, "otherback"),
        item=make_item("S001", unit),
        other_item=make_item("S002", other_unit),
        elder=person_create(
            actor=admin,
            region=world.grid,
            name="张伟",
            id_number="11010519491231002X",
            phone="13812345678",
        ),
        young=person_create(
            actor=admin,
            region=world.grid,
            name="李娜",
            id_number=id_number("11010519900307122"),
            phone="13900001111",
        ),
    )


def accept(world: World, hall: Hall, *, item: ServiceItem | None = None, **kwargs: Any) -> Case:
    item = item or hall.item
    required = list(item.materials.filter(required=True).values_list("pk", flat=True))
    return window_accept(
        actor=world.users["window"],
        item=item,
        applicant=kwargs.pop("applicant", hall.young),
        region=kwargs.pop("region", world.community),
        materials=required,
        **kwargs,
    )


def login(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def state_of(case: Case) -> tuple[Any, ...]:
    case.refresh_from_db()
    return (
        case.state,
        case.clock,
        case.due_date,
        case.handler_id,
        case.data,
        CaseEvent.objects.filter(case=case).count(),
        Rating.objects.filter(case=case).count(),
        Attachment.objects.filter(case=case).count(),
    )


def row_ids(response: Any) -> list[int]:
    return [row["case"].pk for row in response.context["rows"]]


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@dataclass
class Queue:
    late: Case
    soon: Case
    paused: Case
    later: Case
    other: Case  # another unit's application, same community
    elsewhere: Case  # accepted in the other community


@pytest.fixture
def queue(world: World, hall: Hall) -> Queue:
    with at("2026-03-02"):
        late = accept(world, hall)  # due 03-09
    with at("2026-03-05"):
        soon = accept(world, hall)  # due 03-12
    with at("2026-03-09"):
        paused = accept(world, hall, applicant=hall.elder)  # due 03-16
    with at("2026-03-10"):
        case_transition(case=paused, name="take", actor=hall.back)
        case_transition(case=paused, name="request_correction", actor=hall.back, note="缺证明")
    with at("2026-03-12"):
        later = accept(world, hall)
        Case.objects.filter(pk=later.pk).update(promised_days=10, due_date=dt.date(2026, 3, 26))
        other = accept(world, hall, item=hall.other_item)  # due 03-19
        elsewhere = accept(world, hall, region=world.other_community)  # due 03-19
    for case in (late, soon, paused, later, other, elsewhere):
        case.refresh_from_db()
    return Queue(late, soon, paused, later, other, elsewhere)


# --- URLs ------------------------------------------------------------------------------------


def test_urls() -> None:
    assert reverse("cases:queue") == "/cases/"
    assert reverse("cases:inbox") == "/cases/inbox/"
    assert reverse("cases:inbox-read") == "/cases/inbox/read/"
    assert reverse("cases:case-detail", kwargs={"case_id": 7}) == "/cases/7/"
    assert reverse("cases:case-transition", kwargs={"case_id": 7}) == "/cases/7/transition/"
    assert reverse("cases:case-extend", kwargs={"case_id": 7}) == "/cases/7/extend/"
    assert reverse("cases:case-rate", kwargs={"case_id": 7}) == "/cases/7/rate/"
    assert reverse("cases:case-attach", kwargs={"case_id": 7}) == "/cases/7/attachments/"
    assert (
        reverse("cases:case-attachment", kwargs={"case_id": 7, "attachment_id": 3})
        == "/cases/7/attachments/3/"
    )


def test_the_pages_need_a_login(client: Client) -> None:
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- The work queue --------------------------------------------------------------------------


def test_the_unit_tab_shows_the_units_cases_accepted_in_any_community(
    world: World, hall: Hall, queue: Queue
) -> None:
    client = login(hall.back)
    with at("2026-03-12"):
        response = client.get("/cases/")
    assert response.status_code == 200
    assert response.context["tab"] == "unit"
    q = queue
    assert row_ids(response) == [q.late.pk, q.soon.pk, q.paused.pk, q.elsewhere.pk, q.later.pk]
    assert [(t["key"], t["count"]) for t in response.context["tabs"]] == [
        ("unit", 5),
        ("mine", 1),
        ("area", 0),
    ]
    with at("2026-03-12"):
        mine = client.get("/cases/?tab=mine")
        area = client.get("/cases/?tab=area")
    assert row_ids(mine) == [q.paused.pk]
    assert row_ids(area) == []
    # The other unit's back office sees only its own case.
    with at("2026-03-12"):
        other = login(hall.other_back).get("/cases/")
    assert row_ids(other) == [q.other.pk]


def test_a_user_without_a_unit_starts_on_the_area_tab(world: World, queue: Queue) -> None:
    with at("2026-03-12"):
        response = login(world.users["director"]).get("/cases/?tab=unit")
    assert [t["key"] for t in response.context["tabs"]] == ["mine", "area"]
    assert response.context["tab"] == "mine"
    with at("2026-03-12"):
        area = login(world.users["director"]).get("/cases/?tab=area")
    q = queue
    assert row_ids(area) == [q.late.pk, q.soon.pk, q.paused.pk, q.other.pk, q.later.pk]
    with at("2026-03-12"):
        street = login(world.users["street"]).get("/cases/?tab=area")
    assert row_ids(street) == [
        q.late.pk,
        q.soon.pk,
        q.paused.pk,
        q.other.pk,
        q.elsewhere.pk,
        q.later.pk,
    ]


def test_the_queue_filters(world: World, hall: Hall, queue: Queue) -> None:
    q = queue
    client = login(world.users["street"])
    with at("2026-03-02"):
        rectification = case_open(
            case_type="rectification",
            actor=None,
            region=world.community,
            title="整改：窗口服务态度",
            requester_name="王芳",
            owner_unit=hall.unit,
            promised_days=15,
        )

    def rows(query: str) -> list[int]:
        with at("2026-03-12"):
            response = client.get(f"/cases/?tab=area&{query}")
        assert response.status_code == 200
        return row_ids(response)

    assert rows("type=rectification") == [rectification.pk]
    assert rows("type=application&due=overdue") == [q.late.pk]
    assert rows("due=soon") == [q.soon.pk]
    assert rows("due=paused") == [q.paused.pk]
    assert rows("state=correction") == [q.paused.pk]
    assert rows("state=open") == [rectification.pk]
    assert rows(f"q={display_code(q.soon.tracking_code)}") == [q.soon.pk]
    assert rows(f"q={q.soon.tracking_code[:6].lower()}") == [q.soon.pk]
    assert rows("q=整改") == [rectification.pk]
    assert rows(f"region={world.other_community.pk}") == [q.elsewhere.pk]
    assert rows(f"region={world.community.pk}&type=application&due=soon") == [q.soon.pk]
    # Finished matters leave the default list and appear under "finished".
    with at("2026-03-12"):
        case_transition(case=q.soon, name="take", actor=hall.back)
        case_transition(case=q.soon, name="reject", actor=hall.back, note="不符合条件")
        case_transition(case=q.soon, name="deliver", actor=hall.back)
    assert q.soon.pk not in rows("")
    assert rows("state=finished") == [q.soon.pk]
    assert rows("state=rejected") == []
    assert len(rows("state=all")) == 7
    # Counts follow the filters.
    with at("2026-03-12"):
        response = client.get("/cases/?tab=area&due=overdue")
    assert [(t["key"], t["count"]) for t in response.context["tabs"]] == [("mine", 0), ("area", 1)]


def test_a_region_outside_the_scope_is_not_found(world: World, queue: Queue) -> None:
    client = login(world.users["director"])
    assert client.get(f"/cases/?region={world.other_community.pk}").status_code == 404
    assert client.get("/cases/?region=abc").status_code == 404


def test_the_deadline_marks(world: World, hall: Hall, queue: Queue) -> None:
    with at("2026-03-12"):
        response = login(hall.back).get("/cases/")
    marks = {row["case"].pk: row["deadline"] for row in response.context["rows"]}
    q = queue
    assert (marks[q.late.pk].mark, marks[q.late.pk].days_over) == ("overdue", 3)
    assert (marks[q.soon.pk].mark, marks[q.soon.pk].days_left) == ("soon", 0)
    assert (marks[q.paused.pk].mark, marks[q.paused.pk].days_left) == ("paused", 4)
    assert (marks[q.later.pk].mark, marks[q.later.pk].days_left) == ("", 10)
    html = response.content.decode()
    assert '<span class="badge red" data-mark="overdue">3 working days overdue</span>' in html
    assert '<span class="badge amber" data-mark="soon">Due today</span>' in html
    assert '<span class="badge" data-mark="paused">Paused 03-10</span>' in html
    assert html.count('data-mark="') == 3


def test_the_queue_pages_by_25(world: World, hall: Hall) -> None:
    with at("2026-03-12"):
        for _ in range(27):
            accept(world, hall)
        first = login(hall.back).get("/cases/")
        second = login(hall.back).get("/cases/?page=2")
    assert len(first.context["rows"]) == 25
    assert len(second.context["rows"]) == 2
    assert first.context["page"].paginator.count == 27


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_queue_query_count_does_not_grow_with_rows(world: World, hall: Hall) -> None:
    client = login(hall.back)
    with at("2026-03-12"):
        accept(world, hall)
        client.get("/cases/")  # warm the calendar cache
        few = queries(client, "/cases/")
        for _ in range(20):
            accept(world, hall)
        case_transition(case=Case.objects.first(), name="take", actor=hall.back)  # type: ignore[arg-type]
        many = queries(client, "/cases/")
    assert few == many
    assert many <= 12


def test_the_case_page_query_count_does_not_grow_with_the_timeline(
    world: World, hall: Hall, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = login(hall.back)
    with at("2026-03-12"):
        case = accept(world, hall)
        case_transition(case=case, name="take", actor=hall.back)
        url = f"/cases/{case.pk}/"
        client.get(url)
        few = queries(client, url)
        for _ in range(3):
            case_transition(case=case, name="request_correction", actor=hall.back, note="缺")
            case_transition(case=case, name="corrected", actor=hall.back)
            client.post(f"{url}attachments/", {"file": SimpleUploadedFile("a.txt", b"a")})
        many = queries(client, url)
    assert CaseEvent.objects.filter(case=case).count() == 8
    assert few == many
    assert many <= 20


# --- The case page ---------------------------------------------------------------------------


def test_the_case_page_shows_header_deadline_fragment_and_timeline(
    world: World, hall: Hall, queue: Queue
) -> None:
    case = queue.paused
    with at("2026-03-12"):
        response = login(hall.back).get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert display_code(case.tracking_code) in html
    assert '张伟 · <span class="mono">138****5678</span>' in html
    assert "13812345678" not in html
    assert "区民政局" in html
    assert "Waiting for materials" in html
    assert "Paused with 4 working days left" in html
    assert "paused since 2026-03-10" in html
    assert "2026-03-16" in html
    # The hall's fragment: item, materials, and the proxy suggestion for a resident of 76.
    assert 'data-testid="application"' in html
    assert "事项S001" in html
    assert '<span class="badge green">received</span> 身份证' in html
    assert '<span class="badge">not given</span> 户口簿' in html
    assert 'data-testid="proxy"' in html
    # The timeline: every event with its labels and data.
    labels = [(e["label"], e["from_label"], e["to_label"]) for e in response.context["events"]]
    assert [str(x) for row in labels for x in row] == [
        "Opened", "", "Accepted",
        "Take", "Accepted", "Being handled",
        "Request missing materials", "Being handled", "Waiting for materials",
    ]  # fmt: skip
    assert response.context["events"][2]["details"] == ["Clock paused on 2026-03-10"]
    assert "缺证明" in html
    # Actions: the back office may supply the correction; nothing else is open to it here.
    assert [t.name for t in response.context["actions"]] == ["corrected"]
    assert response.context["extend_form"] is not None
    assert response.context["rate_form"] is None


def test_a_back_office_user_of_another_unit_gets_404(
    world: World, hall: Hall, queue: Queue
) -> None:
    client = login(hall.other_back)
    assert client.get(f"/cases/{queue.late.pk}/").status_code == 404
    assert client.get(f"/cases/{queue.other.pk}/").status_code == 200


def test_a_stranger_gets_404_everywhere_and_nothing_changes(
    world: World, hall: Hall, queue: Queue, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    case = queue.late
    attachment = Attachment.objects.create(
        case=case, name="a.txt", file=SimpleUploadedFile("a.txt", b"x"), uploaded_by=hall.back
    )
    for target in (case, queue.paused):
        target.refresh_from_db()
    before = [state_of(queue.late), state_of(queue.paused)]
    audits = AuditEvent.objects.count()
    client = login(world.users["stranger"])
    base = f"/cases/{case.pk}"
    assert client.get(f"{base}/").status_code == 404
    assert (
        client.post(
            f"{base}/transition/", {"name": "take", "expected_state": "accepted"}
        ).status_code
        == 404
    )
    assert client.post(f"{base}/extend/", {"days": 3, "note": "x"}).status_code == 404
    assert client.post(f"{base}/rate/", {"level": 5}).status_code == 404
    upload = SimpleUploadedFile("b.txt", b"y")
    assert client.post(f"{base}/attachments/", {"file": upload}).status_code == 404
    assert client.get(f"{base}/attachments/{attachment.pk}/").status_code == 404
    # Someone else's attachment id under a case the stranger cannot reach either.
    assert client.get(f"/cases/{queue.paused.pk}/attachments/{attachment.pk}/").status_code == 404
    assert [state_of(queue.late), state_of(queue.paused)] == before
    assert AuditEvent.objects.count() == audits
    # The queue and the inbox show none of it.
    queue_html = client.get("/cases/?tab=area").content.decode()
    assert case.tracking_code not in queue_html
    assert world.grid.name not in queue_html


def test_a_grid_worker_of_the_grid_does_not_reach_a_community_case(
    world: World, queue: Queue
) -> None:
    assert login(world.users["gridworker"]).get(f"/cases/{queue.late.pk}/").status_code == 404


# --- Transitions -----------------------------------------------------------------------------


def test_a_transition_moves_the_case_and_says_so(world: World, hall: Hall, queue: Queue) -> None:
    case = queue.late
    with at("2026-03-12"):
        response = login(hall.back).post(
            f"/cases/{case.pk}/transition/",
            {"name": "take", "expected_state": "accepted"},
            follow=True,
        )
    assert messages_of(response) == ["Done: Take."]
    case.refresh_from_db()
    assert (case.state, case.handler_id) == ("handling", hall.back.pk)


def test_a_transition_from_a_stale_page_changes_nothing(
    world: World, hall: Hall, queue: Queue
) -> None:
    case = queue.late
    with at("2026-03-12"):
        case_transition(case=case, name="take", actor=hall.back, expected_state="accepted")
    before = state_of(case)
    client = login(hall.back)
    with at("2026-03-12"):
        # The page still showed "accepted": take again, and approve from the old state.
        first = client.post(
            f"/cases/{case.pk}/transition/",
            {"name": "take", "expected_state": "accepted"},
            follow=True,
        )
        second = client.post(
            f"/cases/{case.pk}/transition/",
            {"name": "approve", "expected_state": "accepted"},
            follow=True,
        )
    for response in (first, second):
        assert response.status_code == 200
        [message] = messages_of(response)
        assert message.startswith("This matter was just moved to “Being handled” by 工作人员"), (
            message
        )
        assert message.endswith("Reload the page to see it.")
        assert [m.tags for m in response.context["messages"]] == ["error"]
    assert state_of(case) == before


def test_a_role_that_may_not_take_the_transition_gets_403(
    world: World, hall: Hall, queue: Queue
) -> None:
    case = queue.late
    before = state_of(case)
    for user in (world.users["window"], world.users["supervisor"], world.users["director"]):
        response = login(user).post(
            f"/cases/{case.pk}/transition/", {"name": "take", "expected_state": "accepted"}
        )
        assert response.status_code == 403
    assert state_of(case) == before
    # The window worker is not offered the button either.
    page = login(world.users["window"]).get(f"/cases/{case.pk}/")
    assert [t.name for t in page.context["actions"]] == ["refuse"]


def test_a_transition_that_needs_a_note_is_refused_without_one(
    world: World, hall: Hall, queue: Queue
) -> None:
    case = queue.late
    with at("2026-03-12"):
        case_transition(case=case, name="take", actor=hall.back)
    before = state_of(case)
    with at("2026-03-12"):
        response = login(hall.back).post(
            f"/cases/{case.pk}/transition/",
            {"name": "reject", "expected_state": "handling", "note": "  "},
            follow=True,
        )
    assert messages_of(response) == ["Give a reason"]
    assert state_of(case) == before


def test_an_unknown_action_is_not_found(world: World, hall: Hall, queue: Queue) -> None:
    case = queue.late
    before = state_of(case)
    response = login(hall.back).post(
        f"/cases/{case.pk}/transition/", {"name": "teleport", "expected_state": "accepted"}
    )
    assert response.status_code == 404
    assert state_of(case) == before


def test_delivery_takes_the_method_chosen_in_the_hall_fragment(
    world: World, hall: Hall, queue: Queue
) -> None:
    case = queue.paused  # the elder's application
    with at("2026-03-12"):
        case_transition(case=case, name="corrected", actor=hall.back)
        case_transition(case=case, name="approve", actor=hall.back)
    client = login(world.users["window"])
    with at("2026-03-12"):
        page = client.get(f"/cases/{case.pk}/")
    html = page.content.decode()
    assert (
        '<input type="radio" name="data_delivery" value="proxy_home" form="transition-deliver" checked>'
        in html
    )
    assert 'id="transition-deliver"' in html
    before = state_of(case)
    with at("2026-03-12"):
        bad = client.post(
            f"/cases/{case.pk}/transition/",
            {"name": "deliver", "expected_state": "approved", "data_delivery": "drone"},
            follow=True,
        )
        sneaky = client.post(
            f"/cases/{case.pk}/transition/",
            {"name": "deliver", "expected_state": "approved", "data_item_code": "X"},
            follow=True,
        )
    assert messages_of(bad) == ["Choose how the result is handed over"]
    assert messages_of(sneaky) == ["Choose how the result is handed over"]
    assert state_of(case) == before
    with at("2026-03-12"):
        client.post(
            f"/cases/{case.pk}/transition/",
            {"name": "deliver", "expected_state": "approved", "data_delivery": "proxy_home"},
        )
    case.refresh_from_db()
    assert case.state == "delivered"
    assert case.data == {"item_code": "S001", "item_version": 1, "delivery": "proxy_home"}
    event = CaseEvent.objects.filter(case=case).last()
    assert event is not None and event.data == {"delivery": "proxy_home"}
    with at("2026-03-12"):
        page = client.get(f"/cases/{case.pk}/")
    assert page.context["events"][-1]["details"] == [
        "Handover: Brought home by a worker (proxy service)"
    ]
    assert 'data-testid="proxy"' not in page.content.decode()
    assert "Brought home by a worker (proxy service)</dd>" in page.content.decode()
    assert Application.objects.get(case=case).applicant_id == hall.elder.pk


def test_extra_data_is_dropped_for_other_transitions(
    world: World, hall: Hall, queue: Queue
) -> None:
    case = queue.late
    with at("2026-03-12"):
        login(hall.back).post(
            f"/cases/{case.pk}/transition/",
            {"name": "take", "expected_state": "accepted", "data_item_code": "X"},
        )
    case.refresh_from_db()
    assert case.state == "handling"
    assert case.data == {"item_code": "S001", "item_version": 1}


# --- Extension -------------------------------------------------------------------------------


def test_a_leader_extends_the_deadline(world: World, hall: Hall, queue: Queue) -> None:
    case = queue.soon  # due 03-12
    with at("2026-03-12"):
        response = login(world.users["director"]).post(
            f"/cases/{case.pk}/extend/", {"days": 3, "note": "需现场核查"}, follow=True
        )
    assert messages_of(response) == ["The deadline is now 2026-03-17."]
    case.refresh_from_db()
    assert case.due_date == dt.date(2026, 3, 17)
    event = CaseEvent.objects.filter(case=case).last()
    assert event is not None
    assert (event.action, event.note) == ("extend", "需现场核查")
    with at("2026-03-12"):
        page = login(world.users["director"]).get(f"/cases/{case.pk}/")
    assert page.context["events"][-1]["details"] == [
        "Extended by 3 working days: 2026-03-12 → 2026-03-17"
    ]


def test_an_extension_needs_a_reason_and_a_role(world: World, hall: Hall, queue: Queue) -> None:
    case = queue.soon
    before = state_of(case)
    with at("2026-03-12"):
        response = login(hall.back).post(
            f"/cases/{case.pk}/extend/", {"days": 3, "note": ""}, follow=True
        )
        assert messages_of(response) == ["Reason: This field is required."]
        zero = login(hall.back).post(
            f"/cases/{case.pk}/extend/", {"days": 0, "note": "x"}, follow=True
        )
        assert len(messages_of(zero)) == 1
        for user in (world.users["window"], world.users["supervisor"]):
            refused = login(user).post(f"/cases/{case.pk}/extend/", {"days": 3, "note": "x"})
            assert refused.status_code == 403
    assert state_of(case) == before


# --- Call-back rating ------------------------------------------------------------------------


def finish(case: Case, hall: Hall) -> None:
    case_transition(case=case, name="take", actor=hall.back)
    case_transition(case=case, name="approve", actor=hall.back)
    case_transition(case=case, name="deliver", actor=hall.back, data={"delivery": "pickup"})


def test_a_worker_records_the_call_back_rating(world: World, hall: Hall, queue: Queue) -> None:
    case = queue.later
    with at("2026-03-12"):
        before_finish = login(world.users["window"]).get(f"/cases/{case.pk}/")
        assert before_finish.context["rate_form"] is None
        finish(case, hall)
        page = login(world.users["window"]).get(f"/cases/{case.pk}/")
        assert page.context["rate_form"] is not None
        assert 'name="level"' in page.content.decode()
        assert (
            "checked" not in page.content.decode().split('action="/cases/')[-1].split("</form>")[0]
        )
        response = login(world.users["window"]).post(
            f"/cases/{case.pk}/rate/", {"level": 4, "comment": "办得快"}, follow=True
        )
    assert messages_of(response) == ["Recorded: Satisfied."]
    rating = Rating.objects.get(case=case)
    assert (rating.level, rating.comment, rating.channel, rating.recorded_by_id) == (
        4,
        "办得快",
        "callback",
        world.users["window"].pk,
    )
    assert response.context["rate_form"] is None
    html = response.content.decode()
    assert "Call-back by a worker" in html
    assert response.context["events"][-1]["details"] == [
        "Rating: Satisfied (Call-back by a worker)"
    ]
    # A second rating is refused.
    again = login(world.users["window"]).post(f"/cases/{case.pk}/rate/", {"level": 1}, follow=True)
    assert messages_of(again) == ["This matter has been rated already"]
    assert Rating.objects.filter(case=case).count() == 1


def test_a_poor_call_back_rating_opens_a_rectification_shown_on_the_page(
    world: World, hall: Hall, queue: Queue
) -> None:
    case = queue.later
    with at("2026-03-12"):
        finish(case, hall)
        response = login(hall.back).post(
            f"/cases/{case.pk}/rate/", {"level": 1, "comment": "态度差"}, follow=True
        )
    followup = Case.objects.get(parent=case)
    assert followup.type_key == "rectification"
    assert [f["case"].pk for f in response.context["followups"]] == [followup.pk]
    with at("2026-03-12"):
        child = login(hall.back).get(f"/cases/{followup.pk}/")
    assert child.status_code == 200
    assert child.context["case"].parent_id == case.pk
    assert f'href="/cases/{case.pk}/"' in child.content.decode()


def test_a_rating_is_refused_before_the_end_and_for_read_only_roles(
    world: World, hall: Hall, queue: Queue
) -> None:
    case = queue.late
    before = state_of(case)
    response = login(hall.back).post(f"/cases/{case.pk}/rate/", {"level": 5}, follow=True)
    assert messages_of(response) == ["A matter can be rated once it is finished"]
    assert (
        login(world.users["supervisor"]).post(f"/cases/{case.pk}/rate/", {"level": 5}).status_code
        == 403
    )
    assert state_of(case) == before


# --- Attachments -----------------------------------------------------------------------------


def test_attachments_upload_download_and_limit(
    world: World, hall: Hall, queue: Queue, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    case = queue.late
    client = login(hall.back)
    response = client.post(
        f"/cases/{case.pk}/attachments/",
        {"file": SimpleUploadedFile("现场照片.jpg", b"jpeg-bytes")},
        follow=True,
    )
    assert messages_of(response) == ["Attached 现场照片.jpg."]
    attachment = Attachment.objects.get(case=case)
    assert (attachment.name, attachment.uploaded_by_id) == ("现场照片.jpg", hall.back.pk)
    created = AuditEvent.objects.filter(
        action=Action.CREATE, object_type="cases.case", object_id=str(case.pk)
    ).latest("id")
    assert created.changes == {"attachment": [None, "现场照片.jpg"]}
    download = client.get(f"/cases/{case.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"jpeg-bytes"  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(action=Action.EXPORT, object_type="cases.case").count() == 1
    big = SimpleUploadedFile("big.pdf", b"0" * (10 * 1024 * 1024 + 1))
    refused = client.post(f"/cases/{case.pk}/attachments/", {"file": big}, follow=True)
    assert messages_of(refused) == ["File: The file is 10.0 MB; the limit is 10 MB."]
    assert Attachment.objects.filter(case=case).count() == 1
    # The read-only supervisor sees the files but may not add one.
    supervisor = login(world.users["supervisor"])
    assert supervisor.get(f"/cases/{case.pk}/").context["attach_form"] is None
    assert (
        supervisor.post(
            f"/cases/{case.pk}/attachments/", {"file": SimpleUploadedFile("c.txt", b"z")}
        ).status_code
        == 403
    )
    assert Attachment.objects.filter(case=case).count() == 1


# --- Inbox -----------------------------------------------------------------------------------


def test_the_inbox_lists_unread_first_and_marks_read(world: World, hall: Hall) -> None:
    window = world.users["window"]
    case, other_case = accept(world, hall), accept(world, hall)
    # Taking a case tells the first responder (the window worker).
    case_transition(case=case, name="take", actor=hall.back)
    notify([window], None, "系统维护通知")
    notify([window], other_case, "请尽快处理")
    notify([world.users["director"]], None, "别人的消息")
    first, second, third = Notification.objects.filter(user=window).order_by("id")
    client = login(window)
    response = client.get("/cases/inbox/")
    assert [r["note"].pk for r in response.context["rows"]] == [third.pk, second.pk, first.pk]
    assert response.context["unread"] == 3
    assert display_code(other_case.tracking_code) in response.content.decode()
    # A bare POST changes nothing; one message; then all.
    client.post("/cases/inbox/read/", {})
    assert Notification.objects.filter(user=window, read_at__isnull=True).count() == 3
    client.post("/cases/inbox/read/", {"id": second.pk})
    response = client.get("/cases/inbox/")
    assert [r["note"].pk for r in response.context["rows"]] == [third.pk, first.pk, second.pk]
    assert response.context["unread"] == 2
    client.post("/cases/inbox/read/", {"all": "1"})
    assert Notification.objects.filter(user=window, read_at__isnull=True).count() == 0
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
    # Another user's message id does nothing.
    other = Notification.objects.get(user=world.users["director"])
    client.post("/cases/inbox/read/", {"id": other.pk})
    other.refresh_from_db()
    assert other.read_at is None


def test_the_unread_count_helper(world: World) -> None:
    from shequ.cases.selectors import unread_count

    notify([world.users["window"]], None, "a")
    assert unread_count(world.users["window"]) == 1
    assert unread_count(world.users["director"]) == 0
    assert unread_count(None) == 0


def test_the_admin_lists_cases_read_only(world: World, hall: Hall) -> None:
    case = accept(world, hall)
    client = login(world.users["admin"])
    assert client.get("/admin/cases/case/").status_code == 200
    page = client.get(f"/admin/cases/case/{case.pk}/change/")
    assert page.status_code == 200
    assert case.requester_phone_enc not in page.content.decode()
    assert client.get("/admin/cases/caseevent/").status_code == 200
    assert client.get("/admin/cases/rating/").status_code == 200
    assert client.get("/admin/cases/case/add/").status_code == 403
    assert login(world.users["director"]).get("/admin/cases/case/").status_code == 302
