"""The wire format: W3C date-times with time zones, and the XML and JSON documents."""

from __future__ import annotations

import datetime as dt
import json
from xml.etree import ElementTree

import pytest

from shequ.open311.protocol import (
    Open311Error,
    error_response,
    format_datetime,
    parse_datetime,
    to_xml,
)

UTC = dt.UTC
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The specification's two examples: the same instant.
        ("1994-11-05T08:15:30-05:00", dt.datetime(1994, 11, 5, 13, 15, 30, tzinfo=UTC)),
        ("1994-11-05T13:15:30Z", dt.datetime(1994, 11, 5, 13, 15, 30, tzinfo=UTC)),
        ("2010-01-01T00:00:00Z", dt.datetime(2010, 1, 1, tzinfo=UTC)),
        ("2026-03-02T10:00:00+08:00", dt.datetime(2026, 3, 2, 2, tzinfo=UTC)),
        # Minutes only, fractions, a lower-case z, an offset without its colon.
        ("2026-03-02T10:00+08:00", dt.datetime(2026, 3, 2, 2, tzinfo=UTC)),
        ("2026-03-02T10:00:00.250+08:00", dt.datetime(2026, 3, 2, 2, 0, 0, 250000, tzinfo=UTC)),
        ("2026-03-02t02:00:00z", dt.datetime(2026, 3, 2, 2, tzinfo=UTC)),
        ("2026-03-02T10:00:00+0800", dt.datetime(2026, 3, 2, 2, tzinfo=UTC)),
        # A "+" sent unencoded in a query string arrives as a space.
        ("2026-03-02T10:00:00 08:00", dt.datetime(2026, 3, 2, 2, tzinfo=UTC)),
        ("2026-03-02T10:00:00-00:30", dt.datetime(2026, 3, 2, 10, 30, tzinfo=UTC)),
    ],
)
def test_w3c_date_times_with_a_time_zone_are_read(text: str, expected: dt.datetime) -> None:
    assert parse_datetime(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-02T10:00:00",  # no time zone: the specification requires one
        "2026-03-02",
        "2026-03-02 10:00:00+08:00",  # no T
        "2026-13-02T10:00:00Z",  # no 13th month
        "2026-02-30T10:00:00Z",
        "2026-03-02T25:00:00Z",
        "yesterday",
        "",
    ],
)
def test_other_dates_are_refused(text: str) -> None:
    assert parse_datetime(text) is None


def test_moments_are_written_in_shanghai_time_with_the_offset() -> None:
    moment = dt.datetime(2026, 3, 2, 2, 0, 0, 999, tzinfo=UTC)
    assert format_datetime(moment) == "2026-03-02T10:00:00+08:00"
    assert format_datetime(None) is None
    assert parse_datetime(format_datetime(moment) or "") == moment.replace(microsecond=0)


def test_xml_lists_take_the_element_names_of_the_specification() -> None:
    document = to_xml(
        "services",
        [{"service_code": "E0102", "metadata": True, "keywords": None, "group": "市容环境"}],
    )
    assert document.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<services>')
    root = ElementTree.fromstring(document)
    (service,) = root
    assert service.tag == "service"
    assert [(child.tag, child.text) for child in service] == [
        ("service_code", "E0102"),
        ("metadata", "true"),
        ("keywords", None),
        ("group", "市容环境"),
    ]


def test_characters_xml_cannot_hold_are_left_out() -> None:
    document = to_xml("service_requests", [{"description": "a\x0bb\x00c\nd"}])
    assert ElementTree.fromstring(document).findtext("request/description") == "abc\nd"


def test_several_errors_are_one_list_with_the_status_as_their_code() -> None:
    error = Open311Error(400, "service_code was not provided", "description may not contain HTML")
    as_json = error_response("json", error)
    assert as_json.status_code == 400
    assert json.loads(as_json.content) == [
        {"code": 400, "description": "service_code was not provided"},
        {"code": 400, "description": "description may not contain HTML"},
    ]
    root = ElementTree.fromstring(error_response("xml", error).content)
    assert root.tag == "errors"
    assert [(e.findtext("code"), e.findtext("description")) for e in root.iter("error")] == [
        ("400", "service_code was not provided"),
        ("400", "description may not contain HTML"),
    ]
