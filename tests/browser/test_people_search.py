"""A grid worker on a phone finds a person of his grid by pinyin initials and opens the record."""

import re

import pytest
from playwright.sync_api import Page, expect

from shequ.people.services import person_create
from shequ.regions.tests.factories import World, make_world
from tests.browser.conftest import shot
from tests.browser.test_foundation_journeys import login

# serialized_rollback: the flush after a transactional test would drop the data migrations.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def live_world(live_server: object) -> World:
    world = make_world()
    admin = world.users["admin"]
    person_create(
        actor=admin,
        region=world.grid,
        name="张伟",
        id_number="11010519491231002X",
        phone="13812345678",
    )
    person_create(actor=admin, region=world.grid, name="王芳", id_number="110105198506070014")
    # Same initials, but in the sibling grid: never found by this grid worker.
    person_create(actor=admin, region=world.sibling, name="赵文", id_number="440106198001010019")
    return world


def test_grid_worker_finds_a_person_by_initials_on_a_phone(
    phone: Page, live_server: object, live_world: World
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    login(phone, base, "gridworker")
    phone.goto(f"{base}/people/")
    shot(phone, "people-search-phone-list")
    rows = phone.get_by_test_id("person-row")
    expect(rows).to_have_count(2)
    # Results refresh as he types, without pressing the button.
    phone.locator("#id_q").press_sequentially("zw", delay=80)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("张伟")
    expect(rows.first).to_contain_text("110105********002X")
    expect(phone.locator("#results")).not_to_contain_text("赵文")
    expect(phone).to_have_url(re.compile(r"/people/\?.*q=zw"))
    shot(phone, "people-search-phone-initials")
    # Cards, not a wide table: nothing scrolls sideways on a 390 px screen.
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    rows.first.get_by_role("link", name="张伟").click()
    expect(phone).to_have_url(re.compile(r"/people/\d+/$"))
    expect(phone.get_by_role("heading", name=re.compile("张伟"))).to_be_visible()
    shot(phone, "people-search-phone-person")
