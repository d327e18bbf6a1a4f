"""The hotline's pages: the desk, suggestions, the panel on the case page, dispatch and send
back through the pages, confidentiality on pages, lists, indicators, the opinion portal."""

from __future__ import annotations

import pytest
from django.test import Client

from shequ.accounts.middleware import SESSION_KEY
from shequ.accounts.services import resident_register
from shequ.audit.models import Action, AuditEvent
from shequ.cases.models import Case
from shequ.cases.services import case_transition
from shequ.hotline.models import Call, CallOutcome, HotlineCase
from shequ.hotline.services import case_dispatch
from shequ.hotline.tests.conftest import Hotline

pytestmark = pytest.mark.django_db


def login(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_the_desk_takes_a_call_and_shows_the_case(hotline: Hotline) -> None:
    client = login(hotline.operator)
    assert client.get("/hotline/").status_code == 200
    response = client.post(
        "/hotline/",
        {
            "caller_phone": "13812345678",
            "caller_name": "王芳",
            "address": "湖北路12号",
            "text": "湖北路12号停水两天",
            "category": hotline.category.pk,
            "kind": "help",
            "urgency": "normal",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "湖北路12号停水两天" in page
    assert 'data-testid="dispatch-form"' in page
    assert "区水务局" in page


def test_a_call_without_text_is_refused_on_the_form(hotline: Hotline) -> None:
    client = login(hotline.operator)
    response = client.post("/hotline/", {"kind": "help", "urgency": "normal", "text": ""})
    assert response.status_code == 200
    assert Case.objects.count() == 0


def test_a_bad_phone_comes_back_on_the_form(hotline: Hotline) -> None:
    client = login(hotline.operator)
    response = client.post(
        "/hotline/", {"caller_phone": "12345", "text": "停水", "kind": "help", "urgency": "normal"}
    )
    assert response.status_code == 200
    assert Case.objects.count() == 0


def test_the_desk_is_for_operators(hotline: Hotline) -> None:
    client = login(hotline.users["water"])
    assert client.get("/hotline/").status_code == 403
    assert client.get("/hotline/suggest/?text=停水").status_code == 403
    assert client.post("/hotline/", {"text": "停水"}).status_code == 403
    assert Case.objects.count() == 0


def test_suggestions_while_typing_and_the_merge_button(hotline: Hotline) -> None:
    first = hotline.call("幸福小区3栋门口垃圾堆了一周", address="幸福小区3栋").case
    client = login(hotline.operator)
    page = client.get("/hotline/suggest/", {"address": "幸福小区3栋", "text": "垃圾"}).content
    assert f'data-case="{first.pk}"'.encode() in page
    response = client.post(
        "/hotline/",
        {
            "text": "垃圾还没清",
            "address": "幸福小区3栋",
            "kind": "complaint",
            "urgency": "normal",
            "merge": first.pk,
        },
    )
    assert response["Location"] == f"/cases/{first.pk}/"
    assert Call.objects.filter(case=first, outcome=CallOutcome.REPEAT).count() == 1
    assert Case.objects.count() == 1


def test_caller_lookup_by_phone_is_masked_and_audited(hotline: Hotline) -> None:
    from shequ.people.services import person_create

    person_create(
        actor=hotline.world.users["admin"],
        region=hotline.world.grid,
        name="张伟",
        id_number="11010519491231002X",
        phone="13812345678",
    )
    client = login(hotline.operator)
    page = client.get("/hotline/caller/", {"caller_phone": "138 1234 5678"}).content.decode()
    assert "张伟" in page and "138****5678" in page
    assert "13812345678" not in page
    assert (
        AuditEvent.objects.filter(action=Action.LOOKUP, actor_id=hotline.operator.pk).count() == 1
    )


def test_a_confidential_caller_is_hidden_from_the_unit_on_every_page(hotline: Hotline) -> None:
    call = hotline.call(caller_name="王芳", caller_phone="13812345678", confidential=True)
    case = case_dispatch(case=call.case, actor=hotline.operator, lead_unit=hotline.water)
    unit = login(hotline.users["water"])
    for url in (f"/cases/{case.pk}/", "/hotline/cases/", "/cases/"):
        body = unit.get(url).content.decode()
        assert "王芳" not in body and "138****5678" not in body, url
    api = unit.get(f"/api/v1/hotline/cases/{case.pk}").json()
    assert (api["caller_name"], api["caller_phone_masked"]) == (None, None)
    engine = unit.get(f"/api/v1/cases/{case.pk}").json()
    assert "王芳" not in str(engine) and "5678" not in str(engine)
    # The operator sees the caller, and reveals the phone with a reason (audited).
    operator = login(hotline.operator)
    assert "王芳" in operator.get(f"/cases/{case.pk}/").content.decode()
    shown = operator.post(f"/hotline/cases/{case.pk}/caller/", {"reason": "回访"})
    assert "13812345678" in shown.content.decode()
    assert AuditEvent.objects.filter(action=Action.REVEAL, reason="回访").count() == 1
    assert unit.post(f"/hotline/cases/{case.pk}/caller/", {"reason": "x"}).status_code == 403


def test_dispatch_and_send_back_through_the_pages(hotline: Hotline) -> None:
    case = hotline.call().case
    operator = login(hotline.operator)
    response = operator.post(
        f"/hotline/cases/{case.pk}/dispatch/",
        {"lead_unit": hotline.water.pk, "assisting_units": [hotline.partner.pk]},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.owner_unit) == ("dispatched", hotline.water)
    # Another unit may not send it back; the lead unit may.
    other = login(hotline.users["housing"])
    assert other.post(f"/hotline/cases/{case.pk}/send-back/", {"note": "x"}).status_code == 403
    unit = login(hotline.users["water"])
    page = unit.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="send-back"' in page and "transition-sign_for" in page
    unit.post(f"/hotline/cases/{case.pk}/send-back/", {"note": "非本单位职责"})
    case.refresh_from_db()
    assert (case.state, HotlineCase.objects.get(case=case).send_backs) == ("returned", 1)


def test_the_assisting_unit_writes_its_contribution(hotline: Hotline) -> None:
    case = case_dispatch(
        case=hotline.call().case,
        actor=hotline.operator,
        lead_unit=hotline.water,
        assisting_units=[hotline.partner],
    )
    partner = login(hotline.users["partner"])
    assert partner.get(f"/hotline/cases/{case.pk}/assist/").status_code == 200
    partner.post(f"/hotline/cases/{case.pk}/assist/", {"reply": "已派人检修"})
    assert "已派人检修" in login(hotline.users["water"]).get(f"/cases/{case.pk}/").content.decode()
    # The housing department does not assist: not found.
    assert (
        login(hotline.users["housing"]).get(f"/hotline/cases/{case.pk}/assist/").status_code == 404
    )


def test_the_call_back_result_goes_with_the_engine_step(hotline: Hotline) -> None:
    case = hotline.call().case
    case = case_transition(case=case, name="answer_directly", actor=hotline.operator, note="已答复")
    client = login(hotline.operator)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="callback-fieldset"' in page
    client.post(
        f"/cases/{case.pk}/transition/",
        {
            "name": "call_back",
            "expected_state": "finished",
            "note": "已解决",
            "data_callback_result": "solved",
        },
    )
    case.refresh_from_db()
    assert (case.state, case.data["callback_result"]) == ("closed", "solved")


def test_lists_are_read_by_staff_and_kept_by_the_admin(hotline: Hotline) -> None:
    unit = login(hotline.users["water"])
    for url in ("/hotline/categories/", "/hotline/units/", "/hotline/responsibility/"):
        assert unit.get(url).status_code == 200
    assert (
        unit.post("/hotline/units/", {"code": "P-1", "name": "x", "kind": "partner"}).status_code
        == 403
    )
    admin = login(hotline.world.users["admin"])
    response = admin.post(
        "/hotline/units/", {"code": "P-GAS", "name": "燃气公司", "kind": "partner"}
    )
    assert response.status_code == 302
    assert admin.get(response["Location"]).status_code == 200


@pytest.mark.english
def test_the_indicator_page_and_its_export(hotline: Hotline) -> None:
    hotline.call()
    client = login(hotline.operator)
    page = client.get("/hotline/indicators/").content.decode()
    assert 'data-testid="accepted">1<' in page
    export = client.get("/hotline/indicators/export/?by=category")
    assert export["Content-Type"].startswith("application/vnd.openxml")
    assert AuditEvent.objects.filter(action=Action.EXPORT).count() == 1
    assert login(hotline.users["water"]).get("/hotline/indicators/").status_code == 403


def test_a_resident_sends_an_opinion_and_sees_it(hotline: Hotline) -> None:
    resident = resident_register(phone="13912345678", name="李娜", password="Shequ-resident-1")
    client = Client()
    assert client.get("/hotline/opinions/").status_code == 200
    session = client.session
    session[SESSION_KEY] = resident.pk
    session.save()
    community = hotline.world.community
    response = client.post(
        "/hotline/opinions/", {"community": community.pk, "text": "建议小区增加充电桩"}
    )
    assert response.status_code == 302
    case = Case.objects.get(type_key="opinion")
    assert (case.region, case.state, case.requester_name) == (community, "received", "李娜")
    assert "建议小区增加充电桩" in client.get("/hotline/opinions/").content.decode()
    # Another resident sees only their own.
    other = resident_register(phone="13912345679", name="赵六", password="Shequ-resident-1")
    client2 = Client()
    session = client2.session
    session[SESSION_KEY] = other.pk
    session.save()
    assert "建议小区增加充电桩" not in client2.get("/hotline/opinions/").content.decode()


def test_editing_a_category_audits_what_changed(hotline: Hotline) -> None:
    client = login(hotline.world.users["admin"])
    category = hotline.category
    response = client.post(
        f"/hotline/categories/{category.pk}/",
        {
            "code": "GS",
            "name": "供水（自来水）",
            "sign_for_hours": 4,
            "handling_amount": 3,
            "handling_kind": "working_days",
            "urgent_hours": 12,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.filter(object_type="hotline.category", action=Action.UPDATE).get()
    assert event.changes == {"name": ["供水", "供水（自来水）"], "sign_for_hours": [2, 4]}
