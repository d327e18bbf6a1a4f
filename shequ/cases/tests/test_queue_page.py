"""The staff work queue: tabs, filters, deadline marks, paging, query counts."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from shequ.cases.models import Case
from shequ.cases.services import case_open, case_transition
from shequ.cases.tests.pages import Hall, Queue, accept, at, login, queries, row_ids
from shequ.lib.codes import display_code
from shequ.regions.tests.factories import World

pytestmark = pytest.mark.django_db

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
