"""The audit log pages: the filtered list, one event, the chain check and the Excel export.

Every page reads `AuditEvent.objects.visible_to(user)`: a community director sees the events of
the community, a district administrator the whole log. Only the roles that audit
(`can_view_audit`) open these pages; the others get 403.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from typing import IO, Any

from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET, require_POST
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from shequ.audit.models import Action, AuditEvent
from shequ.audit.services import Target, audit_record, audit_verify
from shequ.regions.permissions import can_export, can_view_audit, is_district_admin
from shequ.regions.scoping import get_visible_or_404, scope_prefixes

PAGE_SIZE = 50
# An export beyond this many rows is cut: the filters should narrow it first.
EXPORT_LIMIT = 100_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class EventFilterForm(forms.Form):
    """The filters of the log page, the export and (by the same names) the API."""

    date_from = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    actor = forms.CharField(label=gettext_lazy("Actor"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=gettext_lazy("Action"),
        required=False,
        choices=[("", gettext_lazy("All actions")), *Action.choices],
    )
    object_type = forms.CharField(label=gettext_lazy("Object type"), required=False, max_length=64)
    object_id = forms.CharField(label=gettext_lazy("Object id"), required=False, max_length=64)
    q = forms.CharField(label=gettext_lazy("Object or reason"), required=False, max_length=200)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date"))
        return data

    def used(self) -> dict[str, str]:
        """The filters that were set, as text: what the export records in the log."""
        return {
            name: value.isoformat() if isinstance(value, dt.date) else str(value)
            for name, value in self.cleaned_data.items()
            if value not in (None, "")
        }


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight of a calendar day in the deployment's time zone (Asia/Shanghai)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filter_events(
    events: QuerySet[AuditEvent],
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    actor: str = "",
    action: str | None = "",
    object_type: str = "",
    object_id: str = "",
    q: str = "",
) -> QuerySet[AuditEvent]:
    """Narrow an already scoped queryset by the filters of the page and the API.

    Dates are calendar days in the deployment's time zone; the end day is included.
    """
    if date_from:
        events = events.filter(at__gte=_day_start(date_from))
    if date_to:
        events = events.filter(at__lt=_day_start(date_to + dt.timedelta(days=1)))
    if actor := actor.strip():
        events = events.filter(actor_name__icontains=actor)
    if action:
        events = events.filter(action=action)
    if object_type := object_type.strip():
        events = events.filter(object_type=object_type)
    if object_id := object_id.strip():
        events = events.filter(object_id=object_id)
    if q := q.strip():
        events = events.filter(Q(object_repr__icontains=q) | Q(reason__icontains=q))
    return events


@lru_cache(maxsize=512)
def _field_label(object_type: str, name: str) -> Any:
    """The verbose name of a recorded field (kept lazy, so it follows the active language)."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return name
    # Sealed values are recorded under their plain name ("id_number"); the masked column
    # carries the label people know.
    for candidate in (name, f"{name}_masked"):
        try:
            return model._meta.get_field(candidate).verbose_name
        except FieldDoesNotExist:
            continue
    return name


def _show(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_show(item)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(_show(item) for item in value)
    return str(value)


def describe_changes(event: AuditEvent) -> list[tuple[str, str]]:
    """The recorded changes as (field, text) lines: "old → new", or "changed" for secrets."""
    changes = event.changes
    if not isinstance(changes, dict):
        return [("", _show(changes))] if changes else []
    lines = []
    for name, value in changes.items():
        label = str(_field_label(event.object_type, name))
        if name == "field" and isinstance(value, str):
            # A reveal names the field that was opened.
            label, value = _("field"), str(_field_label(event.object_type, value))
        if value == "changed":
            text = _("changed")
        elif isinstance(value, list) and len(value) == 2:
            text = f"{_show(value[0])} → {_show(value[1])}"
        else:
            text = _show(value)
        lines.append((label, text))
    return lines


ACTOR_KINDS = {
    "staff": gettext_lazy("staff"),
    "resident": gettext_lazy("resident"),
    "system": gettext_lazy("system"),
    "anonymous": gettext_lazy("anonymous"),
}


def actor_label(event: AuditEvent) -> str:
    """Who acted, as shown: the system by its label, residents and strangers marked as such."""
    kind = str(ACTOR_KINDS.get(event.actor_kind, event.actor_kind))
    if event.actor_kind == "system":
        return kind
    if event.actor_kind == "staff":
        return event.actor_name
    return f"{event.actor_name} ({kind})"


def changes_text(event: AuditEvent) -> str:
    return "; ".join(f"{label}: {text}" for label, text in describe_changes(event))


@dataclass(frozen=True)
class Row:
    event: AuditEvent
    actor: str
    changes: list[tuple[str, str]]


@dataclass(frozen=True)
class Pager:
    """Keyset pages by id: links carry `before` (older events) or `after` (newer events)."""

    newer: int | None
    older: int | None
    first: bool


def _page(
    events: QuerySet[AuditEvent], before: int | None, after: int | None
) -> tuple[list[AuditEvent], Pager]:
    """One page of 50, newest first; counting a large log is avoided on purpose."""
    if after is not None:
        ascending = list(events.filter(id__gt=after).order_by("id")[: PAGE_SIZE + 1])
        more_newer = len(ascending) > PAGE_SIZE
        rows = ascending[:PAGE_SIZE][::-1]
        more_older = bool(rows) and events.filter(id__lt=rows[-1].pk).exists()
    else:
        scoped = events.filter(id__lt=before) if before is not None else events
        rows = list(scoped.order_by("-id")[: PAGE_SIZE + 1])
        more_older = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        more_newer = before is not None and bool(rows) and events.filter(id__gt=rows[0].pk).exists()
    pager = Pager(
        newer=rows[0].pk if rows and more_newer else None,
        older=rows[-1].pk if rows and more_older else None,
        first=before is None and after is None,
    )
    return rows, pager


def _cursor(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def _require_auditor(user: Any) -> None:
    if not can_view_audit(user):
        raise PermissionDenied(_("Your role may not read the audit log"))


@login_required
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    _require_auditor(request.user)
    form = EventFilterForm(request.GET)
    rows: list[Row] = []
    pager = Pager(None, None, True)
    # An invalid filter shows what to correct; listing events that ignore it would mislead.
    if form.is_valid():
        events = filter_events(AuditEvent.objects.visible_to(request.user), **form.cleaned_data)
        page, pager = _page(events, _cursor(request, "before"), _cursor(request, "after"))
        rows = [Row(event, actor_label(event), describe_changes(event)) for event in page]
    context = {
        "form": form,
        "rows": rows,
        "pager": pager,
        "can_verify": is_district_admin(request.user),
        "can_export": can_export(request.user),
    }
    template = "audit/event_list.html"
    if getattr(request, "htmx", False):
        template += "#events"
    return render(request, template, context)


@login_required
@require_GET
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    # Out of scope is "not found" before any question of role.
    event = get_visible_or_404(AuditEvent.objects.all(), request.user, pk=event_id)
    _require_auditor(request.user)
    return render(
        request,
        "audit/event_detail.html",
        {"event": event, "actor": actor_label(event), "changes": describe_changes(event)},
    )


@login_required
@require_POST
def event_verify(request: HttpRequest) -> HttpResponse:
    if not is_district_admin(request.user):
        raise PermissionDenied(_("Only a district administrator may verify the audit chain"))
    report = audit_verify()
    if report.ok:
        messages.success(
            request,
            _("The audit chain is intact: %(count)d events checked.") % {"count": report.checked},
        )
    elif report.first_broken_id is not None:
        messages.error(
            request,
            _(
                "The audit chain is broken at event %(id)d (%(problem)s); "
                "%(count)d events before it are intact."
            )
            % {"id": report.first_broken_id, "problem": report.problem, "count": report.checked},
        )
    else:
        messages.error(
            request,
            _("The audit chain is broken: %(problem)s (%(count)d events checked).")
            % {"problem": report.problem, "count": report.checked},
        )
    return redirect("audit:event-list")


def _cell(sheet: Any, value: Any) -> WriteOnlyCell:
    """A cell that Excel shows as written: text is never read as a formula."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and cell.data_type == "f":
        cell.data_type = "s"
    return cell


def _write_workbook(events: QuerySet[AuditEvent], handle: IO[bytes]) -> int:
    """Write the events to an .xlsx file row by row (write-only mode); return the row count."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Audit log"))
    sheet.append(
        [
            _("Id"),
            _("Time"),
            _("Actor"),
            _("Action"),
            _("Object type"),
            _("Object id"),
            _("Object"),
            _("Changes"),
            _("Reason"),
            pgettext("network", "Address"),
        ]
    )
    rows = 0
    for event in events[: EXPORT_LIMIT + 1].iterator(chunk_size=2000):
        if rows == EXPORT_LIMIT:
            sheet.append(
                [
                    _cell(
                        sheet,
                        _("Only the newest %(count)d events are exported: narrow the filters.")
                        % {"count": EXPORT_LIMIT},
                    )
                ]
            )
            break
        at = timezone.localtime(event.at).replace(tzinfo=None)
        values = [
            event.pk,
            at,
            actor_label(event),
            str(event.get_action_display()),
            event.object_type,
            event.object_id,
            event.object_repr,
            changes_text(event),
            event.reason,
            event.ip or "",
        ]
        sheet.append([_cell(sheet, value) for value in values])
        rows += 1
    book.save(handle)
    handle.seek(0)
    return rows


def _exporter_region_path(user: Any) -> str:
    """Record an export at the exporter's region, so that the levels above see it too."""
    prefixes = scope_prefixes(user)
    return prefixes[0] if len(prefixes) == 1 else ""


@login_required
@require_GET
def event_export(request: HttpRequest) -> HttpResponseBase:
    _require_auditor(request.user)
    if not can_export(request.user):
        raise PermissionDenied(_("Your role may not export"))
    form = EventFilterForm(request.GET)
    if not form.is_valid():
        return redirect(f"{reverse('audit:event-list')}?{request.GET.urlencode()}")
    events = filter_events(AuditEvent.objects.visible_to(request.user), **form.cleaned_data)
    # The response closes the file once it has been sent.
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        rows = _write_workbook(events.order_by("-id"), handle)
        audit_record(
            actor=request.user,
            action=Action.EXPORT,
            obj=Target(
                "audit.auditevent",
                "",
                "audit log export",
                region_path=_exporter_region_path(request.user),
            ),
            changes={"filters": form.used(), "rows": rows},
            request=request,
        )
    except BaseException:
        handle.close()
        raise
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(
        handle, as_attachment=True, filename=f"audit-log-{stamp}.xlsx", content_type=XLSX
    )
