"""Helpers of the Open311 tests: a client's key, an attribute of a service, reading the XML
and JSON answers, posting a request."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode
from xml.etree import ElementTree

from django.test import Client

from shequ.accounts.models import User
from shequ.incidents.tests.loop import IN_GRID
from shequ.open311.models import Open311Key, ServiceAttribute
from shequ.open311.services import attribute_add, key_create
from shequ.regions.models import Region
from shequ.regions.roles import Role
from shequ.regions.tests.factories import staff

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

BASE = "/open311/v2"
FORM = "application/x-www-form-urlencoded; charset=utf-8"


@dataclass
class Client311:
    """A client of the district: its key (raw and stored) and the account it files as."""

    key: Open311Key
    raw: str
    user: User


def client_key(name: str, username: str, region: Region, *, actor: Any = None) -> Client311:
    """A client's key at a node, filing as a supervisor's account of that node made for it."""
    user = staff(Role.SUPERVISOR, region, username)
    key, raw = key_create(actor=actor, name=name, user=user, region=region)
    return Client311(key, raw, user)


def garbage_attribute(code: str, datatype: str, description: str, **more: Any) -> ServiceAttribute:
    """An attribute added to the definition of E0102 暴露垃圾 (by the system: no actor)."""
    return attribute_add(
        actor=None,
        service_code="E0102",
        code=code,
        datatype=datatype,
        description=description,
        **more,
    )


def xml(response: Response) -> ElementTree.Element:
    """The XML body, after checking the content type and the declaration."""
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    body = response.content.decode()
    assert body.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return ElementTree.fromstring(response.content)


def data(response: Response) -> Any:
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def fields(element: ElementTree.Element) -> dict[str, str | None]:
    """The child elements of an element by name, with their text (None when empty)."""
    return {child.tag: child.text for child in element}


def errors_xml(response: Response) -> list[tuple[str, str]]:
    root = xml(response)
    assert root.tag == "errors"
    assert all(child.tag == "error" for child in root)
    return [(e.findtext("code", ""), e.findtext("description", "")) for e in root]


def post(client: Client, fmt: str, **values: Any) -> Response:
    """POST requests.{fmt} with a form-encoded body, as Open311 clients send it."""
    body = {
        "service_code": "E0102",
        "lat": str(IN_GRID[1]),
        "long": str(IN_GRID[0]),
        "address_string": "湖北路12号",
        "description": "路口垃圾堆了三天",
        **values,
    }
    pairs = []
    for name, value in body.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((name, item))
    return client.post(f"{BASE}/requests.{fmt}", urlencode(pairs), content_type=FORM)
