"""The hall through the API: the catalog, window intake, and the public status lookup.

Intake takes an `Idempotency-Key` header: a retried request returns the case the first one
made (201 the first time, 200 on a replay), so a client that lost the answer never makes two.
The lookup and its rating need no account, like the lookup page, and share its rate limit.
"""

import datetime as dt
import hmac
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Header, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from shequ.accounts.models import staff_user
from shequ.cases.api import CaseOut, DetailOut, detail
from shequ.cases.models import Case, CaseEvent, Rating, RatingChannel, RatingLevel
from shequ.cases.registry import get_type
from shequ.cases.services_rating import case_rate
from shequ.core.sql import Reader, prepared_cursor
from shequ.hall.cache import item_version
from shequ.hall.forms_public import PHONE_TAIL, LookupForm
from shequ.hall.models import ServiceItem
from shequ.hall.ratelimit import allow, client_address
from shequ.hall.services import window_accept
from shequ.hall.views_lookup import NO_TAIL
from shequ.hall.views_lookup import _deadline as deadline_text
from shequ.hall.views_lookup import _sentence as timeline_sentence
from shequ.lib import crypto
from shequ.lib.codes import display_code, is_valid_code, normalise_code
from shequ.lib.idnumbers import DocType, IdentityError, parse_identity
from shequ.people.models import Person
from shequ.regions.permissions import has_role
from shequ.regions.roles import Role
from shequ.regions.scoping import get_region_in_scope

router = Router(tags=["hall"])


class ItemOut(Schema):
    id: int
    code: str
    version: int
    is_current: bool
    name: str
    kind: str
    department_id: int
    department_name: str
    promised_days: int
    statutory_days: int
    fee: str
    online: bool
    by_proxy: bool
    delivery: bool

    @staticmethod
    def resolve_department_name(obj: ServiceItem) -> str:
        return obj.department.name


class MaterialOut(Schema):
    id: int
    name: str
    form: str
    count: int
    electronic_ok: bool
    required: bool
    note: str


class ItemDetailOut(ItemOut):
    legal_basis: str
    procedure: str
    conditions: str
    materials: list[MaterialOut]

    @staticmethod
    def resolve_materials(obj: ServiceItem) -> list[Any]:
        return list(obj.materials.all())


class ApplicationIn(Schema):
    item_id: int
    applicant_id_number: str = Field(..., max_length=40)
    doc_type: DocType = DocType.ID_CARD
    region_id: int = Field(..., description="The accepting hall's node (the caller's window).")
    materials: list[int] = Field(default_factory=list, description="Ids of materials received.")
    phone: str = Field("", max_length=32, description="Contact phone, when not the register's.")
    note: str = Field("", max_length=2000)


class LookupIn(Schema):
    code: str = Field(..., max_length=40)
    phone_tail: str = Field(..., max_length=8)


class TimelineOut(Schema):
    at: dt.datetime
    text: str


class LookupOut(Schema):
    code: str
    title: str
    state: str
    finished: bool
    deadline: str
    due_date: dt.date | None
    timeline: list[TimelineOut]
    ratable: bool
    rating: int | None
    followup: str | None


class PublicRatingIn(LookupIn):
    level: int
    comment: str = Field("", max_length=2000)


@router.get("/items", response=list[ItemOut], summary="Current service items, with search")
@paginate(LimitOffsetPagination, max_limit=500)
def item_list(request: HttpRequest, q: str = "") -> QuerySet[ServiceItem]:
    items = ServiceItem.objects.current().select_related("department")
    text = q.strip()
    if text:
        items = items.filter(Q(name__icontains=text) | Q(code__icontains=text))
    return items.order_by("code")


@router.get("/items/{item_id}", response=ItemDetailOut, summary="One item version with materials")
def item_detail(request: HttpRequest, item_id: int) -> ServiceItem:
    item = ServiceItem.objects.select_related("department").filter(pk=item_id).first()
    if item is None:
        raise Http404
    return item


WINDOW_ROLES = frozenset({Role.WINDOW_WORKER})
_PERSON = Reader(Person, ("id", "name", "phone_enc"))


def _applicant(id_number_hash: str) -> Person | None:
    """The person of the register with this identity number: what the intake needs of him."""
    table = connection.ops.quote_name(Person._meta.db_table)
    with prepared_cursor() as cursor:
        cursor.execute(
            f"SELECT {_PERSON.columns('p')} FROM {table} p WHERE p.id_number_hash = %s LIMIT 1",
            [id_number_hash],
        )
        row = cursor.fetchone()
    return _PERSON.load(row) if row is not None else None


@router.post(
    "/applications",
    response={200: CaseOut, 201: CaseOut, 404: DetailOut},
    summary="Accept an application at a window (idempotent with an Idempotency-Key header)",
)
def application_create(
    request: HttpRequest,
    data: ApplicationIn,
    idempotency_key: str = Header("", alias="Idempotency-Key", max_length=100),
) -> Any:
    region = get_region_in_scope(request.user, data.region_id)
    if not has_role(request.user, WINDOW_ROLES, region):
        raise PermissionDenied(_("Only a window worker of this hall may accept applications"))
    item = item_version(data.item_id)
    if item is None:
        return Status(404, {"detail": _("There is no service item with this id")})
    try:
        identity = parse_identity(data.applicant_id_number, data.doc_type)
    except IdentityError as exc:
        raise ValidationError({"applicant_id_number": [str(exc)]}) from exc
    applicant = _applicant(crypto.keyed_hash(identity.number))
    if applicant is None:
        return Status(404, {"detail": _("No person with this identity number is in the register")})
    key = idempotency_key.strip()
    actor = staff_user(request)
    case = window_accept(
        actor=actor,
        item=item,
        applicant=applicant,
        region=region,
        materials=data.materials,
        phone=data.phone,
        note=data.note,
        idempotency_key=key,
        request=request,
    )
    # A new case carries its region, unit and first responder already; a replayed one is read.
    if getattr(case, "replayed", False):
        return Status(200, detail(case))
    return JsonResponse(_case_out(case), status=201)


def _case_out(case: Case) -> dict[str, Any]:
    """The new case as `CaseOut` documents it, with the schema's own resolvers, without the
    schema's validation of our own values (the tests compare it with the validated answer)."""
    return {
        name: resolver(case)
        if (resolver := getattr(CaseOut, f"resolve_{name}", None))
        else getattr(case, name)
        for name in CaseOut.model_fields
    }


def _allowed(request: HttpRequest) -> bool:
    """Count the attempt against the lookup page's limit for this address."""
    return allow(
        scope="lookup", key=client_address(request), limit=settings.STATUS_LOOKUPS_PER_MINUTE
    )


def _parsed(data: LookupIn) -> tuple[str, str]:
    """The normalised code and digits; 400 with the lookup page's messages."""
    code, tail = normalise_code(data.code), "".join(data.phone_tail.split())
    if is_valid_code(code) and PHONE_TAIL.match(tail):
        return code, tail
    form = LookupForm({"code": data.code, "phone_tail": data.phone_tail})
    form.is_valid()
    raise ValidationError({field: list(errors) for field, errors in form.errors.items()})


def _too_many() -> Status:
    return Status(
        429,
        {"detail": _("Too many lookups from this device. Please wait a minute and try again.")},
    )


def _not_found() -> Status:
    return Status(404, {"detail": _("There is no matter with this code and phone number.")})


PUBLIC_FIELDS = (
    "id", "type_key", "state", "tracking_code", "title", "clock", "due_date", "due_provisional",
    "paused_on", "finished_at", "requester_phone_tail",
)  # fmt: skip
_CASE = Reader(Case, PUBLIC_FIELDS)
_EVENT = Reader(CaseEvent, ("id", "at", "action", "to_state", "data"))
_RATING = Reader(Rating, ("level",))


_FIND_SQL: dict[str, str] = {}


def _find_sql() -> str:
    sql = _FIND_SQL.get(connection.vendor)
    if sql is None:
        sql = _FIND_SQL[connection.vendor] = _build_find_sql()
    return sql


def _build_find_sql() -> str:
    quote = connection.ops.quote_name
    case, rating, event = (quote(m._meta.db_table) for m in (Case, Rating, CaseEvent))
    return (
        f"SELECT {_CASE.columns('c')}, {_RATING.columns('r')}, {_EVENT.columns('e')} "
        f"FROM {case} c LEFT JOIN {rating} r ON r.case_id = c.id "
        f"LEFT JOIN {event} e ON e.case_id = c.id "
        "WHERE c.tracking_code = %s ORDER BY e.id"
    )


def _find(code: str, tail: str) -> tuple[Case, list[CaseEvent]] | None:
    """The case with this code whose requester's phone ends in `tail`, with its rating level
    and its timeline.

    The same answer and about the same time for an unknown code and for wrong digits (as the
    lookup page's `find_case`); one statement, only the columns the answer needs, the rating
    and the events joined.
    """
    with prepared_cursor() as cursor:
        cursor.execute(_find_sql(), [code])
        rows = cursor.fetchall()
    found = _CASE.load(rows[0]) if rows else None
    expected = found.requester_phone_tail if found is not None else ""
    matches = hmac.compare_digest((expected or NO_TAIL).encode(), tail.encode())
    if found is None or not expected or not matches:
        return None
    found.rating_level = rows[0][_CASE.width]
    skip = _CASE.width + _RATING.width
    events = [_EVENT.load(row[skip:]) for row in rows if row[skip] is not None]
    return found, events


def _public(case: Case, events: list[CaseEvent]) -> dict[str, Any]:
    """What a resident sees of a case: plain words only, as on the lookup page."""
    kind = get_type(case.type_key)
    level = case.rating_level  # type: ignore[attr-defined]
    finished = case.state in kind.final_states
    followup = None
    if level is not None and level <= RatingLevel.DISSATISFIED:
        fix = (
            Case.objects.filter(parent_id=case.pk, type_key="rectification")
            .only("type_key", "state")
            .order_by("id")
            .first()
        )
        if fix is not None:
            fix_kind = get_type(fix.type_key)
            followup = fix_kind.public_states.get(fix.state) or fix_kind.state_label(fix.state)
    return {
        "code": display_code(case.tracking_code),
        "title": case.title,
        "state": str(kind.public_states.get(case.state) or kind.state_label(case.state)),
        "finished": finished,
        "deadline": deadline_text(case),
        "due_date": case.due_date,
        "timeline": [{"at": event.at, "text": timeline_sentence(kind, event)} for event in events],
        "ratable": kind.ratable and finished and level is None,
        "rating": level,
        "followup": str(followup) if followup is not None else None,
    }


@router.post(
    "/lookup",
    auth=None,
    response={200: LookupOut, 404: DetailOut, 429: DetailOut},
    summary="Public: where a matter stands, by tracking code and the last 4 phone digits",
)
def lookup(request: HttpRequest, data: LookupIn) -> Any:
    if not _allowed(request):
        return _too_many()
    found = _find(*_parsed(data))
    if found is None:
        return _not_found()
    # The answer is built here as LookupOut documents it; skipping the schema's validation of
    # our own dict saves a third of the endpoint's time (the tests compare it to the schema).
    return JsonResponse(_public(*found))


@router.post(
    "/lookup/rating",
    auth=None,
    response={201: LookupOut, 404: DetailOut, 429: DetailOut},
    summary="Public: rate a finished matter, by tracking code and the last 4 phone digits",
)
def lookup_rating(request: HttpRequest, data: PublicRatingIn) -> Any:
    if not _allowed(request):
        return _too_many()
    found = _find(*_parsed(data))
    if found is None:
        return _not_found()
    case = found[0]
    rating = case_rate(
        case=case,
        level=data.level,
        comment=data.comment,
        channel=RatingChannel.API,
        actor=None,
        request=request,
    )
    case.rating_level = rating.level  # type: ignore[attr-defined]
    events = list(CaseEvent.objects.filter(case_id=case.pk).only(*_EVENT.names).order_by("id"))
    return Status(201, _public(case, events))
