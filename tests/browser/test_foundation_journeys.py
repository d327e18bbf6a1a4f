"""The foundation's journeys in a real browser: logins, the scoped region browser, reveal."""

import re

import pytest
from playwright.sync_api import Page, expect

from shequ.people.services import person_create
from shequ.regions.tests.factories import PASSWORD, World, make_world
from tests.browser.conftest import shot

# serialized_rollback: the flush after a transactional test would drop the data migrations.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def live_world(live_server: object) -> World:
    world = make_world()
    person_create(
        actor=world.users["admin"],
        region=world.grid,
        name="张伟",
        id_number="11010519491231002X",
        phone="13812345678",
    )
    person_create(
        actor=world.users["admin"],
        region=world.sibling,
        name="赵文",
        id_number="440106198001010019",
    )
    return world


def login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_grid_worker_sees_only_its_own_subtree(
    page: Page, live_server: object, live_world: World
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    login(page, base, "gridworker")
    expect(page.get_by_role("heading", name="概览")).to_be_visible()
    page.get_by_role("link", name="区域与网格").click()
    expect(page.get_by_role("heading", name=re.compile("湖北一网格"))).to_be_visible()
    tree = page.locator(".tree")
    expect(tree).to_contain_text("湖北一网格")
    expect(tree).not_to_contain_text("湖北二网格")
    expect(tree).not_to_contain_text("古楼街道")
    expect(page.get_by_test_id("persons")).to_have_text("1")
    shot(page, "grid-worker-region-browser")
    # A sibling grid's page is "not found", not "forbidden".
    response = page.goto(f"{base}/regions/{live_world.sibling.pk}/")
    assert response is not None and response.status == 404


def test_director_reveals_an_identity_number_with_a_reason(
    page: Page, live_server: object, live_world: World
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    login(page, base, "director")
    page.get_by_role("link", name="居民").click()
    page.get_by_placeholder(re.compile("zw")).fill("zw")
    expect(page.locator("#results")).to_contain_text("张伟")
    expect(page.locator("#results")).to_contain_text("赵文")
    page.get_by_role("link", name="张伟").click()
    expect(page.get_by_text("110105********002X")).to_be_visible()
    page.get_by_role("button", name="完整显示").first.click()
    page.get_by_placeholder(re.compile("理由")).first.fill("核对办事申请")
    page.get_by_role("button", name="显示", exact=True).first.click()
    expect(page.get_by_test_id("revealed-id_number")).to_have_text("11010519491231002X")
    shot(page, "director-person-reveal")


def test_resident_registers_on_a_phone(phone: Page, live_server: object, live_world: World) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    phone.goto(f"{base}/portal/register/")
    phone.get_by_label("姓名").fill("李娜")
    phone.get_by_label("手机号码").fill("1381234567")
    phone.get_by_label("密码").fill("Shequ-resident-1")
    phone.get_by_role("button", name="注册").click()
    expect(phone.get_by_text("手机号码应为11位，现在是10位")).to_be_visible()
    phone.get_by_label("手机号码").fill("13912345678")
    phone.get_by_label("密码").fill("Shequ-resident-1")
    phone.get_by_role("button", name="注册").click()
    expect(phone.get_by_text("李娜")).to_be_visible()
    expect(phone.get_by_text("139****5678")).to_be_visible()
    shot(phone, "resident-portal-phone")
