"""The starting definitions: added to the services that lack them, safely run again."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from shequ.audit.models import AuditEvent
from shequ.incidents.tests.table import Table
from shequ.open311.models import ServiceAttribute

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = io.StringIO()
    call_command("seed_open311_attributes", stdout=out)
    return out.getvalue().strip()


def test_the_starting_attributes_follow_the_service_codes(table: Table) -> None:
    assert seed() == "4 attributes added"
    # The retired C0211 gets nothing; E0102 gets the 市容环境 question and its own.
    assert list(
        ServiceAttribute.objects.order_by("service_code", "order").values_list(
            "service_code", "order", "code", "datatype", "required"
        )
    ) == [
        ("C0101", 1, "condition", "singlevaluelist", True),
        ("E0102", 1, "place", "singlevaluelist", True),
        ("E0102", 2, "size", "singlevaluelist", False),
        ("E0501", 1, "times", "multivaluelist", False),
    ]
    place = ServiceAttribute.objects.get(code="place")
    assert list(place.values.values_list("key", flat=True)) == [
        "road",
        "sidewalk",
        "square",
        "green",
        "compound",
        "water",
        "other",
    ]
    assert AuditEvent.objects.filter(object_type="open311.serviceattribute").count() == 4


def test_running_it_again_adds_nothing_and_keeps_edits(table: Table) -> None:
    seed()
    ServiceAttribute.objects.filter(code="place").update(description="在哪里？")
    events = AuditEvent.objects.count()
    assert seed() == "0 attributes added"
    assert ServiceAttribute.objects.get(code="place").description == "在哪里？"
    assert AuditEvent.objects.count() == events
