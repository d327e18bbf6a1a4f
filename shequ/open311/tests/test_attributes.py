"""Posted attributes against the service definition: attribute[code] and attribute[code][]."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import QueryDict
from django.test import Client

from shequ.cases.models import Case
from shequ.open311.definitions import posted_attributes
from shequ.open311.models import ServiceAttribute, ServiceRequest
from shequ.open311.tests.helpers import Client311, data, errors_xml, post

pytestmark = pytest.mark.django_db


def test_attribute_keys_are_read_with_and_without_brackets() -> None:
    body = QueryDict(
        "attribute[WHISPAWN]=123456&attribute[WHISDORN]=COISL001"
        "&attribute[times][]=morning&attribute[times][]=night&attribute[empty]="
        "&attribute[x]y=1&attribute=2&attribute[a][b]=3&service_code=001"
    )
    values, many = posted_attributes(body)
    assert values == {
        "WHISPAWN": ["123456"],
        "WHISDORN": ["COISL001"],
        "times": ["morning", "night"],
    }
    assert many == {"times"}


def answer(client: Client, app: Client311, **attributes: Any) -> tuple[int, Any]:
    values = {"attribute[place]": "road", **attributes}
    response = post(client, "json", api_key=app.raw, **values)
    return response.status_code, data(response)


def errors(*descriptions: str) -> tuple[int, list[dict[str, Any]]]:
    return 400, [{"code": 400, "description": text} for text in descriptions]


def test_a_required_attribute_must_be_given(
    client: Client, app: Client311, definition: list[ServiceAttribute]
) -> None:
    assert answer(client, app, **{"attribute[place]": ""}) == errors(
        "attribute[place] is required: 在哪里发现的？"
    )
    response = post(client, "xml", api_key=app.raw)
    assert errors_xml(response) == [("400", "attribute[place] is required: 在哪里发现的？")]
    assert not Case.objects.exists()


def test_values_of_each_datatype_are_checked_together(
    client: Client, app: Client311, definition: list[ServiceAttribute]
) -> None:
    status, body = answer(
        client,
        app,
        **{
            "attribute[place]": "river",
            "attribute[times][]": ["morning", "noon"],
            "attribute[area]": "twelve",
            "attribute[since]": "2026-03-01 20:00",
            "attribute[landmark]": "第一行\n第二行",
            "attribute[detail]": "x" * 4001,
            "attribute[colour]": "red",
            "attribute[photo_tip]": "ok",
        },
    )
    assert (status, body) == errors(
        "attribute[colour] is not an attribute of this service",
        "attribute[photo_tip] is not an attribute of this service",
        "attribute[place]: river is not one of the keys road, sidewalk, green",
        "attribute[times][]: noon is not one of the keys morning, night",
        "attribute[area] must be a number, not 'twelve'",
        "attribute[since] must be a date and time with a time zone, "
        "e.g. 2026-03-02T10:00:00+08:00, not '2026-03-01 20:00'",
        "attribute[landmark] is a string on one line: no line breaks",
        "attribute[detail] is longer than 4000 characters",
    )
    assert not Case.objects.exists()


def test_a_single_value_attribute_takes_one_value(
    client: Client, app: Client311, definition: list[ServiceAttribute]
) -> None:
    assert answer(client, app, **{"attribute[place][]": ["road", "green"]}) == errors(
        "attribute[place] takes one value, not 3"
    )
    # One value with brackets is still one value.
    status, _body = answer(client, app, **{"attribute[area][]": "3"})
    assert status == 200


def test_a_multi_value_list_takes_one_or_several_values(
    client: Client, app: Client311, definition: list[ServiceAttribute]
) -> None:
    assert answer(client, app, **{"attribute[times][]": ["night", "morning", "night"]})[0] == 200
    assert answer(client, app, **{"attribute[times]": "night", "token": "t2"})[0] == 200
    assert [r.attributes for r in ServiceRequest.objects.order_by("created_at", "case_id")] == [
        {"place": "road", "times": ["night", "morning"]},
        {"place": "road", "times": ["night"]},
    ]


def test_numbers_and_date_times_are_kept_normalised(
    client: Client, app: Client311, definition: list[ServiceAttribute]
) -> None:
    status, _body = answer(
        client,
        app,
        **{"attribute[area]": " 1e2 ", "attribute[since]": "2026-03-01T12:00:00-04:00"},
    )
    assert status == 200
    assert ServiceRequest.objects.get().attributes == {
        "place": "road",
        "area": "100",
        "since": "2026-03-02T00:00:00+08:00",
    }


def test_attributes_of_a_service_without_a_definition_are_refused(
    client: Client, app: Client311
) -> None:
    response = post(client, "json", api_key=app.raw, **{"attribute[place]": "road"})
    assert (response.status_code, data(response)) == errors(
        "attribute[place] is not an attribute of this service"
    )
