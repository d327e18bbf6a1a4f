import itertools
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from shequ.audit.models import Action, AuditEvent, AuditHead
from shequ.audit.services import audit_verify, diff, event_hash
from shequ.audit.tests.conftest import Events, record
from shequ.lib import crypto
from shequ.people.services import person_create, person_reveal
from shequ.regions.tests.factories import World

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL refuses UPDATE and DELETE on the log"
)
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the refusing trigger exists on PostgreSQL only"
)


def raw(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_chain_of_events_verifies(events: Events) -> None:
    report = audit_verify()

    assert report.ok
    assert report.checked == 5
    assert (report.first_broken_id, report.problem) == (None, "")


def test_each_event_links_to_the_previous_one(events: Events) -> None:
    chain = list(AuditEvent.objects.order_by("id"))

    assert chain[0].prev_hash == "0" * 64
    for previous, event in itertools.pairwise(chain):
        assert event.prev_hash == previous.hash
        assert event.hash == event_hash(event)
    head = AuditHead.objects.get(pk=1)
    assert (head.last_hash, head.count) == (chain[-1].hash, 5)


def test_small_batches_verify_the_same(events: Events) -> None:
    assert audit_verify(batch=2).checked == 5


def test_an_empty_log_verifies(db: None) -> None:
    report = audit_verify()

    assert report.ok
    assert report.checked == 0


@sqlite_only
def test_an_edited_object_is_detected(events: Events) -> None:
    raw("UPDATE audit_auditevent SET object_repr = %s WHERE id = %s", ["x", events.sibling.pk])

    report = audit_verify()

    assert not report.ok
    assert report.first_broken_id == events.sibling.pk
    assert report.problem == "content does not match its hash"
    assert report.checked == 1


@sqlite_only
def test_edited_changes_are_detected(events: Events) -> None:
    raw(
        "UPDATE audit_auditevent SET changes = %s WHERE id = %s",
        [json.dumps({"name": ["a", "b"]}), events.other_street.pk],
    )

    report = audit_verify()

    assert report.first_broken_id == events.other_street.pk
    assert report.checked == 3


@sqlite_only
def test_a_deleted_event_is_detected_at_the_next_one(events: Events) -> None:
    raw("DELETE FROM audit_auditevent WHERE id = %s", [events.other_community.pk])

    report = audit_verify()

    assert report.first_broken_id == events.other_street.pk
    assert report.problem == "previous hash does not match"
    assert report.checked == 2


@sqlite_only
def test_a_deleted_last_event_is_detected_at_the_head(events: Events) -> None:
    raw("DELETE FROM audit_auditevent WHERE id = %s", [events.unplaced.pk])

    report = audit_verify()

    assert not report.ok
    assert report.first_broken_id is None
    assert report.problem == "the chain head does not match the last event"
    assert report.checked == 4


@postgresql_only
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET object_repr = 'x' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ],
)
def test_postgresql_refuses_to_change_the_log(events: Events, sql: str) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        raw(sql, [events.sibling.pk])

    assert AuditEvent.objects.get(pk=events.sibling.pk).object_repr == "sibling-person"
    assert audit_verify().ok


def test_saving_an_existing_event_raises(events: Events) -> None:
    event = AuditEvent.objects.get(pk=events.grid.pk)
    event.object_repr = "changed"

    with pytest.raises(RuntimeError, match="append-only"):
        event.save()

    assert AuditEvent.objects.get(pk=events.grid.pk).object_repr == "grid-person"
    assert audit_verify().ok


def test_deleting_an_event_raises(events: Events) -> None:
    with pytest.raises(RuntimeError, match="append-only"):
        AuditEvent.objects.get(pk=events.grid.pk).delete()

    assert AuditEvent.objects.count() == 5


def test_an_event_inserted_out_of_the_chain_is_detected(events: Events) -> None:
    forged = AuditEvent(
        at=events.grid.at,
        actor_name="someone",
        actor_kind="staff",
        action=Action.DELETE,
        prev_hash=events.unplaced.hash,
    )
    forged.hash = "f" * 64
    forged.save()

    report = audit_verify()

    assert report.first_broken_id == forged.pk


def test_encrypted_values_never_reach_the_log(world: World) -> None:
    number, phone = "11010519491231002X", "13812345678"
    person = person_create(
        actor=world.users["window"],
        region=world.grid,
        name="李𠮷",
        id_number=number,
        phone=phone,
    )
    person_reveal(
        actor=world.users["window"], person=person, field="id_number", reason="办理低保核对"
    )

    rows = list(AuditEvent.objects.filter(object_id=str(person.pk)).order_by("id"))

    assert [row.action for row in rows] == [Action.CREATE, Action.REVEAL]
    assert rows[0].changes["id_number"] == "changed"
    assert rows[0].region_path == world.grid.path
    stored = json.dumps([[r.changes, r.object_repr, r.reason] for r in rows], ensure_ascii=False)
    for secret in (number, phone, person.id_number_enc, person.phone_enc, person.id_number_hash):
        assert secret not in stored
    assert crypto.keyed_hash(number) == person.id_number_hash


def test_diff_records_secret_fields_as_changed() -> None:
    changes = diff(
        {"name": "张三", "phone_enc": "v1:k1:a", "phone_hash": "aa", "password": "x"},
        {"name": "张叁", "phone_enc": "v1:k1:b", "phone_hash": "bb", "password": "y"},
    )

    assert changes == {
        "name": ["张三", "张叁"],
        "phone": "changed",
        "phone_hash": "changed",
        "password": "changed",
    }


def test_command_prints_the_count(events: Events) -> None:
    out = StringIO()

    call_command("audit_verify", stdout=out)

    assert out.getvalue() == "Events checked: 5\nThe audit chain is intact.\n"


@sqlite_only
def test_command_fails_naming_the_first_broken_event(events: Events) -> None:
    raw("UPDATE audit_auditevent SET reason = %s WHERE id = %s", ["x", events.sibling.pk])
    out = StringIO()

    with pytest.raises(CommandError) as error:
        call_command("audit_verify", "--batch", "2", stdout=out)

    assert out.getvalue() == "Events checked: 1\n"
    assert str(error.value) == (
        f"The chain is broken at event {events.sibling.pk}: content does not match its hash."
    )


@sqlite_only
def test_command_fails_when_the_head_does_not_match(events: Events) -> None:
    raw("DELETE FROM audit_auditevent WHERE id = %s", [events.unplaced.pk])

    with pytest.raises(CommandError) as error:
        call_command("audit_verify", stdout=StringIO())

    assert str(error.value) == (
        "The chain is broken: the chain head does not match the last event."
    )


def test_record_keeps_the_chain_for_later_events(events: Events, world: World) -> None:
    later = record(world.users["street"], world.grid.path, "later")

    assert later.prev_hash == events.unplaced.hash
    assert audit_verify().checked == 6
