"""Service definitions: the attributes of a service, and the check of posted attribute values.

Clients send `attribute[code]=value`, and for a multi-value list `attribute[code][]=v1&
attribute[code][]=v2`. Every value is checked against the service's definition; every
problem is reported at once, in the specification's words, and nothing is stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Prefetch

from shequ.open311.models import AttributeValue, Datatype, ServiceAttribute
from shequ.open311.protocol import format_datetime, parse_datetime

ATTRIBUTE_KEY = re.compile(r"^attribute\[(?P<code>[^\[\]]+)\](?P<many>\[\])?$")
CODE = re.compile(r"^[A-Za-z0-9_-]{1,50}$")
MAX_STRING = 500
MAX_TEXT = 4000


def attributes_of(service_code: str) -> list[ServiceAttribute]:
    """The attributes of a service in their order, with their values (two queries)."""
    return list(
        ServiceAttribute.objects.filter(service_code=service_code).prefetch_related(
            Prefetch("values", queryset=AttributeValue.objects.order_by("order", "id"))
        )
    )


def codes_with_attributes(codes: Iterable[str] | None = None) -> set[str]:
    """The service codes that have a definition (`metadata` true)."""
    rows = ServiceAttribute.objects.all()
    if codes is not None:
        rows = rows.filter(service_code__in=list(codes))
    return set(rows.values_list("service_code", flat=True).distinct())


def definition(service_code: str, attributes: list[ServiceAttribute]) -> dict[str, Any]:
    """The `service_definition` document."""
    return {
        "service_code": service_code,
        "attributes": [
            {
                "variable": attribute.variable,
                "code": attribute.code,
                "datatype": attribute.datatype,
                "required": attribute.required,
                "datatype_description": attribute.datatype_description or None,
                "order": attribute.order,
                "description": attribute.description,
                "values": [{"key": v.key, "name": v.name} for v in attribute.values.all()],
            }
            for attribute in attributes
        ],
    }


def posted_attributes(data: Any) -> tuple[dict[str, list[str]], set[str]]:
    """The attribute values of a POST body by code, and the codes sent with `[]`.

    An empty value is no value (the specification: an empty optional parameter is the same
    as an absent one).
    """
    values: dict[str, list[str]] = {}
    many: set[str] = set()
    for key in data:
        match = ATTRIBUTE_KEY.match(key)
        if match is None:
            continue
        code = match["code"]
        if match["many"]:
            many.add(code)
        found = [value.strip() for value in data.getlist(key) if value.strip()]
        if found:
            values.setdefault(code, []).extend(found)
    return values, many


@dataclass(frozen=True)
class Checked:
    """Posted attribute values that passed: by code, a string or a list of keys."""

    values: dict[str, str | list[str]]
    errors: list[str]


def check(
    attributes: list[ServiceAttribute], posted: dict[str, list[str]], many: set[str]
) -> Checked:
    """Check posted values against the definition: unknown codes, required ones, datatypes,
    list keys. Returns the clean values (numbers and date-times normalised) and the errors."""
    by_code = {attribute.code: attribute for attribute in attributes if attribute.variable}
    errors = [
        f"attribute[{code}] is not an attribute of this service"
        for code in sorted(set(posted) | many)
        if code not in by_code
    ]
    clean: dict[str, str | list[str]] = {}
    for attribute in attributes:
        if not attribute.variable:
            continue
        code = attribute.code
        given = posted.get(code, [])
        if not given:
            if attribute.required:
                errors.append(f"attribute[{code}] is required: {attribute.description}")
            continue
        if attribute.datatype == Datatype.MULTI:
            keys = {value.key for value in attribute.values.all()}
            unknown = [value for value in given if value not in keys]
            if unknown:
                errors.append(
                    f"attribute[{code}][]: {', '.join(unknown)} is not one of the keys "
                    f"{', '.join(sorted(keys))}"
                )
            clean[code] = list(dict.fromkeys(given))
            continue
        if len(given) > 1:
            errors.append(f"attribute[{code}] takes one value, not {len(given)}")
            continue
        value, problem = _one(attribute, given[0])
        if problem:
            errors.append(problem)
        else:
            clean[code] = value
    return Checked(clean, errors)


def _one(attribute: ServiceAttribute, value: str) -> tuple[str, str]:
    """The clean value of a one-value attribute, or the problem with it."""
    code = attribute.code
    if attribute.datatype == Datatype.NUMBER:
        try:
            number = Decimal(value)
        except InvalidOperation:
            return "", f"attribute[{code}] must be a number, not {value!r}"
        if not number.is_finite():
            return "", f"attribute[{code}] must be a number, not {value!r}"
        return format(number, "f"), ""
    if attribute.datatype == Datatype.DATETIME:
        moment = parse_datetime(value)
        if moment is None:
            return "", (
                f"attribute[{code}] must be a date and time with a time zone, "
                f"e.g. 2026-03-02T10:00:00+08:00, not {value!r}"
            )
        return format_datetime(moment) or "", ""
    if attribute.datatype == Datatype.SINGLE:
        keys = [choice.key for choice in attribute.values.all()]
        if value not in keys:
            return "", f"attribute[{code}]: {value} is not one of the keys {', '.join(keys)}"
        return value, ""
    if attribute.datatype == Datatype.STRING:
        if "\n" in value or "\r" in value:
            return "", f"attribute[{code}] is a string on one line: no line breaks"
        if len(value) > MAX_STRING:
            return "", f"attribute[{code}] is longer than {MAX_STRING} characters"
        return value, ""
    if len(value) > MAX_TEXT:
        return "", f"attribute[{code}] is longer than {MAX_TEXT} characters"
    return value, ""


def summary(attributes: list[ServiceAttribute], values: dict[str, str | list[str]]) -> list[str]:
    """The answers in words, one line per attribute in the definition's order, for staff."""
    lines = []
    for attribute in attributes:
        if attribute.code not in values:
            continue
        value = values[attribute.code]
        names = {choice.key: choice.name for choice in attribute.values.all()}
        chosen = value if isinstance(value, list) else [value]
        text = "、".join(names.get(item, item) for item in chosen)
        lines.append(f"{attribute.description}：{text}")
    return lines
