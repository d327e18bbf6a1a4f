"""The writes of Open311: clients' keys, service attributes, and a posted request made a case.

A posted request is placed in the tree (the grid holding its point, else the key's node),
handed to its service's source, which makes the case through the case type's own service
(an incident through `incident_report`), and recorded with the client's token, so that a
retry makes no second case. The requester's name and phone go into the case's requester
fields, the phone sealed as the engine seals it; the audit log records the request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.accounts.models import User
from shequ.audit.models import Action
from shequ.audit.services import audit_record
from shequ.cases.models import Case
from shequ.cases.services import seal_requester_phone
from shequ.open311 import definitions
from shequ.open311.models import AttributeValue, Open311Key, ServiceAttribute, ServiceRequest
from shequ.open311.protocol import Open311Error
from shequ.open311.registry import Intake, Service, ServiceSource
from shequ.regions.locate import locate_region
from shequ.regions.models import Region
from shequ.regions.permissions import roles
from shequ.regions.roles import Role

KEY_PREFIX = "o311_"


def key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def key_problems(*, name: str, user: User | None, region: Region | None) -> dict[str, list[str]]:
    """What is wrong with a key's settings, by field; empty when nothing is.

    The user must be an active staff account whose scope covers the key's node (it files
    the requests and must see them), and not a grid worker: a grid worker's own report is
    taken as seen on site and verified at once, which a request from outside is not.
    """
    problems: dict[str, list[str]] = {}
    if not name.strip():
        problems["name"] = [_("Name the client that will use this key")]
    if user is None or region is None:
        return problems
    if not user.is_active:
        problems["user"] = [_("This account is not active")]
    elif Role.GRID_WORKER in roles(user):
        problems["user"] = [
            _(
                "Choose an account that is not a grid worker: a grid worker's reports are "
                "verified on the spot"
            )
        ]
    elif not Region.objects.visible_to(user).filter(pk=region.pk).exists():
        problems["user"] = [
            _("This account has no role over %(region)s: it could not see the requests")
            % {"region": region.name}
        ]
    return problems


@transaction.atomic
def key_create(
    *,
    actor: Any,
    name: str,
    user: User,
    region: Region,
    request: HttpRequest | None = None,
) -> tuple[Open311Key, str]:
    """Make a key; the raw key is returned once and never stored."""
    problems = key_problems(name=name, user=user, region=region)
    if problems:
        raise ValidationError(problems)
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = Open311Key.objects.create(
        name=name.strip(),
        user=user,
        region=region,
        key_hash=key_hash(raw),
        prefix=raw[: len(KEY_PREFIX) + 4],
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=key,
        changes={
            "name": [None, key.name],
            "user": [None, user.username],
            "region": [None, region.code],
        },
        request=request,
    )
    return key, raw


KEY_FIELDS = ("name", "user", "region", "is_active")


@transaction.atomic
def key_update(
    *,
    actor: Any,
    key: Open311Key,
    values: dict[str, Any],
    request: HttpRequest | None = None,
) -> Open311Key:
    """Change a key's name, user, node or active flag (the key itself never changes)."""
    locked = Open311Key.objects.select_for_update().get(pk=key.pk)
    changes: dict[str, list[Any]] = {}
    for field in KEY_FIELDS:
        if field not in values:
            continue
        before, after = getattr(locked, field), values[field]
        if before != after:
            changes[field] = [str(before), str(after)]
            setattr(locked, field, after)
    if not changes:
        return locked
    problems = key_problems(name=locked.name, user=locked.user, region=locked.region)
    if problems and (locked.is_active or "is_active" not in changes):
        raise ValidationError(problems)
    locked.save(update_fields=list(changes))
    audit_record(actor=actor, action=Action.UPDATE, obj=locked, changes=changes, request=request)
    return locked


def key_of(raw: str) -> Open311Key | None:
    """The active key behind a raw key with an active user, or None. Stamps its last use at
    most once a minute."""
    if not raw.startswith(KEY_PREFIX):
        return None
    key = (
        Open311Key.objects.select_related("user", "region")
        .filter(key_hash=key_hash(raw), is_active=True, user__is_active=True)
        .first()
    )
    if key is None:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > dt.timedelta(minutes=1):
        Open311Key.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


@transaction.atomic
def attribute_add(
    *,
    actor: Any,
    service_code: str,
    code: str,
    datatype: str,
    description: str,
    required: bool = False,
    variable: bool = True,
    datatype_description: str = "",
    values: Sequence[tuple[str, str]] = (),
    request: HttpRequest | None = None,
) -> ServiceAttribute:
    """Add an attribute to a service's definition, after the ones it has, with its values."""
    if not definitions.CODE.match(code):
        raise ValidationError({"code": [_("Use letters, digits, - and _ only")]})
    attribute = ServiceAttribute(
        service_code=service_code,
        code=code,
        datatype=datatype,
        description=description,
        required=required,
        variable=variable,
        datatype_description=datatype_description,
        order=(
            ServiceAttribute.objects.filter(service_code=service_code).aggregate(last=Max("order"))[
                "last"
            ]
            or 0
        )
        + 1,
    )
    attribute.full_clean()
    attribute.save()
    AttributeValue.objects.bulk_create(
        AttributeValue(attribute=attribute, key=key, name=name, order=number)
        for number, (key, name) in enumerate(values, start=1)
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=attribute,
        changes={"datatype": [None, datatype], "values": [None, [key for key, _n in values]]},
        request=request,
    )
    return attribute


@dataclass(frozen=True)
class Posted:
    """A POST body, read and checked field by field (parsing.parse_post)."""

    service_code: str
    lat: float | None = None
    lng: float | None = None
    address: str = ""
    address_id: str = ""
    description: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    device_id: str = ""
    account_id: str = ""
    token: str = ""
    media_url: str = ""

    @property
    def requester_name(self) -> str:
        """Given and family name in the order of the script: 张 + 伟, John + Smith."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if (first + last).isascii():
            return " ".join(part for part in (first, last) if part)
        return last + first


def request_replay(key: Open311Key, token: str) -> ServiceRequest | None:
    """The request this key already posted with this token, or None."""
    if not token:
        return None
    return ServiceRequest.objects.filter(key=key, token=token).first()


def place(key: Open311Key, lng: float | None, lat: float | None) -> Region:
    """The node a request belongs to if its point lies in no grid: the deepest node of the
    key's subtree holding the point, else the key's node.

    A point inside a node that is neither in the key's subtree nor above the key's node lies
    in someone else's area: refused.
    """
    if lng is None or lat is None:
        return key.region
    found = locate_region(lng, lat)
    if found is None or key.region.path.startswith(found.path):
        return key.region
    if found.path.startswith(key.region.path):
        return found
    raise Open311Error(400, "lat/long lie outside the area this api_key may report into")


def _staff_text(
    *,
    key: Open311Key,
    service: Service,
    posted: Posted,
    attributes: list[ServiceAttribute],
    values: dict[str, str | list[str]],
) -> str:
    """The description staff read on the case: the client's text and the answers."""
    lines = [posted.description.strip() or service.name]
    lines += definitions.summary(attributes, values)
    if posted.address_id:
        lines.append(_("Address id: %(id)s") % {"id": posted.address_id})
    if posted.media_url:
        lines.append(_("Media sent by the client: %(url)s") % {"url": posted.media_url})
    lines.append(_("Reported through Open311 by %(client)s") % {"client": key.name})
    return "\n".join(lines)


def request_submit(
    *,
    key: Open311Key,
    source: ServiceSource,
    service: Service,
    posted: Posted,
    attributes: list[ServiceAttribute],
    values: dict[str, str | list[str]],
    request: HttpRequest | None = None,
) -> tuple[ServiceRequest, bool]:
    """Make the case of a posted request; (its record, whether it was posted before).

    Idempotent by the key and the client's token: a retry returns the first request, also
    when two posts race (the source's client id, then the unique key and token decide).
    Raises Open311Error (400) when the point lies outside the key's area.
    """
    earlier = request_replay(key, posted.token)
    if earlier is not None:
        return earlier, True
    region = place(key, posted.lng, posted.lat)
    phone = seal_requester_phone(posted.phone)
    client_id = ""
    if posted.token:
        digest = hashlib.sha256(f"{key.pk}:{posted.token}".encode()).hexdigest()
        client_id = f"open311-{digest[:40]}"
    intake = Intake(
        service=service,
        actor=key.user,
        region=region,
        description=_staff_text(
            key=key, service=service, posted=posted, attributes=attributes, values=values
        ),
        lat=posted.lat,
        lng=posted.lng,
        address=posted.address,
        client_id=client_id,
        requester_name=posted.requester_name,
        requester_phone=posted.phone,
        request=request,
    )
    try:
        with transaction.atomic():
            case = source.create(intake)
            made = ServiceRequest.objects.filter(case=case).first()
            if made is not None:
                return made, True
            _set_requester(case, posted.requester_name or key.name, phone)
            record = ServiceRequest(
                case=case,
                key=key,
                source=source.key,
                service_code=service.code,
                service_name=service.name[:100],
                service_notice=service.notice[:300],
                description=posted.description.strip(),
                attributes=values,
                address_id=posted.address_id,
                token=posted.token,
                device_id=posted.device_id,
                account_id=posted.account_id,
                media_url=posted.media_url,
            )
            record.save(force_insert=True)
            audit_record(
                actor=key.user,
                action=Action.CREATE,
                obj=record,
                changes={
                    "service_code": [None, service.code],
                    "key": [None, key.name],
                    "requester": "changed",
                },
                reason="open311",
                request=request,
                region_path=case.region.path,
            )
    except IntegrityError:
        if not posted.token:
            raise
        return ServiceRequest.objects.get(key=key, token=posted.token), True
    return record, False


def _set_requester(case: Case, name: str, phone: tuple[str, str, str]) -> None:
    """The requester's name and sealed phone on the case (the source filed it as the key's
    user, who is the reporter and first responder but not the requester)."""
    sealed, masked, tail = phone
    Case.objects.filter(pk=case.pk).update(
        requester_name=name.strip()[:64],
        requester_phone_enc=sealed,
        requester_phone_masked=masked,
        requester_phone_tail=tail,
    )
