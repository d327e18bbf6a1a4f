"""The incident work queues page: one tab per step the user takes, deadlines marked."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shequ.accounts.models import staff_user
from shequ.cases.registry import get_type
from shequ.cases.selectors import deadline, due_soon_until
from shequ.incidents.casetype import KEY
from shequ.incidents.models import Tier
from shequ.incidents.selectors import queue_cases, queues_for
from shequ.lib.codes import display_code
from shequ.workdays import calendar


@login_required
def incident_queue(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    queues = queues_for(user)
    if not queues:
        raise PermissionDenied
    chosen = next((q for q in queues if q.key == request.GET.get("tab")), queues[0])
    tier = request.GET.get("tier", "")
    tabs = []
    for queue in queues:
        tabs.append(
            {"key": queue.key, "label": queue.label, "count": queue_cases(user, queue).count()}
        )
    cases = queue_cases(user, chosen)
    if tier in Tier.values:
        cases = cases.filter(incident__tier=tier)
    page = Paginator(cases, 25).get_page(request.GET.get("page"))
    today = calendar.today()
    soon = due_soon_until(today)
    kind = get_type(KEY)
    rows = [
        {
            "case": case,
            "incident": case.incident,
            "code": display_code(case.tracking_code),
            "state_label": kind.state_label(case.state),
            "deadline": deadline(case, today, soon),
        }
        for case in page.object_list
    ]
    context = {
        "tabs": tabs,
        "tab": chosen.key,
        "rows": rows,
        "page": page,
        "tier": tier,
        "tiers": Tier.choices,
    }
    return render(request, "incidents/queue.html", context)
