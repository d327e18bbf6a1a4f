"""The engine's writes: open a case, move it through its type's transitions, extend, remark.

Every transition locks the case row, checks the move against the type's table and the actor's
role, applies the clock effect, saves with update_fields, appends a timeline event and the
audit record, and schedules notifications after commit. The clock and routing are in
`services_clock`, the messages in `services_notify`, the rating in `services_rating`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.audit.models import Action
from shequ.audit.services import AuditAppend, audit_draft, audit_record
from shequ.cases import deadlines
from shequ.cases.idempotency import case_of_key
from shequ.cases.models import (
    Alert,
    Attachment,
    Case,
    CaseEvent,
    Clock,
    IdempotencyKey,
)
from shequ.cases.registry import CaseType, Transition, get_type
from shequ.cases.services_clock import (
    Route,
    apply_clock,
    apply_route,
    clock_start,
    extension_words,
    midnight,
)
from shequ.cases.services_notify import notify, notify_after_commit
from shequ.core.sql import insert_row
from shequ.core.sql_write import Insert, insert_all
from shequ.lib import crypto
from shequ.lib.codes import new_code
from shequ.lib.phones import PhoneError, mask_phone, parse_phone
from shequ.people.models import Person
from shequ.regions.models import Region, RoleAssignment, Unit
from shequ.regions.permissions import has_role, unit_ids


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
    case: Case | None,
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


def event_row(*, actor: Any, action: str, **fields: Any) -> Insert:
    """A timeline event to write with a new case (`case_open(rows=...)` refers it to the
    case): a type's first steps taken at once, such as an incident verified on site."""
    return Insert(_new_event(None, actor=actor, action=action, **fields))


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


def _register_phone(sealed: str) -> tuple[str, str, str]:
    """(sealed, masked, last four digits) of a register's phone for a case: the register's
    sealed value itself (checked and normalised when it was sealed; key rotation re-seals
    both columns alike), the mask and the digits from the opened value."""
    phone = crypto.decrypt(sealed)
    return sealed, mask_phone(phone), phone.replace("-", "")[-4:]


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
    limit_kind: str = deadlines.LimitKind.WORKING_DAYS,
    first_responder: Any = None,
    data: dict[str, Any] | None = None,
    address: str = "",
    lat: float | None = None,
    lng: float | None = None,
    start_clock: bool = True,
    parent: Case | None = None,
    note: str = "",
    idempotency_key: str = "",
    request: HttpRequest | None = None,
    rows: Sequence[Insert] = (),
    state: str = "",
) -> Case:
    """Create a case in its type's initial state (or `state`, when the type's first steps were
    taken at once and their events are among `rows`); with `start_clock` the deadline starts.

    With an `idempotency_key`, a second call by the same actor with the same key returns the
    case the first call made (a retried API request never makes two cases), marked
    `replayed = True`: the key is claimed by the write itself, which writes nothing for a
    retry. `rows` (`core.sql_write.Insert`) are written with the case, referring to it. All but
    the writes is done before they start: then the case, its event, the key, the `rows`
    and the audit event are written all or none (`core.sql_write.insert_all`: one statement on
    PostgreSQL), the audit append (the head's lock) last.
    """
    kind = get_type(case_type) if isinstance(case_type, str) else case_type
    keyed = bool(idempotency_key) and getattr(actor, "is_authenticated", False)
    if not title.strip():
        raise ValidationError({"title": [_("Enter what the matter is about")]})
    name = requester.name if requester is not None and not requester_name else requester_name
    if not name.strip():
        raise ValidationError({"requester_name": [_("Enter the requester's name")]})
    phone_enc, phone_masked, phone_tail = seal_requester_phone(requester_phone)
    if requester is not None and not phone_enc and requester.phone_enc:
        phone_enc, phone_masked, phone_tail = _register_phone(requester.phone_enc)
    if state and state not in kind.states:
        raise ValueError(f"{kind.key} has no state {state!r}")
    case = Case(
        type_key=kind.key,
        state=state or kind.initial,
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
        address=address.strip()[:200],
        lat=lat,
        lng=lng,
        data=data or {},
        promised_days=promised_days,
        limit_kind=limit_kind,
    )
    if start_clock:
        clock_start(case, timezone.now())
    opened = kind.initial
    first = Insert(_new_event(case, actor=actor, action="open", to_state=opened, note=note))
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
    try:
        written = insert_all([Insert(case), *later], then=[AuditAppend(audit, last=last)])
    except ValidationError:
        # Refused now (an item version replaced since): a retry still gets its case.
        earlier = case_of_key(actor, idempotency_key) if keyed else None
        if earlier is None:
            raise
        return earlier
    if not written:
        # The key is taken (a retry, or a concurrent request that won): none of ours was
        # written; give back the case the key names.
        earlier = case_of_key(actor, idempotency_key)
        assert earlier is not None
        return earlier
    return case


def may_take(actor: Any, case: Case, transition: Transition) -> bool:
    """The actor holds one of the transition's roles over the case's region or owning unit.

    For the owning unit, the role must be the one held on the assignment that names the unit:
    a handler of the unit who is also a window worker elsewhere may not take a window's step
    on a case outside that window's subtree.
    """
    if actor is None:
        return True
    allowed = has_role(actor, transition.roles, case.region) or (
        case.owner_unit_id in unit_ids(actor)
        and RoleAssignment.objects.filter(
            user=actor, unit_id=case.owner_unit_id, role__in=transition.roles
        ).exists()
    )
    guard = get_type(case.type_key).guard
    return allowed and (guard is None or guard(actor, case, transition))


@transaction.atomic
def case_transition(
    *,
    case: Case,
    name: str,
    actor: Any,
    note: str = "",
    expected_state: str | None = None,
    data: dict[str, Any] | None = None,
    route: Route | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """Move a case along one of its type's transitions.

    `expected_state` is the state the actor saw; when the case has moved since, the call
    raises CaseConflict naming who moved it, and nothing changes. `route` moves the case to
    another node or unit, or restarts its clock, in the same step.
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
    now = timezone.now()
    changes = apply_clock(locked, transition.clock, now)
    fields = ["state", "clock", "started_on", "due_at", "due_date", "due_provisional"]
    fields += ["paused_on", "paused_at", "alert", "finished_at", "finished_on_time", "updated_at"]
    if route is not None:
        changes.update(apply_route(locked, route, now))
        fields += ["region", "owner_unit", "handler", "promised_days", "limit_kind"]
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
    notify_after_commit(locked, transition, actor)
    return locked


def case_step(
    *,
    case: Case,
    name: str,
    actor: Any,
    note: str = "",
    expected_state: str | None = None,
    data: dict[str, Any] | None = None,
    files: Sequence[UploadedFile] = (),
    request: HttpRequest | None = None,
) -> Case:
    """Take a step from a page or the API: the type's own service for it when it has one
    (`CaseType.services`, which also receives the uploaded `files`), else the engine's
    `case_transition`."""
    service = get_type(case.type_key).services.get(name)
    if service is not None:
        result: Case = service(
            case=case,
            actor=actor,
            note=note,
            expected_state=expected_state,
            data=data or {},
            files=files,
            request=request,
        )
        return result
    return case_transition(
        case=case,
        name=name,
        actor=actor,
        note=note,
        expected_state=expected_state,
        data=data,
        request=request,
    )


@transaction.atomic
def case_remark(
    *,
    case: Case,
    action: str,
    actor: Any,
    note: str,
    tell: Sequence[Any] = (),
    data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> CaseEvent:
    """A step on the timeline that moves nothing (督办 supervision, a reminder, a remark).

    The users in `tell` get the note in their inbox.
    """
    if not note.strip():
        raise ValidationError({"note": [_("Give a reason")]})
    event = _event(
        case,
        actor=actor,
        action=action,
        from_state=case.state,
        to_state=case.state,
        note=note,
        data=data or {},
    )
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=case,
        changes={"remark": ["", action]},
        reason=note[:500],
        request=request,
    )
    notify(
        [u for u in tell if u is not None and u != actor],
        case,
        f"{case.tracking_code} {case.title}: {note}",
    )
    return event


@transaction.atomic
def case_extend(
    *, case: Case, days: int, actor: Any, note: str, request: HttpRequest | None = None
) -> Case:
    """Record an approved extension: the deadline moves by `days` units of the case's limit
    (working days for service items; hours or days of the incident's kind)."""
    if days <= 0:
        raise ValidationError({"days": [_("An extension is at least one working day")]})
    if not note.strip():
        raise ValidationError({"note": [_("Give a reason")]})
    locked = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    if locked.clock not in (Clock.RUNNING, Clock.PAUSED) or locked.due_date is None:
        raise ValidationError({"days": [_("Only a matter whose clock runs can be extended")]})
    before = locked.due_date
    due_at = locked.due_at or midnight(locked.due_date + dt.timedelta(days=1))
    end = deadlines.extended(locked.limit_kind, due_at, days)
    locked.due_at, locked.due_date = end.due_at, end.due_date
    locked.due_provisional = locked.due_provisional or end.provisional
    locked.alert = Alert.NONE
    locked.save(update_fields=["due_at", "due_date", "due_provisional", "alert", "updated_at"])
    _event(
        locked,
        actor=actor,
        action="extend",
        from_state=locked.state,
        to_state=locked.state,
        note=note,
        data=extension_words(locked, days, before, due_at),
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
