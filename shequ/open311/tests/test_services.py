"""Discovery, the service list and service definitions, in XML and JSON (GeoReport v2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from freezegun import freeze_time

from shequ.incidents.services import category_save
from shequ.incidents.tests.table import Table
from shequ.open311.models import ServiceAttribute
from shequ.open311.protocol import format_datetime
from shequ.open311.tests.helpers import BASE, data, errors_xml, fields, xml

pytestmark = pytest.mark.django_db

SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]


def test_discovery_in_xml(client: Client, table: Table) -> None:
    response = client.get(f"{BASE}/discovery.xml")
    assert response.status_code == 200
    root = xml(response)
    assert root.tag == "discovery"
    assert [child.tag for child in root] == ["changeset", "contact", "key_service", "endpoints"]
    assert "新华区" in (root.findtext("contact") or "")
    (endpoint,) = root.findall("endpoints/endpoint")
    assert fields(endpoint) == {
        "specification": "http://wiki.open311.org/GeoReport_v2",
        "url": "http://testserver/open311/v2",
        "changeset": root.findtext("changeset"),
        "type": "production",
        "formats": endpoint.findtext("formats"),
    }
    assert [f.text for f in endpoint.findall("formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_discovery_in_json_names_the_test_endpoint_of_a_debug_server(
    client: Client, table: Table, settings: Any
) -> None:
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = ["311.example.cn"]
    document = data(client.get(f"{BASE}/discovery.json", HTTP_HOST="311.example.cn"))
    assert list(document) == ["changeset", "contact", "key_service", "endpoints"]
    assert document["endpoints"] == [
        {
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": "http://311.example.cn/open311/v2",
            "changeset": document["changeset"],
            "type": "test",
            "formats": ["text/xml", "application/json"],
        }
    ]


def test_the_changeset_moves_when_a_service_or_a_definition_changes(
    client: Client, table: Table, definition: list[ServiceAttribute], world: Any
) -> None:
    first = data(client.get(f"{BASE}/discovery.json"))["changeset"]
    moved = (timezone.now() + dt.timedelta(minutes=5)).replace(microsecond=0)
    with freeze_time(moved):
        category_save(
            actor=world.users["admin"],
            incident_class=table.garbage.incident_class,
            code="02",
            values={"name": "暴露垃圾（生活）"},
        )
        later = data(client.get(f"{BASE}/discovery.json"))["changeset"]
    assert later > first
    assert later == format_datetime(moved)


def test_the_service_list_in_xml(
    client: Client, table: Table, definition: list[ServiceAttribute]
) -> None:
    response = client.get(f"{BASE}/services.xml", {"jurisdiction_id": "xinhua.gov.cn"})
    assert response.status_code == 200
    root = xml(response)
    assert root.tag == "services"
    services = root.findall("service")
    assert len(services) == len(root)
    # The retired 路灯 (C0211) is not offered; components first, then events.
    assert [s.findtext("service_code") for s in services] == ["C0101", "E0102", "E0501"]
    garbage = services[1]
    assert [child.tag for child in garbage] == SERVICE_FIELDS
    assert fields(garbage) == {
        "service_code": "E0102",
        "service_name": "暴露垃圾",
        "description": "公共场所成堆、成片的生活垃圾",
        "metadata": "true",
        "type": "realtime",
        "keywords": "市容环境, 事件, baolulaji, bllj",
        "group": "市容环境",
    }
    assert services[0].findtext("metadata") == "false"
    assert services[0].findtext("group") == "公用设施"


@pytest.mark.english
def test_the_service_list_in_json(
    client: Client, table: Table, definition: list[ServiceAttribute]
) -> None:
    services = data(client.get(f"{BASE}/services.json"))
    assert [s["service_code"] for s in services] == ["C0101", "E0102", "E0501"]
    assert services[0] == {
        "service_code": "C0101",
        "service_name": "上水井盖",
        "description": "公共场所成堆、成片的生活垃圾",
        "metadata": False,
        "type": "realtime",
        "keywords": "公用设施, Component, shangshuijinggai, ssjg",
        "group": "公用设施",
    }
    assert services[1]["metadata"] is True


def test_the_service_list_reads_a_fixed_number_of_rows(client: Client, table: Table) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"{BASE}/services.json").status_code == 200
    # The incident categories with their classes, the hotline's categories, the codes with
    # attributes.
    assert len(queries) == 3


def test_a_service_definition_in_xml(
    client: Client, table: Table, definition: list[ServiceAttribute]
) -> None:
    response = client.get(f"{BASE}/services/E0102.xml", {"jurisdiction_id": "xinhua.gov.cn"})
    assert response.status_code == 200
    root = xml(response)
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "E0102"
    attributes = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attributes] == [
        "place",
        "times",
        "area",
        "since",
        "landmark",
        "detail",
        "photo_tip",
    ]
    place = attributes[0]
    assert [child.tag for child in place] == [
        "variable",
        "code",
        "datatype",
        "required",
        "datatype_description",
        "order",
        "description",
        "values",
    ]
    assert fields(place) | {"values": None} == {
        "variable": "true",
        "code": "place",
        "datatype": "singlevaluelist",
        "required": "true",
        "datatype_description": None,
        "order": "1",
        "description": "在哪里发现的？",
        "values": None,
    }
    assert [(v.findtext("key"), v.findtext("name")) for v in place.findall("values/value")] == [
        ("road", "道路"),
        ("sidewalk", "人行道"),
        ("green", "绿地"),
    ]
    assert attributes[2].findtext("datatype_description") == "平方米"
    assert attributes[6].findtext("variable") == "false"


def test_a_service_definition_in_json(
    client: Client, table: Table, definition: list[ServiceAttribute]
) -> None:
    document = data(client.get(f"{BASE}/services/E0102.json"))
    assert document["service_code"] == "E0102"
    assert document["attributes"][1] == {
        "variable": True,
        "code": "times",
        "datatype": "multivaluelist",
        "required": False,
        "datatype_description": None,
        "order": 2,
        "description": "通常在什么时段出现？",
        "values": [{"key": "morning", "name": "早上"}, {"key": "night", "name": "夜间"}],
    }
    assert document["attributes"][2]["values"] == []


def test_a_service_without_attributes_has_an_empty_definition(client: Client, table: Table) -> None:
    assert data(client.get(f"{BASE}/services/C0101.json")) == {
        "service_code": "C0101",
        "attributes": [],
    }


@pytest.mark.parametrize("code", ["E9999", "0102", "C0211", "x"])
def test_an_unknown_or_retired_service_code_is_not_found(
    client: Client, table: Table, code: str
) -> None:
    response = client.get(f"{BASE}/services/{code}.xml")
    assert response.status_code == 404
    assert errors_xml(response) == [("404", f"service_code {code} was not found")]
    response = client.get(f"{BASE}/services/{code}.json")
    assert (response.status_code, data(response)) == (
        404,
        [{"code": 404, "description": f"service_code {code} was not found"}],
    )


def test_an_unknown_resource_or_format_answers_the_error_document(
    client: Client, table: Table
) -> None:
    response = client.get(f"{BASE}/services.csv")
    assert response.status_code == 404
    assert errors_xml(response) == [("404", "/services.csv is not a resource of this endpoint")]
    response = client.get(f"{BASE}/nothing/here.json")
    assert data(response) == [
        {"code": 404, "description": "/nothing/here.json is not a resource of this endpoint"}
    ]


def test_a_method_the_resource_does_not_take_is_refused(client: Client, table: Table) -> None:
    response = client.post(f"{BASE}/services.json")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert data(response) == [{"code": 405, "description": "POST is not allowed here"}]
    assert client.delete(f"{BASE}/requests.xml").status_code == 405
