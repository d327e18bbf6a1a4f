"""Queue tickets 取号/叫号: the kiosk, the window worker's caller, the calling screen.

The kiosk and the screen are public pages of a hall (a community or street node that has
windows); the window pages are for window workers of that hall.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from shequ.hall.forms_public import TicketForm
from shequ.hall.models import ServiceItem, Ticket, TicketStatus, Window
from shequ.hall.services import ticket_call_next, ticket_skip, ticket_take
from shequ.regions.models import Region
from shequ.regions.permissions import has_role
from shequ.regions.roles import Role
from shequ.regions.scoping import get_visible_or_404
from shequ.workdays import calendar

HALL_LEVELS = ("community", "street")
WORKERS = frozenset({Role.WINDOW_WORKER})
# The names the kiosk shows for queue groups; other letters are named by their items.
GROUP_NAMES = {"A": gettext_lazy("General services")}
SCREEN_ROWS = 8


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def window_groups(window: Window) -> list[str]:
    """The group letters a window serves ("AB" or "A,B"), as ticket_call_next reads them."""
    return [g for g in window.groups.upper().replace(",", "") if g.strip()]


@dataclass(frozen=True)
class Group:
    letter: str
    name: str
    items: list[str]
    waiting: int


def _hall(region_id: int) -> tuple[Region, list[Window]]:
    """A hall for its public pages: a community or street node with windows, else 404."""
    region = (
        Region.objects.filter(pk=region_id, level__key__in=HALL_LEVELS)
        .select_related("level")
        .first()
    )
    windows = list(region.windows.all()) if region is not None else []
    if region is None or not windows:
        raise Http404("not a hall")
    return region, windows


def _waiting(region: Region, today: dt.date) -> dict[str, int]:
    rows = (
        Ticket.objects.filter(region=region, day=today, status=TicketStatus.WAITING)
        .values("group")
        .annotate(n=Count("id"))
    )
    return {row["group"]: row["n"] for row in rows}


def _groups(region: Region, windows: list[Window], today: dt.date) -> list[Group]:
    letters = sorted({g for window in windows for g in window_groups(window)})
    items: dict[str, list[str]] = defaultdict(list)
    for group, name in (
        ServiceItem.objects.current()
        .filter(queue_group__in=letters)
        .values_list("queue_group", "name")
    ):
        items[group].append(name)
    waiting = _waiting(region, today)
    return [
        Group(
            letter=letter,
            name=str(GROUP_NAMES.get(letter) or _("Queue %(letter)s") % {"letter": letter}),
            items=items[letter][:4],
            waiting=waiting.get(letter, 0),
        )
        for letter in letters
    ]


@require_http_methods(["GET", "POST"])
def kiosk_ticket(request: HttpRequest, region_id: int) -> HttpResponse:
    """The hall's ticket kiosk: one big button per queue group."""
    region, windows = _hall(region_id)
    today = calendar.today()
    groups = _groups(region, windows, today)
    form = TicketForm(request.POST or None, groups=[g.letter for g in groups])
    if request.method == "POST" and form.is_valid():
        ticket = ticket_take(region=region, group=form.cleaned_data["group"])
        return redirect("hall:kiosk-ticket-show", region_id=region.pk, ticket_id=ticket.pk)
    context = {"region": region, "groups": groups, "form": form}
    return render(request, "hall/kiosk_ticket.html", context)


@require_GET
def kiosk_ticket_show(request: HttpRequest, region_id: int, ticket_id: int) -> HttpResponse:
    """A ticket taken today, big and printable (80 mm), with the number of people ahead."""
    region, _windows = _hall(region_id)
    today = calendar.today()
    ticket = (
        Ticket.objects.filter(pk=ticket_id, region=region, day=today)
        .select_related("window")
        .first()
    )
    if ticket is None:
        raise Http404("no such ticket today")
    ahead = Ticket.objects.filter(
        region=region,
        day=today,
        group=ticket.group,
        status=TicketStatus.WAITING,
        number__lt=ticket.number,
    ).count()
    context = {"region": region, "ticket": ticket, "ahead": ahead}
    return render(request, "hall/kiosk_ticket_show.html", context)


@require_GET
def screen(request: HtmxHttpRequest, region_id: int) -> HttpResponse:
    """The calling screen; htmx polls the same URL for the board every few seconds."""
    region, windows = _hall(region_id)
    today = calendar.today()
    called = list(
        Ticket.objects.filter(region=region, day=today, called_at__isnull=False)
        .select_related("window")
        .order_by("-called_at", "-id")[:SCREEN_ROWS]
    )
    context = {
        "region": region,
        "latest": called[0] if called else None,
        "called": called[1:],
        "groups": _groups(region, windows, today),
    }
    template = "hall/screen.html#board" if request.htmx else "hall/screen.html"
    return render(request, template, context)


def _window_for_worker(request: HttpRequest, window_id: int) -> Window:
    """A window in the user's scope (404 otherwise) that the user works at (403 otherwise)."""
    window = get_visible_or_404(Window.objects.select_related("region"), request.user, pk=window_id)
    if not has_role(request.user, WORKERS, window.region):
        raise PermissionDenied
    return window


def _minutes(wait: dt.timedelta) -> int:
    return round(wait.total_seconds() / 60)


def _window_figures(window: Window, today: dt.date) -> dict[str, Any]:
    """Today's figures of a window: its current ticket, queues, served count, average wait."""
    tickets = list(Ticket.objects.filter(window=window, day=today).order_by("-called_at", "-id"))
    current = next((t for t in tickets if t.status == TicketStatus.CALLED), None)
    served = sum(1 for t in tickets if t.status == TicketStatus.SERVED)
    waits = [t.called_at - t.issued_at for t in tickets if t.called_at]
    average = _minutes(sum(waits, dt.timedelta()) / len(waits)) if waits else None
    waiting = _waiting(window.region, today)
    return {
        "current": current,
        "served": served,
        "average_wait": average,
        "queues": [(g, waiting.get(g, 0)) for g in window_groups(window)],
        "waiting_total": sum(waiting.get(g, 0) for g in window_groups(window)),
        "recent": [
            (t, _minutes(t.called_at - t.issued_at))
            for t in tickets
            if t.status != TicketStatus.CALLED and t.called_at
        ][:10],
    }


@login_required
@require_GET
def window_list(request: HttpRequest) -> HttpResponse:
    """The windows the worker can call numbers at, by hall, with the hall's kiosk and screen."""
    if not has_role(request.user, WORKERS):
        raise PermissionDenied
    windows = [
        w
        for w in Window.objects.visible_to(request.user).select_related("region")
        if has_role(request.user, WORKERS, w.region)
    ]
    halls: dict[Region, list[Window]] = defaultdict(list)
    for window in windows:
        halls[window.region].append(window)
    return render(request, "hall/queue_windows.html", {"halls": dict(halls)})


@login_required
@require_GET
def window_detail(request: HtmxHttpRequest, window_id: int) -> HttpResponse:
    window = _window_for_worker(request, window_id)
    context = {"window": window, **_window_figures(window, calendar.today())}
    template = "hall/queue_window.html#figures" if request.htmx else "hall/queue_window.html"
    return render(request, template, context)


@login_required
@require_POST
def window_call_next(request: HttpRequest, window_id: int) -> HttpResponse:
    """Finish the current ticket and call the next one."""
    window = _window_for_worker(request, window_id)
    result = ticket_call_next(window=window, actor=request.user)
    if result.ticket is not None:
        messages.success(
            request,
            _("Called %(ticket)s to window %(window)d.")
            % {"ticket": result.ticket.label, "window": window.number},
        )
    else:
        messages.info(request, _("No one is waiting."))
    return redirect("hall:queue-window", window_id=window.pk)


@login_required
@require_POST
def window_skip(request: HttpRequest, window_id: int) -> HttpResponse:
    """The called resident did not come: the ticket is closed as skipped."""
    window = _window_for_worker(request, window_id)
    current = Ticket.objects.filter(
        window=window, day=calendar.today(), status=TicketStatus.CALLED
    ).first()
    if current is None:
        messages.warning(request, _("No ticket is being served at this window."))
    else:
        ticket_skip(ticket=current, actor=request.user)
        messages.info(request, _("%(ticket)s did not come.") % {"ticket": current.label})
    return redirect("hall:queue-window", window_id=window.pk)
