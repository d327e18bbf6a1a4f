"""Status lookup without an account: tracking code + last 4 digits of the phone, then rating.

The same answer for an unknown code and for wrong digits, so codes cannot be probed; lookups
are rate-limited per address. After a successful lookup the code and digits stay in the
session for ten minutes, so that the rating form needs no hidden fields.
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shequ.accounts.views import apply_errors
from shequ.cases.models import Case, CaseEvent, Clock, Rating, RatingChannel
from shequ.cases.registry import CaseType, get_type
from shequ.cases.services_rating import case_rate
from shequ.hall.forms_public import LookupForm, RatingForm
from shequ.hall.ratelimit import allow, client_address
from shequ.lib.codes import display_code, is_valid_code, normalise_code

SESSION_KEY = "hall_lookup"
LOOKUP_SECONDS = 600
# Compared against when the code is unknown, so that both answers take the same time.
NO_TAIL = "----"


@dataclass(frozen=True)
class Channel:
    name: str  # the rating channel
    template: str
    url_name: str


PORTAL = Channel(RatingChannel.PORTAL, "hall/lookup.html", "hall:lookup")
KIOSK = Channel(RatingChannel.KIOSK, "hall/kiosk_lookup.html", "hall:kiosk-lookup")


def find_case(code: str, tail: str) -> Case | None:
    """The case with this code whose requester's phone ends in `tail`; None otherwise."""
    case = Case.objects.filter(tracking_code=code).first()
    expected = case.requester_phone_tail if case is not None else ""
    matches = hmac.compare_digest((expected or NO_TAIL).encode(), tail.encode())
    return case if case is not None and expected and matches else None


def _sentence(kind: CaseType, event: CaseEvent) -> str:
    """An event of the timeline in plain words, without staff names or internal notes."""
    if event.action == "open":
        if kind.key == "application":
            return _("Accepted at the service hall.")
        return _("Your matter was registered.")
    if event.action == "extend":
        return _("The time limit was extended to %(date)s.") % {"date": event.data.get("to", "")}
    fixed = {
        "take": _("The office in charge started handling it."),
        "request_correction": _(
            "The office in charge asked for missing materials; the time limit is paused."
        ),
        "corrected": _("The missing materials were supplied; the time limit runs again."),
        "approve": _("Approved by the office in charge."),
        "reject": _("Not approved by the office in charge."),
        "deliver": _("The result was handed over."),
        "refuse": _("The service hall could not accept the application."),
        "rate": _("You rated the service."),
    }
    if event.action in fixed:
        return str(fixed[event.action])
    state = kind.public_states.get(event.to_state) or kind.state_label(event.to_state)
    return _("Now: %(state)s") % {"state": state}


def _deadline(case: Case) -> str:
    if case.clock == Clock.PAUSED and case.paused_on is not None:
        return _("Paused while materials are awaited (since %(date)s)") % {
            "date": formats.date_format(case.paused_on)
        }
    if case.clock == Clock.RUNNING and case.due_date is not None:
        text = _("Due by %(date)s") % {"date": formats.date_format(case.due_date)}
        if case.due_provisional:
            text += " " + _("(provisional: next year's holidays are not published yet)")
        return text
    if case.clock == Clock.STOPPED and case.finished_at is not None:
        finished = timezone.localdate(case.finished_at)
        return _("Finished on %(date)s") % {"date": formats.date_format(finished)}
    return ""


def result_context(case: Case, form: RatingForm | None = None) -> dict[str, Any]:
    """What the resident sees of a case: plain words only."""
    kind = get_type(case.type_key)
    rating = Rating.objects.filter(case=case).first()
    finished = case.state in kind.final_states
    followup = None
    if rating is not None and rating.is_poor:
        fix = case.followups.filter(type_key="rectification").order_by("id").first()
        if fix is not None:
            fix_kind = get_type(fix.type_key)
            followup = fix_kind.public_states.get(fix.state) or fix_kind.state_label(fix.state)
    ratable = kind.ratable and finished and rating is None
    return {
        "case": case,
        "code": display_code(case.tracking_code),
        "state_text": kind.public_states.get(case.state) or kind.state_label(case.state),
        "finished": finished,
        "deadline": _deadline(case),
        "timeline": [
            {"at": event.at, "text": _sentence(kind, event)} for event in case.events.all()
        ],
        "rating": rating,
        "followup": followup,
        "rating_form": (form or RatingForm()) if ratable else None,
        # A refused rating whose form is no longer shown (rated meanwhile, not finished).
        "rate_errors": [e for errors in form.errors.values() for e in errors]
        if form is not None and not ratable
        else [],
    }


def _remember(request: HttpRequest, channel: Channel, code: str, tail: str) -> None:
    request.session[SESSION_KEY] = {
        "code": code,
        "tail": tail,
        "channel": channel.name,
        "until": time.time() + LOOKUP_SECONDS,
    }


def _remembered(request: HttpRequest) -> dict[str, Any] | None:
    entry = request.session.get(SESSION_KEY)
    if not isinstance(entry, dict) or entry.get("until", 0) < time.time():
        return None
    return entry


def _lookup(request: HttpRequest, channel: Channel) -> HttpResponse:
    if request.method == "POST":
        limit = settings.STATUS_LOOKUPS_PER_MINUTE
        if not allow(scope="lookup", key=client_address(request), limit=limit):
            error = _("Too many lookups from this device. Please wait a minute and try again.")
            context = {"form": LookupForm(), "error": error}
            return render(request, channel.template, context, status=429)
        form = LookupForm(request.POST)
        if form.is_valid():
            code, tail = form.cleaned_data["code"], form.cleaned_data["phone_tail"]
            case = find_case(code, tail)
            if case is not None:
                _remember(request, channel, code, tail)
                return render(request, channel.template, result_context(case))
            form.add_error(None, _("There is no matter with this code and phone number."))
        return render(request, channel.template, {"form": form})
    raw = request.GET.get("code", "")[:40]
    entry = _remembered(request)
    if entry is not None and raw and normalise_code(raw) == entry["code"]:
        case = find_case(entry["code"], entry["tail"])
        if case is not None:
            return render(request, channel.template, result_context(case))
    if channel is KIOSK and not raw:
        # The kiosk's start screen forgets the previous resident's lookup.
        request.session.pop(SESSION_KEY, None)
    initial = {"code": display_code(normalise_code(raw)) if is_valid_code(raw) else raw}
    return render(request, channel.template, {"form": LookupForm(initial=initial)})


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    return _lookup(request, PORTAL)


@require_http_methods(["GET", "POST"])
def kiosk_lookup(request: HttpRequest) -> HttpResponse:
    return _lookup(request, KIOSK)


@require_POST
def lookup_rate(request: HttpRequest) -> HttpResponse:
    """Rate the matter looked up in the last ten minutes; code and digits come from the session."""
    entry = _remembered(request)
    channel = KIOSK if entry is not None and entry["channel"] == KIOSK.name else PORTAL
    case = find_case(entry["code"], entry["tail"]) if entry is not None else None
    if case is None:
        messages.warning(request, _("Your lookup has ended: look the matter up again to rate it."))
        return redirect(channel.url_name)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            case_rate(
                case=case,
                level=form.cleaned_data["level"],
                comment=form.cleaned_data["comment"],
                channel=channel.name,
                actor=None,
                request=request,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Thank you: your rating has been recorded."))
            return redirect(f"{reverse(channel.url_name)}?code={case.tracking_code}")
    return render(request, channel.template, result_context(case, form))
