"""An external Open311 client over real HTTP against the live server: it discovers the
endpoint, lists the services, reads a definition, posts a request and reads it back in XML
and JSON."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest

from shequ.cases.models import Case
from shequ.incidents.tests.loop import IN_GRID, draw_grids
from shequ.incidents.tests.table import make_table
from shequ.open311.models import Datatype
from shequ.open311.tests.helpers import client_key, garbage_attribute
from shequ.regions.tests.factories import make_world

# serialized_rollback: the flush after a transactional test would drop the data migrations.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class Open311Client:
    """What a 311 app does: plain HTTP, form-encoded POST bodies, XML or JSON answers."""

    def __init__(self, discovery_url: str) -> None:
        self.discovery_url = discovery_url

    def fetch(self, url: str, body: list[tuple[str, str]] | None = None) -> tuple[int, str, bytes]:
        data = urlencode(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data)
        if data is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.headers["Content-Type"], response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers["Content-Type"], error.read()

    def json(self, url: str, body: list[tuple[str, str]] | None = None) -> tuple[int, Any]:
        status, content_type, content = self.fetch(url, body)
        assert content_type == "application/json; charset=utf-8"
        return status, json.loads(content)

    def xml(
        self, url: str, body: list[tuple[str, str]] | None = None
    ) -> tuple[int, ElementTree.Element]:
        status, content_type, content = self.fetch(url, body)
        assert content_type == "text/xml; charset=utf-8"
        assert content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
        return status, ElementTree.fromstring(content)

    def endpoint(self) -> str:
        status, discovery = self.json(self.discovery_url)
        assert status == 200
        (production,) = [e for e in discovery["endpoints"] if e["type"] == "production"]
        assert "application/json" in production["formats"]
        url: str = production["url"]
        return url


def test_an_external_client_lists_posts_and_reads_back(live_server: Any) -> None:
    world = make_world()
    draw_grids(world)
    make_table(world)
    garbage_attribute(
        "place",
        Datatype.SINGLE,
        "在哪里发现的？",
        required=True,
        values=[("road", "道路"), ("sidewalk", "人行道")],
    )
    api_key = client_key("市民通", "citizen-app", world.district).raw

    client = Open311Client(f"{live_server.url}/open311/v2/discovery.json")
    base = client.endpoint()
    assert base == f"{live_server.url}/open311/v2"

    status, services = client.xml(f"{base}/services.xml")
    assert (status, services.tag) == (200, "services")
    chosen = next(s for s in services if s.findtext("service_name") == "暴露垃圾")
    code = chosen.findtext("service_code")
    assert (code, chosen.findtext("metadata")) == ("E0102", "true")

    status, definition = client.xml(f"{base}/services/{code}.xml")
    (attribute,) = definition.findall("attributes/attribute")
    keys = [value.findtext("key") for value in attribute.findall("values/value")]
    assert (attribute.findtext("code"), attribute.findtext("required"), keys) == (
        "place",
        "true",
        ["road", "sidewalk"],
    )

    body = [
        ("api_key", api_key),
        ("service_code", code or ""),
        ("lat", str(IN_GRID[1])),
        ("long", str(IN_GRID[0])),
        ("address_string", "湖北路12号"),
        ("description", "人行道上垃圾堆了三天"),
        ("first_name", "小明"),
        ("last_name", "王"),
        ("phone", "13912345678"),
        ("token", "5f0c2a9e-1b7d-4c3e-9a61-0d2e7b8c4f10"),
        ("attribute[place]", "sidewalk"),
    ]
    status, refused = client.json(f"{base}/requests.json", [*body[1:]])
    assert status == 403 and refused[0]["code"] == 403

    status, answer = client.xml(f"{base}/requests.xml", body)
    assert (status, answer.tag) == (200, "service_requests")
    request_id = answer.findtext("request/service_request_id")
    assert request_id == str(Case.objects.get().pk)

    # The answer was lost: the client posts again with its token and gets the same id.
    status, again = client.json(f"{base}/requests.json", body)
    assert (status, str(again[0]["service_request_id"])) == (200, request_id)
    assert Case.objects.count() == 1
    status, token = client.json(f"{base}/tokens/5f0c2a9e-1b7d-4c3e-9a61-0d2e7b8c4f10.json")
    assert token == [
        {"service_request_id": int(request_id), "token": "5f0c2a9e-1b7d-4c3e-9a61-0d2e7b8c4f10"}
    ]

    status, as_json = client.json(f"{base}/requests/{request_id}.json")
    assert status == 200
    (read,) = as_json
    assert (read["service_code"], read["status"], read["description"], read["address"]) == (
        "E0102",
        "open",
        "人行道上垃圾堆了三天",
        "湖北路12号",
    )
    assert (read["lat"], read["long"]) == (IN_GRID[1], IN_GRID[0])

    status, as_xml = client.xml(f"{base}/requests/{request_id}.xml")
    (request,) = as_xml.findall("request")
    assert request.findtext("service_request_id") == request_id
    assert request.findtext("requested_datetime") == read["requested_datetime"]
    assert request.findtext("requested_datetime", "").endswith("+08:00")

    status, listed = client.xml(f"{base}/requests.xml?{urlencode({'service_code': code})}")
    assert [r.findtext("service_request_id") for r in listed] == [request_id]
    assert b"13912345678" not in client.fetch(f"{base}/requests.xml")[2]
