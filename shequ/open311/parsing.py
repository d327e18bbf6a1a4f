"""Reading the arguments of POST requests and GET requests, every problem reported at once.

Empty arguments count as absent, as the specification says of optional arguments.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone

from shequ.lib.phones import PhoneError, parse_phone
from shequ.open311.protocol import Open311Error, parse_datetime
from shequ.open311.services import Posted

MAX_DESCRIPTION = 4000
# The bounding box of China: a point outside it is a typing or GPS error.
LNG_RANGE = (73.0, 136.0)
LAT_RANGE = (3.0, 54.0)
# "Not html or code": a tag, a comment or a doctype.
HTML = re.compile(r"<\s*(?:[A-Za-z][A-Za-z0-9-]*|/\s*[A-Za-z]|!)[^>]*>")
# How long a field may be, as the columns that keep it.
LIMITS = {
    "address_string": 200,
    "address_id": 100,
    "device_id": 100,
    "account_id": 100,
    "token": 64,
    "media_url": 500,
    "first_name": 32,
    "last_name": 32,
}
DAYS = 90
MAX_REQUESTS = 1000
STATUSES = ("open", "closed")
# The example of a date-time in the errors.
W3C_EXAMPLE = "2026-03-02T10:00:00+08:00 or 2026-03-02T02:00:00Z"


def _value(data: Any, name: str) -> str:
    return str(data.get(name, "") or "").strip()


def _coordinate(data: Any, name: str, errors: list[str]) -> float | None:
    text = _value(data, name)
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        errors.append(f"{name} must be a decimal number of degrees (WGS84), not {text!r}")
        return None
    if not math.isfinite(number):
        errors.append(f"{name} must be a decimal number of degrees (WGS84), not {text!r}")
        return None
    return number


def parse_post(data: Any) -> Posted:
    """The fields of a POST requests body; raises Open311Error(400) with every problem.

    Attributes are read and checked apart (definitions.py), against the service's definition.
    """
    errors: list[str] = []
    for name, limit in LIMITS.items():
        if len(_value(data, name)) > limit:
            errors.append(f"{name} is longer than {limit} characters")
    service_code = _value(data, "service_code")
    if not service_code:
        errors.append("service_code was not provided")
    lat = _coordinate(data, "lat", errors)
    lng = _coordinate(data, "long", errors)
    address = _value(data, "address_string")
    address_id = _value(data, "address_id")
    sent = {name for name in ("lat", "long") if _value(data, name)}
    if len(sent) == 1:
        errors.append("lat and long must be sent together")
    elif (
        lat is not None
        and lng is not None
        and not (LNG_RANGE[0] <= lng <= LNG_RANGE[1] and LAT_RANGE[0] <= lat <= LAT_RANGE[1])
    ):
        errors.append("lat/long lie outside the jurisdiction (China, WGS84 degrees)")
    if not sent and not address and not address_id:
        errors.append("a location was not provided: lat and long, address_string or address_id")
    description = str(data.get("description", "") or "").strip()
    if len(description) > MAX_DESCRIPTION:
        errors.append(f"description is longer than {MAX_DESCRIPTION} characters")
    if HTML.search(description):
        errors.append("description may not contain HTML or code")
    phone = _value(data, "phone")
    if phone:
        try:
            phone = parse_phone(phone)
        except PhoneError:
            errors.append("phone is not a valid phone number")
    media_url = _value(data, "media_url")
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            errors.append("media_url must be an http or https URL")
    if errors:
        raise Open311Error(400, *errors)
    return Posted(
        service_code=service_code,
        lat=lat,
        lng=lng,
        address=address,
        address_id=address_id,
        description=description,
        first_name=_value(data, "first_name"),
        last_name=_value(data, "last_name"),
        phone=phone,
        device_id=_value(data, "device_id"),
        account_id=_value(data, "account_id"),
        token=_value(data, "token"),
        media_url=media_url,
    )


@dataclass(frozen=True)
class Query:
    """The filters of GET requests: ids (which override the rest), or codes, a time range
    and statuses."""

    ids: list[int]
    codes: list[str]
    start: dt.datetime
    end: dt.datetime
    statuses: list[str]


def _comma_list(data: Any, name: str) -> list[str]:
    return [part.strip() for part in _value(data, name).split(",") if part.strip()]


def _date(data: Any, name: str, errors: list[str]) -> dt.datetime | None:
    text = _value(data, name)
    if not text:
        return None
    moment = parse_datetime(text)
    if moment is None:
        errors.append(
            f"{name} must be a W3C date and time with a time zone, e.g. {W3C_EXAMPLE}, not {text!r}"
        )
    return moment


def parse_query(data: Any, now: dt.datetime | None = None) -> Query:
    """The filters of GET requests; raises Open311Error(400) with every problem.

    Without dates the range is the last 90 days; with one date, the 90 days from or up to
    it; with both, at most 90 days.
    """
    errors: list[str] = []
    ids: list[int] = []
    for part in _comma_list(data, "service_request_id"):
        if part.isdigit() and len(part) <= 18:
            ids.append(int(part))
        else:
            errors.append(f"service_request_id {part!r} is not a request id")
    if len(ids) > MAX_REQUESTS:
        errors.append(f"at most {MAX_REQUESTS} service_request_id may be asked for at once")
    statuses = _comma_list(data, "status")
    for status in statuses:
        if status not in STATUSES:
            errors.append(f"status {status!r} is not one of open, closed")
    start = _date(data, "start_date", errors)
    end = _date(data, "end_date", errors)
    span = dt.timedelta(days=DAYS)
    if start is not None and end is not None:
        if end < start:
            errors.append("end_date is before start_date")
        elif end - start > span:
            errors.append(f"start_date and end_date may not span more than {DAYS} days")
    if errors:
        raise Open311Error(400, *errors)
    if start is None and end is None:
        end = now or timezone.now()
    if start is None:
        assert end is not None
        start = end - span
    if end is None:
        end = start + span
    return Query(
        ids=list(dict.fromkeys(ids)),
        codes=_comma_list(data, "service_code"),
        start=start,
        end=end,
        statuses=list(dict.fromkeys(statuses)),
    )
