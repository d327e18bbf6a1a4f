"""The hotline's categories are services too: a request to one becomes a hotline case."""

from __future__ import annotations

import pytest
from django.test import Client

from shequ.cases.models import Case
from shequ.hotline.models import Call, Category, HotlineCase
from shequ.hotline.services_lists import category_save
from shequ.lib import crypto
from shequ.open311.models import ServiceRequest
from shequ.open311.tests.helpers import BASE, Client311, data, post, xml
from shequ.regions.tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def water(world: World) -> Category:
    return category_save(
        actor=None,
        values={
            "code": "GS",
            "name": "供水",
            "sign_for_hours": 2,
            "handling_amount": 3,
            "handling_kind": "working_days",
            "urgent_hours": 12,
            "is_active": True,
        },
    )


@pytest.mark.english
def test_the_hotline_categories_follow_the_incident_categories(
    client: Client, app: Client311, water: Category
) -> None:
    category_save(
        actor=None, category=None, values={"code": "OLD", "name": "旧类", "is_active": False}
    )
    services = data(client.get(f"{BASE}/services.json"))
    assert [s["service_code"] for s in services] == ["C0101", "E0102", "E0501", "H-GS"]
    assert services[-1] == {
        "service_code": "H-GS",
        "service_name": "供水",
        "description": "Hotline: 供水",
        "metadata": False,
        "type": "realtime",
        "keywords": "供水, GS",
        "group": "Hotline",
    }
    root = xml(client.get(f"{BASE}/services/H-GS.xml"))
    assert (root.findtext("service_code"), root.findall("attributes/attribute")) == ("H-GS", [])
    assert client.get(f"{BASE}/services/H-OLD.json").status_code == 404


@pytest.mark.english
def test_a_request_to_a_hotline_service_is_taken_as_a_call(
    client: Client, app: Client311, world: World, water: Category
) -> None:
    response = post(
        client,
        "json",
        api_key=app.raw,
        service_code="H-GS",
        description="整栋楼停水一天了",
        first_name="伟",
        last_name="张",
        phone="13812345678",
        token="w-1",
    )
    assert response.status_code == 200
    (answer,) = data(response)
    case = Case.objects.get()
    assert answer["service_request_id"] == case.pk
    assert answer["service_notice"] == (
        "The unit in charge handles it within 3 Working days once the hotline passes it on."
    )
    assert (case.type_key, case.state, case.region) == ("hotline", "accepted", world.grid)
    assert (case.requester_name, case.requester_phone_masked) == ("张伟", "138****5678")
    detail = HotlineCase.objects.get(case=case)
    assert (detail.category, detail.text) == (
        water,
        "整栋楼停水一天了\nReported through Open311 by 市民通",
    )
    call = Call.objects.get(case=case)
    assert call.operator == app.user
    # Recorded as a system's request, not as a phone call.
    assert (call.channel, detail.channel) == ("api", "api")
    assert crypto.decrypt(call.caller_phone_enc) == "13812345678"
    assert ServiceRequest.objects.get().source == "hotline"
    # A retry with the token is the same request.
    again = post(client, "json", api_key=app.raw, service_code="H-GS", token="w-1")
    assert data(again) == [answer]
    assert Case.objects.count() == 1
    (published,) = data(client.get(f"{BASE}/requests.json"))
    assert (published["service_code"], published["status"], published["status_notes"]) == (
        "H-GS",
        "open",
        "Your call has been recorded and is being passed to the unit in charge.",
    )
    assert published["agency_responsible"] == "湖北一网格"
    assert "张" not in str(published) and "5678" not in str(published)
