"""The hotline's panel on the engine's case page: facts, calls, units and the steps of the user."""

from __future__ import annotations

from typing import Any

from django import template

from shequ.cases.models import Case, Clock
from shequ.hotline.models import Assist, Call, CallbackResult, HotlineCase
from shequ.hotline.selectors import (
    assist_of,
    is_centre,
    is_manager,
    is_operator,
    sees_caller,
)
from shequ.hotline.services import ESCALATE_AFTER
from shequ.hotline.views import dispatch_context
from shequ.lib import crypto
from shequ.regions.permissions import unit_ids

register = template.Library()


@register.inclusion_tag("hotline/_panel.html", takes_context=True)
def hotline_panel(context: template.Context, case: Case) -> dict[str, Any]:
    request = context["request"]
    user = request.user
    detail = HotlineCase.objects.select_related("category", "lead_unit").filter(case=case).first()
    if detail is None:
        return {"detail": None}
    operator = is_operator(user, case.region)
    shown = sees_caller(user, case, detail)
    caller_name = ""
    if detail.confidential and operator and detail.caller_name_enc:
        caller_name = crypto.decrypt(detail.caller_name_enc)
    calls: list[dict[str, Any]] = [
        {
            "call": call,
            "caller": call.caller_phone_masked if (operator or not call.confidential) else "",
        }
        for call in Call.objects.filter(case=case).select_related("operator").order_by("id")
    ]
    state = case.state
    hotline = case.type_key == "hotline"
    may_dispatch = hotline and (
        (state in ("accepted", "returned") and is_centre(user, case.region))
        or (state == "escalated" and is_manager(user, case.region))
    )
    own_unit = case.owner_unit_id is not None and case.owner_unit_id in unit_ids(user)
    context_out: dict[str, Any] = {
        "case": case,
        "detail": detail,
        "operator": operator,
        "shown": shown,
        "caller_name": caller_name,
        "calls": calls,
        "repeats": sum(1 for row in calls if row["call"].outcome == "repeat"),
        "assists": list(
            Assist.objects.filter(case=case).select_related("unit", "replied_by").order_by("id")
        ),
        "may_dispatch": may_dispatch,
        "may_send_back": hotline and own_unit and state in ("dispatched", "handling"),
        "send_back_next": detail.send_backs + 1,
        "escalate_after": ESCALATE_AFTER,
        "may_supervise": hotline
        and state in ("dispatched", "handling", "answered")
        and is_centre(user, case.region),
        "my_assist": assist_of(user, case),
        "may_reveal": operator
        and bool(detail.caller_phone_enc if detail.confidential else case.requester_phone_enc),
        "callback_step": "call_back" in (context.get("action_names") or []),
        "callback_results": CallbackResult.choices,
        "callback_result": dict(CallbackResult.choices).get(
            case.data.get("callback_result", ""), ""
        ),
        "open": case.clock != Clock.STOPPED,
        "csrf_token": context.get("csrf_token"),
    }
    if may_dispatch:
        context_out.update(dispatch_context(user, case, detail))
        context_out["needs_note"] = state == "escalated"
    return context_out
