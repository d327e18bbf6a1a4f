"""The grid incident's journey in a real browser, from a phone without a connection to closing.

A grid worker opens the reporting page on a phone (the service worker installs), loses the
connection, files two reports with photos and sees them waiting; the connection returns and
both arrive exactly once, even though the first answers are lost on the way back and the
phone sends again. The director files and dispatches one to the sanitation department, whose
handler takes it and reports it handled with a photo; the grid worker's check fails, the
handler reworks it, the check passes and the director closes it. A resident reports through
the portal on a phone and finds the report under "my reports".
"""

from __future__ import annotations

import base64
import re
import struct
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    FilePayload,
    Page,
    Route,
    ViewportSize,
    expect,
)

from shequ.accounts.services import resident_register
from shequ.cases.models import Case
from shequ.incidents.models_loop import Incident, IncidentPhoto, PhotoStage
from shequ.incidents.services import category_save
from shequ.incidents.tests.loop import IN_GRID, department_staff, draw_grids
from shequ.incidents.tests.table import Table, make_table
from shequ.lib.codes import display_code
from shequ.regions.tests.factories import World, make_world
from tests.browser.conftest import shot
from tests.browser.test_hall_journey import login, transition

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1366, "height": 900}


@pytest.fixture
def loop(live_server: Any) -> dict[str, Any]:
    world: World = make_world()
    table: Table = make_table(world)
    draw_grids(world)
    department_staff(table, "sanitation")
    return {"world": world, "table": table, "base": live_server.url}


@pytest.fixture
def phone_context(browser: Browser) -> Iterator[BrowserContext]:
    """A phone in the grid worker's grid that lets the page ask for its location."""
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        geolocation={"longitude": IN_GRID[0], "latitude": IN_GRID[1], "accuracy": 12},
        permissions=["geolocation"],
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def desk(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def jpeg(page: Page, width: int, height: int, colour: str) -> bytes:
    """A photo as a phone would take it (large), drawn by the browser's own canvas."""
    url = page.evaluate(
        """([w, h, c]) => {
            const canvas = document.createElement("canvas");
            canvas.width = w; canvas.height = h;
            const x = canvas.getContext("2d");
            x.fillStyle = c; x.fillRect(0, 0, w, h);
            x.fillStyle = "#ffffff"; x.fillRect(w / 4, h / 4, w / 2, h / 2);
            return canvas.toDataURL("image/jpeg", 0.9);
        }""",
        [width, height, colour],
    )
    return base64.b64decode(url.split(",", 1)[1])


def photo_file(name: str, content: bytes) -> FilePayload:
    return {"name": name, "mimeType": "image/jpeg", "buffer": content}


def jpeg_size(content: bytes) -> tuple[int, int]:
    """(width, height) from a JPEG's start-of-frame segment."""
    at = 2
    while at < len(content):
        marker, length = content[at + 1], struct.unpack(">H", content[at + 2 : at + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", content[at + 5 : at + 9])
            return width, height
        at += 2 + length
    raise ValueError("no frame")


def choose_category(page: Page, query: str, name: str) -> None:
    page.fill("#report-category-search", query)
    page.locator(".report-choice", has_text=name).first.click()
    expect(page.locator("[data-testid=category-chosen]")).to_contain_text(name)


def waiting(page: Page) -> Any:
    return page.locator("[data-testid=report-queue] [data-testid=report-item]")


def test_reports_offline_arrive_once_and_the_loop_closes(
    phone_context: BrowserContext, desk: Page, loop: dict[str, Any]
) -> None:
    base = str(loop["base"])
    phone = phone_context.new_page()
    errors: list[str] = []
    phone.on("pageerror", lambda error: errors.append(f"phone: {error}"))
    desk.on("pageerror", lambda error: errors.append(f"desk: {error}"))

    # Online, the grid worker opens the reporting page: the service worker installs and keeps it.
    login(phone, base, "gridworker")
    phone.goto(f"{base}/incidents/report/")
    phone.wait_for_function("document.getElementById('report-form').dataset.worker === 'active'")
    phone.wait_for_function(
        """() => caches.keys().then(names => Promise.all(names.map(
            name => caches.open(name).then(cache => cache.match('/incidents/report/'))
        ))).then(found => found.some(Boolean))"""
    )
    expect(phone.locator("[data-testid=report-network]")).to_have_class(re.compile("ok"))
    shot(phone, "incident-1-report-page-online")

    # The connection goes; the page opens all the same, from the phone.
    phone_context.set_offline(True)
    phone.reload()
    expect(phone.locator("[data-testid=report-network]")).to_have_class(re.compile("warn"))
    delivered = phone.evaluate("performance.getEntriesByType('navigation')[0].deliveryType")
    assert delivered == "cache-storage"
    big = jpeg(phone, 3200, 2400, "#4a7a3a")
    small = jpeg(phone, 800, 600, "#7a4a3a")

    # First report: found by pinyin initials, two photos, the phone's location.
    choose_category(phone, "bllj", "暴露垃圾")
    phone.fill("#report-description", "湖北路12号楼下垃圾堆放三天未清运")
    phone.set_input_files(
        "#report-photos",
        files=[
            photo_file("a.jpg", big),
            photo_file("b.jpg", small),
        ],
    )
    expect(phone.locator("[data-testid=report-thumbs] img")).to_have_count(2)
    phone.click("[data-testid=locate]")
    expect(phone.locator("[data-testid=report-where]")).to_contain_text("湖北一网格")
    phone.fill("#report-address", "湖北路12号")
    shot(phone, "incident-2-first-report-filled-offline")
    phone.click("[data-testid=report-submit]")
    expect(waiting(phone)).to_have_count(1)

    # Second report: found by its code, one photo, a tap on the map.
    choose_category(phone, "0101", "上水井盖")
    phone.fill("#report-description", "上水井盖破损，有行人绊倒危险")
    phone.set_input_files("#report-photos", files=[photo_file("c.jpg", small)])
    expect(phone.locator("[data-testid=report-thumbs] img")).to_have_count(1)
    phone.locator("#report-map").click()
    expect(phone.locator("[data-testid=report-where]")).to_contain_text("湖北一网格")
    phone.click("[data-testid=report-submit]")
    expect(waiting(phone)).to_have_count(2)
    expect(phone.locator("[data-testid=report-queue-title]")).to_contain_text("2")
    assert Incident.objects.count() == 0
    shot(phone, "incident-3-two-reports-waiting")

    # The connection returns. The server makes each incident, but its first answers are lost on
    # the way back: the phone sends the same reports again and is told they had arrived.
    answered: dict[str, int] = {}

    def lose_first_answer(route: Route) -> None:
        body = route.request.post_data_buffer or b""
        found = re.search(rb'name="client_id"\r\n\r\n([^\r]+)\r\n', body)
        client_id = found.group(1).decode() if found else ""
        response = route.fetch()
        answered[client_id] = answered.get(client_id, 0) + 1
        if answered[client_id] == 1:
            route.abort("connectionreset")
        else:
            route.fulfill(response=response)

    phone_context.route("**/api/v1/incidents/reports", lose_first_answer)
    phone_context.set_offline(False)
    sent = phone.locator("[data-testid=report-sent-item]")
    expect(sent).to_have_count(2, timeout=30_000)
    expect(waiting(phone)).to_have_count(0)
    phone_context.unroute("**/api/v1/incidents/reports")
    shot(phone, "incident-4-both-sent")

    incidents = list(Incident.objects.select_related("case").order_by("reported_at"))
    assert len(incidents) == 2
    assert len({i.client_id for i in incidents}) == 2
    assert sorted(answered.values()) == [2, 2]
    garbage, cover = incidents
    assert (garbage.category.name, cover.category.name) == ("暴露垃圾", "上水井盖")
    assert (garbage.case.region_id, cover.case.region_id) == (loop["world"].grid.pk,) * 2
    assert garbage.located and cover.located
    assert garbage.case.address == "湖北路12号"
    photos = {i.pk: list(i.photos.filter(stage=PhotoStage.BEFORE)) for i in incidents}
    assert (len(photos[garbage.pk]), len(photos[cover.pk])) == (2, 1)
    sizes = [jpeg_size(p.image.read()) for p in photos[garbage.pk]]
    assert sizes == [(1600, 1200), (800, 600)]
    for incident in incidents:
        row = sent.and_(phone.locator(f"[data-client-id='{incident.client_id}']"))
        expect(row).to_have_attribute("data-replayed", "true")
        expect(row).to_contain_text(display_code(incident.case.tracking_code))

    # A reload sends nothing more: the queue is empty and the server holds two incidents.
    phone.reload()
    expect(sent).to_have_count(2)
    assert Incident.objects.count() == 2
    case_id = garbage.pk
    assert Case.objects.get(pk=case_id).state == "verified"

    # The director files the report and dispatches it to the sanitation department.
    login(desk, base, "director")
    desk.goto(f"{base}/cases/{case_id}/")
    expect(desk.locator("[data-testid=photo-before]")).to_have_count(2)
    # The place on the case page's map: the grid's boundary and the reported point.
    expect(desk.locator("#incident-map path.leaflet-interactive")).to_have_count(2)
    transition(desk, "file")
    expect(desk.locator("[data-testid=dispatch-fields]")).to_be_visible()
    desk.select_option("[data-testid=dispatch-fields] select[name=data_tier]", "district")
    desk.select_option(
        "[data-testid=dispatch-fields] select[name=data_unit]", str(loop["table"].unit.pk)
    )
    shot(desk, "incident-5-dispatch")
    transition(desk, "dispatch")
    case = Case.objects.get(pk=case_id)
    assert (case.state, case.owner_unit_id) == ("dispatched", loop["table"].unit.pk)
    expect(desk.locator("[data-testid=tier]")).to_contain_text("区环境卫生服务中心")

    # The department's handler takes it and reports it handled, with a photo of the result.
    after = jpeg(desk, 1200, 900, "#3a5a7a")
    login(desk, base, "sanitation")
    desk.goto(f"{base}/cases/{case_id}/")
    transition(desk, "take")
    feedback(desk, after, "已清运，地面已冲洗")
    assert Case.objects.get(pk=case_id).state == "handled"
    shot(desk, "incident-6-handled")

    # The grid worker checks on site, on the phone: rubbish is left, so it goes back.
    phone.goto(f"{base}/cases/{case_id}/")
    expect(phone.locator("[data-testid=photo-after]")).to_have_count(1)
    shot(phone, "incident-7-check-on-phone")
    transition(phone, "check_fail", "墙角仍有垃圾袋未清走")
    assert Case.objects.get(pk=case_id).state == "handling"
    shot(phone, "incident-8-rework")

    # The handler reworks it; the second check passes; the director closes it.
    desk.goto(f"{base}/cases/{case_id}/")
    feedback(desk, after, "墙角垃圾袋已清走")
    phone.goto(f"{base}/cases/{case_id}/")
    transition(phone, "check_pass")
    login(desk, base, "director")
    desk.goto(f"{base}/cases/{case_id}/")
    transition(desk, "close")
    case = Case.objects.get(pk=case_id)
    assert (case.state, case.clock) == ("closed", "stopped")
    assert IncidentPhoto.objects.filter(incident_id=case_id, stage=PhotoStage.AFTER).count() == 2
    actions = list(case.events.order_by("id").values_list("action", flat=True))
    assert actions == [
        "open", "verify", "file", "dispatch", "take", "feedback", "check_fail", "feedback",
        "check_pass", "close",
    ]  # fmt: skip
    shot(desk, "incident-9-closed")

    # The indicators of the community equal a count made by hand of what happened above:
    # 2 reported in the grid, 1 filed, that one due and closed within its limit after one
    # failed check; the other (the manhole cover) still waits to be filed.
    closed_in_time = case.finished_at is not None and case.due_at is not None
    closed_in_time = closed_in_time and case.finished_at <= case.due_at  # type: ignore[operator]
    hand = {"reported": 2, "filed": 1, "due": 1, "closed": 1, "on-time": 1 if closed_in_time else 0,
            "handled": 1, "reworked": 1}  # fmt: skip
    desk.goto(f"{base}/incidents/indicators/")
    shot(desk, "incident-10-indicators")
    totals = desk.locator("[data-testid=totals]")
    expect(totals.locator("[data-testid=reported]")).to_have_text(str(hand["reported"]))
    assert (
        percent(totals.locator("[data-testid=close-rate]").inner_text())
        == 100 * hand["closed"] / hand["due"]
    )
    assert percent(totals.locator("[data-testid=on-time-close-rate]").inner_text()) == (
        100 * hand["on-time"] / hand["due"]
    )
    assert percent(totals.locator("[data-testid=rework-rate]").inner_text()) == (
        100 * hand["reworked"] / hand["handled"]
    )
    grid_row = desk.locator("[data-testid=table] tbody tr[data-row]", has_text="湖北一网格")
    for column in ("reported", "filed", "due", "closed", "on-time", "handled", "reworked"):
        cell = grid_row.locator(f"[data-col={column}]")
        expect(cell).to_have_text(str(hand[column]))
    assert errors == []


def percent(text: str) -> float:
    found = re.search(r"([0-9]+(?:\.[0-9]+)?)\s*%", text)
    assert found, text
    return float(found.group(1))


def feedback(page: Page, photo: bytes, note: str) -> None:
    page.set_input_files(
        "[data-testid=feedback-photos]",
        files=[photo_file("after.jpg", photo)],
    )
    transition(page, "feedback", note)
    expect(page.locator(".messages .success")).to_be_visible()


def test_a_resident_reports_through_the_portal(
    phone_context: BrowserContext, loop: dict[str, Any]
) -> None:
    base = str(loop["base"])
    resident_register(phone="13912345678", name="李娜", password="Shequ-resident-1")
    phone = phone_context.new_page()
    errors: list[str] = []
    phone.on("pageerror", lambda error: errors.append(str(error)))
    phone.goto(f"{base}/portal/login/")
    phone.fill("input[name=phone]", "13912345678")
    phone.fill("input[name=password]", "Shequ-resident-1")
    phone.click("form button[type=submit]")
    phone.click("[data-testid=portal-report]")

    choose_category(phone, "垃圾", "暴露垃圾")
    phone.fill("#report-description", "小区东门垃圾桶满溢，异味很大")
    phone.set_input_files(
        "#report-photos",
        files=[photo_file("p.jpg", jpeg(phone, 3000, 2000, "#5a5a2a"))],
    )
    expect(phone.locator("[data-testid=report-thumbs] img")).to_have_count(1)
    # The map shows both grids of the community side by side: a tap in the left one.
    phone.locator("#report-map").click(position={"x": 90, "y": 130})
    expect(phone.locator("[data-testid=report-where]")).to_contain_text("湖北一网格")
    phone.fill("#report-address", "湖北路8号东门")
    shot(phone, "incident-portal-1-form")
    phone.click("[data-testid=report-submit]")

    expect(phone.locator("[data-testid=my-report]")).to_have_count(1)
    incident = Incident.objects.select_related("case").get()
    expect(phone.locator("[data-testid=tracking-code]")).to_have_text(
        display_code(incident.case.tracking_code)
    )
    expect(phone.locator("[data-testid=public-state]")).not_to_be_empty()
    assert (incident.case.state, incident.channel, incident.case.region_id) == (
        "reported",
        "portal",
        loop["world"].grid.pk,
    )
    stored = incident.photos.get()
    assert jpeg_size(stored.image.read()) == (1600, 1067)
    shot(phone, "incident-portal-2-my-reports")
    assert errors == []


def test_a_refused_report_is_fixed_or_discarded_on_the_phone(
    phone_context: BrowserContext, loop: dict[str, Any]
) -> None:
    """A category retired while the reports waited offline: the server refuses them with the
    field named, the grid worker fixes one (another category) and discards the other."""
    base = str(loop["base"])
    table: Table = loop["table"]
    phone = phone_context.new_page()
    errors: list[str] = []
    phone.on("pageerror", lambda error: errors.append(str(error)))
    login(phone, base, "gridworker")
    phone.goto(f"{base}/incidents/report/")
    phone.wait_for_function("document.getElementById('report-form').dataset.worker === 'active'")
    phone_context.set_offline(True)
    for description in ("路边摊占道经营", "游商聚集叫卖"):
        choose_category(phone, "游商", "无照经营游商")
        phone.fill("#report-description", description)
        phone.click("[data-testid=report-submit]")
    expect(waiting(phone)).to_have_count(2)
    category_save(
        actor=None,
        incident_class=table.vendor.incident_class,
        code=table.vendor.code,
        values={**model_values(table.vendor), "is_active": False},
    )

    phone_context.set_offline(False)
    refused = waiting(phone).and_(phone.locator("[data-state=error]"))
    expect(refused).to_have_count(2, timeout=30_000)
    expect(refused.first.locator(".field-error")).not_to_be_empty()
    expect(phone.locator("[data-testid=report-queue-title]")).to_contain_text("2")
    assert Incident.objects.count() == 0
    shot(phone, "incident-11-refused")

    # Fix the first: it comes back into the form with the error on the category.
    refused.first.get_by_role("button").first.click()
    expect(phone.locator("[data-testid=report-fixing]")).to_be_visible()
    expect(phone.locator("[data-error=category]")).not_to_be_empty()
    expect(phone.locator("#report-description")).to_have_value("路边摊占道经营")
    shot(phone, "incident-12-fixing")
    phone.click("[data-action=change-category]")
    choose_category(phone, "bllj", "暴露垃圾")
    phone.click("[data-testid=report-submit]")
    expect(phone.locator("[data-testid=report-sent-item]")).to_have_count(1, timeout=30_000)
    # Discard the second.
    phone.once("dialog", lambda dialog: dialog.accept())
    waiting(phone).first.locator("button.danger").click()
    expect(waiting(phone)).to_have_count(0)
    incident = Incident.objects.get()
    assert (incident.category_id, incident.description) == (table.garbage.pk, "路边摊占道经营")
    shot(phone, "incident-13-fixed-and-discarded")
    assert errors == []


def model_values(category: Any) -> dict[str, Any]:
    return {
        "name": category.name,
        "filing_condition": category.filing_condition,
        "closing_condition": category.closing_condition,
        "time_limit": category.time_limit,
        "time_limit_kind": category.time_limit_kind,
        "default_unit": category.default_unit,
        "default_tier": category.default_tier,
    }
