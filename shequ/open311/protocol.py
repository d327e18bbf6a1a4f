"""The wire format of GeoReport v2: W3C date-times, errors, and the XML and JSON documents.

A document is built once as plain Python values (dicts in the specification's field order,
lists, strings, numbers, booleans, None) and written either as JSON or as XML. In XML a list
becomes an element per item named after the list (`services` holds `service` elements,
`attributes` holds `attribute`); None becomes an empty element, booleans `true`/`false`.

Protocol texts (error descriptions) are in English whatever the interface language: Open311
clients are programs whose developers read the errors; the data (service names, groups,
status notes) comes in the language of the records and of the request.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from xml.etree import ElementTree

from django.http import HttpResponse
from django.utils import timezone

FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
MIME_TYPES = ["text/xml", "application/json"]
# The element of each item of a list, by the list's name.
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}
# XML 1.0 cannot hold these characters, even escaped.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A W3C date-time (a profile of ISO 8601) with its time zone: Z or an offset. A "+" sent
# unencoded in a query string arrives as a space; it is read as the "+" it was.
W3C_DATETIME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[Tt](?P<time>\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)"
    r"(?P<zone>[Zz]|[+\- ]\d{2}:?\d{2})$"
)


class Open311Error(Exception):
    """One or more errors of the same HTTP status: 400 bad input, 403 key, 404 not found."""

    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = list(descriptions)


def parse_datetime(value: str) -> dt.datetime | None:
    """A W3C date-time with a time zone, as an aware datetime; None when it is not one."""
    match = W3C_DATETIME.match(value.strip())
    if match is None:
        return None
    zone = match["zone"]
    if zone in ("Z", "z"):
        zone = "+00:00"
    else:
        sign = "-" if zone[0] == "-" else "+"
        digits = zone[1:].replace(":", "")
        zone = f"{sign}{digits[:2]}:{digits[2:]}"
    text = f"{match['date']}T{match['time'].replace(',', '.')}{zone}"
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def format_datetime(value: dt.datetime | None) -> str | None:
    """A moment in W3C format in the local time zone (Asia/Shanghai) with its offset."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return XML_INVALID.sub("", str(value))


def _element(parent: ElementTree.Element, name: str, value: Any) -> None:
    node = ElementTree.SubElement(parent, name)
    _fill(node, name, value)


def _fill(node: ElementTree.Element, name: str, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _element(node, key, item)
    elif isinstance(value, list):
        for item in value:
            _element(node, ITEMS[name], item)
    elif value is not None:
        node.text = _text(value)


def to_xml(root: str, value: Any) -> bytes:
    """The document as XML: the declaration, then `root` holding `value`."""
    node = ElementTree.Element(root)
    _fill(node, root, value)
    ElementTree.indent(node, space="    ")
    body = ElementTree.tostring(node, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'.encode()


def to_json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def respond(fmt: str, root: str, value: Any, status: int = 200) -> HttpResponse:
    """`value` as the document `root` in the format asked for (`xml` or `json`)."""
    body = to_json(value) if fmt == "json" else to_xml(root, value)
    return HttpResponse(body, status=status, content_type=FORMATS.get(fmt, FORMATS["xml"]))


def error_response(fmt: str, error: Open311Error) -> HttpResponse:
    errors = [{"code": error.status, "description": text} for text in error.descriptions]
    return respond(fmt, "errors", errors, status=error.status)
