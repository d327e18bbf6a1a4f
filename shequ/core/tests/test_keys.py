import datetime as dt
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings

from shequ.audit.models import Action, AuditEvent
from shequ.audit.services import audit_verify
from shequ.core.keys import RotationError, next_key_id, reencrypt_all
from shequ.lib import crypto
from shequ.lib.idnumbers import check_char
from shequ.people.models import Person
from shequ.people.services import person_create
from shequ.regions.tests.factories import World

NEW_KEY = crypto.generate_key()


def id_number(sequence: int) -> str:
    first17 = f"130105{dt.date(1980, 1, 1) + dt.timedelta(days=sequence):%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)


def make_people(world: World) -> list[tuple[Person, str, str]]:
    """Three persons, the last without a phone: (person, identity number, phone)."""
    made = []
    for n, phone in enumerate(["13812345670", "020-81234567", ""]):
        number = id_number(n + 1)
        person = person_create(
            actor=world.users["admin"],
            region=world.grid,
            name=f"张{n}",
            id_number=number,
            phone=phone,
        )
        made.append((person, number, phone))
    return made


def rotated() -> override_settings:
    return override_settings(FIELD_ENCRYPTION_KEYS=f"k9:{NEW_KEY},{settings.FIELD_ENCRYPTION_KEYS}")


def test_rotation_reseals_every_value_under_the_new_key(world: World) -> None:
    people = make_people(world)
    old_key = crypto.current_key_id()
    before = AuditEvent.objects.count()

    with rotated():
        counts = reencrypt_all(batch=2)

        assert counts["people.person.id_number_enc"] == 3
        assert counts["people.person.phone_enc"] == 2
        assert counts["accounts.resident.phone_enc"] == 0
        for person, number, phone in people:
            person.refresh_from_db()
            assert crypto.key_id_of(person.id_number_enc) == "k9"
            assert crypto.decrypt(person.id_number_enc) == number
            if phone:
                assert crypto.key_id_of(person.phone_enc) == "k9"
                assert crypto.decrypt(person.phone_enc) == phone
            else:
                assert person.phone_enc == ""

    assert old_key != "k9"
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.action == Action.ROTATE
    assert (event.object_type, event.object_id, event.object_repr) == (
        "core.keys",
        "k9",
        "field keys",
    )
    assert event.actor_kind == "system"
    assert event.changes["total"] == 5
    assert event.changes["resealed"]["people.person.id_number_enc"] == 3
    assert audit_verify().ok


def test_hashes_masks_and_edit_times_stay_as_they_were(world: World) -> None:
    people = make_people(world)
    before = {
        p.pk: (p.id_number_hash, p.id_number_masked, p.phone_hash, p.updated_at)
        for p, _n, _ph in people
    }

    with rotated():
        reencrypt_all()

    after = {
        p.pk: (p.id_number_hash, p.id_number_masked, p.phone_hash, p.updated_at)
        for p in Person.objects.all()
    }
    assert after == before


def test_a_second_run_reseals_nothing(world: World) -> None:
    make_people(world)

    with rotated():
        reencrypt_all()
        tokens = list(Person.objects.values_list("id_number_enc", "phone_enc"))
        counts = reencrypt_all()

        assert set(counts.values()) == {0}
        assert list(Person.objects.values_list("id_number_enc", "phone_enc")) == tokens
    assert AuditEvent.objects.filter(action=Action.ROTATE).count() == 2


def test_without_a_new_key_nothing_changes(world: World) -> None:
    make_people(world)
    tokens = list(Person.objects.values_list("id_number_enc", "phone_enc"))

    counts = reencrypt_all()

    assert set(counts.values()) == {0}
    assert list(Person.objects.values_list("id_number_enc", "phone_enc")) == tokens


def test_a_value_no_key_opens_stops_the_run_and_names_the_row(world: World) -> None:
    people = make_people(world)
    lost_key = crypto.generate_key()
    with override_settings(FIELD_ENCRYPTION_KEYS=f"k7:{lost_key}"):
        orphan = crypto.encrypt("13900000000")
    Person.objects.filter(pk=people[1][0].pk).update(phone_enc=orphan)
    events = AuditEvent.objects.count()

    with rotated(), pytest.raises(RotationError) as error:
        reencrypt_all(batch=1000)

    assert str(error.value) == (
        f"people.person #{people[1][0].pk} phone_enc: key k7 is not configured"
    )
    # The batch that held the row rolled back: nothing of it was re-sealed.
    assert all(
        not token.startswith("v1:k9:")
        for token in Person.objects.values_list("id_number_enc", flat=True)
    )
    assert AuditEvent.objects.count() == events


def test_command_prints_counts(world: World) -> None:
    make_people(world)
    out = StringIO()

    with rotated():
        call_command("rotate_keys", stdout=out)

    text = out.getvalue()
    rows = {line.split()[0]: line.split()[1] for line in text.splitlines() if "_enc" in line}
    assert rows["people.person.id_number_enc"] == "3"
    assert rows["people.person.phone_enc"] == "2"
    assert rows["cases.case.requester_phone_enc"] == "0"
    assert "5 values re-sealed under key k9." in text


def test_command_reports_a_value_no_key_opens(world: World) -> None:
    people = make_people(world)
    with override_settings(FIELD_ENCRYPTION_KEYS=f"k7:{crypto.generate_key()}"):
        orphan = crypto.encrypt("11010519491231002X")
    Person.objects.filter(pk=people[0][0].pk).update(id_number_enc=orphan)

    with rotated(), pytest.raises(CommandError) as error:
        call_command("rotate_keys", stdout=StringIO())

    assert f"people.person #{people[0][0].pk} id_number_enc" in str(error.value)


def test_new_key_prints_a_key_and_the_steps(db: None) -> None:
    out = StringIO()

    with override_settings(FIELD_ENCRYPTION_KEYS=f"k1:{crypto.generate_key()}"):
        call_command("rotate_keys", "--new-key", stdout=out)

    first_line, rest = out.getvalue().split("\n", 1)
    key_id, _sep, key = first_line.partition(":")
    assert key_id == "k2"
    with override_settings(FIELD_ENCRYPTION_KEYS=f"{key_id}:{key}"):
        assert crypto.current_key_id() == "k2"
    assert f"FIELD_ENCRYPTION_KEYS={key_id}:{key},<current keys>" in rest
    assert "manage.py rotate_keys" in rest
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("k1:x", "k2"), ("k3:x,k1:x", "k4"), ("main:x", "k1"), ("k2:x, primary:x", "k3")],
)
def test_next_key_id(raw: str, expected: str) -> None:
    assert next_key_id(raw) == expected
