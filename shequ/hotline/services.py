"""The hotline's writes: take a call, dispatch, send back (escalating at the third), supervise,
assist and call back. The resident's opinion is in `services_opinions`, the lists (categories,
units, responsibility) in `services_lists`.

Every state change goes through the engine (`case_transition`); steps that route the case to a
unit run inside `casetype.routing()`, the only place the guard lets them through.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.audit.models import Action
from shequ.audit.services import audit_record
from shequ.cases import deadlines
from shequ.cases.deadlines import LimitKind, TimeLimit
from shequ.cases.models import Case, Clock, Rating, RatingChannel
from shequ.cases.services import case_open, case_remark, case_transition, seal_requester_phone
from shequ.cases.services_clock import Route
from shequ.cases.services_notify import notify
from shequ.cases.services_rating import case_rate
from shequ.hotline.casetype import HOTLINE, routing
from shequ.hotline.models import (
    Assist,
    Call,
    CallbackResult,
    CallOutcome,
    Category,
    Channel,
    HotlineCase,
    RequestKind,
    Responsibility,
    Urgency,
)
from shequ.lib import crypto
from shequ.people.models import Person
from shequ.regions.models import Region, RoleAssignment, Unit
from shequ.regions.roles import Role

# The third send-back escalates the case to the hotline's managers.
ESCALATE_AFTER = 3
# Without a category: sign for within 2 working hours, finish within 5 working days.
DEFAULT_SIGN_FOR_HOURS = 2
DEFAULT_HANDLING = TimeLimit(5, LimitKind.WORKING_DAYS)
# An urgent call is signed for within one hour, around the clock.
URGENT_SIGN_FOR_HOURS = 1
TITLE_CHARS = 60


def _title(text: str, category: Category | None) -> str:
    first = " ".join(text.split())[:TITLE_CHARS]
    return f"{category.name}：{first}" if category is not None else first


def _seal_caller(name: str, phone: str) -> tuple[str, str, str]:
    """(sealed name, sealed phone, masked phone) of a caller; the phone validated."""
    try:
        phone_enc, phone_masked, _tail = seal_requester_phone(phone)
    except ValidationError as exc:
        raise ValidationError({"caller_phone": exc.message_dict["requester_phone"]}) from exc
    name_enc = crypto.encrypt(name.strip()) if name.strip() else ""
    return name_enc, phone_enc, phone_masked


def _unit_staff(unit_ids: Sequence[int]) -> list[Any]:
    """The users who work for these units (their inbox gets the unit's news)."""
    rows = RoleAssignment.objects.filter(unit_id__in=list(unit_ids)).select_related("user")
    return [row.user for row in rows if row.user.is_active]


def _managers_over(region: Region) -> list[Any]:
    ancestors = [int(part) for part in region.path.strip("/").split("/") if part]
    rows = RoleAssignment.objects.filter(
        region_id__in=ancestors, role__in=(Role.STREET_MANAGER, Role.DISTRICT_ADMIN)
    ).select_related("user")
    return [row.user for row in rows if row.user.is_active]


@dataclass(frozen=True)
class CallIn:
    """What the operator typed about a call."""

    text: str
    region: Region
    address: str = ""
    lat: float | None = None
    lng: float | None = None
    category: Category | None = None
    kind: str = RequestKind.HELP
    urgency: str = Urgency.NORMAL
    confidential: bool = False
    caller_name: str = ""
    caller_phone: str = ""
    person: Person | None = None
    # How the request came: an operator's phone call, or a system through the API (Open311).
    channel: str = Channel.PHONE


def _check_call(data: CallIn) -> None:
    errors: dict[str, list[str]] = {}
    if not data.text.strip():
        errors["text"] = [_("Write down what the caller asks for")]
    if data.kind not in RequestKind.values:
        errors["kind"] = [_("Choose the kind of request")]
    if data.urgency not in Urgency.values:
        errors["urgency"] = [_("Choose the urgency")]
    if data.channel not in (Channel.PHONE, Channel.API):
        errors["channel"] = [_("A call comes by phone or through the API")]
    if (data.lat is None) != (data.lng is None):
        errors["lat"] = [_("A point needs both latitude and longitude")]
    elif (
        data.lat is not None
        and data.lng is not None
        and not (-90 <= data.lat <= 90 and -180 <= data.lng <= 180)
    ):
        errors["lat"] = [_("The point is not on the map")]
    if data.category is not None and not data.category.is_active:
        errors["category"] = [_("This category is no longer in use")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def call_take(
    *,
    actor: Any,
    data: CallIn,
    merge_into: Case | None = None,
    link_to: Case | None = None,
    request: HttpRequest | None = None,
) -> Call:
    """Record a call: a new case, a repeat merged into an open case, or a case linked to one.

    A confidential caller's name and phone are sealed on the call and the hotline part only;
    the case gets a placeholder name and no phone. The caller must be given by the view
    within the actor's reach (`open_case_for_merge`, `hotline_case_for_user`).
    """
    _check_call(data)
    name = data.caller_name.strip() or (data.person.name if data.person else "")
    sealed = _seal_caller(name, data.caller_phone)
    name_enc, phone_enc, phone_masked = sealed
    if merge_into is not None:
        target = Case.objects.select_for_update(of=("self",)).get(pk=merge_into.pk)
        if target.clock == Clock.STOPPED:
            raise ValidationError({"merge": [_("That matter is finished: take a new case")]})
        call = _call_create(target, CallOutcome.REPEAT, actor, data, sealed)
        repeats = Call.objects.filter(case=target, outcome=CallOutcome.REPEAT).count()
        case_remark(
            case=target,
            action="repeat_call",
            actor=actor,
            note=data.text.strip(),
            tell=[target.handler, target.first_responder],
            data={"repeats": repeats},
            request=request,
        )
        _audit_call(actor, call, request)
        return call
    if data.confidential:
        requester_name, requester_phone, person = _("Confidential caller"), "", None
    else:
        requester_name = name or _("Anonymous caller")
        requester_phone, person = data.caller_phone, data.person
    case = case_open(
        case_type=HOTLINE,
        actor=actor,
        region=data.region,
        title=_title(data.text, data.category),
        requester=person,
        requester_name=requester_name,
        requester_phone=requester_phone,
        first_responder=actor,
        address=data.address,
        lat=data.lat,
        lng=data.lng,
        start_clock=False,
        parent=link_to,
        request=request,
    )
    HotlineCase.objects.create(
        case=case,
        channel=data.channel,
        kind=data.kind,
        category=data.category,
        urgency=data.urgency,
        text=data.text.strip(),
        confidential=data.confidential,
        caller_name_enc=name_enc if data.confidential else "",
        caller_phone_enc=phone_enc if data.confidential else "",
        caller_phone_masked=phone_masked if data.confidential else "",
    )
    outcome = CallOutcome.LINKED if link_to is not None else CallOutcome.NEW
    call = _call_create(case, outcome, actor, data, sealed)
    _audit_call(actor, call, request)
    return call


def _call_create(
    case: Case, outcome: str, actor: Any, data: CallIn, sealed: tuple[str, str, str]
) -> Call:
    """The row of a call taken on `case`: the caller's name, phone and masked phone as sealed
    by `_seal_caller`, kept on the call whether confidential or not."""
    name_enc, phone_enc, phone_masked = sealed
    return Call.objects.create(
        case=case,
        region=case.region,
        channel=data.channel,
        outcome=outcome,
        operator=actor,
        text=data.text.strip(),
        confidential=data.confidential,
        caller_name_enc=name_enc,
        caller_phone_enc=phone_enc,
        caller_phone_masked=phone_masked,
    )


def _audit_call(actor: Any, call: Call, request: HttpRequest | None) -> None:
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=call,
        changes={
            "outcome": [None, call.outcome],
            "case": [None, call.case_id],
            "confidential": [None, call.confidential],
            "caller": "changed" if call.caller_name_enc or call.caller_phone_enc else None,
        },
        request=request,
        region_path=call.region.path,
    )


def limits_for(detail: HotlineCase, now: dt.datetime) -> tuple[TimeLimit, dt.datetime]:
    """The handling limit of a dispatch and the moment the unit must sign for it by."""
    category = detail.category
    if detail.urgency == Urgency.URGENT:
        hours = category.urgent_hours if category is not None else 24
        handling = TimeLimit(hours, LimitKind.URGENT_HOURS)
        sign_for = deadlines.deadline(TimeLimit(URGENT_SIGN_FOR_HOURS, LimitKind.URGENT_HOURS), now)
        return handling, sign_for.due_at
    if category is not None:
        handling = TimeLimit(category.handling_amount, category.handling_kind)
        hours = category.sign_for_hours
    else:
        handling, hours = DEFAULT_HANDLING, DEFAULT_SIGN_FOR_HOURS
    sign_for = deadlines.deadline(TimeLimit(hours, LimitKind.WORKING_HOURS), now)
    return handling, sign_for.due_at


def suggested_units(detail: HotlineCase, region: Region) -> Responsibility | None:
    """The responsibility list's entry for the case's category at its place."""
    if detail.category is None:
        return None
    return Responsibility.objects.for_place(detail.category, region)


@transaction.atomic
def case_dispatch(
    *,
    case: Case,
    actor: Any,
    lead_unit: Unit,
    assisting_units: Sequence[Unit] = (),
    note: str = "",
    request: HttpRequest | None = None,
) -> Case:
    """Send a hotline case to a lead unit with assisting units and a fresh time limit.

    From "accepted" or "returned" this is the operator's dispatch; from "escalated" (after
    the third send-back) it is a manager's assignment, with a stated reason.
    """
    detail = HotlineCase.objects.select_for_update().get(case_id=case.pk)
    assisting = [unit for unit in assisting_units if unit.pk != lead_unit.pk]
    now = timezone.now()
    handling, sign_for_due = limits_for(detail, now)
    name = "assign" if case.state == "escalated" else "dispatch"
    with routing():
        moved = case_transition(
            case=case,
            name=name,
            actor=actor,
            note=note,
            data={
                "lead_unit": lead_unit.pk,
                "assisting_units": [unit.pk for unit in assisting],
                "sign_for_due": timezone.localtime(sign_for_due).isoformat(timespec="minutes"),
            },
            route=Route(owner_unit=lead_unit, clear_handler=True, limit=handling),
            request=request,
        )
    detail.lead_unit = lead_unit
    detail.sign_for_due = sign_for_due
    detail.sign_for_reminded = False
    detail.save(update_fields=["lead_unit", "sign_for_due", "sign_for_reminded"])
    Assist.objects.filter(case=case, active=True).update(active=False)
    Assist.objects.bulk_create([Assist(case=case, unit=unit) for unit in assisting])
    notify(
        _unit_staff([lead_unit.pk]),
        moved,
        _("New hotline matter for %(unit)s: %(code)s %(title)s. Sign for it by %(time)s.")
        % {
            "unit": lead_unit.name,
            "code": moved.tracking_code,
            "title": moved.title,
            "time": f"{timezone.localtime(sign_for_due):%m-%d %H:%M}",
        },
    )
    if assisting:
        notify(
            _unit_staff([unit.pk for unit in assisting]),
            moved,
            _("Your unit assists %(lead)s on %(code)s %(title)s.")
            % {"lead": lead_unit.name, "code": moved.tracking_code, "title": moved.title},
        )
    return moved


@transaction.atomic
def case_send_back(
    *, case: Case, actor: Any, note: str, request: HttpRequest | None = None
) -> Case:
    """The unit returns a case it is not responsible for, with its reason.

    The case goes back to the hotline for another dispatch; the third send-back of a case
    escalates it at once to the managers of the hotline over its place, who assign a unit.
    """
    detail = HotlineCase.objects.select_for_update().get(case_id=case.pk)
    count = detail.send_backs + 1
    escalate = count >= ESCALATE_AFTER
    unit_id = case.owner_unit_id
    with routing():
        moved = case_transition(
            case=case,
            name="send_back_escalate" if escalate else "send_back",
            actor=actor,
            note=note,
            data={"unit": unit_id, "send_backs": count},
            route=Route(clear_owner=True, clear_handler=True),
            request=request,
        )
    detail.send_backs = count
    detail.lead_unit = None
    detail.sign_for_due = None
    detail.save(update_fields=["send_backs", "lead_unit", "sign_for_due"])
    Assist.objects.filter(case=case, active=True).update(active=False)
    if escalate:
        notify(
            _managers_over(moved.region),
            moved,
            _(
                "Escalated after %(count)d send-backs: %(code)s %(title)s. Assign the unit "
                "that takes it."
            )
            % {"count": count, "code": moved.tracking_code, "title": moved.title},
        )
    return moved


def case_supervise(*, case: Case, actor: Any, note: str, request: HttpRequest | None = None) -> Any:
    """督办: a remark on the timeline that the unit's staff and handler get in their inbox."""
    if case.clock == Clock.STOPPED or case.owner_unit_id is None:
        raise ValidationError({"note": [_("Only a matter in a unit's hands can be supervised")]})
    return case_remark(
        case=case,
        action="supervise",
        actor=actor,
        note=note,
        tell=[case.handler, *_unit_staff([case.owner_unit_id])],
        request=request,
    )


@transaction.atomic
def assist_reply(
    *, assist: Assist, actor: Any, reply: str, request: HttpRequest | None = None
) -> Assist:
    """An assisting unit's contribution, for the lead unit to use in its answer."""
    if not reply.strip():
        raise ValidationError({"reply": [_("Write what your unit did or found")]})
    locked = Assist.objects.select_for_update().select_related("case", "unit").get(pk=assist.pk)
    if not locked.active:
        raise ValidationError({"reply": [_("Your unit no longer assists on this matter")]})
    if locked.case.clock == Clock.STOPPED:
        raise ValidationError({"reply": [_("This matter is finished")]})
    locked.reply = reply.strip()
    locked.replied_at = timezone.now()
    locked.replied_by = actor
    locked.save(update_fields=["reply", "replied_at", "replied_by"])
    case_remark(
        case=locked.case,
        action="assist_reply",
        actor=actor,
        note=locked.reply,
        tell=[locked.case.handler, *_unit_staff([locked.case.owner_unit_id or 0])],
        data={"unit": locked.unit_id},
        request=request,
    )
    return locked


@transaction.atomic
def case_call_back(
    *,
    case: Case,
    actor: Any,
    result: str,
    note: str,
    level: int | None = None,
    comment: str = "",
    request: HttpRequest | None = None,
) -> tuple[Case, Rating | None]:
    """回访: record the call-back's result and close the case; the caller's rating, if given.

    A rating is never required: without `level` none is recorded. A poor rating opens the
    engine's rectification.
    """
    if result not in CallbackResult.values:
        raise ValidationError({"result": [_("Choose the result of the call-back")]})
    moved = case_transition(
        case=case,
        name="call_back",
        actor=actor,
        note=note,
        data={"callback_result": result},
        request=request,
    )
    rating = None
    if level is not None:
        rating = case_rate(
            case=moved,
            level=level,
            comment=comment,
            channel=RatingChannel.CALLBACK,
            actor=actor,
            request=request,
        )
    return moved, rating


def sign_for_reminders(now: dt.datetime | None = None) -> int:
    """Tell the unit when a dispatched case was not signed for within its limit (once).

    The case's own clock runs the handling limit (the engine's scan reminds on it); the
    sign-for limit is the hotline's, so the hotline reminds on it. Returns the reminders sent.
    """
    now = now or timezone.now()
    sent = 0
    due = list(
        HotlineCase.objects.filter(sign_for_reminded=False, sign_for_due__lt=now)
        .select_related("case")
        .order_by("sign_for_due")[:500]
    )
    for detail in due:
        with transaction.atomic():
            case = detail.case
            if case.state == "dispatched" and case.owner_unit_id is not None:
                case_remark(
                    case=case,
                    action="sign_for_overdue",
                    actor=None,
                    note=_("Not signed for within the limit (%(time)s).")
                    % {"time": f"{timezone.localtime(detail.sign_for_due):%m-%d %H:%M}"},
                    tell=[case.first_responder, *_unit_staff([case.owner_unit_id])],
                )
                sent += 1
            HotlineCase.objects.filter(pk=detail.pk).update(sign_for_reminded=True)
    return sent
