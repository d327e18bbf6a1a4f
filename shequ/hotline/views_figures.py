"""The hotline's indicators page, its Excel export (audited) and the resident's opinion page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shequ.audit.models import Action
from shequ.audit.services import Target, audit_record
from shequ.hotline import services_opinions
from shequ.hotline.forms import OpinionForm
from shequ.hotline.indicators import (
    BY_CHOICES,
    RATE_LABELS,
    Report,
    export_table,
    hotline_indicators,
    month_of,
    parse_period,
)
from shequ.hotline.models import HotlineCase
from shequ.hotline.selectors import can_view_indicators
from shequ.lib.codes import display_code
from shequ.lib.tabular import write_xlsx
from shequ.regions.models import Region
from shequ.regions.scoping import scope_prefixes
from shequ.workdays import calendar

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report(request: HttpRequest) -> tuple[Report, bool]:
    if not can_view_indicators(request.user):
        raise PermissionDenied(_("The indicators are for the hotline and for leaders"))
    raw = request.GET.get("period", "").strip()
    period = parse_period(raw) if raw else None
    by = request.GET.get("by", "unit")
    if by not in BY_CHOICES:
        by = "unit"
    report = hotline_indicators(request.user, period=period or month_of(calendar.today()), by=by)
    return report, bool(raw) and period is None


@login_required
def indicators(request: HttpRequest) -> HttpResponse:
    report, bad_period = _report(request)
    return render(
        request,
        "hotline/indicators.html",
        {
            "report": report,
            "bad_period": bad_period,
            "by_choices": BY_CHOICES.items(),
            "rate_labels": RATE_LABELS,
            "by_label": BY_CHOICES[report.by],
            "chart": report.chart_data(),
        },
    )


@login_required
def indicators_export(request: HttpRequest) -> HttpResponse:
    report, _bad = _report(request)
    headers, rows = export_table(report)
    content = write_xlsx(rows, headers, title=report.period.key)
    audit_record(
        actor=request.user,
        action=Action.EXPORT,
        obj=Target(
            "hotline.indicators",
            report.period.key,
            _("Hotline indicators %(period)s") % {"period": report.period.key},
            region_path=scope_prefixes(request.user)[0],
        ),
        changes={"period": report.period.key, "by": report.by, "rows": len(rows)},
        request=request,
    )
    response = HttpResponse(content, content_type=XLSX)
    filename = f"hotline-indicators-{report.period.key}-{report.by}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def opinions(request: HttpRequest) -> HttpResponse:
    """The resident's page: send an opinion to the community, see one's own and where they
    stand. Public URL: anyone sees the form; sending needs a resident login."""
    resident = getattr(request, "resident", None)
    form = OpinionForm(request.POST or None)
    communities = list(
        Region.objects.filter(level__key="community").select_related("parent").order_by("path")
    )
    if request.method == "POST":
        if not resident:
            return redirect(f"/portal/login/?next={request.path}")
        if form.is_valid():
            community = next(
                (c for c in communities if c.pk == form.cleaned_data["community"]), None
            )
            try:
                if community is None:
                    raise ValidationError({"community": [_("Choose your community")]})
                case = services_opinions.opinion_submit(
                    resident=resident,
                    community=community,
                    text=form.cleaned_data["text"],
                    address=form.cleaned_data.get("address") or "",
                    request=request,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(
                    request,
                    _("Thank you. Your opinion %(code)s has been sent to %(community)s.")
                    % {"code": display_code(case.tracking_code), "community": community.name},
                )
                return redirect("hotline:opinions")
    mine: list[dict[str, Any]] = []
    if resident:
        from shequ.cases.registry import get_type

        kind = get_type("opinion")
        for detail in (
            HotlineCase.objects.filter(resident=resident, case__type_key="opinion")
            .select_related("case", "case__region")
            .order_by("-case_id")[:20]
        ):
            mine.append(
                {
                    "case": detail.case,
                    "text": detail.text,
                    "code": display_code(detail.case.tracking_code),
                    "state": detail.case.state,
                    "state_label": kind.state_label(detail.case.state),
                    "public": kind.public_states.get(detail.case.state, ""),
                    "answer": detail.case.events.filter(action__in=("adopt", "decline", "solve"))
                    .order_by("-id")
                    .values_list("note", flat=True)
                    .first(),
                }
            )
    return render(
        request,
        "hotline/opinions.html",
        {"form": form, "communities": communities, "resident": resident, "mine": mine},
    )
