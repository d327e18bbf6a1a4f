"""The hotline through the API: take a call, suggestions, the loop, confidentiality, scope."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from shequ.accounts.services import api_token_create
from shequ.cases.models import Case
from shequ.hotline.models import HotlineCase
from shequ.hotline.tests.conftest import Hotline

pytestmark = pytest.mark.django_db


def api(user: Any) -> Client:
    _token, raw = api_token_create(actor=user, name="test")
    return Client(headers={"authorization": f"Bearer {raw}"})


def test_take_dispatch_send_back_and_call_back(hotline: Hotline) -> None:
    operator = api(hotline.operator)
    response = operator.post(
        "/api/v1/hotline/calls",
        {
            "text": "湖北路12号停水",
            "address": "湖北路12号",
            "category_id": hotline.category.pk,
            "caller_name": "王芳",
            "caller_phone": "13812345678",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    case_id = response.json()["case_id"]
    found = operator.get("/api/v1/hotline/suggestions", {"address": "湖北路12号"}).json()
    assert [row["case_id"] for row in found] == [case_id]
    moved = operator.post(
        f"/api/v1/hotline/cases/{case_id}/dispatch",
        {"lead_unit_id": hotline.water.pk, "assisting_unit_ids": [hotline.partner.pk]},
        content_type="application/json",
    )
    assert moved.json()["state"] == "dispatched"
    unit = api(hotline.users["water"])
    back = unit.post(
        f"/api/v1/hotline/cases/{case_id}/send-back",
        {"note": "不归我们"},
        content_type="application/json",
    )
    assert back.json() == {"detail": "returned"}
    operator.post(
        f"/api/v1/hotline/cases/{case_id}/dispatch",
        {"lead_unit_id": hotline.water.pk},
        content_type="application/json",
    )
    for name, note in (("sign_for", ""), ("answer", "已恢复供水")):
        done = unit.post(
            f"/api/v1/cases/{case_id}/transitions",
            {"name": name, "note": note},
            content_type="application/json",
        )
        assert done.status_code == 200, done.content
    operator.post(
        f"/api/v1/cases/{case_id}/transitions", {"name": "finish"}, content_type="application/json"
    )
    closed = operator.post(
        f"/api/v1/hotline/cases/{case_id}/call-back",
        {"result": "solved", "note": "已解决", "level": 5},
        content_type="application/json",
    )
    assert closed.json()["state"] == "closed"
    figures = operator.get("/api/v1/hotline/indicators").json()
    assert (figures["total"]["accepted"], figures["total"]["send_backs"]) == (1, 1)
    assert figures["total"]["satisfaction_rate"] == 100.0


def test_the_engine_api_refuses_a_dispatch_without_a_unit(hotline: Hotline) -> None:
    case = hotline.call().case
    response = api(hotline.operator).post(
        f"/api/v1/cases/{case.pk}/transitions",
        {"name": "dispatch"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).state == "accepted"


def test_a_confidential_caller_is_left_out_for_the_unit(hotline: Hotline) -> None:
    operator = api(hotline.operator)
    case_id = operator.post(
        "/api/v1/hotline/calls",
        {
            "text": "举报噪音",
            "confidential": True,
            "caller_name": "王芳",
            "caller_phone": "13812345678",
        },
        content_type="application/json",
    ).json()["case_id"]
    operator.post(
        f"/api/v1/hotline/cases/{case_id}/dispatch",
        {"lead_unit_id": hotline.water.pk},
        content_type="application/json",
    )
    unit = api(hotline.users["water"])
    seen = unit.get(f"/api/v1/hotline/cases/{case_id}").json()
    assert (seen["confidential"], seen["caller_name"], seen["caller_phone_masked"]) == (
        True,
        None,
        None,
    )
    listed = unit.get("/api/v1/hotline/cases").json()["items"]
    assert "王芳" not in str(listed) and "5678" not in str(listed)
    mine = operator.get(f"/api/v1/hotline/cases/{case_id}").json()
    assert mine["caller_phone_masked"] == "138****5678"
    assert HotlineCase.objects.get(case_id=case_id).confidential


def test_out_of_reach_answers_not_found(hotline: Hotline) -> None:
    case = hotline.call().case
    stranger = api(hotline.world.users["stranger"])
    assert stranger.get(f"/api/v1/hotline/cases/{case.pk}").status_code == 404
    assert (
        stranger.post(
            f"/api/v1/hotline/cases/{case.pk}/dispatch",
            {"lead_unit_id": hotline.water.pk},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert (
        stranger.post(
            "/api/v1/hotline/calls", {"text": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert Case.objects.get(pk=case.pk).state == "accepted"


def test_a_system_records_its_request_on_the_api_channel(hotline: Hotline) -> None:
    operator = api(hotline.operator)
    body = {"text": "小区路灯不亮", "address": "湖北路3号"}
    sent = operator.post(
        "/api/v1/hotline/calls", {**body, "channel": "api"}, content_type="application/json"
    )
    wrong = operator.post(
        "/api/v1/hotline/calls", {**body, "channel": "fax"}, content_type="application/json"
    )
    assert sent.status_code == 201, sent.content
    detail = HotlineCase.objects.get(case_id=sent.json()["case_id"])
    assert (detail.channel, detail.case.hotline_calls.get().channel) == ("api", "api")
    assert wrong.status_code in (400, 422)
    assert "channel" in wrong.json()["detail"]
    assert HotlineCase.objects.count() == 1
