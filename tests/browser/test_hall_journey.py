"""The service hall's journey in a real browser, from the window to the resident's rating.

A window worker accepts an application and prints the receipt; the back office takes it and
requests missing materials (the clock pauses); the resident looks the case up by its code;
the materials come, the back office approves and delivers; the resident rates it poorly; a
rectification case appears and is closed with its call-back.
"""

import pytest
from playwright.sync_api import Page, expect

from shequ.cases.models import Case, Clock
from shequ.hall.models import ItemKind
from shequ.hall.services import item_save
from shequ.people.services import person_create
from shequ.regions.models import Unit, UnitKind
from shequ.regions.roles import Role
from shequ.regions.services import assignment_create
from shequ.regions.tests.factories import PASSWORD, World, make_world, staff
from tests.browser.conftest import shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ID_NUMBER = "11010519491231002X"


@pytest.fixture
def hall(live_server: object) -> dict[str, object]:
    world: World = make_world()
    unit = Unit.objects.create(
        code="D-MZ", name="区民政局", kind=UnitKind.DEPARTMENT, region=world.district
    )
    handler = staff(Role.BACK_OFFICE, world.district, "handler")
    assignment_create(
        actor=None, user=handler, role=Role.BACK_OFFICE, region=world.district, unit=unit
    )
    item_save(
        actor=None,
        code="MZ-001",
        values={
            "name": "高龄津贴申领",
            "kind": ItemKind.PUBLIC_SERVICE,
            "department_id": unit.pk,
            "promised_days": 5,
            "statutory_days": 10,
        },
        materials=[
            {"name": "居民身份证", "form": "original"},
            {"name": "户口簿", "form": "both"},
        ],
    )
    person_create(
        actor=world.users["admin"],
        region=world.grid,
        name="张伟",
        id_number=ID_NUMBER,
        phone="13812345678",
    )
    return {"world": world, "base": live_server.url}  # type: ignore[attr-defined]


def login(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".sidebar")).to_be_visible()


def transition(page: Page, name: str, note: str = "") -> None:
    form = page.locator(f"#transition-{name}")
    folded = page.locator(f"details:has(#transition-{name})")
    if folded.count():
        folded.locator("summary").click()
    if note:
        form.locator("textarea[name=note]").fill(note)
    form.locator("button[type=submit]").click()


def test_application_from_window_to_rectification(page: Page, hall: dict[str, object]) -> None:
    base = str(hall["base"])
    # The window worker identifies the applicant, picks the item, ticks the materials.
    login(page, base, "window")
    page.goto(f"{base}/hall/intake/")
    page.fill("input[name=id_number]", ID_NUMBER)
    page.keyboard.press("Enter")
    expect(page.get_by_text("110105********002X")).to_be_visible()
    page.fill("#item-q", "高龄")
    page.keyboard.press("Enter")
    page.locator(".item-results a", has_text="高龄津贴申领").first.click()
    expect(page.locator("input[name=materials]").first).to_be_visible()
    for box in page.locator("input[name=materials]").all():
        box.check()
    page.click("button[name=action][value=accept]")
    expect(page.locator("svg").first).to_be_visible()
    case = Case.objects.get()
    code = case.tracking_code
    expect(page.locator("body")).to_contain_text(code[:4])
    shot(page, "hall-1-receipt")

    # The back office takes it and asks for a missing material: the clock pauses.
    login(page, base, "handler")
    page.goto(f"{base}/cases/")
    shot(page, "hall-2-work-queue")
    page.locator("table tbody a").first.click()
    transition(page, "take")
    transition(page, "request_correction", "请补充近期一寸照片一张")
    expect(page.locator("body")).to_contain_text("请补充近期一寸照片一张")
    assert Case.objects.get().clock == Clock.PAUSED
    shot(page, "hall-2-correction")

    # The resident looks the matter up with the code and the last four digits of the phone.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/hall/lookup/?code={code}")
    page.fill("input[name=phone_tail]", "5678")
    page.click("form.lookup-form button[type=submit]")
    expect(page.locator("body")).to_contain_text("时限")
    shot(page, "hall-3-lookup-paused")
    page.set_viewport_size({"width": 1366, "height": 900})

    # The materials come, the back office approves and hands the result over.
    login(page, base, "handler")
    page.goto(f"{base}/cases/{case.pk}/")
    transition(page, "corrected")
    transition(page, "approve")
    transition(page, "deliver")
    assert Case.objects.get(pk=case.pk).state == "delivered"
    shot(page, "hall-4-delivered")

    # The resident rates it poorly through the lookup.
    page.context.clear_cookies()
    page.goto(f"{base}/hall/lookup/?code={code}")
    page.fill("input[name=phone_tail]", "5678")
    page.click("form.lookup-form button[type=submit]")
    page.check("input[name=level][value='2']")
    page.fill("textarea[name=comment]", "等待时间太长")
    page.click("form.rating-form button[type=submit]")
    rectification = Case.objects.get(type_key="rectification")
    assert rectification.parent_id == case.pk
    shot(page, "hall-5-rated")

    # The rectification: first contact, the fix, the call-back that closes it.
    login(page, base, "handler")
    page.goto(f"{base}/cases/{rectification.pk}/")
    transition(page, "contact", "已电话联系居民，致歉并说明原因")
    transition(page, "rectify", "调整窗口排班，缩短等候时间")
    transition(page, "call_back", "回访：居民表示满意")
    rectification.refresh_from_db()
    assert (rectification.state, rectification.clock) == ("closed", Clock.STOPPED)
    expect(page.locator("body")).to_contain_text("回访：居民表示满意")
    shot(page, "hall-6-rectification-closed")
