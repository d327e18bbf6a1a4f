"""Pages of the register's figures, the "due for a visit" list and the visit plans."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shequ.people.figures import care_label, figures_workbook, people_figures
from shequ.people.models import CareKind, Person, Tenancy, VisitPlan
from shequ.people.models_care import AGED_KEY, SENSITIVE_KINDS
from shequ.people.plans import can_edit_plans, plan_kinds, visit_plan_update
from shequ.people.reminders import VISIT_AHEAD_DAYS, reminder_days, reminders_find
from shequ.people.services import age_on
from shequ.regions import permissions as perms
from shequ.regions.models import Region
from shequ.regions.scoping import get_region_for_user, home_region, scope_prefixes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The "due" page lists at most this many rows per section (a grid holds a few dozen).
DUE_LIMIT = 200


def _node(request: HttpRequest) -> Region:
    """The node of `?region=`, or the user's first node; 404 outside the scope."""
    raw = request.GET.get("region", "").strip()
    if raw:
        return get_region_for_user(request.user, int(raw) if raw.isdigit() else 0)
    return home_region(request.user)


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    node = _node(request)
    report = people_figures(request.user, node)
    context = {
        "figures": report,
        "node": node,
        "ancestors": _reachable_ancestors(request.user, node),
        "care_columns": [(k, care_label(k)) for k in report.care_keys],
        "chart": report.chart_data(),
        "can_export": perms.can_export(request.user, node),
        "can_edit_plans": can_edit_plans(request.user),
    }
    return render(request, "people/figures.html", context)


def _reachable_ancestors(user: Any, node: Region) -> list[Region]:
    """The nodes above `node` that the user's scope reaches (the breadcrumbs)."""
    prefixes = scope_prefixes(user)
    return [a for a in node.ancestors() if any(a.path.startswith(p) for p in prefixes)]


@login_required
def figures_export(request: HttpRequest) -> HttpResponse:
    """The figures as Excel: leaders only, and every export is audited."""
    node = _node(request)
    report, content = figures_workbook(actor=request.user, node=node, request=request)
    response = HttpResponse(content, content_type=XLSX)
    filename = f"people-figures-{node.code}-{report.day.isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _group_labels(keys: frozenset[str], sensitive: bool) -> list[str]:
    """The care groups to show: sensitive kinds only to those who may see them."""
    labels = []
    for key in sorted(keys, key=lambda k: (k != AGED_KEY, k)):
        if key == AGED_KEY:
            labels.append(care_label(key))
        elif sensitive or key not in SENSITIVE_KINDS:
            labels.append(str(CareKind(key).label))
    return labels


@login_required
def visits_due(request: HttpRequest) -> HttpResponse:
    """Residents due for a visit (overdue first), permits expiring, tenancies ending."""
    node = _node(request)
    found = reminders_find(region=node)
    day = found.day
    sensitive = perms.can_see_sensitive(request.user, node)
    visits = found.visits[:DUE_LIMIT]
    people = Person.objects.visible_to(request.user).select_related("dwelling__building")
    by_id = {
        p.pk: p
        for p in people.filter(
            pk__in=[v.person_id for v in visits] + [p.person_id for p in found.permits[:DUE_LIMIT]]
        )
    }
    visit_rows = [
        {
            "person": by_id[v.person_id],
            "age": age_on(by_id[v.person_id].birth_date, day),
            "groups": _group_labels(v.groups, sensitive),
            "visit": v,
            "late_days": (day - v.due_on).days if v.due_on and v.overdue else None,
        }
        for v in visits
        if v.person_id in by_id
    ]
    permit_rows = [
        {
            "person": by_id[p.person_id],
            "expires_on": p.expires_on,
            "days": (p.expires_on - day).days,
        }
        for p in found.permits[:DUE_LIMIT]
        if p.person_id in by_id
    ]
    tenancies = (
        Tenancy.objects.visible_to(request.user)
        .filter(pk__in=[t.tenancy_id for t in found.tenancies[:DUE_LIMIT]])
        .select_related("dwelling__building")
        .prefetch_related("tenants")
        .order_by("ends_on", "pk")
    )
    tenancy_rows = [{"tenancy": t, "days": (t.ends_on - day).days} for t in tenancies]
    context = {
        "node": node,
        "day": day,
        "visit_rows": visit_rows,
        "overdue": sum(1 for v in found.visits if v.overdue),
        "visit_total": len(found.visits),
        "permit_rows": permit_rows,
        "permit_total": len(found.permits),
        "tenancy_rows": tenancy_rows,
        "tenancy_total": len(found.tenancies),
        "ahead": VISIT_AHEAD_DAYS,
        "days": reminder_days(),
        "limit": DUE_LIMIT,
    }
    return render(request, "people/visits_due.html", context)


@login_required
def visit_plans(request: HttpRequest) -> HttpResponse:
    """List the plans per care group; a POST sets one (`kind`, `interval_days`, `active`)."""
    if not can_edit_plans(request.user):
        raise PermissionDenied(_("Visit plans are set by district administrators"))
    error = ""
    error_kind = ""
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        raw_days = request.POST.get("interval_days", "").strip()
        try:
            if not raw_days.isdigit():
                raise ValidationError({"interval_days": _("Enter a whole number of days.")})
            visit_plan_update(
                actor=request.user,
                kind=kind,
                interval_days=int(raw_days),
                active=bool(request.POST.get("active")),
                request=request,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
            error_kind = kind
        else:
            return redirect("people:visit-plans")
    plans = {plan.kind: plan for plan in VisitPlan.objects.all()}
    rows = [
        {"kind": kind, "label": care_label(kind), "plan": plans.get(kind)} for kind in plan_kinds()
    ]
    context = {"rows": rows, "error": error, "error_kind": error_kind}
    return render(request, "people/visit_plans.html", context, status=400 if error else 200)
