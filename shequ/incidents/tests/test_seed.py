"""The starting table and the services it is written through."""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from shequ.audit.models import AuditEvent
from shequ.audit.services import audit_verify
from shequ.incidents.category_seed import CATEGORIES, CLASSES, UNITS, incident_categories_seed
from shequ.incidents.models import IncidentCategory, IncidentClass
from shequ.incidents.services import category_save, class_save
from shequ.incidents.tests.table import Table, values
from shequ.regions.models import Unit
from shequ.regions.tests.factories import World

pytestmark = pytest.mark.english


def test_the_standard_classes_with_their_codes(world: World) -> None:
    incident_categories_seed(district=world.district)

    classes = list(IncidentClass.objects.values_list("kind", "code", "name"))
    assert classes == [
        ("component", "01", "公用设施"),
        ("component", "02", "道路交通"),
        ("component", "03", "市容环境"),
        ("component", "04", "园林绿化"),
        ("component", "05", "房屋土地"),
        ("component", "06", "其他设施"),
        ("event", "01", "市容环境"),
        ("event", "02", "宣传广告"),
        ("event", "03", "施工管理"),
        ("event", "04", "突发事件"),
        ("event", "05", "街面秩序"),
        ("event", "06", "扩展事件"),
    ]
    assert len(CLASSES) == 12


def test_every_seed_subclass_is_complete(world: World) -> None:
    counts = incident_categories_seed(district=world.district)

    assert counts == {"units": len(UNITS), "created": len(CATEGORIES), "changed": 0, "unchanged": 0}
    assert len(CATEGORIES) >= 80
    per_class = Counter(IncidentCategory.objects.values_list("incident_class__name", flat=True))
    assert min(per_class.values()) >= 4  # every class has a realistic set
    for category in IncidentCategory.objects.select_related("default_unit"):
        assert category.filing_condition and category.closing_condition, category
        assert 1 <= category.time_limit <= 20, category
        # A unit works at the district; matters without a unit start at the grid or community.
        if category.default_unit is None:
            assert category.default_tier in ("grid", "community"), category
    names = set(IncidentCategory.objects.values_list("name", flat=True))
    assert {
        "上水井盖",
        "雨水箅子",
        "消防栓",
        "交通信号灯",
        "停车咪表",
        "暴露垃圾",
        "占道经营",
    } <= names
    assert {"施工扰民", "路面塌陷", "燃气管道破裂", "机动车乱停放"} <= names
    gas = IncidentCategory.objects.select_related("default_unit").get(name="燃气管道破裂")
    unit_code = gas.default_unit.code if gas.default_unit else None
    assert (gas.time_limit, gas.time_limit_kind, unit_code) == (1, "urgent_hours", "P-RQ")
    assert audit_verify().ok


def test_the_seed_runs_again_without_changes(world: World) -> None:
    incident_categories_seed(district=world.district)
    lamp = IncidentCategory.objects.get(name="路灯")
    category_save(
        actor=None, incident_class=lamp.incident_class, code=lamp.code, values={"is_active": False}
    )
    events = AuditEvent.objects.count()

    counts = incident_categories_seed(district=world.district)

    assert counts == {"units": 0, "created": 0, "changed": 0, "unchanged": len(CATEGORIES)}
    assert AuditEvent.objects.count() == events
    lamp.refresh_from_db()
    assert lamp.is_active is False  # a retired subclass stays retired
    assert Unit.objects.count() == len(UNITS)


def test_the_seed_command(world: World) -> None:
    out = StringIO()

    call_command("seed_incident_categories", stdout=out)

    assert out.getvalue().strip() == (
        f"新华区: {len(UNITS)} units added; subclasses: {len(CATEGORIES)} added, 0 changed, "
        "0 unchanged."
    )


def test_an_unchanged_save_writes_nothing(table: Table) -> None:
    events = AuditEvent.objects.count()
    stamp = table.vendor.updated_at

    saved = category_save(
        actor=None,
        incident_class=table.vendor.incident_class,
        code="01",
        values={"name": " 无照经营游商 ", "time_limit": 2},
    )

    assert saved.updated_at == stamp
    assert AuditEvent.objects.count() == events


def test_a_change_is_audited_with_its_fields(world: World, table: Table) -> None:
    category_save(
        actor=world.users["admin"],
        incident_class=table.garbage.incident_class,
        code="02",
        values={"time_limit": 2, "default_unit": None},
    )

    event = AuditEvent.objects.filter(object_id=str(table.garbage.pk)).latest("id")
    assert (event.action, event.actor_name) == ("update", "admin")
    assert event.changes == {"default_unit": [table.unit.pk, None], "time_limit": [4, 2]}


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"name": ""}, {"name": ["Enter the subclass name"]}),
        ({"time_limit": 0}, {"time_limit": ["The time limit is a whole number from 1 to 365"]}),
        ({"time_limit_kind": "weeks"}, {"time_limit_kind": ["Choose how the time limit is counted"]}),
        ({"default_tier": "city"}, {"default_tier": ["Choose the tier that handles it first"]}),
        ({"closing_condition": "  "}, {"closing_condition": ["Enter the closing condition: when the case may be closed"]}),
    ],
)  # fmt: skip
def test_a_new_subclass_needs_its_rules(
    table: Table, changes: dict[str, object], errors: dict[str, list[str]]
) -> None:
    with pytest.raises(ValidationError) as refused:
        category_save(
            actor=None,
            incident_class=table.garbage.incident_class,
            code="09",
            values=values(**changes),
        )

    assert refused.value.message_dict == errors
    assert not IncidentCategory.objects.filter(code="09").exists()


@pytest.mark.parametrize("code", ["1", "001", "00", "ab"])
def test_codes_are_two_digits(table: Table, code: str) -> None:
    with pytest.raises(ValidationError):
        class_save(actor=None, kind="event", code=code, name="扩展事件")
    with pytest.raises(ValidationError):
        category_save(
            actor=None, incident_class=table.garbage.incident_class, code=code, values=values()
        )


def test_renaming_a_class_is_audited(table: Table) -> None:
    renamed = class_save(actor=None, kind="event", code="01", name="市容环境类")

    assert renamed == table.garbage.incident_class
    event = AuditEvent.objects.filter(object_type="incidents.incidentclass").latest("id")
    assert event.changes == {"name": ["市容环境", "市容环境类"]}
