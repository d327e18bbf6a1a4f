"""Writes to the register, and the logged reveal of personal data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from shequ.audit.models import Action
from shequ.audit.services import audit_record
from shequ.lib import crypto
from shequ.lib.idnumbers import DocType, IdentityError, mask_identity, parse_identity
from shequ.lib.phones import PhoneError, mask_phone, parse_phone
from shequ.lib.pinyin import name_keys
from shequ.people.models import Household, Person, Relation, ResidenceStatus
from shequ.regions.models import Region
from shequ.regions.permissions import can_reveal_identity, can_reveal_phone


@dataclass(frozen=True)
class Sealed:
    """A personal value in its three stored forms."""

    enc: str
    hash: str
    masked: str


def seal_identity(number: str) -> Sealed:
    """Seal a normalised identity number (call `parse_identity` first)."""
    return Sealed(crypto.encrypt(number), crypto.keyed_hash(number), mask_identity(number))


def seal_phone(number: str) -> Sealed:
    """Seal a normalised phone number (call `parse_phone` first)."""
    return Sealed(crypto.encrypt(number), crypto.keyed_hash(number), mask_phone(number))


def person_create(
    *,
    actor: Any,
    region: Region,
    name: str,
    id_number: str,
    doc_type: str = DocType.ID_CARD,
    phone: str = "",
    household: Household | None = None,
    relation: str = "",
    residence_status: str = ResidenceStatus.REGISTERED,
    registration_place: str = "",
    request: HttpRequest | None = None,
) -> Person:
    """Register a person. Raises ValidationError keyed by field with a precise message."""
    errors: dict[str, str] = {}
    identity = None
    try:
        identity = parse_identity(id_number, doc_type)
    except IdentityError as exc:
        errors["id_number"] = str(exc)
    normalised_phone = ""
    if phone.strip():
        try:
            normalised_phone = parse_phone(phone)
        except PhoneError as exc:
            errors["phone"] = str(exc)
    name = name.strip()
    if not name:
        errors["name"] = _("Enter the name")
    if relation and relation not in Relation.values:
        errors["relation"] = _("Unknown relation %(value)s") % {"value": relation}
    if (
        identity is not None
        and Person.objects.filter(id_number_hash=crypto.keyed_hash(identity.number)).exists()
    ):
        errors["id_number"] = _("This identity number is already in the register")
    if errors:
        raise ValidationError(errors)
    assert identity is not None
    sealed_id = seal_identity(identity.number)
    sealed_phone = seal_phone(normalised_phone) if normalised_phone else None
    pinyin, initials = name_keys(name)
    with transaction.atomic():
        person = Person.objects.create(
            region=region,
            household=household,
            relation=relation,
            name=name,
            name_pinyin=pinyin,
            name_initials=initials,
            gender=identity.gender,
            birth_date=identity.birth_date,
            doc_type=identity.doc_type,
            id_number_enc=sealed_id.enc,
            id_number_hash=sealed_id.hash,
            id_number_masked=sealed_id.masked,
            phone_enc=sealed_phone.enc if sealed_phone else "",
            phone_hash=sealed_phone.hash if sealed_phone else "",
            phone_masked=sealed_phone.masked if sealed_phone else "",
            residence_status=residence_status,
            registration_place=registration_place or identity.province,
        )
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=person,
            changes={"name": [None, name], "id_number": "changed", "phone": "changed"},
            request=request,
        )
    return person


REVEALABLE = {"id_number": can_reveal_identity, "phone": can_reveal_phone}


def person_reveal(
    *, actor: Any, person: Person, field: str, reason: str, request: HttpRequest | None = None
) -> str:
    """Open one sealed field of a person for an allowed role, with a stated reason, audited."""
    if field not in REVEALABLE:
        raise ValidationError({"field": _("This field cannot be revealed")})
    if not REVEALABLE[field](actor, person.region):
        raise PermissionDenied(_("Your role may not see this in full"))
    reason = reason.strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("State why you need to see the full value")})
    token = getattr(person, f"{field}_enc")
    if not token:
        return ""
    value = crypto.decrypt(token)
    audit_record(
        actor=actor,
        action=Action.REVEAL,
        obj=person,
        changes={"field": field},
        reason=reason,
        request=request,
    )
    return value


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
