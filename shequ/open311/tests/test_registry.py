"""Service sources are pluggable: another table of services joins the list and takes requests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from shequ.cases.models import Case
from shequ.cases.services import case_open
from shequ.open311 import registry
from shequ.open311.models import ServiceRequest
from shequ.open311.registry import Intake, Service, ServiceSource
from shequ.open311.tests.helpers import BASE, Client311, data, post
from shequ.regions.tests.factories import World

pytestmark = pytest.mark.django_db

WATER = Service(
    code="X-WATER",
    name="供水",
    description="停水、水压低、水质问题",
    group="生活求助",
    keywords="停水, 自来水",
    notice="2个工作日内答复",
)


def _create(intake: Intake) -> Case:
    return case_open(
        case_type="rectification",
        actor=intake.actor,
        region=intake.region,
        title=intake.description,
        requester_name="x",
        address=intake.address,
        lat=intake.lat,
        lng=intake.lng,
        request=intake.request,
    )


@pytest.fixture
def other_source() -> Iterator[ServiceSource]:
    """Another table of services: its own codes, a case of its own type."""
    source = registry.register(
        ServiceSource(
            key="test-hotline",
            services=lambda: [WATER],
            find=lambda code: WATER if code == WATER.code else None,
            create=_create,
        )
    )
    yield source
    registry._SOURCES.pop(source.key)


def test_a_second_source_adds_its_services_to_the_list(
    client: Client, app: Client311, other_source: ServiceSource
) -> None:
    services = data(client.get(f"{BASE}/services.json"))
    assert [s["service_code"] for s in services] == ["C0101", "E0102", "E0501", "X-WATER"]
    assert services[-1] == {
        "service_code": "X-WATER",
        "service_name": "供水",
        "description": "停水、水压低、水质问题",
        "metadata": False,
        "type": "realtime",
        "keywords": "停水, 自来水",
        "group": "生活求助",
    }
    assert data(client.get(f"{BASE}/services/X-WATER.json")) == {
        "service_code": "X-WATER",
        "attributes": [],
    }


def test_a_request_to_it_becomes_a_case_of_its_type(
    client: Client, app: Client311, world: World, other_source: ServiceSource
) -> None:
    response = post(
        client, "json", api_key=app.raw, service_code="X-WATER", description="整栋楼停水"
    )
    assert data(response)[0]["service_notice"] == "2个工作日内答复"
    case = Case.objects.get()
    assert (case.type_key, case.region, case.requester_name) == (
        "rectification",
        world.grid,
        "市民通",
    )
    (document,) = data(client.get(f"{BASE}/requests.json"))
    assert (document["service_code"], document["agency_responsible"]) == ("X-WATER", "湖北一网格")
    assert ServiceRequest.objects.get().source == "test-hotline"


def test_two_posts_racing_with_one_token_make_one_request(
    client: Client, app: Client311, other_source: ServiceSource, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = data(post(client, "json", api_key=app.raw, service_code="X-WATER", token="r-1"))
    # The second looked before the first committed, and this source knows no client id:
    # the unique key and token refuse its record, and its case is rolled back.
    monkeypatch.setattr("shequ.open311.services.request_replay", lambda key, token: None)
    monkeypatch.setattr("shequ.open311.views.request_replay", lambda key, token: None)
    second = data(post(client, "json", api_key=app.raw, service_code="X-WATER", token="r-1"))
    assert second == first
    assert Case.objects.count() == ServiceRequest.objects.count() == 1


def test_a_code_two_sources_share_names_the_first_registered(
    client: Client, app: Client311
) -> None:
    clash = Service(code="E0102", name="重复")
    source = registry.register(
        ServiceSource(
            key="test-clash",
            services=lambda: [clash],
            find=lambda code: clash if code == clash.code else None,
            create=_create,
        )
    )
    try:
        services = data(client.get(f"{BASE}/services.json"))
        assert [s["service_name"] for s in services if s["service_code"] == "E0102"] == ["暴露垃圾"]
        found = registry.find_service("E0102")
        assert found is not None and found[0].key == "incidents"
    finally:
        registry._SOURCES.pop(source.key)
