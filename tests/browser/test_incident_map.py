"""The incident map and the indicators in a real browser, on a desktop and on a phone."""

from __future__ import annotations

import pytest
from freezegun import freeze_time
from playwright.sync_api import Page, expect

from shequ.incidents.tests.indicators_world import at, build
from shequ.incidents.tests.loop import draw_grids, report
from shequ.incidents.tests.table import make_table
from shequ.regions.models import Region
from shequ.regions.tests.factories import World, make_world
from tests.browser.conftest import alpine_ready, shot
from tests.browser.test_foundation_journeys import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
MARCH = "period=2026-03"


@pytest.fixture
def live_world(live_server: object) -> World:
    world = make_world()
    table = make_table(world)
    draw_grids(world)
    build(world, table)
    # A dozen more reports spread over the grid: enough to gather into bubbles.
    with freeze_time(at("2026-03-05", "09:00")):
        for n in range(12):
            report(
                world,
                table,
                client_id=f"more-{n}",
                lng=116.005 + (n % 4) * 0.025,
                lat=39.005 + (n // 4) * 0.03,
                photos=[],
            )
    Region.objects.filter(pk=world.community.pk).update(
        boundary={
            "type": "Polygon",
            "coordinates": [
                [[116.0, 39.0], [116.2, 39.0], [116.2, 39.1], [116.0, 39.1], [116.0, 39.0]]
            ],
        }
    )
    return world


def test_director_reads_the_map_and_the_indicators(
    page: Page, live_server: object, live_world: World
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    login(page, base, "director")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    # The map is in the navigation, marked as the current page once open.
    page.locator('nav a[href="/incidents/map/"]').click()
    expect(page.locator('nav a[href="/incidents/map/"]')).to_have_attribute("aria-current", "page")
    expect(page.locator('nav a[href="/incidents/categories/"]')).not_to_have_attribute(
        "aria-current", "page"
    )
    # The filters: March, by the month field.
    alpine_ready(page)
    page.select_option("select[name=kind]", "month")
    page.fill("input[name=month]", "2026-03")
    page.get_by_role("button", name="显示").click()
    expect(page.get_by_test_id("period")).to_have_text("2026-03")
    expect(page.locator("#incident-map[data-loaded=true]")).to_have_count(1)
    # 19 reported in March in the community, one without a location.
    expect(page.get_by_test_id("map-count")).to_contain_text("19")
    # The two grids' boundaries, density squares, and markers or bubbles on top.
    expect(page.locator(".leaflet-overlay-pane path").first).to_be_visible()
    assert (
        page.locator(".incident-cluster").count()
        + page.locator(".leaflet-overlay-pane path.leaflet-interactive").count()
        > 2
    )
    shot(page, "incident-map-director")
    # A bubble zooms in to its incidents.
    bubbles = page.locator(".incident-cluster")
    if bubbles.count():
        bubbles.first.click()
        page.wait_for_timeout(600)
        shot(page, "incident-map-director-zoomed")

    page.locator('nav a[href="/incidents/indicators/"]').click()
    expect(page.locator('nav a[href="/incidents/indicators/"]')).to_have_attribute(
        "aria-current", "page"
    )
    page.goto(f"{base}/incidents/indicators/?{MARCH}&postponed=include")
    expect(page.get_by_test_id("reported")).to_have_text("19")
    expect(page.locator(".js-incident-rates canvas")).to_have_count(1)
    expect(page.locator(".js-incident-counts canvas")).to_have_count(1)
    table = page.get_by_test_id("table")
    expect(table).to_contain_text(live_world.grid.name)
    expect(table).to_contain_text(live_world.sibling.name)
    shot(page, "incident-indicators-director")
    # Down to the grid by its row, keeping the period.
    table.get_by_role("link", name=live_world.grid.name).click()
    expect(page.get_by_test_id("reported")).to_have_text("18")
    expect(page.get_by_test_id("period")).to_have_text("2026-03")


def test_the_pages_fit_a_phone(phone: Page, live_server: object, live_world: World) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    login(phone, base, "gridworker")
    phone.wait_for_url(lambda url: "/accounts/login/" not in url)
    phone.goto(f"{base}/incidents/map/?{MARCH}")
    expect(phone.locator("#incident-map[data-loaded=true]")).to_have_count(1)
    # His grid only: 18 reported in March, one without a location; the sibling's G is not his.
    expect(phone.get_by_test_id("map-count")).to_contain_text("18")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "incident-map-phone")
    phone.context.clear_cookies()
    login(phone, base, "street")
    phone.wait_for_url(lambda url: "/accounts/login/" not in url)
    phone.goto(f"{base}/incidents/indicators/?{MARCH}")
    expect(phone.locator(".js-incident-rates canvas")).to_have_count(1)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "incident-indicators-phone")
