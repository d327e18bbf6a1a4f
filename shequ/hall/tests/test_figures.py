"""The hall's figures: counts worked out by hand for a small set of applications in March 2026."""

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation
from openpyxl import load_workbook

from shequ.accounts.models import User
from shequ.audit.models import Action, AuditEvent
from shequ.cases.models import Case, Clock, Rating, RatingChannel
from shequ.cases.tests.factories import make_unit, on_day, region_staff, unit_staff
from shequ.hall.selectors import Report, hall_figures, parse_period
from shequ.lib.codes import new_code
from shequ.regions.models import Region
from shequ.regions.roles import Role
from shequ.regions.tests.factories import World

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2026, 3, 31)
MARCH = parse_period("2026-03")
URL = "/hall/figures/"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def case(
    region: Region,
    *,
    responder: User,
    handler: User | None = None,
    unit: Any = None,
    started: dt.date | None,
    due: dt.date | None,
    finished: dt.date | None = None,
    on_time: bool | None = None,
    clock: str = Clock.RUNNING,
    state: str = "handling",
    type_key: str = "application",
    rating: tuple[int, dt.date] | None = None,
) -> Case:
    """An application row as the engine leaves it (set directly: only the figures are tested)."""
    made = Case.objects.create(
        type_key=type_key,
        state=state,
        tracking_code=new_code(),
        title="最低生活保障申请",
        region=region,
        owner_unit=unit,
        handler=handler,
        first_responder=responder,
        requester_name="张三",
        promised_days=5,
        clock=Clock.STOPPED if finished else clock,
        started_on=started,
        due_date=due,
        finished_at=at(finished) if finished else None,
        finished_on_time=on_time,
    )
    if rating is not None:
        level, day = rating
        given = Rating.objects.create(case=made, level=level, channel=RatingChannel.PORTAL)
        Rating.objects.filter(pk=given.pk).update(at=at(day, 15))
    return made


@dataclass
class Cast:
    w1: User  # window worker of 湖北社区 (world.users["window"])
    w2: User  # window worker of 八一社区
    w3: User  # window worker of 御苑社区 (the other street)
    h1: User  # back-office handler of the street's civil affairs office


@pytest.fixture
def cast(world: World) -> Cast:
    """Nine rows; the comments say what each counts for in March 2026 (today: 31 March).

    March 2026 has no holidays: its working days are Monday to Friday.
    """
    yuyuan = Region.objects.get(code="130105002001")
    civil = make_unit(world.street)
    health = make_unit(world.district, code="U-HEALTH", name="卫健局")
    w1 = world.users["window"]
    w2 = region_staff(world.other_community, Role.WINDOW_WORKER)
    w3 = region_staff(yuyuan, Role.WINDOW_WORKER)
    h1 = unit_staff(civil, username="handler")
    hubei, bayi = world.community, world.other_community
    # A: accepted 2 Mar, finished 5 Mar on time (3 working days), rated 非常满意.
    case(
        hubei,
        responder=w1,
        handler=h1,
        unit=civil,
        started=D(2026, 3, 2),
        due=D(2026, 3, 9),
        finished=D(2026, 3, 5),
        on_time=True,
        state="approved",
        rating=(5, D(2026, 3, 6)),
    )
    # B: accepted 3 Mar, finished 12 Mar late (7 working days), rated 不满意.
    case(
        hubei,
        responder=w1,
        handler=h1,
        unit=civil,
        started=D(2026, 3, 3),
        due=D(2026, 3, 10),
        finished=D(2026, 3, 12),
        on_time=False,
        state="rejected",
        rating=(2, D(2026, 3, 13)),
    )
    # C: accepted 20 Mar, not taken, due 27 Mar and still open: open past due.
    case(
        hubei,
        responder=w1,
        unit=civil,
        started=D(2026, 3, 20),
        due=D(2026, 3, 27),
        state="accepted",
    )
    # D: accepted 16 Mar, paused for materials: accepted only.
    case(
        bayi,
        responder=w2,
        handler=h1,
        unit=civil,
        started=D(2026, 3, 16),
        due=D(2026, 3, 20),
        clock=Clock.PAUSED,
        state="correction",
    )
    # E: accepted 9 Mar, finished 10 Mar on time (1 working day), rated 满意.
    case(
        bayi,
        responder=w2,
        handler=h1,
        unit=civil,
        started=D(2026, 3, 9),
        due=D(2026, 3, 16),
        finished=D(2026, 3, 10),
        on_time=True,
        state="delivered",
        rating=(4, D(2026, 3, 11)),
    )
    # F: all in February, but rated 基本满意 on 3 March: counts for the ratings only.
    case(
        bayi,
        responder=w2,
        unit=civil,
        started=D(2026, 2, 2),
        due=D(2026, 2, 9),
        finished=D(2026, 2, 6),
        on_time=True,
        state="delivered",
        rating=(3, D(2026, 3, 3)),
    )
    # G: refused at the window on 4 March: never accepted, counts nowhere.
    case(
        hubei,
        responder=w1,
        unit=civil,
        started=None,
        due=None,
        finished=D(2026, 3, 4),
        state="refused",
    )
    # H: overdue since February and still open: February's overdue, not March's.
    case(hubei, responder=w1, unit=civil, started=D(2026, 2, 2), due=D(2026, 2, 27))
    # I: the other street: accepted 4 Mar, finished 9 Mar on time (3 working days).
    case(
        yuyuan,
        responder=w3,
        handler=h1,
        unit=health,
        started=D(2026, 3, 4),
        due=D(2026, 3, 11),
        finished=D(2026, 3, 9),
        on_time=True,
        state="approved",
    )
    # Not an application: left out.
    case(
        hubei,
        responder=w1,
        unit=civil,
        started=D(2026, 3, 2),
        due=D(2026, 3, 3),
        type_key="rectification",
        state="open",
    )
    return Cast(w1, w2, w3, h1)  # fmt: skip


def figures(user: User, by: str = "worker") -> Report:
    assert MARCH is not None
    return hall_figures(user, period=MARCH, by=by, today=TODAY)


def summary(row: Any) -> tuple[Any, ...]:
    return (
        row.name,
        row.accepted,
        row.finished,
        row.on_time,
        row.overdue,
        row.average_days,
        row.rating_counts,
        row.satisfaction,
    )


def test_district_totals(world: World, cast: Cast) -> None:
    total = figures(world.users["admin"]).total

    assert (total.accepted, total.finished, total.on_time) == (6, 4, 3)
    assert (total.open_overdue, total.finished_late, total.overdue) == (1, 1, 2)
    # (3 + 7 + 1 + 3) / 4 working days.
    assert total.average_days == 3.5
    assert total.rating_counts == [1, 1, 1, 1, 0]
    assert total.rated == 4
    assert total.satisfaction == 75.0
    assert total.on_time_rate == 75.0


def test_a_community_leader_sees_the_community_only(world: World, cast: Cast) -> None:
    total = figures(world.users["director"]).total

    assert summary(total) == ("Total", 3, 2, 1, 2, 5.0, [1, 0, 0, 1, 0], 50.0)


def test_a_street_manager_sees_the_street(world: World, cast: Cast) -> None:
    total = figures(world.users["street"]).total

    assert summary(total) == ("Total", 5, 3, 2, 2, 3.7, [1, 1, 1, 1, 0], 75.0)


def test_front_and_back_office(world: World, cast: Cast) -> None:
    report = figures(world.users["admin"], by="worker")

    front, back = report.tables
    assert [summary(row) for row in front.rows] == [
        (str(cast.w1), 3, 2, 1, 2, 5.0, [1, 0, 0, 1, 0], 50.0),
        (str(cast.w2), 2, 1, 1, 0, 1.0, [0, 1, 1, 0, 0], 100.0),
        (str(cast.w3), 1, 1, 1, 0, 3.0, [0, 0, 0, 0, 0], None),
    ]
    assert [summary(row) for row in back.rows] == [
        (str(cast.h1), 5, 4, 3, 1, 3.5, [1, 1, 0, 1, 0], 66.7),
        ("Not taken yet", 1, 0, 0, 1, None, [0, 0, 1, 0, 0], 100.0),
    ]


def test_by_unit(world: World, cast: Cast) -> None:
    (table,) = figures(world.users["admin"], by="unit").tables

    assert [summary(row) for row in table.rows] == [
        ("民政科", 5, 3, 2, 2, 3.7, [1, 1, 1, 1, 0], 75.0),
        ("卫健局", 1, 1, 1, 0, 3.0, [0, 0, 0, 0, 0], None),
    ]


def test_by_community(world: World, cast: Cast) -> None:
    (table,) = figures(world.users["admin"], by="community").tables

    assert [summary(row) for row in table.rows] == [
        ("湖北社区", 3, 2, 1, 2, 5.0, [1, 0, 0, 1, 0], 50.0),
        ("八一社区", 2, 1, 1, 0, 1.0, [0, 1, 1, 0, 0], 100.0),
        ("御苑社区", 1, 1, 1, 0, 3.0, [0, 0, 0, 0, 0], None),
    ]


def test_a_year_adds_february(world: World, cast: Cast) -> None:
    year = parse_period("2026")
    assert year is not None

    total = hall_figures(world.users["director"], period=year, by="worker", today=TODAY).total

    # H (accepted 2 Feb, open, due 27 Feb) joins as accepted and open past due.
    assert (total.accepted, total.finished, total.open_overdue, total.overdue) == (4, 2, 2, 3)


def test_a_hall_at_a_street_counts_for_the_street(world: World, cast: Cast) -> None:
    case(world.street, responder=cast.w1, started=D(2026, 3, 2), due=D(2026, 3, 9))

    (table,) = figures(world.users["admin"], by="community").tables

    assert [(row.name, row.accepted) for row in table.rows] == [
        ("湖北社区", 3),
        ("八一社区", 2),
        ("御苑社区", 1),
        ("古楼街道", 1),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11", ("2026-11", D(2026, 11, 1), D(2026, 11, 30))),
        ("2026-2", ("2026-02", D(2026, 2, 1), D(2026, 2, 28))),
        ("2026", ("2026", D(2026, 1, 1), D(2026, 12, 31))),
        ("2026-13", None),
        ("26-11", None),
        ("1999", None),
        ("", None),
    ],
)
def test_parse_period(value: str, expected: Any) -> None:
    period = parse_period(value)

    assert ((period.key, period.first, period.last) if period else None) == expected


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_page(client: Client, world: World, cast: Cast, django_assert_num_queries: Any) -> None:
    login(client, world.users["admin"])
    # Session, user, roles, scope; per table and for the total: counts, handling days (and the
    # names of a table's rows); the holiday calendar once; the shell's inbox count.
    with on_day(TODAY), django_assert_num_queries(14):
        response = client.get(URL, {"period": "2026-03", "by": "worker"})

    assert response.status_code == 200
    body = response.content.decode()
    assert '<div class="value" data-testid="accepted">6</div>' in body
    assert '<div class="value" data-testid="satisfaction">75.0%</div>' in body
    assert 'id="figures-data"' in body
    assert "js/figures.js" in body
    chart = response.context["chart"]
    assert chart["tables"][0]["names"] == [str(cast.w1), str(cast.w2), str(cast.w3)]
    assert chart["tables"][0]["overdue"] == [2, 0, 0]
    assert chart["tables"][1]["ratings"] == [[1, 0], [1, 0], [0, 1], [1, 0], [0, 0]]


def test_page_with_a_bad_period_shows_this_month(client: Client, world: World, cast: Cast) -> None:
    login(client, world.users["director"])
    with on_day(TODAY):
        response = client.get(URL, {"period": "March", "by": "nonsense"})

    assert response.status_code == 200
    assert response.context["report"].period.key == "2026-03"
    assert response.context["report"].by == "worker"
    assert "The period was not understood" in response.content.decode()


@pytest.mark.parametrize("name", ["window", "gridworker", "supervisor", "stranger"])
def test_other_roles_get_403(client: Client, world: World, cast: Cast, name: str) -> None:
    login(client, world.users[name])
    before = AuditEvent.objects.count()

    assert client.get(URL).status_code == 403
    assert client.get(URL + "export/").status_code == 403
    assert AuditEvent.objects.count() == before


def test_anonymous_is_sent_to_login(client: Client) -> None:
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_export_is_audited(client: Client, world: World, cast: Cast) -> None:
    login(client, world.users["director"])
    with on_day(TODAY):
        response = client.get(URL + "export/", {"period": "2026-03", "by": "community"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="hall-figures-2026-03-community.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:4] == ["Table", "Name", "Accepted", "Finished"]
    assert rows[1:] == [
        ["By community", "湖北社区", 3, 2, 1, 2, 1, 1, 5, 1, 0, 0, 1, 0, 2, 50],
        ["All", "Total", 3, 2, 1, 2, 1, 1, 5, 1, 0, 0, 1, 0, 2, 50],
    ]
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.actor_name == "director"
    assert event.object_type == "hall.figures"
    assert event.region_path == world.community.path
    assert event.changes == {"period": "2026-03", "by": "community", "rows": 2}
