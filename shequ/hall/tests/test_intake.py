"""Window intake through the pages: identify, pick the item, tick materials, decide, print."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.http import HttpResponse
from django.test import Client

from shequ.audit.models import AuditEvent
from shequ.cases.models import Case, CaseEvent, Clock
from shequ.hall.models import Application, ItemKind, Material, MissingNotice, ServiceItem
from shequ.hall.services import item_save, notice_issue, window_accept
from shequ.lib.codes import display_code
from shequ.people.models import Person
from shequ.people.services import person_create
from shequ.regions.models import RoleAssignment, Unit, UnitKind
from shequ.regions.roles import Role
from shequ.regions.tests.factories import World, staff

ELDER_ID = "11010519491231002X"  # born 1949-12-31: 70 or older
NEW_ID = "130105199003150037"  # a valid number nobody in the register holds


@dataclass
class Desk:
    item: ServiceItem
    card: Material  # required, original
    contract: Material  # required, copy
    photo: Material  # optional
    applicant: Person


@pytest.fixture
def desk(world: World) -> Desk:
    department = Unit.objects.create(
        code="RSJ", name="区人力资源和社会保障局", kind=UnitKind.DEPARTMENT, region=world.district
    )
    item = item_save(
        actor=None,
        code="130105-JZZ-001",
        values={
            "name": "居住证申领",
            "kind": ItemKind.CERTIFICATE,
            "department_id": department.pk,
            "promised_days": 5,
            "statutory_days": 15,
        },
        materials=[
            {"name": "居民身份证", "form": "original", "count": 1},
            {"name": "房屋租赁合同", "form": "copy", "count": 2},
            {"name": "近期免冠照片", "form": "original", "count": 2, "required": False},
        ],
    )
    card, contract, photo = item.materials.order_by("position")
    applicant = person_create(
        actor=world.users["admin"],
        region=world.grid,
        name="张伟",
        id_number=ELDER_ID,
        phone="13812345678",
    )
    return Desk(item, card, contract, photo, applicant)


def english(user: object) -> Client:
    """A logged-in client whose pages come in English, so that messages read as in the code."""
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)  # type: ignore[arg-type]
    return client


def applicant_token(client: Client, id_number: str) -> str:
    response = client.post(
        "/hall/intake/identify/", {"id_number": id_number, "doc_type": "id_card"}
    )
    assert response.status_code == 200
    found = re.search(r'name="applicant" value="([^"]+)"', response.content.decode())
    assert found is not None
    return found.group(1)


def submit(
    client: Client, token: str, item: ServiceItem, htmx: bool = False, **fields: object
) -> HttpResponse:
    return client.post(  # type: ignore[return-value]
        "/hall/intake/submit/",
        {"applicant": token, "item": item.pk, "key": "k-1", **fields},
        headers={"hx-request": "true"} if htmx else {},
    )


def test_identify_shows_the_applicant_masked_with_the_proxy_suggestion(
    world: World, desk: Desk
) -> None:
    client = english(world.users["window"])
    response = client.post(
        "/hall/intake/identify/",
        {"id_number": "110105 19491231 002x", "doc_type": "id_card"},
        headers={"hx-request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body  # the htmx partial, not the page
    assert "张*" in body
    assert "张伟" not in body
    assert "110105********002X" in body
    assert "138****5678" in body
    assert ELDER_ID not in body  # the typed number leaves the screen
    assert 'data-testid="proxy"' in body


def test_accept_with_all_materials_opens_a_case_and_prints_the_receipt(
    world: World, desk: Desk
) -> None:
    window = world.users["window"]
    client = english(window)
    token = applicant_token(client, ELDER_ID)
    found = client.get("/hall/intake/items/", {"applicant": token, "q": "居住"})
    assert found.status_code == 200
    assert "居住证申领" in found.content.decode()
    page = client.get("/hall/intake/item/", {"applicant": token, "item": str(desk.item.pk)})
    assert page.status_code == 200
    assert f'name="materials" value="{desk.contract.pk}"' in page.content.decode()

    response = submit(
        client,
        token,
        desk.item,
        action="accept",
        materials=[desk.contract.pk, desk.card.pk],
        htmx=True,
    )

    case = Case.objects.get()
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/hall/intake/receipt/{case.pk}/"
    assert (case.type_key, case.state, case.clock) == ("application", "accepted", Clock.RUNNING)
    assert case.region == world.community
    assert case.first_responder == window
    assert case.owner_unit == desk.item.department
    assert case.requester == desk.applicant
    assert case.promised_days == 5
    assert case.requester_phone_tail == "5678"
    application = Application.objects.get()
    assert application.case == case
    assert application.item == desk.item
    assert application.accepted_at_region == world.community
    assert application.materials_received == sorted([desk.card.pk, desk.contract.pk])

    receipt = client.get(f"/hall/intake/receipt/{case.pk}/")
    body = receipt.content.decode()
    assert receipt.status_code == 200
    assert display_code(case.tracking_code) in body
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="barcode"' in body
    assert 'class="qrcode"' in body
    assert f"http://testserver/hall/lookup/?code={case.tracking_code}" in body
    assert "张*" in body and "张伟" not in body
    assert "110105********002X" in body
    assert "130105-JZZ-001 · version 1" in body
    assert f"{case.due_date:%Y-%m-%d}" in body
    assert "5 working days" in body
    assert "房屋租赁合同" in body and "近期免冠照片" not in body
    assert "@page { size: A4;" in body

    thermal = client.get(f"/hall/intake/receipt/{case.pk}/", {"layout": "80mm"})
    assert "@page { size: 80mm auto;" in thermal.content.decode()
    assert 'class="paper paper-80mm"' in thermal.content.decode()


def test_accept_with_a_missing_material_is_refused_with_the_reason(
    world: World, desk: Desk
) -> None:
    client = english(world.users["window"])
    token = applicant_token(client, ELDER_ID)
    events = AuditEvent.objects.count()

    response = submit(
        client, token, desk.item, action="accept", materials=[desk.card.pk, desk.photo.pk]
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert (
        "Required materials are missing: 房屋租赁合同. Accept them all, or give a one-time notice."
        in body
    )
    # The ticks survive, so the worker does not tick them again.
    assert f'value="{desk.card.pk}" id="material-{desk.card.pk}" checked' in body
    assert Case.objects.count() == 0
    assert Application.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_one_time_notice_lists_every_missing_material_and_prints(world: World, desk: Desk) -> None:
    window = world.users["window"]
    client = english(window)
    token = applicant_token(client, ELDER_ID)

    response = submit(client, token, desk.item, action="notice", materials=[desk.photo.pk])

    notice = MissingNotice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/hall/intake/notice/{notice.pk}/"
    assert notice.missing == ["居民身份证", "房屋租赁合同"]
    assert (notice.applicant, notice.item, notice.region) == (
        desk.applicant,
        desk.item,
        world.community,
    )
    assert notice.issued_by == window
    assert Case.objects.count() == 0

    printed = client.get(f"/hall/intake/notice/{notice.pk}/")
    body = printed.content.decode()
    assert printed.status_code == 200
    assert notice.number in body
    assert "居住证申领" in body
    assert "张*" in body and "张伟" not in body
    assert "<li>居民身份证 <span" in body
    assert "<li>房屋租赁合同 <span" in body
    assert "the window will not ask you for anything else for this item" in body
    assert "@page { size: A4;" in body


def test_a_second_notice_for_the_same_material_is_refused(world: World, desk: Desk) -> None:
    client = english(world.users["window"])
    token = applicant_token(client, ELDER_ID)
    submit(client, token, desk.item, action="notice", materials=[desk.card.pk])
    first = MissingNotice.objects.get()

    response = submit(client, token, desk.item, action="notice", materials=[desk.card.pk])

    assert response.status_code == 400
    assert (
        "房屋租赁合同 was already named in an earlier one-time notice for this item: "
        "a second notice for the same material is not allowed."
    ) in response.content.decode()
    assert list(MissingNotice.objects.all()) == [first]


def test_refusal_needs_a_reason_and_records_a_refused_case(world: World, desk: Desk) -> None:
    client = english(world.users["window"])
    token = applicant_token(client, ELDER_ID)

    empty = submit(client, token, desk.item, action="refuse", reason="  ")
    assert empty.status_code == 400
    assert "Give the reason for refusing" in empty.content.decode()
    assert Case.objects.count() == 0

    response = submit(client, token, desk.item, action="refuse", reason="不属于本区办理范围")

    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/hall/intake/receipt/{case.pk}/"
    assert (case.state, case.clock) == ("refused", Clock.STOPPED)
    assert Application.objects.get(case=case).materials_received == []
    assert CaseEvent.objects.filter(case=case, action="refuse").get().note == "不属于本区办理范围"
    body = client.get(f"/hall/intake/receipt/{case.pk}/").content.decode()
    assert "Written refusal" in body
    assert "不属于本区办理范围" in body
    assert "Due by" not in body


def test_unknown_number_registers_the_applicant_at_the_window(world: World, desk: Desk) -> None:
    client = english(world.users["window"])
    offered = client.post("/hall/intake/identify/", {"id_number": NEW_ID, "doc_type": "id_card"})
    assert offered.status_code == 200
    assert "Register a new applicant" in offered.content.decode()
    assert f'value="{NEW_ID}"' in offered.content.decode()

    response = client.post(
        "/hall/intake/register/",
        {"id_number": NEW_ID, "doc_type": "id_card", "name": "李娜", "phone": ""},
    )

    person = Person.objects.get(name="李娜")
    assert response.status_code == 200
    assert person.region == world.community
    assert person.id_number_masked == "130105********0037"
    assert "newly registered" in response.content.decode()
    assert 'data-testid="proxy"' not in response.content.decode()


def test_registering_with_a_bad_identity_number_shows_the_exact_reason(
    world: World, desk: Desk, zh: None
) -> None:
    client = Client()
    client.force_login(world.users["window"])
    people = Person.objects.count()
    events = AuditEvent.objects.count()

    response = client.post(
        "/hall/intake/register/",
        {"id_number": "110105194912310022", "doc_type": "id_card", "name": "王芳"},
    )

    assert response.status_code == 400
    assert (
        '<div class="field-error" role="alert" data-testid="id_number-error">'
        "第18位校验码应为X，现在是2，请核对号码</div>"
    ) in response.content.decode()
    assert Person.objects.count() == people
    assert AuditEvent.objects.count() == events


def test_a_bad_number_is_refused_at_the_lookup(world: World, desk: Desk) -> None:
    client = english(world.users["window"])

    response = client.post(
        "/hall/intake/identify/", {"id_number": "11010519491231002", "doc_type": "id_card"}
    )

    assert response.status_code == 400
    assert (
        'data-testid="id-error">The identity number should have 18 characters, not 17</div>'
        in response.content.decode()
    )


def test_a_forged_applicant_token_is_not_followed(world: World, desk: Desk) -> None:
    client = english(world.users["window"])

    response = submit(
        client, f"{desk.applicant.pk}:forged", desk.item, action="accept", materials=[]
    )

    assert response.status_code == 400
    assert "look the applicant up again" in response.content.decode()
    assert Case.objects.count() == 0


def test_only_window_workers_take_applications(world: World, desk: Desk) -> None:
    client = english(world.users["gridworker"])
    assert client.get("/hall/intake/").status_code == 403
    assert (
        client.post(
            "/hall/intake/identify/", {"id_number": ELDER_ID, "doc_type": "id_card"}
        ).status_code
        == 403
    )
    assert english(world.users["director"]).get("/hall/intake/").status_code == 403


def test_a_worker_with_two_windows_chooses_one(world: World, desk: Desk) -> None:
    window = world.users["window"]
    RoleAssignment.objects.create(
        user=window, role=Role.WINDOW_WORKER, region=world.other_community
    )
    client = english(window)

    page = client.get("/hall/intake/", {"region": world.other_community.pk})
    assert page.status_code == 200
    assert f'<option value="{world.other_community.pk}" selected>' in page.content.decode()
    assert client.get("/hall/intake/", {"region": world.grid.pk}).status_code == 404


def test_a_stranger_gets_not_found_on_another_communitys_papers(world: World, desk: Desk) -> None:
    other_window = staff(Role.WINDOW_WORKER, world.other_community, "other-window")
    case = window_accept(
        actor=other_window,
        item=desk.item,
        applicant=desk.applicant,
        region=world.other_community,
        materials=[desk.card.pk, desk.contract.pk],
    )
    notice = notice_issue(
        actor=other_window,
        item=desk.item,
        applicant=desk.applicant,
        region=world.other_community,
        materials=[desk.card.pk],
    )
    client = english(world.users["stranger"])
    assert client.get(f"/hall/intake/receipt/{case.pk}/").status_code == 404
    assert client.get(f"/hall/intake/notice/{notice.pk}/").status_code == 404
    # The window of the neighbouring community does not see it either.
    assert english(world.users["window"]).get(f"/hall/intake/receipt/{case.pk}/").status_code == 404
    assert english(other_window).get(f"/hall/intake/receipt/{case.pk}/").status_code == 200
