import pytest
from playwright.sync_api import Page

from shequ.cases.services import case_transition
from shequ.hall.models import ItemKind, Window
from shequ.hall.services import item_save, ticket_take, window_accept
from shequ.lib.codes import display_code
from shequ.people.services import person_create
from shequ.regions.models import Unit, UnitKind
from shequ.regions.roles import Role
from shequ.regions.tests.factories import PASSWORD, make_world, staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
from tests.browser.conftest import browser, page, phone  # noqa

S = "/tmp/lq_shots/"


def test_tour(page: Page, phone: Page, live_server: object) -> None:
    world = make_world()
    dep = Unit.objects.create(code="RSJ", name="区人社局", kind=UnitKind.DEPARTMENT, region=world.district)
    item = item_save(actor=None, code="X-1", values={"name": "居住证申领", "kind": ItemKind.CERTIFICATE, "department_id": dep.pk, "promised_days": 5, "statutory_days": 15}, materials=[])
    item_save(actor=None, code="X-2", values={"name": "老年优待证", "kind": ItemKind.CERTIFICATE, "department_id": dep.pk, "promised_days": 5, "statutory_days": 15, "queue_group": "B"}, materials=[])
    p = person_create(actor=world.users["admin"], region=world.grid, name="张伟", id_number="11010519491231002X", phone="13812345678")
    case = window_accept(actor=world.users["window"], item=item, applicant=p, region=world.community, materials=[])
    back = staff(Role.BACK_OFFICE, world.district, "back")
    for n in ("take", "approve", "deliver"):
        case = case_transition(case=case, name=n, actor=back)
    base = live_server.url
    phone.goto(f"{base}/hall/lookup/?code={case.tracking_code}")
    phone.screenshot(path=S + "1-lookup-form.png", full_page=True)
    phone.locator("input[name=phone_tail]").fill("5678")
    phone.get_by_role("button").last.click()
    phone.wait_for_timeout(300)
    phone.screenshot(path=S + "2-lookup-result.png", full_page=True)
    phone.locator("label.level").nth(3).click()
    phone.screenshot(path=S + "2b-chosen.png", full_page=True)
    phone.goto(f"{base}/hall/lookup/")
    phone.locator("input[name=code]").fill("ABCD")
    phone.locator("input[name=phone_tail]").fill("5678")
    phone.get_by_role("button").last.click()
    phone.screenshot(path=S + "3-bad.png", full_page=True)
    page.goto(f"{base}/hall/lookup/kiosk/")
    page.screenshot(path=S + "4-kiosk.png", full_page=True)
    page.locator("input[name=code]").fill(display_code(case.tracking_code))
    page.locator("input[name=phone_tail]").fill("5678")
    page.get_by_role("button").last.click()
    page.screenshot(path=S + "5-kiosk-result.png", full_page=True)
    Window.objects.create(region=world.community, number=1, groups="A")
    w2 = Window.objects.create(region=world.community, number=2, groups="AB")
    for g in "ABAA":
        ticket_take(region=world.community, group=g)
    page.goto(f"{base}/hall/queue/kiosk/{world.community.pk}/")
    page.screenshot(path=S + "6-ticket-kiosk.png", full_page=True)
    page.locator("button[value=A]").click()
    page.wait_for_timeout(300)
    page.screenshot(path=S + "7-ticket.png", full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=S + "7b-ticket-print.png", full_page=True)
    page.emulate_media(media="screen")
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill("window")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{base}/hall/queue/")
    page.screenshot(path=S + "8-windows.png", full_page=True)
    page.goto(f"{base}/hall/queue/window/{w2.pk}/")
    page.get_by_role("button", name="Call next").click()
    page.get_by_role("button", name="Call next").click()
    page.screenshot(path=S + "9-window.png", full_page=True)
    page.goto(f"{base}/hall/queue/screen/{world.community.pk}/")
    page.set_viewport_size({"width": 1600, "height": 900})
    page.wait_for_timeout(3500)
    page.screenshot(path=S + "10-screen.png")
