"""A case page and its actions, attachments, ratings, the inbox, the admin."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shequ.audit.models import Action, AuditEvent
from shequ.cases.models import Attachment, Case, CaseEvent, Notification, Rating
from shequ.cases.services import case_transition
from shequ.cases.services_notify import notify
from shequ.cases.tests.pages import Hall, Queue, accept, at, login, messages_of, queries, state_of
from shequ.hall.models import Application
from shequ.lib.codes import display_code
from shequ.regions.tests.factories import World

pytestmark = pytest.mark.django_db


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
