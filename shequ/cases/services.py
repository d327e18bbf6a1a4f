"""The engine's writes: open a case, move it through its type's transitions, extend, rate.

Every transition locks the case row, checks the move against the type's table and the actor's
role, applies the clock effect, saves with update_fields, appends a timeline event and the
audit record, and schedules notifications after commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.audit.models import Action
from shequ.audit.services import audit_append, audit_draft, audit_record
from shequ.cases.idempotency import case_of_key
from shequ.cases.models import (
    Alert,
    Attachment,
    Case,
    CaseEvent,
    Clock,
    IdempotencyKey,
    Notification,
    Rating,
    RatingLevel,
)
from shequ.cases.registry import CaseType, ClockEffect, Transition, get_type
from shequ.core.sms import get_sender
from shequ.core.sql import Insert, insert_row, insert_together
from shequ.lib import crypto
from shequ.lib.codes import new_code
from shequ.lib.phones import PhoneError, mask_phone, parse_phone
from shequ.people.models import Person
from shequ.regions.models import Region, RoleAssignment, Unit
from shequ.regions.permissions import has_role, unit_ids
from shequ.workdays import calendar


class CaseConflict(Exception):
    """Someone else moved the case first; `str(error)` says who and what, for the user."""


def _actor_name(actor: Any) -> str:
    if actor is None:
        return _("system")
    return str(getattr(actor, "name", "") or actor)


def _event(case: Case, *, actor: Any, action: str, **fields: Any) -> CaseEvent:
    """Write a timeline event now (`_new_event`'s fields: states, note, data)."""
    event = _new_event(case, actor=actor, action=action, **fields)
    insert_row(event)
    return event


def _new_event(
    case: Case,
    *,
    actor: Any,
    action: str,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    return CaseEvent(
        case=case,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_name=_actor_name(actor),
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
    )


def _start_clock(case: Case, today: dt.date) -> None:
    result = calendar.add_working_days(today, case.promised_days)
    case.clock = Clock.RUNNING
    case.started_on = today
    case.due_date = result.value  # type: ignore[assignment]
    case.due_provisional = result.provisional
    case.alert = Alert.NONE


def _apply_clock(case: Case, effect: ClockEffect, today: dt.date) -> dict[str, Any]:
    """Move the clock; returns what changed, for the timeline."""
    if effect == ClockEffect.START and case.clock == Clock.IDLE:
        _start_clock(case, today)
        return {"due_date": str(case.due_date)}
    if effect == ClockEffect.PAUSE and case.clock == Clock.RUNNING:
        case.clock = Clock.PAUSED
        case.paused_on = today
        return {"paused_on": str(today)}
    if effect == ClockEffect.RESUME and case.clock == Clock.PAUSED:
        assert case.paused_on is not None and case.due_date is not None
        paused = calendar.working_days_between(case.paused_on, today)
        assert isinstance(paused.value, int)
        extended = calendar.add_working_days(case.due_date, paused.value)
        case.due_date = extended.value  # type: ignore[assignment]
        case.due_provisional = case.due_provisional or extended.provisional or paused.provisional
        case.clock = Clock.RUNNING
        case.paused_on = None
        case.alert = Alert.NONE
        return {"paused_working_days": paused.value, "due_date": str(case.due_date)}
    if effect == ClockEffect.STOP and case.clock != Clock.STOPPED:
        on_time = case.due_date is None or today <= case.due_date
        case.clock = Clock.STOPPED
        case.finished_at = timezone.now()
        case.finished_on_time = on_time
        return {"on_time": on_time}
    return {}


def seal_requester_phone(phone: str) -> tuple[str, str, str]:
    """(sealed, masked, last four digits) of a requester's phone; empty when no phone."""
    if not phone.strip():
        return "", "", ""
    try:
        normalised = parse_phone(phone)
    except PhoneError as exc:
        raise ValidationError({"requester_phone": [str(exc)]}) from exc
    digits = normalised.replace("-", "")
    return crypto.encrypt(normalised), mask_phone(normalised), digits[-4:]


def case_open(
    *,
    case_type: CaseType | str,
    actor: Any,
    region: Region,
    title: str,
    requester: Person | None = None,
    requester_name: str = "",
    requester_phone: str = "",
    owner_unit: Unit | None = None,
    promised_days: int = 0,
    first_responder: Any = None,
    data: dict[str, Any] | None = None,
    start_clock: bool = True,
    parent: Case | None = None,
    note: str = "",
    idempotency_key: str = "",
    request: HttpRequest | None = None,
    rows: Sequence[Insert] = (),
) -> Case:
    """Create a case in its type's initial state; with `start_clock` the deadline starts today.

    With an `idempotency_key`, a second call by the same actor with the same key returns the
    case the first call made (a retried API request never makes two cases), marked
    `replayed = True`. `rows` (`core.sql.Insert`) are written with the case, referring to it.
    All but the writes is done before they start: then the case, its event, the key, the
    `rows` and the audit event go back to back, the audit append (the head's lock) last.
    """
    kind = get_type(case_type) if isinstance(case_type, str) else case_type
    keyed = bool(idempotency_key) and getattr(actor, "is_authenticated", False)
    if keyed:
        earlier = case_of_key(actor, idempotency_key)
        if earlier is not None:
            return earlier
    if not title.strip():
        raise ValidationError({"title": [_("Enter what the matter is about")]})
    name = requester.name if requester is not None and not requester_name else requester_name
    if not name.strip():
        raise ValidationError({"requester_name": [_("Enter the requester's name")]})
    phone_enc, phone_masked, phone_tail = seal_requester_phone(requester_phone)
    if requester is not None and not phone_enc and requester.phone_enc:
        phone = crypto.decrypt(requester.phone_enc)
        phone_enc, phone_masked, phone_tail = seal_requester_phone(phone)
    case = Case(
        type_key=kind.key,
        state=kind.initial,
        tracking_code=new_code(),
        title=title.strip()[:200],
        region=region,
        owner_unit=owner_unit,
        first_responder=first_responder,
        requester=requester,
        requester_name=name.strip()[:64],
        requester_phone_enc=phone_enc,
        requester_phone_masked=phone_masked,
        requester_phone_tail=phone_tail,
        parent=parent,
        data=data or {},
        promised_days=promised_days,
    )
    if start_clock:
        _start_clock(case, calendar.today())
    first = Insert(_new_event(case, actor=actor, action="open", to_state=case.state, note=note))
    key = None
    if keyed:
        key = Insert(IdempotencyKey(key=idempotency_key, user=actor), ignore_conflict=True)
    audit = audit_draft(
        actor=actor,
        action=Action.CREATE,
        obj=case,
        changes={
            "type": [None, kind.key],
            "state": [None, case.state],
            "title": [None, case.title],
        },
        request=request,
    )
    later = [first, *([key] if key is not None else []), *rows]
    for row in later:
        row.refer("case", case)
    last = not connection.in_atomic_block  # our own transaction: nothing runs on its commit
    with transaction.atomic(savepoint=False):
        insert_together([Insert(case)])
        insert_together(later)
        if key is not None and not key.written:
            # A concurrent retry won the key: give back its case and drop ours.
            winner = case_of_key(actor, idempotency_key)
            transaction.set_rollback(True)
            assert winner is not None
            return winner
        audit_append(audit, last=last)
    return case


def may_take(actor: Any, case: Case, transition: Transition) -> bool:
    """The actor holds one of the transition's roles over the case's region or owning unit.

    For the owning unit, the role must be the one held on the assignment that names the unit:
    a handler of the unit who is also a window worker elsewhere may not take a window's step
    on a case outside that window's subtree.
    """
    if actor is None:
        return True
    if has_role(actor, transition.roles, case.region):
        return True
    return (
        case.owner_unit_id in unit_ids(actor)
        and RoleAssignment.objects.filter(
            user=actor, unit_id=case.owner_unit_id, role__in=transition.roles
        ).exists()
    )


@transaction.atomic
def case_transition(
    *,
    case: Case,
    name: str,
    actor: Any,
    note: str = "",
    expected_state: str | None = None,
    data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """Move a case along one of its type's transitions.

    `expected_state` is the state the actor saw; when the case has moved since, the call
    raises CaseConflict naming who moved it, and nothing changes.
    """
    locked = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    kind = get_type(locked.type_key)
    transition = kind.transition(name)
    if transition is None:
        raise ValidationError({"action": [_("Unknown action %(name)s") % {"name": name}]})
    if (expected_state is not None and locked.state != expected_state) or (
        locked.state not in transition.sources
    ):
        last = locked.events.order_by("-id").first()
        raise CaseConflict(
            _(
                "This matter was just moved to “%(state)s” by %(who)s at %(time)s. "
                "Reload the page to see it."
            )
            % {
                "state": kind.state_label(locked.state),
                "who": last.actor_name if last else _("someone"),
                "time": f"{timezone.localtime(last.at):%H:%M:%S}" if last else "",
            }
        )
    if not may_take(actor, locked, transition):
        raise PermissionDenied(_("Your role may not do this"))
    if transition.needs_note and not note.strip():
        raise ValidationError({"note": [_("Give a reason")]})
    before = locked.state
    locked.state = transition.target
    changes = _apply_clock(locked, transition.clock, calendar.today())
    fields = ["state", "clock", "started_on", "due_date", "due_provisional", "paused_on"]
    fields += ["alert", "finished_at", "finished_on_time", "updated_at"]
    if transition.takes and actor is not None:
        locked.handler = actor
        fields.append("handler")
    if data:
        locked.data = {**locked.data, **data}
        fields.append("data")
    locked.save(update_fields=fields)
    _event(
        locked,
        actor=actor,
        action=transition.name,
        from_state=before,
        to_state=locked.state,
        note=note,
        data={**changes, **(data or {})},
    )
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=locked,
        changes={"state": [before, locked.state], **{k: ["", v] for k, v in changes.items()}},
        reason=note[:500],
        request=request,
    )
    _notify_after_commit(locked, transition, actor)
    return locked


@transaction.atomic
def case_extend(
    *, case: Case, days: int, actor: Any, note: str, request: HttpRequest | None = None
) -> Case:
    """Record an approved extension: the deadline moves by `days` working days."""
    if days <= 0:
        raise ValidationError({"days": [_("An extension is at least one working day")]})
    if not note.strip():
        raise ValidationError({"note": [_("Give a reason")]})
    locked = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    if locked.clock not in (Clock.RUNNING, Clock.PAUSED) or locked.due_date is None:
        raise ValidationError({"days": [_("Only a matter whose clock runs can be extended")]})
    before = locked.due_date
    result = calendar.add_working_days(locked.due_date, days)
    locked.due_date = result.value  # type: ignore[assignment]
    locked.due_provisional = locked.due_provisional or result.provisional
    locked.alert = Alert.NONE
    locked.save(update_fields=["due_date", "due_provisional", "alert", "updated_at"])
    _event(
        locked,
        actor=actor,
        action="extend",
        from_state=locked.state,
        to_state=locked.state,
        note=note,
        data={"days": days, "from": str(before), "to": str(locked.due_date)},
    )
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=locked,
        changes={"due_date": [str(before), str(locked.due_date)]},
        reason=note[:500],
        request=request,
    )
    return locked


def notify(users: list[Any], case: Case | None, text: str) -> None:
    """Put a message in each user's inbox (call inside the transaction that causes it)."""
    seen: set[int] = set()
    rows = []
    for user in users:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, case=case, text=text[:300]))
    Notification.objects.bulk_create(rows)


def text_requester(case: Case, text: str) -> None:
    """Send a text message to the requester after commit (no phone: nothing)."""
    if not case.requester_phone_enc:
        return
    phone = crypto.decrypt(case.requester_phone_enc)
    transaction.on_commit(lambda: get_sender().send(phone, text))


def _notify_after_commit(case: Case, transition: Transition, actor: Any) -> None:
    kind = get_type(case.type_key)
    state = kind.state_label(case.state)
    others = [u for u in (case.handler, case.first_responder) if u is not None and u != actor]
    notify(
        others,
        case,
        _("%(code)s %(title)s: %(state)s")
        % {"code": case.tracking_code, "title": case.title, "state": state},
    )
    if transition.tell_requester:
        text_requester(
            case,
            _(
                "Your matter %(code)s is now: %(state)s. Details: look it up with the code and the last 4 digits of your phone."
            )
            % {"code": case.tracking_code, "state": state},
        )


@transaction.atomic
def case_rate(
    *,
    case: Case,
    level: int,
    comment: str = "",
    channel: str,
    actor: Any = None,
    request: HttpRequest | None = None,
) -> Rating:
    """The requester's one rating of a finished case; a poor one opens a rectification."""
    locked = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    kind = get_type(locked.type_key)
    if not kind.ratable or locked.state not in kind.final_states:
        raise ValidationError({"level": [_("A matter can be rated once it is finished")]})
    if Rating.objects.filter(case=locked).exists():
        raise ValidationError({"level": [_("This matter has been rated already")]})
    if level not in RatingLevel.values:
        raise ValidationError({"level": [_("Choose one of the five levels")]})
    rating = Rating.objects.create(
        case=locked,
        level=level,
        comment=comment.strip()[:2000],
        channel=channel,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _event(
        locked,
        actor=actor,
        action="rate",
        from_state=locked.state,
        to_state=locked.state,
        note=comment.strip()[:2000],
        data={"level": level, "channel": channel},
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=locked,
        changes={"rating": [None, level]},
        request=request,
    )
    if rating.is_poor:
        rectification = case_open(
            case_type="rectification",
            actor=None,
            region=locked.region,
            title=_("Rectification: %(title)s") % {"title": locked.title},
            requester=locked.requester,
            requester_name=locked.requester_name,
            owner_unit=locked.owner_unit,
            promised_days=settings.RECTIFICATION_DAYS,
            data={"rating": level, "comment": comment.strip()[:2000]},
            parent=locked,
            note=_("Opened by a poor rating (%(level)s)") % {"level": rating.get_level_display()},
        )
        # The requester's phone goes along (sealed) for the call-back.
        if locked.requester_phone_enc:
            Case.objects.filter(pk=rectification.pk).update(
                requester_phone_enc=locked.requester_phone_enc,
                requester_phone_masked=locked.requester_phone_masked,
                requester_phone_tail=locked.requester_phone_tail,
            )
        notify(
            [locked.handler, locked.first_responder],
            rectification,
            _(
                "Poor rating on %(code)s: a rectification %(new)s is open; first contact within 1 working day."
            )
            % {"code": locked.tracking_code, "new": rectification.tracking_code},
        )
    return rating


def notification_read(*, user: Any, ids: list[int] | None = None) -> int:
    """Mark a user's messages read (all of them when `ids` is None)."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(read_at=timezone.now())


@transaction.atomic
def attachment_add(
    *, case: Case, upload: UploadedFile, actor: Any, request: HttpRequest | None = None
) -> Attachment:
    """Store a file on a case and audit it."""
    name = (upload.name or "file")[-200:]
    attachment = Attachment(case=case, name=name, uploaded_by=actor)
    attachment.file.save(name, upload, save=False)
    attachment.save()
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=case,
        changes={"attachment": [None, name]},
        request=request,
    )
    return attachment
