"""The writes of the incident loop: report, dispatch, escalate, postpone, supervise, photos.

Each step is a transition of the engine (`case_transition`) plus what the incident row must
learn in the same transaction (tier, handling node). The engine locks the case, checks the
state and the actor's role and the type's guard, writes the timeline and the audit record and
tells the people concerned after commit.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.accounts.models import Resident
from shequ.cases.deadlines import TimeLimit
from shequ.cases.models import Case
from shequ.cases.services import (
    CaseConflict,
    case_extend,
    case_open,
    case_remark,
    case_transition,
    event_row,
)
from shequ.cases.services_clock import Route
from shequ.core.sql_write import Insert
from shequ.incidents.casetype import INCIDENT, KEY, SUPERVISING, TIER_ROLES
from shequ.incidents.models import IncidentCategory, Tier
from shequ.incidents.models_loop import Channel, Incident, IncidentPhoto, PhotoStage
from shequ.lib import crypto
from shequ.regions.locate import locate_region
from shequ.regions.models import Region, Unit
from shequ.regions.permissions import has_role, roles
from shequ.regions.roles import Role

TIER_ORDER = (Tier.GRID, Tier.COMMUNITY, Tier.STREET, Tier.DISTRICT)
TIER_LEVEL = {
    Tier.GRID: "grid",
    Tier.COMMUNITY: "community",
    Tier.STREET: "street",
    Tier.DISTRICT: "district",
}
MAX_PHOTOS = 6
MAX_PHOTO_BYTES = 5 * 1024 * 1024
# JPEG, PNG, WebP, by their first bytes (the phone resizes and sends JPEG).
IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF")
# China's bounding box: a point outside it is a typing or GPS error.
LNG_RANGE = (73.0, 136.0)
LAT_RANGE = (3.0, 54.0)


def tier_node(region: Region, tier: str) -> Region:
    """The node of `tier` above (or at) the grid `region`: its community, street, district."""
    level = TIER_LEVEL[Tier(tier)]
    node: Region | None = region
    while node is not None and node.level.key != level:
        node = node.parent
    if node is None:
        raise ValidationError({"tier": [_("This place has no node at that tier")]})
    return node


def check_photos(photos: Sequence[UploadedFile]) -> None:
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": [_("At most %(count)d photos") % {"count": MAX_PHOTOS}]})
    for photo in photos:
        if photo.size is not None and photo.size > MAX_PHOTO_BYTES:
            raise ValidationError(
                {"photos": [_("%(name)s is larger than 5 MB") % {"name": photo.name}]}
            )
        head = photo.read(12)
        photo.seek(0)
        if not head.startswith(IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] != b"WEBP"):
            raise ValidationError(
                {"photos": [_("%(name)s is not a JPEG, PNG or WebP photo") % {"name": photo.name}]}
            )


def _save_photos(
    incident: Incident, photos: Sequence[UploadedFile], stage: str, actor: Any
) -> None:
    for number, photo in enumerate(photos, start=1):
        suffix = "png" if photo.read(4) == b"\x89PNG" else "jpg"
        photo.seek(0)
        row = IncidentPhoto(
            incident=incident,
            stage=stage,
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        row.image.save(f"{number}.{suffix}", photo, save=False)
        row.save()


def _channel(actor: Any, resident: Resident | None) -> str:
    if resident is not None:
        return Channel.PORTAL
    held = roles(actor)
    if Role.GRID_WORKER in held:
        return Channel.GRID
    if Role.BUILDING_CHIEF in held:
        return Channel.CHIEF
    if Role.HOTLINE_OPERATOR in held:
        return Channel.HOTLINE
    return Channel.STAFF


def _place(
    lng: float | None, lat: float | None, fallback: Region | Callable[[], Region] | None
) -> tuple[Region, bool]:
    if (lng is None) != (lat is None):
        raise ValidationError({"lat": [_("Give both latitude and longitude, or neither")]})
    if lng is not None and lat is not None:
        if not (LNG_RANGE[0] <= lng <= LNG_RANGE[1] and LAT_RANGE[0] <= lat <= LAT_RANGE[1]):
            raise ValidationError({"lat": [_("This location is not in China: check it")]})
        found = locate_region(lng, lat)
        if found is not None and found.level.key in ("grid", "subgrid", "cell"):
            return found, True
    if callable(fallback):
        fallback = fallback()
    if fallback is None:
        raise ValidationError(
            {"lat": [_("The location is outside every grid: tap the map inside the district")]}
        )
    return fallback, False


def incident_report(
    *,
    actor: Any,
    category: IncidentCategory,
    description: str,
    lng: float | None = None,
    lat: float | None = None,
    address: str = "",
    grid: Region | Callable[[], Region] | None = None,
    photos: Sequence[UploadedFile] = (),
    client_id: str = "",
    reported_at: dt.datetime | None = None,
    resident: Resident | None = None,
    channel: str = "",
    request: HttpRequest | None = None,
) -> Incident:
    """Report an incident: a case in state "reported" at the grid holding the location.

    `grid` (or a function that finds it, called only when needed) is the fallback when the
    location falls in no grid: the reporter's own grid. A `client_id` already seen returns the
    incident it made (`replayed` is set on it): a phone that sends a report twice makes one
    incident. A grid worker's report in a grid of theirs is verified on the spot (they saw
    it): the case opens as "verified", both steps on its timeline, in the same writes.
    """
    client_id = client_id.strip()[:64]
    staff = actor if getattr(actor, "is_authenticated", False) and resident is None else None
    if client_id and staff is None:
        earlier = _of_client(client_id)
        if earlier is not None:
            return earlier
    if not category.is_active:
        raise ValidationError({"category": [_("This category is no longer in use")]})
    if not description.strip():
        raise ValidationError({"description": [_("Describe what you saw")]})
    check_photos(photos)
    region, located = _place(lng, lat, grid)
    now = timezone.now()
    if reported_at is None or reported_at > now:
        reported_at = now
    name = resident.name if resident is not None else str(getattr(actor, "name", "") or actor)
    phone = crypto.decrypt(resident.phone_enc) if resident is not None else ""
    incident = Incident(
        category=category,
        description=description.strip(),
        tier=category.default_tier,
        handling_region=region,
        channel=channel or _channel(actor, resident),
        reporter=staff,
        resident=resident,
        client_id=client_id or None,
        reported_at=reported_at,
        located=located,
    )
    seen = staff is not None and has_role(staff, {Role.GRID_WORKER}, region)
    title = f"{category.name}：{description.strip()}"[:200]
    rows = [Insert(incident)]
    if seen:
        rows.append(
            event_row(
                actor=staff,
                action="verify",
                from_state="reported",
                to_state="verified",
                note=_("Seen on site by the grid worker who reported it"),
            )
        )
    try:
        # With photos, the files are saved in the case's transaction; without, the case's
        # own writes are the whole transaction.
        with transaction.atomic() if photos else contextlib.nullcontext():
            case = case_open(
                case_type=KEY,
                actor=staff,
                region=region,
                title=title,
                requester_name=name or _("Grid worker"),
                requester_phone=phone,
                first_responder=staff,
                promised_days=category.time_limit,
                limit_kind=category.time_limit_kind,
                start_clock=False,
                address=address,
                lat=lat,
                lng=lng,
                data={"category": category.full_code},
                idempotency_key=client_id if staff is not None else "",
                request=request,
                rows=rows,
                state="verified" if seen else "",
            )
            if getattr(case, "replayed", False) or not rows[0].written:
                earlier = _of_client(client_id)
                if earlier is None:
                    raise IntegrityError("the client id names no incident")
                return earlier
            incident.case = case
            if photos:
                _save_photos(incident, photos, PhotoStage.BEFORE, staff)
    except IntegrityError:
        # The same client id raced in from a second upload, or from another account.
        earlier = _of_client(client_id) if client_id else None
        if earlier is None:
            raise
        return earlier
    incident.replayed = False  # type: ignore[attr-defined]
    incident.photo_count = len(photos)  # type: ignore[attr-defined]
    return incident


def _of_client(client_id: str) -> Incident | None:
    """The incident a phone's report id made, marked as a replay; None when not seen yet."""
    earlier = Incident.objects.filter(client_id=client_id).select_related("case").first()
    if earlier is not None:
        earlier.replayed = True  # type: ignore[attr-defined]
    return earlier


def _incident(case: Case) -> Incident:
    return Incident.objects.select_related("handling_region", "category").get(pk=case.pk)


@transaction.atomic
def incident_dispatch(
    *,
    case: Case,
    actor: Any,
    tier: str,
    unit: Unit | None = None,
    note: str = "",
    expected_state: str | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """Send a filed incident to the staff of a tier's node, or to a unit (a department)."""
    incident = _incident(case)
    if tier not in TIER_ROLES:
        raise ValidationError({"tier": [_("Choose where it is handled")]})
    node = tier_node(case.region, tier)
    moved = case_transition(
        case=case,
        name="dispatch",
        actor=actor,
        note=note,
        expected_state=expected_state,
        data={"tier": tier, "unit": unit.name if unit else "", "node": node.name},
        route=Route(owner_unit=unit, clear_owner=unit is None, clear_handler=True),
        request=request,
    )
    Incident.objects.filter(pk=incident.pk).update(tier=tier, handling_region=node)
    return moved


def next_tier(tier: str) -> str | None:
    at = TIER_ORDER.index(Tier(tier))
    return TIER_ORDER[at + 1] if at + 1 < len(TIER_ORDER) else None


@transaction.atomic
def incident_escalate(
    *,
    case: Case,
    actor: Any,
    note: str,
    expected_state: str | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """Send the incident one tier up the tree (beyond the tier's authority, or overdue).

    The next tier's node takes it over with a fresh time limit of the category; a department
    that held it lets it go (the upper tier re-dispatches or handles it).
    """
    incident = _incident(case)
    upper = next_tier(incident.tier)
    if upper is None:
        raise ValidationError({"tier": [_("It is already handled at the top tier")]})
    node = tier_node(case.region, upper)
    limit = TimeLimit(incident.category.time_limit, incident.category.time_limit_kind)
    moved = case_transition(
        case=case,
        name="escalate",
        actor=actor,
        note=note,
        expected_state=expected_state,
        data={"tier": upper, "node": node.name, "from_tier": incident.tier},
        route=Route(clear_owner=True, clear_handler=True, limit=limit),
        request=request,
    )
    Incident.objects.filter(pk=incident.pk).update(tier=upper, handling_region=node)
    return moved


@transaction.atomic
def incident_feedback(
    *,
    case: Case,
    actor: Any,
    note: str,
    photos: Sequence[UploadedFile] = (),
    expected_state: str | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """The handler reports what was done, with photos of the result."""
    check_photos(photos)
    moved = case_transition(
        case=case,
        name="feedback",
        actor=actor,
        note=note,
        expected_state=expected_state,
        data={"photos": len(photos)},
        request=request,
    )
    _save_photos(_incident(case), photos, PhotoStage.AFTER, actor)
    return moved


@transaction.atomic
def incident_postpone_approve(
    *,
    case: Case,
    actor: Any,
    amount: int,
    note: str = "",
    expected_state: str | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """Approve a requested postponement: the deadline moves by `amount` units of its kind."""
    if amount <= 0:
        raise ValidationError({"amount": [_("A postponement is at least one unit of time")]})
    moved = case_transition(
        case=case,
        name="approve_postpone",
        actor=actor,
        note=note,
        expected_state=expected_state,
        data={"amount": amount},
        request=request,
    )
    return case_extend(
        case=moved,
        days=amount,
        actor=actor,
        note=note or _("Postponement approved"),
        request=request,
    )


def incident_supervise(
    *, case: Case, actor: Any, note: str, request: HttpRequest | None = None
) -> None:
    """督办: a leader presses the handler; a remark on the timeline and a message."""
    if not has_role(actor, SUPERVISING, case.region):
        raise PermissionDenied(_("Your role may not do this"))
    if case.state in ("closed", "not_filed"):
        raise ValidationError({"note": [_("This incident is closed")]})
    case_remark(
        case=case,
        action="supervise",
        actor=actor,
        note=note,
        tell=[case.handler, case.first_responder],
        request=request,
    )


def overdue_escalate(now: dt.datetime | None = None, limit: int = 500) -> int:
    """Escalate every overdue incident still with its handlers one tier up; how many moved.

    Reads only running incidents past their deadline (the deadline scan's index on
    clock and due date, then the exact moment), so the cost follows the overdue ones.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    candidates = list(
        Case.objects.filter(
            type_key=KEY,
            clock="running",
            due_date__lte=today,
            due_at__lt=now,
            state__in=("dispatched", "handling"),
        )
        .exclude(incident__tier=Tier.DISTRICT)
        .order_by("due_at")[:limit]
    )
    moved = 0
    for case in candidates:
        try:
            incident_escalate(
                case=case,
                actor=None,
                note=_("Overdue: escalated automatically"),
                expected_state=case.state,
            )
        except (CaseConflict, ValidationError):
            continue  # moved by someone meanwhile, or no node above: the next scan sees it
        moved += 1
    return moved


# --- The steps pages and the API take through the engine's `case_step` ------------------------


def _amount(data: dict[str, Any]) -> int:
    try:
        return int(str(data.get("amount", "")).strip())
    except ValueError:
        raise ValidationError({"amount": [_("Enter a whole number")]}) from None


def _unit_of(data: dict[str, Any]) -> Unit | None:
    raw = str(data.get("unit", "") or "").strip()
    if not raw:
        return None
    unit = Unit.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if unit is None:
        raise ValidationError({"unit": [_("No such unit")]})
    return unit


def _step_dispatch(*, case: Case, data: dict[str, Any], **kwargs: Any) -> Case:
    kwargs.pop("files", None)
    tier = str(data.get("tier", "") or "") or _incident(case).category.default_tier
    return incident_dispatch(case=case, tier=tier, unit=_unit_of(data), **kwargs)


def _step_escalate(*, case: Case, data: dict[str, Any], **kwargs: Any) -> Case:
    kwargs.pop("files", None)
    return incident_escalate(case=case, **kwargs)


def _step_feedback(*, case: Case, data: dict[str, Any], **kwargs: Any) -> Case:
    return incident_feedback(case=case, photos=kwargs.pop("files", ()) or (), **kwargs)


def _step_approve_postpone(*, case: Case, data: dict[str, Any], **kwargs: Any) -> Case:
    kwargs.pop("files", None)
    return incident_postpone_approve(case=case, amount=_amount(data), **kwargs)


def _step_request_postpone(*, case: Case, data: dict[str, Any], **kwargs: Any) -> Case:
    kwargs.pop("files", None)
    amount = _amount(data)
    if amount <= 0:
        raise ValidationError({"amount": [_("A postponement is at least one unit of time")]})
    return case_transition(case=case, name="request_postpone", data={"amount": amount}, **kwargs)


INCIDENT.services.update(
    {
        "dispatch": _step_dispatch,
        "escalate": _step_escalate,
        "feedback": _step_feedback,
        "request_postpone": _step_request_postpone,
        "approve_postpone": _step_approve_postpone,
    }
)
