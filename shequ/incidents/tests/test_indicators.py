"""The indicators equal what a person counts by hand from the story in indicators_world."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from shequ.incidents.indicators import IndicatorRow, incident_indicators
from shequ.incidents.models_loop import Incident
from shequ.incidents.periods import parse_period
from shequ.incidents.tests.indicators_world import NOW, Story, build
from shequ.incidents.tests.table import Table
from shequ.regions.tests.factories import World

pytestmark = pytest.mark.django_db
MARCH = parse_period("2026-03")


@pytest.fixture
def story(world: World, table: Table) -> Story:
    return build(world, table)


def counts(row: IndicatorRow) -> dict[str, Any]:
    return {
        "reported": row.reported,
        "filed": row.filed,
        "not_filed": row.not_filed,
        "due": row.due,
        "closed": row.closed,
        "closed_on_time": row.on_time_closed,
        "postponed": row.postponed,
        "handled": row.handled,
        "handled_on_time": row.handled_on_time,
        "reworked": row.reworked,
        "overdue_open": row.overdue_open,
    }


def rates(row: IndicatorRow) -> dict[str, float | None]:
    return {
        "filing": row.filing_rate,
        "close": row.close_rate,
        "on_time_close": row.on_time_close_rate,
        "handling": row.handling_rate,
        "on_time_handling": row.on_time_handling_rate,
        "rework": row.rework_rate,
        "hours": row.average_handling_hours,
    }


# Counted by hand from the story. The grid: A-F reported in March; E not filed; F filed but
# not yet due; A, B, C closed (B late), D past due and open; C postponed (closed on time
# against its new deadline); A, B, C handled, B's standing handling late; B reworked.
# Handling hours from dispatch to the last report of handling: A 1, B 6, C 5.
GRID = {
    "reported": 6, "filed": 5, "not_filed": 1, "due": 4, "closed": 3, "closed_on_time": 2,
    "postponed": 1, "handled": 3, "handled_on_time": 2, "reworked": 1, "overdue_open": 1,
}  # fmt: skip
GRID_RATES = {
    "filing": 83.33, "close": 75.0, "on_time_close": 50.0, "handling": 75.0,
    "on_time_handling": 50.0, "rework": 33.33, "hours": 4.0,
}  # fmt: skip
# The sibling grid: G reported, filed, handled 30 minutes after dispatch, closed on time.
SIBLING = {
    "reported": 1, "filed": 1, "not_filed": 0, "due": 1, "closed": 1, "closed_on_time": 1,
    "postponed": 0, "handled": 1, "handled_on_time": 1, "reworked": 0, "overdue_open": 0,
}  # fmt: skip
# The other community: I filed, never handled, past due.
FAR = {
    "reported": 1, "filed": 1, "not_filed": 0, "due": 1, "closed": 0, "closed_on_time": 0,
    "postponed": 0, "handled": 0, "handled_on_time": 0, "reworked": 0, "overdue_open": 1,
}  # fmt: skip


def add(*parts: dict[str, Any]) -> dict[str, Any]:
    return {key: sum(part[key] for part in parts) for key in parts[0]}


def test_the_incident_row_carries_its_cases_node(story: Story, world: World) -> None:
    """Filled by the database on insert, whatever wrote the row."""
    regions = dict(Incident.objects.values_list("case_id", "region_id"))
    assert regions[story.a.pk] == world.grid.pk
    assert regions[story.g.pk] == world.sibling.pk
    assert regions[story.i.pk] == story.far_grid.pk
    assert all(
        region == case_region
        for region, case_region in Incident.objects.values_list("region_id", "case__region_id")
    )


def test_a_community_by_grid_equals_the_count_by_hand(story: Story, world: World) -> None:
    report = incident_indicators(
        world.users["director"], world.community, period=MARCH, now=NOW, exclude_postponed=False
    )
    assert [row.name for row in report.rows] == [world.grid.name, world.sibling.name]
    grid, sibling = report.rows
    assert counts(grid) == GRID
    assert rates(grid) == GRID_RATES
    assert counts(sibling) == SIBLING
    assert rates(sibling)["hours"] == 0.5
    assert counts(report.total) == add(GRID, SIBLING)
    # Total handling hours: (1 + 6 + 5 + 0.5) / 4.
    assert report.total.average_handling_hours == 3.1


def test_postponed_incidents_leave_the_on_time_close_rate_when_so_set(
    story: Story, world: World, settings: Any
) -> None:
    settings.INCIDENT_EXCLUDE_POSTPONED = True
    grid = incident_indicators(world.users["director"], world.grid, period=MARCH, now=NOW).rows[0]
    # C (postponed, closed on time) is out of both sides: A on time of A, B, D.
    assert (grid.on_time_closed, grid.on_time_base, grid.on_time_close_rate) == (1, 3, 33.33)
    # The other figures do not move.
    assert counts(grid) == {**GRID, "closed_on_time": 1}
    assert grid.close_rate == 75.0
    settings.INCIDENT_EXCLUDE_POSTPONED = False
    again = incident_indicators(world.users["director"], world.grid, period=MARCH, now=NOW)
    assert again.rows[0].on_time_close_rate == 50.0
    # The switch of the request wins over the setting.
    switched = incident_indicators(
        world.users["director"], world.grid, period=MARCH, now=NOW, exclude_postponed=True
    )
    assert switched.rows[0].on_time_close_rate == 33.33


def test_a_street_by_community_and_the_district_by_street(story: Story, world: World) -> None:
    street = incident_indicators(world.users["street"], world.street, period=MARCH, now=NOW)
    assert [row.name for row in street.rows] == [world.community.name, world.other_community.name]
    assert counts(street.rows[0]) == add(GRID, SIBLING)
    assert counts(street.rows[1]) == FAR
    district = incident_indicators(world.users["admin"], world.district, period=MARCH, now=NOW)
    assert [row.name for row in district.rows] == [world.street.name, world.other_street.name]
    assert counts(district.rows[0]) == add(GRID, SIBLING, FAR)
    assert district.rows[1].reported == 0 and district.rows[1].close_rate is None


def test_by_handling_unit(story: Story, world: World, table: Table) -> None:
    report = incident_indicators(
        world.users["director"], world.community, period=MARCH, now=NOW, by="unit"
    )
    rows = {row.name: counts(row) for row in report.rows}
    # The unit: A, B, D (all due), A and B closed, A on time, B reworked.
    assert rows[table.unit.name] == {
        "reported": 3, "filed": 3, "not_filed": 0, "due": 3, "closed": 2, "closed_on_time": 1,
        "postponed": 0, "handled": 2, "handled_on_time": 1, "reworked": 1, "overdue_open": 1,
    }  # fmt: skip
    # C and G handled by their grids; E and F never dispatched.
    assert [row.key for row in report.rows] == [f"unit:{table.unit.pk}", "tier:grid", "none"]
    assert counts(report.rows[1]) == add(
        SIBLING, {**dict.fromkeys(SIBLING, 0), "reported": 1, "filed": 1, "due": 1, "closed": 1,
                  "closed_on_time": 1, "postponed": 1, "handled": 1, "handled_on_time": 1}
    )  # fmt: skip
    assert (report.rows[2].reported, report.rows[2].filed, report.rows[2].due) == (2, 1, 0)
    assert counts(report.total) == add(GRID, SIBLING)


def test_the_period_is_the_report_time(story: Story, world: World) -> None:
    february = incident_indicators(
        world.users["director"], world.grid, period=parse_period("2026-02"), now=NOW
    )
    assert february.total.reported == 1  # H
    week = incident_indicators(
        world.users["director"],
        world.grid,
        period=parse_period("2026-03-03..2026-03-03"),
        now=NOW,
    )
    assert (week.total.reported, week.total.filed, week.total.due) == (1, 1, 0)  # F
    # Counted later, F's deadline has passed: it is due, and open past the deadline.
    later = incident_indicators(
        world.users["director"],
        world.grid,
        period=parse_period("2026-03-03..2026-03-03"),
        now=NOW + dt.timedelta(days=1),
    )
    assert (later.total.due, later.total.overdue_open) == (1, 1)


def test_a_grid_worker_counts_only_his_grid(story: Story, world: World) -> None:
    from django.http import Http404

    from shequ.regions.scoping import get_region_for_user, home_region

    worker = world.users["gridworker"]
    assert home_region(worker) == world.grid
    report = incident_indicators(worker, world.grid, period=MARCH, now=NOW)
    assert counts(report.total) == GRID
    with pytest.raises(Http404):
        get_region_for_user(worker, world.community.pk)
    # Even handed a node above his grid, the scoping queryset keeps him to his subtree.
    above = incident_indicators(worker, world.community, period=MARCH, now=NOW)
    assert counts(above.total) == GRID


def test_the_cohort_is_one_statement(story: Story, world: World) -> None:
    with CaptureQueriesContext(connection) as captured:
        incident_indicators(world.users["admin"], world.district, period=MARCH, now=NOW)
    # Scope (assignments), the subtree, the cohort, the children.
    assert len(captured.captured_queries) == 4


@pytest.mark.parametrize(
    ("text", "key", "first", "last"),
    [
        ("2026-03", "2026-03", "2026-03-01", "2026-03-31"),
        ("2026-2", "2026-02", "2026-02-01", "2026-02-28"),
        ("2024-02", "2024-02", "2024-02-01", "2024-02-29"),
        ("2026-Q4", "2026-Q4", "2026-10-01", "2026-12-31"),
        ("2026q1", "2026-Q1", "2026-01-01", "2026-03-31"),
        ("2026", "2026", "2026-01-01", "2026-12-31"),
        ("2026-03-05..2026-03-09", "2026-03-05..2026-03-09", "2026-03-05", "2026-03-09"),
    ],
)
def test_periods(text: str, key: str, first: str, last: str) -> None:
    period = parse_period(text)
    assert (period.key, period.first.isoformat(), period.last.isoformat()) == (key, first, last)
    assert period.start.isoformat() == f"{first}T00:00:00+08:00"


@pytest.mark.parametrize(
    "text", ["", "2026-13", "March", "1999", "2026-03-09..2026-03-05", "2025-01-01..2026-06-01"]
)
def test_bad_periods_say_what_is_expected(text: str) -> None:
    with pytest.raises(ValidationError) as error:
        parse_period(text)
    assert "period" in error.value.message_dict


@freeze_time("2026-03-03 02:00:00")
def test_nothing_reported_gives_no_rates(world: World) -> None:
    report = incident_indicators(world.users["director"], world.community, period=MARCH)
    assert [row.reported for row in report.rows] == [0, 0]
    assert rates(report.total) == dict.fromkeys(rates(report.total), None)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one statement writes both rows")
def test_the_node_is_found_when_case_and_incident_are_written_in_one_statement(
    story: Story, world: World
) -> None:
    """PostgreSQL may write the case and its incident in one statement (data-modifying WITH,
    as core.sql_write.insert_all does): the trigger still finds the case's node."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH c AS (
                INSERT INTO cases_case (type_key, state, tracking_code, title, region_id,
                    requester_name, requester_phone_enc, requester_phone_masked,
                    requester_phone_tail, address, data, promised_days, limit_kind, clock,
                    due_provisional, alert, created_at, updated_at)
                SELECT type_key, state, 'ZZTEST000001', title, %s, requester_name, '', '', '',
                    '', '{}'::jsonb, 1, limit_kind, 'idle', false, 0, now(), now()
                FROM cases_case WHERE id = %s
                RETURNING id
            )
            INSERT INTO incidents_incident (case_id, category_id, description, tier,
                handling_region_id, channel, reported_at, located)
            SELECT c.id, %s, 'x', 'grid', %s, 'grid', now(), true FROM c
            RETURNING region_id
            """,
            [world.sibling.pk, story.a.pk, story.a.category_id, world.sibling.pk],
        )
        assert cursor.fetchone() == (world.sibling.pk,)
