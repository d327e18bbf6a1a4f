"""Writes to the register of persons, and the logged reveal of personal data.

Households, places, care and moves have their own modules (`services_household`,
`services_places`, `services_care`, `services_moves`); they share the person checks here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from shequ.audit.models import Action
from shequ.audit.services import audit_record, diff, snapshot
from shequ.lib import crypto
from shequ.lib.dates import parse_date
from shequ.lib.idnumbers import DocType, Identity, IdentityError, mask_identity, parse_identity
from shequ.lib.phones import PhoneError, mask_phone, parse_phone
from shequ.lib.pinyin import name_keys
from shequ.people.models import Dwelling, Gender, Household, Person, Relation, ResidenceStatus
from shequ.regions.models import Region
from shequ.regions.permissions import can_reveal_identity, can_reveal_phone, can_write


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


@dataclass
class PersonFields:
    """The checked, normalised fields of a person, ready to be stored."""

    values: dict[str, Any] = field(default_factory=dict)
    identity: Identity | None = None
    phone: str | None = None  # None: unchanged; "": cleared


def check_date(value: Any, errors: dict[str, str], key: str) -> dt.date | None:
    """A date typed or sent in any of the forms `parse_date` takes; empty gives None."""
    if value in (None, ""):
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        errors[key] = str(exc)
        return None


def check_person_fields(
    data: dict[str, Any], *, current: Person | None = None, prefix: str = ""
) -> tuple[PersonFields, dict[str, str]]:
    """Validate the person fields present in `data`; errors are keyed `prefix + field`.

    For a new person (`current` is None) the name and identity number are required. For
    identity cards gender and birth date always come from the number: a typed value that
    disagrees with it is an error. For the other documents a typed value is kept.
    A residence permit (居住证) is held only by someone not registered here (户籍); the number
    and the expiry go together. A floating person without a permit is accepted: a permit is
    issued only after six months' residence (STANDARDS.md).
    """
    errors: dict[str, str] = {}
    out = PersonFields()
    values = out.values

    def err(name: str, message: str) -> None:
        errors.setdefault(prefix + name, message)

    if current is None or "name" in data:
        name = str(data.get("name") or "").strip()
        if not name:
            err("name", _("Enter the name"))
        elif len(name) > 64:
            err("name", _("A name has at most 64 characters"))
        else:
            values["name"] = name
            values["name_pinyin"], values["name_initials"] = name_keys(name)
    doc_type = str(data.get("doc_type") or (current.doc_type if current else DocType.ID_CARD))
    if doc_type not in DocType.values:
        err("doc_type", _("Unknown document type %(value)s") % {"value": doc_type})
    elif (
        current is None
        or doc_type != current.doc_type
        or any(key in data for key in ("id_number", "gender", "birth_date"))
    ):
        raw = str(data.get("id_number") or "")
        if current is not None and not raw.strip():
            raw = crypto.decrypt(current.id_number_enc)
        try:
            out.identity = parse_identity(raw, doc_type)
        except IdentityError as exc:
            err("id_number", str(exc))
    if out.identity is not None:
        number_hash = crypto.keyed_hash(out.identity.number)
        clash = Person.objects.filter(id_number_hash=number_hash)
        if current is not None:
            clash = clash.exclude(pk=current.pk)
        if clash.exists():
            err("id_number", _("This identity number is already in the register"))
        sealed = seal_identity(out.identity.number)
        values.update(
            doc_type=out.identity.doc_type,
            id_number_enc=sealed.enc,
            id_number_hash=sealed.hash,
            id_number_masked=sealed.masked,
            id_last4=out.identity.number[-4:],
            gender=out.identity.gender,
            birth_date=out.identity.birth_date,
        )
    _check_gender_and_birth(data, out, doc_type, err)
    if "phone" in data:
        phone = str(data.get("phone") or "").strip()
        if phone:
            try:
                out.phone = parse_phone(phone)
            except PhoneError as exc:
                err("phone", str(exc))
        else:
            out.phone = ""
    if "relation" in data:
        relation = str(data.get("relation") or "")
        if relation and relation not in Relation.values:
            err("relation", _("Unknown relation %(value)s") % {"value": relation})
        values["relation"] = relation
    if "registration_place" in data:
        place = str(data.get("registration_place") or "").strip()
        if len(place) > 100:
            err("registration_place", _("At most 100 characters"))
        values["registration_place"] = place
    _check_residence(data, current, values, err)
    return out, errors


def _check_gender_and_birth(
    data: dict[str, Any], out: PersonFields, doc_type: str, err: Any
) -> None:
    """Typed gender and birth date: checked against an identity card, kept for other documents."""
    gender = str(data.get("gender") or "")
    if gender and gender not in Gender.values:
        err("gender", _("Unknown gender %(value)s") % {"value": gender})
        gender = ""
    local: dict[str, str] = {}
    birth = check_date(data.get("birth_date"), local, "birth_date")
    for key, message in local.items():
        err(key, message)
    identity = out.identity
    if identity is None:
        return
    if doc_type == DocType.ID_CARD:
        if gender and gender != identity.gender:
            err(
                "gender",
                _("The identity number gives the gender %(gender)s")
                % {"gender": Gender(identity.gender).label},
            )
        if birth and birth != identity.birth_date:
            err(
                "birth_date",
                _("The identity number gives the birth date %(date)s")
                % {"date": identity.birth_date.isoformat()},
            )
        return
    if gender:
        out.values["gender"] = gender
    if birth:
        out.values["birth_date"] = birth


def _check_residence(
    data: dict[str, Any], current: Person | None, values: dict[str, Any], err: Any
) -> None:
    status = str(
        data.get("residence_status")
        or (current.residence_status if current else ResidenceStatus.REGISTERED)
    )
    if status not in ResidenceStatus.values:
        err("residence_status", _("Unknown residence status %(value)s") % {"value": status})
        return
    values["residence_status"] = status
    kept = current.residence_permit_number if current else ""
    number = str(data.get("residence_permit_number", kept) or "").strip()
    local: dict[str, str] = {}
    if "residence_permit_expiry" in data:
        expiry = check_date(data["residence_permit_expiry"], local, "residence_permit_expiry")
    else:
        expiry = current.residence_permit_expiry if current else None
    for key, message in local.items():
        err(key, message)
    if local:
        return
    if status == ResidenceStatus.REGISTERED and (number or expiry):
        err(
            "residence_permit_number",
            _("A person registered here (户籍) holds no residence permit: clear the permit fields"),
        )
        return
    if number and not expiry:
        err("residence_permit_expiry", _("Enter the permit's expiry date"))
    elif expiry and not number:
        err("residence_permit_number", _("Enter the permit number"))
    elif len(number) > 32:
        err("residence_permit_number", _("At most 32 characters"))
    values["residence_permit_number"] = number
    values["residence_permit_expiry"] = expiry


def require_write(actor: Any, region: Region) -> None:
    """Refuse a read-only role, or a role that does not reach the region (403)."""
    if not can_write(actor, region):
        raise PermissionDenied(_("Your role may not change records here"))


def _phone_columns(phone: str) -> dict[str, str]:
    if not phone:
        return {"phone_enc": "", "phone_hash": "", "phone_masked": ""}
    sealed = seal_phone(phone)
    return {"phone_enc": sealed.enc, "phone_hash": sealed.hash, "phone_masked": sealed.masked}


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
    dwelling: Dwelling | None = None,
    extra: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> Person:
    """Register a person. Raises ValidationError keyed by field with a precise message.

    `extra` carries the optional fields of the register (gender and birth date for documents
    other than identity cards, residence permit number and expiry).
    """
    data: dict[str, Any] = {
        "name": name,
        "id_number": id_number,
        "doc_type": doc_type,
        "phone": phone,
        "relation": relation,
        "residence_status": residence_status,
        "registration_place": registration_place,
        **(extra or {}),
    }
    checked, errors = check_person_fields(data)
    if errors:
        raise ValidationError(errors)
    return person_insert(
        actor=actor,
        region=region,
        checked=checked,
        household=household,
        dwelling=dwelling,
        request=request,
    )


def person_insert(
    *,
    actor: Any,
    region: Region,
    checked: PersonFields,
    household: Household | None,
    dwelling: Dwelling | None,
    request: HttpRequest | None,
) -> Person:
    """Store a person whose fields `check_person_fields` accepted, with its audit event."""
    assert checked.identity is not None
    values = dict(checked.values)
    if not values.get("registration_place"):
        values["registration_place"] = checked.identity.province
    with transaction.atomic():
        person = Person.objects.create(
            region=region,
            household=household,
            dwelling=dwelling
            if dwelling is not None
            else (household.dwelling if household else None),
            **values,
            **_phone_columns(checked.phone or ""),
        )
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=person,
            changes={"name": [None, person.name], "id_number": "changed", "phone": "changed"},
            request=request,
        )
    return person


PERSON_AUDITED = (
    "name",
    "doc_type",
    "gender",
    "birth_date",
    "residence_status",
    "registration_place",
    "residence_permit_number",
    "residence_permit_expiry",
    "relation",
    "id_number_enc",
    "phone_enc",
)


def person_update(
    *, actor: Any, person: Person, data: dict[str, Any], request: HttpRequest | None = None
) -> Person:
    """Change the fields present in `data`; an identity-number correction re-derives gender and
    birth date. Raises ValidationError keyed by field, PermissionDenied for a role that may not
    write here."""
    require_write(actor, person.region)
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        checked, errors = check_person_fields(data, current=locked)
        if errors:
            raise ValidationError(errors)
        before = snapshot(locked, PERSON_AUDITED)
        for name, value in checked.values.items():
            setattr(locked, name, value)
        if checked.phone is not None:
            for name, value in _phone_columns(checked.phone).items():
                setattr(locked, name, value)
        changes = diff(before, snapshot(locked, PERSON_AUDITED))
        if changes:
            locked.save()
            audit_record(
                actor=actor, action=Action.UPDATE, obj=locked, changes=changes, request=request
            )
    return locked


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
