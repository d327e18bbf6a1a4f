"""The engine's staff pages: the work queue, a case with its timeline and actions, the inbox.

The pages work for every case type: states, transitions and labels come from the registry.
A type's app adds its own part of the case page by convention, without the engine importing
it: a template `<app label>/_case_<type key>.html` and, beside it, an optional module
`<app>.views_case` with `case_fragment_context(case) -> dict` (the template's `fragment`) and
`clean_transition_data(case, name, data) -> dict` (checks the extra data_<key> fields of a
transition form; without it such fields are dropped) and `event_data_lines(data) -> dict`
(words for the type's own keys in a timeline event's data, by key).
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shequ.accounts.models import User, staff_user
from shequ.audit.models import Action
from shequ.audit.services import audit_record
from shequ.cases import services, services_rating
from shequ.cases.deadlines import HOUR_KINDS, LimitKind
from shequ.cases.forms import (
    AttachmentForm,
    CallbackRatingForm,
    ExtendForm,
    TransitionForm,
    transition_data,
)
from shequ.cases.models import (
    Case,
    CaseEvent,
    Clock,
    Rating,
    RatingChannel,
    RatingLevel,
)
from shequ.cases.registry import CaseType, all_types, get_type
from shequ.cases.selectors import (
    DUE_FILTERS,
    EVERYTHING,
    FINISHED,
    OPEN,
    TABS,
    QueueFilters,
    case_for_user,
    cases_for,
    deadline,
    due_soon_until,
    may_attach,
    may_extend,
    may_record_rating,
    queue_regions,
    tab_counts,
    work_queue,
)
from shequ.lib.codes import display_code
from shequ.regions.permissions import unit_ids
from shequ.regions.scoping import get_region_for_user
from shequ.workdays import calendar

# Timeline entries the engine writes itself (the others are the type's transitions).
ENGINE_ACTIONS = {
    "open": gettext_lazy("Opened"),
    "extend": gettext_lazy("Deadline extended"),
    "rate": gettext_lazy("Rated"),
    "due_soon": gettext_lazy("Due-soon warning"),
    "overdue": gettext_lazy("Overdue reminder"),
}


# --- A case type's own part of the page ------------------------------------------------------


@dataclass(frozen=True)
class TypeExtension:
    template: str
    module: ModuleType | None

    def context(self, case: Case, user: Any) -> dict[str, Any]:
        build = getattr(self.module, "case_fragment_context", None)
        return build(case, user) if build is not None else {}

    def clean_data(self, case: Case, name: str, data: dict[str, str]) -> dict[str, Any]:
        clean = getattr(self.module, "clean_transition_data", None)
        return clean(case, name, data) if clean is not None else {}

    def data_lines(self, data: dict[str, Any]) -> dict[str, str]:
        describe = getattr(self.module, "event_data_lines", None)
        return describe(data) if describe is not None else {}


def _views_case(app_module: str) -> ModuleType | None:
    module_name = f"{app_module}.views_case"
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        return None


@functools.cache
def type_extension(type_key: str) -> TypeExtension | None:
    """The app that provides `<label>/_case_<type_key>.html`, if any (cached per process)."""
    for config in apps.get_app_configs():
        name = f"{config.label}/_case_{type_key}.html"
        try:
            get_template(name)
        except TemplateDoesNotExist:
            continue
        return TypeExtension(name, _views_case(config.name))
    return None


# --- Labels ----------------------------------------------------------------------------------


def _kind(case: Case) -> CaseType | None:
    try:
        return get_type(case.type_key)
    except LookupError:
        return None


def _state_label(kind: CaseType | None, state: str) -> Any:
    return kind.state_label(state) if kind is not None and state else state


def _action_label(kind: CaseType | None, action: str) -> Any:
    if action in ENGINE_ACTIONS:
        return ENGINE_ACTIONS[action]
    transition = kind.transition(action) if kind is not None else None
    return transition.label if transition is not None else action


def _event_details(event: CaseEvent, extension: TypeExtension | None) -> list[str]:
    """The event's data in words: paused days, new due date, extension, rating, and the
    type's own keys as its app words them."""
    data = dict(event.data or {})
    lines: list[str] = []
    if extension is not None:
        own = extension.data_lines(data)
        lines += [line for line in own.values() if line]
        data = {key: value for key, value in data.items() if key not in own}
    if {"days", "from", "to"} <= data.keys():
        words = {"days": data.pop("days"), "old": data.pop("from"), "new": data.pop("to")}
        if data.pop("kind", LimitKind.WORKING_DAYS) in HOUR_KINDS:
            lines.append(_("Extended by %(days)s hours: %(old)s → %(new)s") % words)
        else:
            lines.append(_("Extended by %(days)s working days: %(old)s → %(new)s") % words)
    if "paused_on" in data:
        lines.append(_("Clock paused on %(date)s") % {"date": data.pop("paused_on")})
    if "paused_working_days" in data:
        lines.append(
            _("Paused for %(days)s working days") % {"days": data.pop("paused_working_days")}
        )
    if "owner_unit" in data:
        unit = data.pop("owner_unit")
        lines.append(
            _("Owning unit: %(unit)s") % {"unit": unit} if unit else _("Owning unit cleared")
        )
    if "region" in data:
        lines.append(_("Moved to %(region)s") % {"region": data.pop("region")})
    if "due_at" in data:
        data.pop("due_date", None)
        moment = data.pop("due_at")
        lines.append(_("Due: %(moment)s") % {"moment": str(moment)[:16].replace("T", " ")})
    if "due_date" in data:
        lines.append(_("Due date: %(date)s") % {"date": data.pop("due_date")})
    if "on_time" in data:
        lines.append(
            _("Within the time limit") if data.pop("on_time") else _("Past the time limit")
        )
    if "level" in data:
        level = data.pop("level")
        channel = data.pop("channel", "")
        lines.append(
            _("Rating: %(level)s (%(channel)s)")
            % {
                "level": dict(RatingLevel.choices).get(level, level),
                "channel": dict(RatingChannel.choices).get(channel, channel),
            }
        )
    data.pop("scanned_on", None)
    lines += [f"{key}: {value}" for key, value in sorted(data.items())]
    return lines


def _report(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _report_form(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))


# --- The work queue --------------------------------------------------------------------------

TAB_LABELS = {
    "unit": gettext_lazy("My unit"),
    "mine": gettext_lazy("Mine"),
    "area": gettext_lazy("All in my area"),
}


def _state_options(type_key: str) -> list[tuple[Any, list[tuple[str, Any]]]]:
    kinds = [k for k in all_types() if not type_key or k.key == type_key]
    return [(kind.label, list(kind.states.items())) for kind in kinds]


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    tabs = [t for t in TABS if t != "unit" or unit_ids(user)]
    tab = request.GET.get("tab", "")
    if tab not in tabs:
        tab = tabs[0]
    region = None
    if region_id := request.GET.get("region", "").strip():
        region = get_region_for_user(user, int(region_id) if region_id.isdigit() else 0)
    keys = {k.key for k in all_types()}
    type_key = request.GET.get("type", "")
    filters = QueueFilters(
        type_key=type_key if type_key in keys else "",
        state=request.GET.get("state", OPEN)[:32],
        due=request.GET.get("due", "") if request.GET.get("due") in DUE_FILTERS else "",
        text=request.GET.get("q", "")[:100],
        region=region,
    )
    page = Paginator(work_queue(user, tab=tab, filters=filters), 25).get_page(
        request.GET.get("page")
    )
    today = calendar.today()
    soon_until = due_soon_until(today)
    rows = []
    for case in page.object_list:
        kind = _kind(case)
        rows.append(
            {
                "case": case,
                "code": display_code(case.tracking_code),
                "type_label": kind.label if kind else case.type_key,
                "state_label": _state_label(kind, case.state),
                "deadline": deadline(case, today, soon_until),
            }
        )
    counts = tab_counts(user, filters, today, tabs=tabs)
    context = {
        "tabs": [{"key": t, "label": TAB_LABELS[t], "count": counts[t]} for t in tabs],
        "tab": tab,
        "filters": filters,
        "page": page,
        "rows": rows,
        "types": [(k.key, k.label) for k in all_types()],
        "state_options": _state_options(filters.type_key),
        "pseudo_states": [
            (OPEN, _("Open matters")),
            (FINISHED, _("Finished matters")),
            (EVERYTHING, _("All matters")),
        ],
        "due_options": [
            ("soon", _("Due soon")),
            ("overdue", _("Overdue")),
            ("paused", _("Paused")),
        ],
        "regions": queue_regions(user),
    }
    template = "cases/case_queue.html#results" if request.htmx else "cases/case_queue.html"  # type: ignore[attr-defined]
    return render(request, template, context)


# --- A case ----------------------------------------------------------------------------------


def _detail_context(user: User, case: Case) -> dict[str, Any]:
    kind = get_type(case.type_key)
    today = calendar.today()
    actions = [t for t in kind.available(case.state) if services.may_take(user, case, t)]
    extension = type_extension(case.type_key)
    events = [
        {
            "event": event,
            "label": _action_label(kind, event.action),
            "from_label": _state_label(kind, event.from_state),
            "to_label": _state_label(kind, event.to_state),
            "details": _event_details(event, extension),
        }
        for event in case.events.order_by("id")
    ]
    rating = Rating.objects.filter(case=case).first()
    finished = case.state in kind.final_states
    parent_kind = _kind(case.parent) if case.parent else None
    followups = [
        {"case": c, "state_label": _state_label(_kind(c), c.state)}
        for c in cases_for(user).filter(parent=case).order_by("id")
    ]
    return {
        "case": case,
        "kind": kind,
        "code": display_code(case.tracking_code),
        "state_label": kind.state_label(case.state),
        "finished": finished,
        "deadline": deadline(case, today, due_soon_until(today)),
        "clock_label": Clock(case.clock).label,
        "events": events,
        "rating": rating,
        "parent_state_label": _state_label(parent_kind, case.parent.state) if case.parent else "",
        "followups": followups,
        "attachments": list(case.attachments.select_related("uploaded_by").order_by("id")),
        "actions": actions,
        "action_names": [t.name for t in actions],
        "fragment_template": extension.template if extension else "",
        "fragment": extension.context(case, user) if extension else {},
        "extend_form": ExtendForm()
        if may_extend(user, case) and case.clock in (Clock.RUNNING, Clock.PAUSED)
        else None,
        "rate_form": CallbackRatingForm()
        if kind.ratable and finished and rating is None and may_record_rating(user, case)
        else None,
        "attach_form": AttachmentForm() if may_attach(user, case) else None,
    }


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    user = staff_user(request)
    case = case_for_user(user, case_id)
    return render(request, "cases/case_detail.html", _detail_context(user, case))


@login_required
@require_POST
def case_transition_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """One action button: the shown state travels along, so a stale page cannot move the case."""
    user = staff_user(request)
    case = case_for_user(user, case_id)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        _report_form(request, form)
        return redirect("cases:case-detail", case_id=case.pk)
    name = form.cleaned_data["name"]
    transition = get_type(case.type_key).transition(name)
    if transition is None:
        raise Http404("no such action")
    if not services.may_take(user, case, transition):
        raise PermissionDenied
    extension = type_extension(case.type_key)
    try:
        data = extension.clean_data(case, name, transition_data(request.POST)) if extension else {}
        services.case_step(
            case=case,
            name=name,
            actor=user,
            note=form.cleaned_data["note"],
            expected_state=form.cleaned_data["expected_state"],
            data=data or None,
            files=request.FILES.getlist("data_photos"),
            request=request,
        )
    except services.CaseConflict as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": transition.label})
    return redirect("cases:case-detail", case_id=case.pk)


@login_required
@require_POST
def case_extend_view(request: HttpRequest, case_id: int) -> HttpResponse:
    user = staff_user(request)
    case = case_for_user(user, case_id)
    if not may_extend(user, case):
        raise PermissionDenied
    form = ExtendForm(request.POST)
    if not form.is_valid():
        _report_form(request, form)
        return redirect("cases:case-detail", case_id=case.pk)
    try:
        extended = services.case_extend(
            case=case,
            days=form.cleaned_data["days"],
            actor=user,
            note=form.cleaned_data["note"],
            request=request,
        )
    except ValidationError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("The deadline is now %(date)s.") % {"date": extended.due_date})
    return redirect("cases:case-detail", case_id=case.pk)


@login_required
@require_POST
def case_rate_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """The rating a requester gave on a call-back, entered by the worker who called."""
    user = staff_user(request)
    case = case_for_user(user, case_id)
    if not may_record_rating(user, case):
        raise PermissionDenied
    form = CallbackRatingForm(request.POST)
    if not form.is_valid():
        _report_form(request, form)
        return redirect("cases:case-detail", case_id=case.pk)
    try:
        rating = services_rating.case_rate(
            case=case,
            level=form.cleaned_data["level"],
            comment=form.cleaned_data["comment"],
            channel=RatingChannel.CALLBACK,
            actor=user,
            request=request,
        )
    except ValidationError as exc:
        _report(request, exc)
    else:
        if rating.is_poor:
            messages.warning(
                request, _("Recorded. A poor rating opens a rectification: see below.")
            )
        else:
            messages.success(
                request, _("Recorded: %(level)s.") % {"level": rating.get_level_display()}
            )
    return redirect("cases:case-detail", case_id=case.pk)


@login_required
@require_POST
def case_attach(request: HttpRequest, case_id: int) -> HttpResponse:
    user = staff_user(request)
    case = case_for_user(user, case_id)
    if not may_attach(user, case):
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        attachment = services.attachment_add(
            case=case, upload=form.cleaned_data["file"], actor=user, request=request
        )
        messages.success(request, _("Attached %(name)s.") % {"name": attachment.name})
    else:
        _report_form(request, form)
    return redirect("cases:case-detail", case_id=case.pk)


@login_required
def case_attachment(request: HttpRequest, case_id: int, attachment_id: int) -> FileResponse:
    """Download a file of a case; attachments may hold personal data, so each download is
    audited."""
    user = staff_user(request)
    case = case_for_user(user, case_id)
    attachment = case.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404("not found")
    audit_record(
        actor=user,
        action=Action.EXPORT,
        obj=case,
        changes={"attachment": attachment.name},
        request=request,
    )
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)
