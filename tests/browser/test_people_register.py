"""一户一册 on a phone: a grid worker registers a household of three in a dwelling, finds one of
them by pinyin initials and records a visit from the person page."""

import pytest
from playwright.sync_api import Page, expect

from shequ.people.models import Household, Visit
from shequ.people.tests.test_register_data import idn, place
from shequ.regions.tests.factories import PASSWORD, World, make_world
from tests.browser.conftest import shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def grid(live_server: object) -> dict[str, object]:
    world: World = make_world()
    building, dwelling = place(world)
    return {"world": world, "base": live_server.url, "building": building, "dwelling": dwelling}  # type: ignore[attr-defined]


def login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".sidebar")).to_be_visible()


def fill_member(page: Page, index: int, name: str, number: str, relation: str) -> None:
    row = page.get_by_test_id(f"member-{index}")
    row.locator(f"input[name=members-{index}-name]").fill(name)
    row.locator(f"select[name=members-{index}-relation]").select_option(relation)
    row.locator(f"input[name=members-{index}-id_number]").fill(number)


def test_grid_worker_registers_a_household_finds_a_member_and_records_a_visit(
    phone: Page, grid: dict[str, object]
) -> None:
    base = str(grid["base"])
    page = phone
    login(page, base, "gridworker")

    page.goto(f"{base}/people/households/new/")
    page.select_option("#building", str(grid["building"].pk))  # type: ignore[attr-defined]
    # The building's dwellings arrive by htmx; pick 302.
    expect(page.locator("#dwelling option")).to_have_count(2)
    page.select_option("#dwelling", str(grid["dwelling"].pk))  # type: ignore[attr-defined]
    fill_member(page, 0, "王建国", idn(seq="011"), "head")
    fill_member(page, 1, "李秀英", idn(birth="19820202", seq="022"), "spouse")
    fill_member(page, 2, "王小明", idn(birth="20120303", seq="033"), "child")
    shot(page, "people-register-form-phone")
    page.get_by_test_id("register").click()

    expect(page.locator("h1")).to_contain_text("王建国")
    household = Household.objects.get()
    assert household.members.count() == 3
    expect(page.locator("table")).to_contain_text("李秀英")
    shot(page, "people-household-phone")

    page.goto(f"{base}/people/?q=wxm")
    page.get_by_role("link", name="王小明").click()
    expect(page.locator("h1")).to_contain_text("王小明")
    page.get_by_test_id("visit-open").click()
    page.locator("textarea[name=found]").fill("孩子在校，家长外出务工，由祖母照看")
    page.locator("textarea[name=follow_up]").fill("下月再访")
    shot(page, "people-visit-form-phone")
    page.locator("form[action$='/visits/new/'] button[type=submit]").click()
    expect(page.get_by_test_id("visit")).to_contain_text("孩子在校")
    shot(page, "people-person-phone")
    visit = Visit.objects.get()
    assert (visit.person.name, visit.visitor.username) == ("王小明", "gridworker")
    # The page fits the phone: nothing wider than the screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
