"""The hotline's journey in a real browser, as a new operator and a department would go.

An operator takes a call at an address that already has an open incident and merges it as a
repeat; a second call is dispatched to a department with an assisting unit (the
responsibility list suggests both); the department sends it back once, is dispatched again,
signs for it and answers; the operator finishes it, records the call-back and the rating; the
indicators show the repeat, the send-back and the rating.
"""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from shequ.cases.models import Case
from shequ.hotline.models import Call, CallOutcome, HotlineCase
from shequ.hotline.services_lists import category_save, responsibility_save
from shequ.incidents.services import category_save as incident_category_save
from shequ.incidents.services import class_save
from shequ.incidents.services_loop import incident_report
from shequ.regions.models import RoleAssignment, Unit, UnitKind
from shequ.regions.roles import Role
from shequ.regions.tests.factories import PASSWORD, World, make_world, staff
from tests.browser.conftest import shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def hotline(live_server: Any) -> dict[str, Any]:
    world: World = make_world()
    water = Unit.objects.create(
        code="D-SW", name="区水务局", kind=UnitKind.DEPARTMENT, region=world.district
    )
    partner = Unit.objects.create(
        code="P-WATER", name="自来水公司", kind=UnitKind.PARTNER, region=world.district
    )
    handler = staff(Role.BACK_OFFICE, world.district, "water")
    RoleAssignment.objects.filter(user=handler).update(unit=water)
    staff(Role.HOTLINE_OPERATOR, world.district, "operator")
    category = category_save(
        actor=None,
        values={
            "code": "GS",
            "name": "供水",
            "handling_amount": 3,
            "handling_kind": "working_days",
        },
    )
    responsibility_save(
        actor=None,
        category=category,
        region=world.district,
        lead_unit=water,
        assisting_units=[partner],
    )
    garbage = incident_category_save(
        actor=None,
        incident_class=class_save(actor=None, kind="event", code="01", name="市容环境"),
        code="02",
        values={
            "name": "暴露垃圾",
            "filing_condition": "成堆垃圾",
            "closing_condition": "清除",
            "time_limit": 4,
            "time_limit_kind": "working_hours",
            "default_tier": "street",
        },
    )
    incident = incident_report(
        actor=world.users["gridworker"],
        category=garbage,
        description="幸福小区3栋门口垃圾堆积",
        address="幸福小区3栋",
        grid=world.grid,
    )
    return {"world": world, "base": live_server.url, "incident": incident.case}


def login(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".sidebar")).to_be_visible()


def transition(page: Page, name: str, note: str = "") -> None:
    folded = page.locator(f"details:has(#transition-{name})")
    if folded.count():
        folded.locator("summary").first.click()
    form = page.locator(f"#transition-{name}")
    if note:
        form.locator("textarea[name=note]").fill(note)
    form.locator("button[type=submit]").click()


def test_calls_from_the_desk_to_the_indicators(page: Page, hotline: dict[str, Any]) -> None:
    base = str(hotline["base"])
    incident = hotline["incident"]

    # The operator types the call; the open incident at the same address is suggested.
    login(page, base, "operator")
    page.locator(".sidebar a[href='/hotline/']").click()
    page.fill("#id_caller_phone", "13812345678")
    page.fill("#id_caller_name", "王芳")
    page.fill("#id_address", "幸福小区3栋")
    page.fill("#id_text", "3栋门口的垃圾堆了一个星期没人清理")
    suggestion = page.locator(f"[data-testid=suggestion][data-case='{incident.pk}']")
    expect(suggestion).to_be_visible()
    shot(page, "hotline-1-suggestion")
    suggestion.locator("[data-testid=merge]").click()
    expect(page.locator(".messages")).to_contain_text(incident.tracking_code[:4])
    assert Call.objects.get().outcome == CallOutcome.REPEAT
    assert Case.objects.filter(type_key="hotline").count() == 0
    shot(page, "hotline-2-merged")

    # A second call: no match; a new case dispatched by the responsibility list.
    page.goto(f"{base}/hotline/")
    page.fill("#id_caller_phone", "13987654321")
    page.fill("#id_caller_name", "李强")
    page.fill("#id_address", "湖北路12号")
    page.fill("#id_text", "家里停水两天了，也没有通知")
    page.select_option("#id_category", label="GS 供水")
    expect(page.locator("[data-testid=no-suggestion]")).to_be_visible()
    page.click("[data-testid=take-call]")
    panel = page.locator("[data-testid=hotline-panel]")
    expect(panel).to_contain_text("家里停水两天了")
    expect(page.locator("#lead_unit")).to_have_value(str(Unit.objects.get(code="D-SW").pk))
    expect(
        page.locator(f"input[name=assisting_units][value='{Unit.objects.get(code='P-WATER').pk}']")
    ).to_be_checked()
    shot(page, "hotline-3-new-case")
    page.locator("[data-testid=dispatch-form] button[type=submit]").click()
    expect(page.locator("[data-testid=lead-unit]")).to_contain_text("区水务局")
    case = Case.objects.get(type_key="hotline")
    assert case.state == "dispatched"

    # The department sends it back once.
    login(page, base, "water")
    page.goto(f"{base}/cases/")
    page.locator("table tbody a", has_text=case.tracking_code[:4]).first.click()
    expect(page.locator("[data-testid=caller]")).to_contain_text("李强")
    page.locator("[data-testid=send-back] summary").click()
    page.fill("#send-back-note", "此处为小区内部管网，应由物业处理")
    shot(page, "hotline-4-send-back")
    page.locator("[data-testid=send-back] button[type=submit]").click()
    expect(page.locator(".messages")).to_be_visible()
    assert HotlineCase.objects.get(case=case).send_backs == 1

    # The operator dispatches it again; the department signs for it and answers.
    login(page, base, "operator")
    page.goto(f"{base}/cases/{case.pk}/")
    expect(page.locator("[data-testid=send-backs]")).to_contain_text("1 / 3")
    page.fill("#dispatch-note", "经核实为市政管网，请水务局处理")
    page.locator("[data-testid=dispatch-form] button[type=submit]").click()
    expect(page.locator("[data-testid=lead-unit]")).to_contain_text("区水务局")
    login(page, base, "water")
    page.goto(f"{base}/cases/{case.pk}/")
    transition(page, "sign_for")
    expect(page.locator("[data-testid=state]")).to_have_text("办理中")
    transition(page, "answer", "已修复湖北路主管道，今日16时恢复供水")
    expect(page.locator("[data-testid=timeline]")).to_contain_text("已修复湖北路主管道")

    # The operator finishes it, calls back, records the result and the rating.
    login(page, base, "operator")
    page.goto(f"{base}/cases/{case.pk}/")
    transition(page, "finish")
    page.locator("input[name=data_callback_result][value=solved]").check()
    shot(page, "hotline-5-call-back")
    transition(page, "call_back", "来电人确认已恢复供水")
    expect(page.locator("[data-testid=callback-result]")).to_be_visible()
    page.locator("input[name=level][value='4']").check()
    page.locator("form[action$='/rate/'] button[type=submit]").click()
    expect(page.locator("[data-testid=rating]")).to_be_visible()
    case.refresh_from_db()
    assert (case.state, case.data["callback_result"]) == ("closed", "solved")

    # The indicators show the repeat call, the send-back and the rating.
    page.goto(f"{base}/hotline/indicators/")
    expect(page.locator("[data-testid=calls]")).to_have_text("2")
    expect(page.locator("[data-testid=accepted]")).to_have_text("1")
    expect(page.locator("[data-testid=repeat_rate]")).to_have_text("50.0%")
    expect(page.locator("[data-testid=send_back_rate]")).to_have_text("50.0%")
    expect(page.locator("[data-testid=satisfaction_rate]")).to_have_text("100.0%")
    expect(page.locator("[data-testid=one_time_rate]")).to_have_text("0.0%")
    page.wait_for_timeout(500)
    shot(page, "hotline-6-indicators")


def test_a_resident_sends_an_opinion_from_a_phone(
    phone: Page, live_server: Any, browser: Any
) -> None:
    from shequ.accounts.services import resident_register

    world = make_world()
    resident_register(phone="13912345678", name="李娜", password="Shequ-resident-1")
    base = live_server.url
    phone.set_default_timeout(30_000)  # the first request loads the URL map
    phone.goto(f"{base}/portal/login/")
    phone.fill("input[name=phone]", "13912345678")
    phone.fill("input[name=password]", "Shequ-resident-1")
    phone.click("button[type=submit]")
    phone.goto(f"{base}/portal/")
    phone.locator("a.tile[href='/hotline/opinions/']").click()
    phone.select_option("#o-community", label=f"{world.community.name} · {world.street.name}")
    phone.fill("#o-text", "建议在小区里增加电动车充电桩，现在很多人飞线充电")
    phone.click("[data-testid=opinion-form] button[type=submit]")
    expect(phone.locator("[data-testid=my-opinion]")).to_contain_text("充电桩")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    shot(phone, "hotline-7-opinion-phone")
    case = Case.objects.get(type_key="opinion")
    assert (case.region, case.state) == (world.community, "received")

    # The community director adopts it; the resident sees the answer.
    staff_page = browser.new_context(locale="zh-CN").new_page()
    login(staff_page, base, "director")
    staff_page.goto(f"{base}/cases/{case.pk}/")
    transition(staff_page, "adopt", "已纳入今年的为民办实事项目")
    expect(staff_page.locator("[data-testid=timeline]")).to_contain_text("已纳入今年的")
    assert Case.objects.get(pk=case.pk).state == "adopted"
    staff_page.context.close()
    phone.reload()
    expect(phone.locator("[data-testid=my-opinion]")).to_contain_text("已纳入今年的为民办实事项目")
