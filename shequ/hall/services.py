"""The hall's writes: catalog versions, window intake, one-time notices, delivery, queue tickets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.audit.models import Action
from shequ.audit.services import Target, audit_record, diff
from shequ.cases.models import Case
from shequ.cases.services import case_open, case_transition
from shequ.core.sql_write import Insert
from shequ.hall.cache import forget as forget_items
from shequ.hall.cache import materials_of
from shequ.hall.models import (
    Application,
    DeliveryMethod,
    Material,
    MissingNotice,
    ServiceItem,
    Ticket,
    TicketStatus,
    Window,
)
from shequ.lib.crypto import keyed_hash
from shequ.people.models import Person
from shequ.people.services import age_on
from shequ.regions.models import Region
from shequ.workdays import calendar

ITEM_FIELDS = (
    "name", "kind", "department_id", "legal_basis", "procedure", "conditions", "promised_days",
    "statutory_days", "fee", "online", "by_proxy", "delivery", "queue_group",
)  # fmt: skip
MATERIAL_FIELDS = ("name", "form", "count", "electronic_ok", "required", "note")


def _material_default(name: str) -> Any:
    field = Material._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field.get_default()


@transaction.atomic
def item_save(
    *,
    actor: Any,
    code: str,
    values: dict[str, Any],
    materials: list[dict[str, Any]],
    request: HttpRequest | None = None,
) -> ServiceItem:
    """Create an item, or a new version of it when anything changed; the old version stays.

    Returns the current version (unchanged when nothing differs).
    """
    code = code.strip()
    errors: dict[str, list[str]] = {}
    if not code:
        errors["code"] = [_("Enter the item code")]
    if not str(values.get("name", "")).strip():
        errors["name"] = [_("Enter the item name")]
    promised, statutory = values.get("promised_days"), values.get("statutory_days")
    if promised is not None and statutory is not None and promised > statutory:
        errors["promised_days"] = [
            _("The promised time (%(p)d working days) cannot exceed the statutory time (%(s)d)")
            % {"p": promised, "s": statutory}
        ]
    for index, material in enumerate(materials, start=1):
        if not str(material.get("name", "")).strip():
            errors.setdefault("materials", []).append(
                _("Material %(n)d has no name") % {"n": index}
            )
    if errors:
        raise ValidationError(errors)
    current = ServiceItem.objects.select_for_update().filter(code=code, is_current=True).first()
    if current is not None:
        old_values = {f: getattr(current, f) for f in ITEM_FIELDS}
        old_materials = [
            {f: getattr(m, f) for f in MATERIAL_FIELDS} for m in current.materials.all()
        ]
        new_values = {**old_values, **values}
        new_materials = [
            {f: m.get(f, _material_default(f)) for f in MATERIAL_FIELDS} for m in materials
        ]
        if new_values == old_values and new_materials == old_materials:
            return current
        ServiceItem.objects.filter(pk=current.pk).update(is_current=False)
        version = current.version + 1
        changes = diff(old_values, new_values)
        if new_materials != old_materials:
            changes["materials"] = [len(old_materials), len(new_materials)]
        base = old_values
    else:
        version = 1
        base = {}
        changes = {"code": [None, code]}
    item = ServiceItem.objects.create(
        code=code, version=version, is_current=True, **{**base, **values}
    )
    Material.objects.bulk_create(
        Material(item=item, position=i, **{f: m[f] for f in MATERIAL_FIELDS if f in m})
        for i, m in enumerate(materials)
    )
    forget_items()
    audit_record(
        actor=actor,
        action=Action.UPDATE if current else Action.CREATE,
        obj=item,
        changes={"version": [version - 1 if current else None, version], **changes},
        request=request,
        region_path=item.department.region.path,
    )
    return item


def applicant_lookup(
    *, actor: Any, id_number: str, request: HttpRequest | None = None
) -> Person | None:
    """Find an applicant anywhere in the district by identity number (全区通办).

    The window reaches the whole register this way, so every lookup is audited, found or not
    (a worker could otherwise test whether a number is in the register unseen).
    """
    person = (
        Person.objects.select_related("region").filter(id_number_hash=keyed_hash(id_number)).first()
    )
    audit_record(
        actor=actor,
        action=Action.LOOKUP,
        obj=person if person is not None else Target("people.person", "", "not found"),
        changes={"found": person is not None},
        request=request,
    )
    return person


def _check_materials(item: ServiceItem, received: list[int]) -> list[Material]:
    """The required materials not among `received` (ids of the item's materials)."""
    known = {m.pk: m for m in materials_of(item)}
    unknown = [pk for pk in received if pk not in known]
    if unknown:
        raise ValidationError(
            {
                "materials": [
                    _("These materials do not belong to the item: %(ids)s") % {"ids": unknown}
                ]
            }
        )
    return [m for m in known.values() if m.required and m.pk not in received]


def window_accept(
    *,
    actor: Any,
    item: ServiceItem,
    applicant: Person,
    region: Region,
    materials: list[int],
    phone: str = "",
    note: str = "",
    idempotency_key: str = "",
    request: HttpRequest | None = None,
) -> Case:
    """Accept an application at any window of the district (全区通办).

    The case belongs to the accepting window's node and is owned by the item's department,
    whose back office handles it; the window worker is the first responder. The application
    is written with the case, in `case_open`'s short write transaction.
    """
    if not item.is_current:
        raise ValidationError({"item": [_("This version of the item is no longer in use")]})
    missing = _check_materials(item, materials)
    if missing:
        raise ValidationError(
            {
                "materials": [
                    _(
                        "Required materials are missing: %(names)s. Accept them all, or give a one-time notice."
                    )
                    % {"names": "、".join(m.name for m in missing)}
                ]
            }
        )
    # The version must still be current when the application is written (the caller's item
    # may come from the per-process cache): checked in the INSERT itself.
    table = connection.ops.quote_name(ServiceItem._meta.db_table)
    application = Insert(
        Application(
            item=item,
            applicant=applicant,
            accepted_at_region=region,
            materials_received=sorted(materials),
        ),
        only_if=(f"SELECT 1 FROM {table} WHERE id = %s AND is_current = %s", [item.pk, True]),
        refused=ValidationError({"item": [_("This version of the item is no longer in use")]}),
    )
    return case_open(
        case_type="application",
        actor=actor,
        region=region,
        title=item.name,
        requester=applicant,
        requester_phone=phone,
        owner_unit=item.department,
        promised_days=item.promised_days,
        first_responder=actor,
        data={"item_code": item.code, "item_version": item.version},
        note=note,
        idempotency_key=idempotency_key,
        request=request,
        rows=[application],
    )


@transaction.atomic
def window_refuse(
    *,
    actor: Any,
    item: ServiceItem,
    applicant: Person,
    region: Region,
    reason: str,
    request: HttpRequest | None = None,
) -> Case:
    """Refuse at the window with a reason: recorded as a finished case the resident can look up."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for refusing")]})
    case = case_open(
        case_type="application",
        actor=actor,
        region=region,
        title=item.name,
        requester=applicant,
        owner_unit=item.department,
        promised_days=0,
        first_responder=actor,
        data={"item_code": item.code, "item_version": item.version},
        start_clock=False,
        request=request,
    )
    Application.objects.create(
        case=case, item=item, applicant=applicant, accepted_at_region=region, materials_received=[]
    )
    return case_transition(case=case, name="refuse", actor=actor, note=reason, request=request)


def _notice_number(today: dt.date) -> str:
    prefix = f"GZ{today:%Y%m%d}"
    last = MissingNotice.objects.filter(number__startswith=prefix).aggregate(n=Max("number"))["n"]
    sequence = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


@transaction.atomic
def notice_issue(
    *,
    actor: Any,
    item: ServiceItem,
    applicant: Person,
    region: Region,
    materials: list[int],
    request: HttpRequest | None = None,
) -> MissingNotice:
    """Give a one-time notice of ALL missing materials.

    The same item never gets a second notice for the same missing material: a material already
    notified to this applicant for this item cannot be notified again (the first notice had to
    be complete), so the worker must accept or refuse instead.
    """
    missing = _check_materials(item, materials)
    if not missing:
        raise ValidationError(
            {"materials": [_("Nothing required is missing: accept the application")]}
        )
    names = [m.name for m in missing]
    earlier = set()
    for notice in MissingNotice.objects.filter(applicant=applicant, item__code=item.code):
        earlier.update(notice.missing)
    repeated = [name for name in names if name in earlier]
    if repeated:
        raise ValidationError(
            {
                "materials": [
                    _(
                        "%(names)s was already named in an earlier one-time notice for this item: a second notice for the same material is not allowed."
                    )
                    % {"names": "、".join(repeated)}
                ]
            }
        )
    for attempt in range(3):
        try:
            with transaction.atomic():
                notice = MissingNotice.objects.create(
                    number=_notice_number(calendar.today()),
                    item=item,
                    applicant=applicant,
                    region=region,
                    missing=names,
                    issued_by=actor,
                )
            break
        except IntegrityError:
            if attempt == 2:
                raise
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=notice,
        changes={"missing": [None, names]},
        request=request,
    )
    return notice


def proxy_suggested(person: Person, on: dt.date | None = None) -> bool:
    """Residents aged 70 or more are offered the result at home (代办), per the register.

    The register's disability tag joins this rule when the register gains care tags.
    """
    return age_on(person.birth_date, on or calendar.today()) >= 70


@transaction.atomic
def application_deliver(
    *, case: Case, method: str, actor: Any, note: str = "", request: HttpRequest | None = None
) -> Case:
    if method not in DeliveryMethod.values:
        raise ValidationError({"method": [_("Choose how the result is handed over")]})
    Application.objects.filter(case=case).update(delivery_method=method)
    return case_transition(
        case=case,
        name="deliver",
        actor=actor,
        note=note,
        data={"delivery": method},
        request=request,
    )


@dataclass(frozen=True)
class CallResult:
    ticket: Ticket | None
    finished: Ticket | None


@transaction.atomic
def ticket_take(*, region: Region, group: str) -> Ticket:
    """Take the next number of a queue group in a hall today (kiosk)."""
    today = calendar.today()
    group = group.strip().upper()[:8] or "A"
    for attempt in range(5):
        last = (
            Ticket.objects.filter(region=region, day=today, group=group).aggregate(n=Max("number"))[
                "n"
            ]
            or 0
        )
        try:
            with transaction.atomic():
                return Ticket.objects.create(region=region, day=today, group=group, number=last + 1)
        except IntegrityError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def ticket_call_next(*, window: Window, actor: Any) -> CallResult:
    """Finish the window's current ticket and call the oldest waiting one of its groups."""
    today = calendar.today()
    now = timezone.now()
    current = (
        Ticket.objects.select_for_update()
        .filter(window=window, day=today, status=TicketStatus.CALLED)
        .first()
    )
    if current is not None:
        current.status = TicketStatus.SERVED
        current.finished_at = now
        current.save(update_fields=["status", "finished_at"])
    groups = [g for g in window.groups.upper().replace(",", "") if g.strip()]
    ticket = (
        Ticket.objects.select_for_update(skip_locked=True)
        .filter(region=window.region, day=today, group__in=groups, status=TicketStatus.WAITING)
        .order_by("issued_at", "number")
        .first()
    )
    if ticket is not None:
        ticket.status = TicketStatus.CALLED
        ticket.window = window
        ticket.called_by = actor
        ticket.called_at = now
        ticket.save(update_fields=["status", "window", "called_by", "called_at"])
    return CallResult(ticket, current)


@transaction.atomic
def ticket_skip(*, ticket: Ticket, actor: Any) -> Ticket:
    ticket.status = TicketStatus.SKIPPED
    ticket.finished_at = timezone.now()
    ticket.save(update_fields=["status", "finished_at"])
    return ticket
