"""A community director reads the register's figures; a grid worker on a phone opens his visits."""

import datetime as dt
import re
from importlib import import_module

import pytest
from playwright.sync_api import Page, expect

from shequ.people.models import CareKind, DwellingUse, Household, ResidenceStatus, VisitPlan
from shequ.people.tests.care_builders import dwelling, person, tag, tenancy, visit
from shequ.regions.tests.factories import World, make_world
from shequ.workdays.calendar import today
from tests.browser.conftest import shot
from tests.browser.test_foundation_journeys import login

# serialized_rollback: the flush after a transactional test would drop the data migrations
# (the visit plans are seeded by one).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def live_world(live_server: object) -> World:
    world = make_world()
    # A flush by another transactional test may have dropped the plans the migration seeds.
    plans = import_module("shequ.people.migrations.0003_visit_plans_backfill").PLANS
    for kind, days in plans.items():
        VisitPlan.objects.get_or_create(kind=kind, defaults={"interval_days": days})
    day = today()
    worker = world.users["gridworker"]
    home = dwelling(world.grid, DwellingUse.OWNER)
    rented = dwelling(world.grid, DwellingUse.RENTED)
    dwelling(world.sibling, DwellingUse.VACANT)
    family = Household.objects.create(region=world.grid, dwelling=home, number="H1")
    for age in (8, 36, 38, 67):
        person(world.grid, on=day, age=age, household=family, dwelling=home)
    for age in (72, 81, 90):
        elder = person(world.grid, on=day, age=age, dwelling=home)
        tag(elder, CareKind.LIVING_ALONE, since=day - dt.timedelta(days=500))
        visit(elder, worker, on=day - dt.timedelta(days=20 + age % 20))
    never = person(world.grid, on=day, age=77)
    tag(never, CareKind.DISABLED, since=day - dt.timedelta(days=100))
    tenant = person(
        world.grid,
        on=day,
        age=29,
        status=ResidenceStatus.FLOATING,
        dwelling=rented,
        residence_permit_expiry=day + dt.timedelta(days=11),
    )
    tenancy(rented, [tenant], starts=day - dt.timedelta(days=345), ends=day + dt.timedelta(days=20))
    for age in (25, 44, 63, 85):
        person(world.sibling, on=day, age=age, status=ResidenceStatus.RESIDENT)
    return world


def test_director_reads_the_figures_of_his_community(
    page: Page, live_server: object, live_world: World
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    login(page, base, "director")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.locator('nav a[href="/people/figures/"]').click()
    expect(page.get_by_test_id("total-persons")).to_have_text("13")
    # Four charts drawn by ECharts (each holds a canvas once drawn).
    for name in ("status", "bands", "care", "dwellings"):
        expect(page.locator(f".js-people-{name} canvas")).to_have_count(1)
    table = page.get_by_test_id("table-persons")
    expect(table).to_contain_text(live_world.grid.name)
    expect(table).to_contain_text(live_world.sibling.name)
    # The director sees the sensitive column (one disabled resident).
    expect(page.locator('th[data-care="disabled"]')).to_have_count(1)
    shot(page, "people-figures-director")
    # Down to a grid: the same page for the node below.
    table.get_by_role("link", name=live_world.grid.name).click()
    expect(page.get_by_test_id("total-persons")).to_have_text("9")
    shot(page, "people-figures-grid")


def test_grid_worker_opens_his_visits_on_a_phone(
    phone: Page, live_server: object, live_world: World
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    login(phone, base, "gridworker")
    # Wait for the login to land before leaving the page (the form posts asynchronously).
    phone.wait_for_url(lambda url: "/accounts/login/" not in url)
    phone.goto(f"{base}/people/visits-due/")
    visits = phone.get_by_test_id("due-visits").locator("li")
    # Three residents to visit (one more falls due in nine days); the one never visited comes
    # first, marked red.
    expect(visits).to_have_count(3)
    expect(visits.first.locator(".badge.red")).to_have_count(1)
    expect(phone.get_by_test_id("due-permits")).to_be_visible()
    expect(phone.get_by_test_id("due-tenancies")).to_be_visible()
    # Nothing scrolls sideways on a 390 px screen, apart from the tables' own scrolling.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "people-visits-due-phone")
    visits.first.get_by_role("link").first.click()
    phone.wait_for_url(re.compile(r"/people/\d+/$"))
    shot(phone, "people-visits-due-phone-person")
    # His grid's figures fit the phone too: charts one under the other, tables scroll inside.
    phone.goto(f"{base}/people/figures/")
    expect(phone.locator(".js-people-bands canvas")).to_have_count(1)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "people-figures-phone")


def test_administrator_sets_a_visit_plan_from_the_figures_page(
    page: Page, live_server: object, live_world: World
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    login(page, base, "admin")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"{base}/people/figures/")
    page.locator('a[href="/people/visit-plans/"]').click()
    row = page.locator('tr[data-plan="living_alone"]')
    row.locator('input[name="interval_days"]').fill("14")
    row.locator('button[type="submit"]').click()
    expect(page.locator('tr[data-plan="living_alone"] input[name="interval_days"]')).to_have_value(
        "14"
    )
    shot(page, "people-visit-plans")
