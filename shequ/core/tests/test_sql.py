"""The hot paths' hand-written writes: several rows together, refused and conflicting rows."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from shequ.audit.models import AuditEvent
from shequ.audit.services import (
    AuditAppend,
    Target,
    audit_append,
    audit_draft,
    audit_record,
    audit_verify,
)
from shequ.cases.models import Case, CaseEvent, IdempotencyKey
from shequ.cases.tests.factories import make_unit, open_application
from shequ.core.sql_write import Insert, insert_all, insert_together
from shequ.regions.tests.factories import World

NEVER = ("SELECT 1 WHERE 1 = %s", [0])
ALWAYS = ("SELECT 1 WHERE 1 = %s", [1])


def _event(case: Case | None, note: str = "") -> CaseEvent:
    return CaseEvent(case=case, actor_name="test", action="note", note=note, data={"a": [1]})


def test_rows_refer_to_an_earlier_row_and_are_written_together(world: World) -> None:
    case = open_application(world, make_unit(world.district))
    user = world.users["window"]
    with transaction.atomic():
        rows = [
            Insert(_event(None, "one"), only_if=ALWAYS).refer("case", case),
            Insert(IdempotencyKey(key="k1", user=user), ignore_conflict=True).refer("case", case),
        ]
        insert_together(rows)
    assert all(row.written for row in rows)
    assert CaseEvent.objects.get(note="one").case_id == case.pk
    assert IdempotencyKey.objects.get(key="k1").case_id == case.pk


def test_a_conflict_is_skipped_and_a_refused_row_raises(world: World) -> None:
    case = open_application(world, make_unit(world.district))
    user = world.users["window"]
    IdempotencyKey.objects.create(key="k2", user=user, case=case)
    key = Insert(IdempotencyKey(key="k2", user=user, case=case), ignore_conflict=True)
    insert_together([key, Insert(_event(case, "two"))])
    assert not key.written
    assert CaseEvent.objects.filter(note="two").count() == 1

    refused = ValidationError("no")
    with pytest.raises(ValidationError), transaction.atomic():
        insert_together(
            [Insert(_event(case, "three")), Insert(_event(case), only_if=NEVER, refused=refused)]
        )
    assert not CaseEvent.objects.filter(note="three").exists()


def test_a_value_too_long_is_refused_not_cut(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite does not hold a column to its length")
    case = open_application(world, make_unit(world.district))
    event = CaseEvent(case=case, actor_name="x" * 300, action="note")
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017
        insert_together([Insert(event, only_if=ALWAYS), Insert(_event(case))])
    assert not CaseEvent.objects.filter(actor_name__startswith="xxx").exists()


def test_drafted_and_appended_events_keep_the_chain(world: World) -> None:
    case = Case(title="unsaved", tracking_code="T1")
    draft = audit_draft(actor=None, action="create", obj=case, changes={"名": ["a", "乙"]})
    open_application(world, make_unit(world.district))
    case.pk = 4242
    with transaction.atomic():
        appended = audit_append(draft, last=True)
    audit_record(actor=None, action="update", obj=Target("thing", "1", "a thing"), reason='"q"')
    assert AuditEvent.objects.get(pk=appended.pk).object_id == "4242"
    assert audit_verify().ok


def _new_case(world: World, code: str) -> Case:
    return Case(
        type_key="application",
        state="accepted",
        tracking_code=code,
        title="all or none",
        region=world.community,
        requester_name="张三",
    )


def test_rows_written_all_or_none_with_the_event_about_the_first(world: World) -> None:
    user = world.users["window"]
    case = _new_case(world, "ALL1")
    draft = audit_draft(actor=user, action="create", obj=case, changes={"title": [None, "x"]})
    rows = [
        Insert(case),
        Insert(_event(None, "first")).refer("case", case),
        Insert(IdempotencyKey(key="a1", user=user), ignore_conflict=True).refer("case", case),
    ]
    before = AuditEvent.objects.count()

    assert insert_all(rows, then=[AuditAppend(draft)])

    assert all(row.written for row in rows)
    assert CaseEvent.objects.get(note="first").case_id == case.pk
    assert IdempotencyKey.objects.get(key="a1").case_id == case.pk
    event = AuditEvent.objects.get(pk=draft.event.pk)
    assert (event.object_type, event.object_id) == ("cases.case", str(case.pk))
    assert AuditEvent.objects.count() == before + 1
    assert audit_verify().ok


def test_a_taken_key_writes_none_of_the_rows(world: World) -> None:
    user = world.users["window"]
    earlier = open_application(world, make_unit(world.district))
    IdempotencyKey.objects.create(key="a2", user=user, case=earlier)
    case = _new_case(world, "ALL2")
    draft = audit_draft(actor=user, action="create", obj=case)
    before = (Case.objects.count(), CaseEvent.objects.count(), AuditEvent.objects.count())
    rows = [
        Insert(case),
        Insert(_event(None, "second")).refer("case", case),
        Insert(IdempotencyKey(key="a2", user=user), ignore_conflict=True).refer("case", case),
    ]

    assert not insert_all(rows, then=[AuditAppend(draft)])

    assert not any(row.written for row in rows)
    assert (Case.objects.count(), CaseEvent.objects.count(), AuditEvent.objects.count()) == before
    assert audit_verify().ok


def test_a_refused_row_writes_none_of_the_rows(world: World) -> None:
    case = _new_case(world, "ALL3")
    draft = audit_draft(actor=None, action="create", obj=case)
    before = (Case.objects.count(), AuditEvent.objects.count())
    rows = [
        Insert(case),
        Insert(_event(None), only_if=NEVER, refused=ValidationError("no")).refer("case", case),
    ]

    with pytest.raises(ValidationError), transaction.atomic():
        insert_all(rows, then=[AuditAppend(draft)])

    assert (Case.objects.count(), AuditEvent.objects.count()) == before
