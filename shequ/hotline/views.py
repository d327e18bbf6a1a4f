"""The operator's desk (take a call, live duplicate suggestions, the caller from the register)
and the hotline's steps on a case (dispatch, send back, supervise, assist, reveal the caller).

A hotline case is shown on the engine's case page; the hotline's panel there (the
`hotline_panel` tag) posts to these views, which redirect back to it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.accounts.models import staff_user
from shequ.audit.models import Action
from shequ.audit.services import Target, audit_record
from shequ.cases.models import Case
from shequ.cases.registry import get_type
from shequ.cases.services import CaseConflict
from shequ.hotline import search, services
from shequ.hotline.forms import CallForm, DispatchForm, NoteForm, ReplyForm, RevealForm
from shequ.hotline.models import Call, Category, HotlineCase
from shequ.hotline.selectors import (
    HOTLINE_TYPES,
    assist_of,
    can_take_calls,
    hotline_case_for_user,
    hotline_cases_for,
    is_centre,
    is_manager,
    is_operator,
    open_case_for_merge,
    sees_caller,
    units_for_dispatch,
)
from shequ.lib import crypto
from shequ.lib.codes import display_code
from shequ.lib.phones import PhoneError, parse_phone
from shequ.people.models import Person
from shequ.regions.locate import locate_region
from shequ.regions.models import Region, Unit
from shequ.regions.scoping import get_region_for_user, home_region


def _require_operator(request: HttpRequest) -> Any:
    user = staff_user(request)
    if not can_take_calls(user):
        raise PermissionDenied(_("The hotline desk is for hotline operators"))
    return user


def _report(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _float(value: str) -> float | None:
    try:
        return float(value) if value.strip() else None
    except ValueError:
        return None


def _communities(user: Any) -> list[Region]:
    return list(
        Region.objects.visible_to(user)
        .filter(level__key="community")
        .select_related("parent")
        .order_by("path")
    )


# --- The desk --------------------------------------------------------------------------------


def _call_region(user: Any, form: CallForm) -> Region:
    """The node of the call: the grid of its point, else the chosen community, else home."""
    home = home_region(user)
    chosen = form.cleaned_data.get("region")
    fallback = get_region_for_user(user, chosen) if chosen else home
    lat, lng = form.cleaned_data.get("lat"), form.cleaned_data.get("lng")
    if lat is not None and lng is not None:
        located = locate_region(lng, lat, fallback=fallback)
        if located is not None and Region.objects.visible_to(user).filter(pk=located.pk).exists():
            return located
    return fallback


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    """The operator's screen: one form for the call, suggestions beside it."""
    user = _require_operator(request)
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = None
        if data.get("person"):
            person = Person.objects.visible_to(user).filter(pk=data["person"]).first()
        merge = open_case_for_merge(user, data["merge"]) if data.get("merge") else None
        link = open_case_for_merge(user, data["link"]) if data.get("link") else None
        try:
            call = services.call_take(
                actor=user,
                data=services.CallIn(
                    text=data["text"],
                    region=_call_region(user, form),
                    address=data.get("address") or "",
                    lat=data.get("lat"),
                    lng=data.get("lng"),
                    category=data.get("category"),
                    kind=data["kind"],
                    urgency=data["urgency"],
                    confidential=data.get("confidential") or False,
                    caller_name=data.get("caller_name") or "",
                    caller_phone=data.get("caller_phone") or "",
                    person=person,
                ),
                merge_into=merge,
                link_to=link,
                request=request,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                target = field if field in form.fields else None
                for error in errors:
                    form.add_error(target, error)
        else:
            code = display_code(call.case.tracking_code)
            if merge is not None:
                messages.success(
                    request,
                    _("Merged into %(code)s as a repeat call.") % {"code": code},
                )
            else:
                messages.success(request, _("Case %(code)s taken.") % {"code": code})
            return redirect("cases:case-detail", case_id=call.case_id)
    home = home_region(user)
    return render(
        request,
        "hotline/desk.html",
        {
            "form": form,
            "communities": _communities(user),
            "home": home,
            "recent": Call.objects.visible_to(user)
            .filter(operator=user)
            .select_related("case")
            .order_by("-id")[:8],
        },
    )


@login_required
def suggest(request: HttpRequest) -> HttpResponse:
    """The open cases like the call being typed (an htmx fragment of the desk)."""
    user = _require_operator(request)
    query = search.Query(
        address=request.GET.get("address", "")[:200],
        text=request.GET.get("text", "")[:1000],
        lat=_float(request.GET.get("lat", "")),
        lng=_float(request.GET.get("lng", "")),
    )
    found = search.suggest(user, query)
    texts = search.hotline_text(s.case_id for s in found)
    rows = []
    for suggestion in found:
        case = suggestion.case
        kind = get_type(case.type_key)
        rows.append(
            {
                "s": suggestion,
                "case": case,
                "code": display_code(case.tracking_code),
                "type_label": kind.label,
                "state_label": kind.state_label(case.state),
                "text": texts.get(case.pk, ""),
                "metres": round(suggestion.metres) if suggestion.metres is not None else None,
                "near": suggestion.metres is not None and suggestion.metres <= search.NEAR_METRES,
                "text_percent": round(suggestion.text_similarity * 100),
            }
        )
    return render(request, "hotline/_suggestions.html", {"rows": rows, "asked": not query.empty})


@login_required
def caller_lookup(request: HttpRequest) -> HttpResponse:
    """The caller in the register by phone (keyed hash), masked; the lookup is audited."""
    user = _require_operator(request)
    raw = request.GET.get("caller_phone", "").strip()
    context: dict[str, Any] = {"persons": [], "error": "", "asked": bool(raw)}
    if raw:
        try:
            phone = parse_phone(raw)
        except PhoneError as exc:
            context["error"] = str(exc)
        else:
            persons = list(
                Person.objects.visible_to(user)
                .filter(phone_hash=crypto.keyed_hash(phone), left_on__isnull=True)
                .select_related("region", "dwelling__building")
                .order_by("id")[:5]
            )
            context["persons"] = persons
            audit_record(
                actor=user,
                action=Action.LOOKUP,
                obj=Target(
                    "people.search", "", _("Caller looked up by phone"), home_region(user).path
                ),
                changes={"kind": "phone", "found": len(persons)},
                request=request,
            )
    return render(request, "hotline/_caller.html", context)


# --- Lists -----------------------------------------------------------------------------------


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """Hotline requests and opinions the user reaches, newest first, with simple filters."""
    user = staff_user(request)
    cases = hotline_cases_for(user).select_related(
        "region", "owner_unit", "hotline", "hotline__category"
    )
    type_key = request.GET.get("type", "")
    if type_key in HOTLINE_TYPES:
        cases = cases.filter(type_key=type_key)
    state = request.GET.get("state", "")[:32]
    if state:
        cases = cases.filter(state=state)
    text = request.GET.get("q", "").strip()[:100]
    if text:
        cases = cases.filter(Q(title__icontains=text) | Q(address__icontains=text))
    page = Paginator(cases.order_by("-id"), 25).get_page(request.GET.get("page"))
    rows = []
    for case in page.object_list:
        kind = get_type(case.type_key)
        detail = getattr(case, "hotline", None)
        rows.append(
            {
                "case": case,
                "detail": detail,
                "code": display_code(case.tracking_code),
                "type_label": kind.label,
                "state_label": kind.state_label(case.state),
                "caller": case.requester_name if sees_caller(user, case, detail) else "",
            }
        )
    states = [(k.key, k.label, list(k.states.items())) for k in map(get_type, HOTLINE_TYPES)]
    return render(
        request,
        "hotline/case_list.html",
        {
            "page": page,
            "rows": rows,
            "states": states,
            "filters": {"type": type_key, "state": state, "q": text},
        },
    )


# --- Steps on a case -------------------------------------------------------------------------


def _back(case: Case) -> HttpResponse:
    return redirect("cases:case-detail", case_id=case.pk)


@login_required
@require_POST
def case_dispatch(request: HttpRequest, case_id: int) -> HttpResponse:
    user = staff_user(request)
    case = hotline_case_for_user(user, case_id)
    if case.type_key != "hotline":
        raise Http404("not found")
    allowed = (
        is_manager(user, case.region) if case.state == "escalated" else is_centre(user, case.region)
    )
    if not allowed:
        raise PermissionDenied
    choices = [(unit.pk, unit.name) for unit in units_for_dispatch()]
    form = DispatchForm(request.POST, unit_choices=choices)
    if not form.is_valid():
        messages.error(request, _("Choose the lead unit"))
        return _back(case)
    units = {unit.pk: unit for unit in units_for_dispatch()}
    lead = units.get(form.cleaned_data["lead_unit"])
    if lead is None:
        messages.error(request, _("Choose the lead unit"))
        return _back(case)
    assisting = [units[pk] for pk in form.cleaned_data["assisting_units"] if pk in units]
    try:
        services.case_dispatch(
            case=case,
            actor=user,
            lead_unit=lead,
            assisting_units=assisting,
            note=form.cleaned_data["note"] or "",
            request=request,
        )
    except CaseConflict as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("Dispatched to %(unit)s.") % {"unit": lead.name})
    return _back(case)


@login_required
@require_POST
def case_send_back(request: HttpRequest, case_id: int) -> HttpResponse:
    user = staff_user(request)
    case = hotline_case_for_user(user, case_id)
    if case.type_key != "hotline" or case.owner_unit_id is None:
        raise Http404("not found")
    if case.owner_unit_id not in _units(user):
        raise PermissionDenied
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for sending it back"))
        return _back(case)
    try:
        moved = services.case_send_back(
            case=case, actor=user, note=form.cleaned_data["note"], request=request
        )
    except CaseConflict as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        _report(request, exc)
    else:
        if moved.state == "escalated":
            messages.warning(request, _("Sent back; this was the third time: it is escalated."))
        else:
            messages.success(request, _("Sent back to the hotline."))
        # The unit no longer reaches the case: back to its work queue.
        return redirect("cases:queue")
    return _back(case)


def _units(user: Any) -> set[int]:
    from shequ.regions.permissions import unit_ids

    return unit_ids(user)


@login_required
@require_POST
def case_supervise(request: HttpRequest, case_id: int) -> HttpResponse:
    user = staff_user(request)
    case = hotline_case_for_user(user, case_id)
    if case.type_key != "hotline":
        raise Http404("not found")
    if not is_centre(user, case.region):
        raise PermissionDenied
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write what the unit is urged to do"))
        return _back(case)
    try:
        services.case_supervise(
            case=case, actor=user, note=form.cleaned_data["note"], request=request
        )
    except ValidationError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("Supervision recorded and sent to the unit."))
    return _back(case)


@login_required
def case_assist(request: HttpRequest, case_id: int) -> HttpResponse:
    """An assisting unit's page: the matter (the caller hidden) and its contribution."""
    user = staff_user(request)
    case = hotline_case_for_user(user, case_id)
    assist = assist_of(user, case)
    if assist is None:
        raise Http404("not found")
    form = ReplyForm(request.POST or None, initial={"reply": assist.reply})
    if request.method == "POST" and form.is_valid():
        try:
            services.assist_reply(
                assist=assist, actor=user, reply=form.cleaned_data["reply"], request=request
            )
        except ValidationError as exc:
            _report(request, exc)
        else:
            messages.success(request, _("Your unit's contribution is recorded."))
            return redirect("hotline:case-assist", case_id=case.pk)
    kind = get_type(case.type_key)
    return render(
        request,
        "hotline/case_assist.html",
        {
            "case": case,
            "detail": case.hotline,
            "assist": assist,
            "form": form,
            "code": display_code(case.tracking_code),
            "state_label": kind.state_label(case.state),
        },
    )


@login_required
@require_POST
def caller_reveal(request: HttpRequest, case_id: int) -> HttpResponse:
    """The caller's full phone for a call-back: operators only, with a reason, audited."""
    user = staff_user(request)
    case = hotline_case_for_user(user, case_id)
    detail = HotlineCase.objects.filter(case=case).first()
    if detail is None or not is_operator(user, case.region):
        raise PermissionDenied
    form = RevealForm(request.POST)
    if not form.is_valid():
        return HttpResponse(
            f'<span class="error">{_("Give the reason for the call-back")}</span>', status=400
        )
    sealed = detail.caller_phone_enc if detail.confidential else case.requester_phone_enc
    name = (
        crypto.decrypt(detail.caller_name_enc)
        if detail.confidential and detail.caller_name_enc
        else case.requester_name
    )
    phone = crypto.decrypt(sealed) if sealed else ""
    audit_record(
        actor=user,
        action=Action.REVEAL,
        obj=case,
        changes={"caller_phone": "revealed"},
        reason=form.cleaned_data["reason"],
        request=request,
    )
    return render(request, "hotline/_revealed.html", {"name": name, "phone": phone})


def dispatch_context(user: Any, case: Case, detail: HotlineCase) -> dict[str, Any]:
    """The dispatch form's units, the responsibility list's suggestion first."""
    entry = services.suggested_units(detail, case.region)
    units = list(units_for_dispatch())
    return {
        "units": units,
        "suggested_lead": entry.lead_unit_id if entry else None,
        "suggested_assist": set(entry.assisting_units.values_list("pk", flat=True))
        if entry
        else set(),
        "entry": entry,
        "post_url": reverse("hotline:case-dispatch", args=[case.pk]),
    }


def categories() -> list[Category]:
    return list(Category.objects.filter(is_active=True).order_by("code"))


def unit_names(ids: list[int]) -> dict[int, str]:
    return dict(Unit.objects.filter(pk__in=ids).values_list("pk", "name"))
