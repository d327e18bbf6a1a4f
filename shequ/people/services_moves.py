"""Moves: a person changes dwelling or household, leaves the district, or comes back.

Nothing is deleted: each move writes a `PersonMove` with where from and where to, and the
person row is updated. A person who left keeps their record (`left_on` set, no dwelling and
no household) in the grid they left, so the old community still finds them; a return
clears `left_on`. When the head of a household leaves it while others stay, one of them
becomes the head in the same step.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from shequ.audit.models import Action
from shequ.audit.services import audit_record
from shequ.people.models import Dwelling, Household, MoveKind, Person, PersonMove, Relation
from shequ.people.services import check_date, require_write
from shequ.people.services_household import current_members
from shequ.workdays.calendar import today


def _check_target(
    person: Person,
    kind: str,
    to_dwelling: Dwelling | None,
    to_household: Household | None,
    relation: str,
    errors: dict[str, str],
) -> None:
    if kind == MoveKind.MOVED:
        if to_dwelling is None:
            errors["to_dwelling"] = _("Choose the dwelling the person moved to")
        elif to_dwelling.pk == person.dwelling_id:
            errors["to_dwelling"] = _("The person lives in this dwelling already")
    if kind == MoveKind.HOUSEHOLD:
        if to_household is None:
            errors["to_household"] = _("Choose the household the person joins")
        elif to_household.pk == person.household_id:
            errors["to_household"] = _("The person is in this household already")
    if to_household is not None:
        if relation not in Relation.values:
            errors["relation"] = _("Choose the relation to the head of the new household")
        elif (
            relation == Relation.HEAD
            and current_members(to_household).filter(relation=Relation.HEAD).exists()
        ):
            errors["relation"] = _("That household has a head already")


def _check_new_head(person: Person, new_head: Person | None, errors: dict[str, str]) -> bool:
    """Whether the person hands over the headship; an error when nobody is chosen for it."""
    if person.household is None or person.relation != Relation.HEAD:
        return False
    others = current_members(person.household).exclude(pk=person.pk)
    if not others.exists():
        return False
    if new_head is None:
        errors["new_head"] = _("The head leaves the household: choose the new head")
    elif not others.filter(pk=new_head.pk).exists():
        errors["new_head"] = _("The new head must be a member who stays in the household")
    return True


def person_move(
    *,
    actor: Any,
    person: Person,
    kind: str,
    on: Any,
    to_dwelling: Dwelling | None = None,
    to_household: Household | None = None,
    relation: str = "",
    new_head: Person | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> PersonMove:
    """Record one move and update the person. The caller fetches every object within scope.

    Moving to another dwelling keeps the household; joining another household moves the
    person into that household's dwelling; leaving clears dwelling, household and relation.
    """
    require_write(actor, person.region)
    errors: dict[str, str] = {}
    if kind not in MoveKind.values:
        errors["kind"] = _("Choose what happened")
    day = check_date(on, errors, "on")
    if day is None and "on" not in errors:
        errors["on"] = _("Enter the date of the move")
    elif day is not None and day > today():
        errors["on"] = _("The date of a move cannot be in the future")
    elif day is not None and day < person.birth_date:
        errors["on"] = _("The date is before the person's birth")
    if person.left_on is not None and kind != MoveKind.RETURNED:
        errors["kind"] = _("The person left the district on %(date)s: record the return first") % {
            "date": person.left_on.isoformat()
        }
    if person.left_on is None and kind == MoveKind.RETURNED:
        errors["kind"] = _("The person has not left the district")
    if kind == MoveKind.RETURNED and to_household is not None and to_dwelling is not None:
        errors["to_dwelling"] = _("Choose a dwelling or a household, not both")
    if len(note) > 200:
        errors["note"] = _("At most 200 characters")
    _check_target(person, kind, to_dwelling, to_household, relation, errors)
    hands_over = False
    if kind in (MoveKind.HOUSEHOLD, MoveKind.LEFT):
        hands_over = _check_new_head(person, new_head, errors)
    for place in (to_dwelling, to_household):
        if place is not None:
            require_write(actor, place.region)
    if errors:
        raise ValidationError(errors)
    assert day is not None
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        move = PersonMove(
            person=locked,
            kind=kind,
            on=day,
            region=locked.region,
            from_dwelling=locked.dwelling,
            from_household=locked.household,
            note=note.strip(),
            actor=actor if getattr(actor, "is_authenticated", False) else None,
        )
        if hands_over:
            assert new_head is not None
            Person.objects.filter(pk=new_head.pk).update(relation=Relation.HEAD)
            audit_record(
                actor=actor,
                action=Action.UPDATE,
                obj=new_head,
                changes={"relation": [new_head.relation, Relation.HEAD.value]},
                request=request,
            )
        if kind == MoveKind.LEFT:
            locked.left_on = day
            locked.dwelling = locked.household = None
            locked.relation = ""
        else:
            if kind == MoveKind.RETURNED:
                locked.left_on = None
            if to_household is not None:
                locked.household, locked.relation = to_household, relation
                locked.dwelling = to_household.dwelling
                locked.region = to_household.region
            if to_dwelling is not None:
                locked.dwelling = to_dwelling
                locked.region = to_dwelling.region
        locked.save(update_fields=["left_on", "dwelling", "household", "relation", "region"])
        move.to_dwelling, move.to_household = locked.dwelling, locked.household
        move.to_region = locked.region
        move.save()
        audit_record(
            actor=actor,
            action=Action.MOVE,
            obj=locked,
            changes={
                "kind": kind,
                "dwelling": [move.from_dwelling_id, move.to_dwelling_id],
                "household": [move.from_household_id, move.to_household_id],
                "region": [move.region_id, move.to_region_id],
                "left_on": day.isoformat() if kind == MoveKind.LEFT else None,
            },
            request=request,
        )
    person.refresh_from_db()
    return move
