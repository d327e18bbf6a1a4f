"""Households 一户一册: register a household with its members in a dwelling, add a member.

A household lives in one dwelling, picked from a building of the grid or created in the same
step. Every member is checked before anything is written, so a household with one bad row is
not registered at all; the errors name the row (`members-2-id_number`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpRequest
from django.utils.translation import gettext as _

from shequ.audit.models import Action
from shequ.audit.services import audit_record
from shequ.people.models import Building, Dwelling, Household, Person, Relation
from shequ.people.services import PersonFields, check_person_fields, person_insert, require_write
from shequ.people.services_places import check_dwelling_fields, dwelling_save

MAX_MEMBERS = 30


def _check_members(
    members: Sequence[dict[str, Any]], *, has_head: bool
) -> tuple[list[PersonFields], dict[str, str]]:
    """Check every member row; exactly one head among them unless the household has one."""
    errors: dict[str, str] = {}
    checked: list[PersonFields] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(members):
        prefix = f"members-{index}-"
        fields, row_errors = check_person_fields(dict(row), prefix=prefix)
        if not row.get("relation") and prefix + "relation" not in row_errors:
            row_errors[prefix + "relation"] = _("Choose the relation to the head of household")
        errors.update(row_errors)
        checked.append(fields)
        if fields.identity is not None:
            number_hash = fields.values["id_number_hash"]
            if number_hash in seen:
                errors[prefix + "id_number"] = _("The same number is in row %(row)d") % {
                    "row": seen[number_hash] + 1
                }
            seen.setdefault(number_hash, index)
    heads = [i for i, row in enumerate(members) if row.get("relation") == Relation.HEAD]
    if has_head and heads:
        errors[f"members-{heads[0]}-relation"] = _(
            "The household has a head already: choose this member's relation to the head"
        )
    elif not has_head and len(heads) != 1:
        errors["members"] = (
            _("Mark one member as head of household")
            if not heads
            else _("Only one member can be head of household")
        )
    return checked, errors


def household_register(
    *,
    actor: Any,
    members: Sequence[dict[str, Any]],
    dwelling: Dwelling | None = None,
    building: Building | None = None,
    new_dwelling: dict[str, Any] | None = None,
    number: str = "",
    request: HttpRequest | None = None,
) -> Household:
    """Register a household, its head and members in a dwelling, all at once or not at all.

    Give an existing `dwelling`, or a `building` with the `new_dwelling` fields to create the
    dwelling too. The caller fetches the dwelling or building within the actor's scope.
    """
    errors: dict[str, str] = {}
    dwelling_values: dict[str, Any] = {}
    if dwelling is not None:
        region = dwelling.region
    elif building is not None:
        region = building.region
        dwelling_values, dwelling_errors = check_dwelling_fields(
            building, new_dwelling or {}, prefix="dwelling-"
        )
        errors.update(dwelling_errors)
    else:
        raise ValidationError({"dwelling": _("Choose the dwelling, or a building to add it in")})
    require_write(actor, region)
    number = number.strip()
    if len(number) > 32:
        errors["number"] = _("At most 32 characters")
    if not members:
        errors["members"] = _("Add the members of the household, the head first")
    elif len(members) > MAX_MEMBERS:
        errors["members"] = _("A household has at most %(n)d members") % {"n": MAX_MEMBERS}
    checked, member_errors = _check_members(members, has_head=False)
    errors = {**member_errors, **errors}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if dwelling is None:
            assert building is not None
            dwelling = dwelling_save(
                actor=actor, building=building, data=dwelling_values, request=request
            )
        household = Household.objects.create(region=region, dwelling=dwelling, number=number)
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=household,
            changes={"dwelling": [None, dwelling.pk], "members": [None, len(checked)]},
            request=request,
        )
        for fields in checked:
            person_insert(
                actor=actor,
                region=region,
                checked=fields,
                household=household,
                dwelling=dwelling,
                request=request,
            )
    return household


def household_member_add(
    *,
    actor: Any,
    household: Household,
    member: dict[str, Any],
    request: HttpRequest | None = None,
) -> Person:
    """Add a new person to a household; the household's head stays the head."""
    require_write(actor, household.region)
    has_head = current_members(household).filter(relation=Relation.HEAD).exists()
    checked, errors = _check_members([member], has_head=has_head)
    if errors:
        # A single row: the errors are about the person's own fields.
        raise ValidationError({key.removeprefix("members-0-"): v for key, v in errors.items()})
    with transaction.atomic():
        return person_insert(
            actor=actor,
            region=household.region,
            checked=checked[0],
            household=household,
            dwelling=household.dwelling,
            request=request,
        )


def current_members(household: Household, user: Any = None) -> QuerySet[Person]:
    """Members who have not left the district, the head first; within the user's scope if given."""
    persons = Person.objects.visible_to(user) if user is not None else Person.objects.all()
    return (
        persons.filter(household=household, left_on__isnull=True)
        .annotate(
            head_first=Case(
                When(relation=Relation.HEAD, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("head_first", "birth_date", "id")
    )
