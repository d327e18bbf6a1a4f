"""The incident case type: the five-step loop of grid management on the case engine.

信息收集 → 核实 → 立案 → 派遣 → 处置 → 反馈 → 核查 → 结案, with 回退 (send back to the dispatcher),
返工 (rework when the check fails), 延期 (postponement with approval), 督办 (supervision, a remark
on the timeline) and 升级 (escalation up the tree, by hand or when overdue).

Who handles depends on where the incident was sent: a department's staff (the owning unit) or,
at a tier, the staff of the tier's node: the grid worker, the community's leaders, the street
managers, the district. `guard` checks that on every handler's step.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.cases.registry import CaseType, ClockEffect, Transition, register
from shequ.incidents.models import Tier
from shequ.regions.models import RoleAssignment
from shequ.regions.permissions import has_role
from shequ.regions.roles import Role

KEY = "incident"
VERIFIERS = frozenset({Role.GRID_WORKER, Role.COMMUNITY_LEADER, Role.STREET_MANAGER})
DISPATCHERS = frozenset({Role.COMMUNITY_LEADER, Role.STREET_MANAGER, Role.DISTRICT_ADMIN})
SUPERVISING = frozenset({Role.COMMUNITY_LEADER, Role.STREET_MANAGER, Role.DISTRICT_ADMIN})
CHECKERS = frozenset({Role.GRID_WORKER, Role.COMMUNITY_LEADER, Role.STREET_MANAGER})
TIER_ROLES = {
    Tier.GRID: Role.GRID_WORKER,
    Tier.COMMUNITY: Role.COMMUNITY_LEADER,
    Tier.STREET: Role.STREET_MANAGER,
    Tier.DISTRICT: Role.DISTRICT_ADMIN,
}
HANDLERS = frozenset({*TIER_ROLES.values(), Role.BACK_OFFICE})
# The steps of whoever handles the incident now (the guard applies to them).
HANDLER_STEPS = frozenset({"take", "send_back", "feedback", "request_postpone"})
OPEN_STATES = ("reported", "verified", "filed", "dispatched", "handling", "postpone_pending")


def may_handle(actor: Any, case: Any) -> bool:
    """The actor handles this incident now: staff of the owning unit, or the tier's role at
    the handling node."""
    incident = case.incident
    if case.owner_unit_id is not None:
        return RoleAssignment.objects.filter(
            user=actor, unit_id=case.owner_unit_id, role__in=HANDLERS
        ).exists()
    return has_role(actor, {TIER_ROLES[Tier(incident.tier)]}, incident.handling_region)


def guard(actor: Any, case: Any, transition: Transition) -> bool:
    if transition.name in HANDLER_STEPS:
        return may_handle(actor, case)
    if transition.name == "escalate":
        return may_handle(actor, case) or has_role(actor, DISPATCHERS, case.region)
    return True


INCIDENT = register(
    CaseType(
        key=KEY,
        label=_("Incident"),
        states={
            "reported": _("Reported"),
            "verified": _("Verified"),
            "filed": _("Filed, to dispatch"),
            "not_filed": _("Not filed"),
            "dispatched": _("Dispatched"),
            "handling": _("Being handled"),
            "postpone_pending": _("Postponement requested"),
            "handled": _("Handled, to check"),
            "checked": _("Checked, to close"),
            "closed": _("Closed"),
        },
        initial="reported",
        transitions=(
            Transition(
                "verify", _("Verify"), ("reported",), "verified", VERIFIERS, style="primary"
            ),
            Transition(
                "file",
                pgettext_lazy("incident step", "File"),
                ("verified",),
                "filed",
                DISPATCHERS,
                clock=ClockEffect.START,
                tell_requester=True,
                style="primary",
            ),
            Transition(
                "not_file",
                _("Do not file"),
                ("reported", "verified"),
                "not_filed",
                DISPATCHERS,
                needs_note=True,
                tell_requester=True,
                style="danger",
            ),
            Transition(
                "dispatch", _("Dispatch"), ("filed",), "dispatched", DISPATCHERS, style="primary"
            ),
            Transition(
                "take",
                _("Take"),
                ("dispatched",),
                "handling",
                HANDLERS,
                takes=True,
                style="primary",
            ),
            Transition(
                "send_back",
                _("Send back to the dispatcher"),
                ("dispatched", "handling"),
                "filed",
                HANDLERS,
                needs_note=True,
                style="danger",
            ),
            Transition(
                "feedback",
                _("Report as handled"),
                ("handling",),
                "handled",
                HANDLERS,
                needs_note=True,
                tell_requester=True,
                style="primary",
            ),
            Transition(
                "check_pass",
                _("Check passed"),
                ("handled",),
                "checked",
                CHECKERS,
                style="primary",
            ),
            Transition(
                "check_fail",
                _("Check failed: rework"),
                ("handled",),
                "handling",
                CHECKERS,
                needs_note=True,
                style="danger",
            ),
            Transition(
                "close",
                _("Close"),
                ("checked",),
                "closed",
                DISPATCHERS,
                clock=ClockEffect.STOP,
                tell_requester=True,
                style="primary",
            ),
            Transition(
                "request_postpone",
                _("Request a postponement"),
                ("handling",),
                "postpone_pending",
                HANDLERS,
                needs_note=True,
            ),
            Transition(
                "approve_postpone",
                _("Approve the postponement"),
                ("postpone_pending",),
                "handling",
                DISPATCHERS,
                style="primary",
            ),
            Transition(
                "refuse_postpone",
                _("Refuse the postponement"),
                ("postpone_pending",),
                "handling",
                DISPATCHERS,
                needs_note=True,
            ),
            Transition(
                "escalate",
                _("Escalate"),
                ("dispatched", "handling"),
                "dispatched",
                HANDLERS | DISPATCHERS,
                needs_note=True,
            ),
        ),
        final_states=frozenset({"not_filed", "closed"}),
        ratable=True,
        guard=guard,
        public_states={
            "reported": _("Your report has arrived; the grid worker will check it on site."),
            "verified": _("Your report has been checked on site and waits to be filed."),
            "filed": _("Your report has been filed and is being sent to the unit in charge."),
            "not_filed": _("Your report could not be filed; the reason was sent to you."),
            "dispatched": _("The unit in charge has been told to handle it."),
            "handling": _("The unit in charge is handling it."),
            "postpone_pending": _("The unit in charge is handling it."),
            "handled": _("It has been handled; the result is being checked."),
            "checked": _("The result has been checked."),
            "closed": _("Closed. Please rate how it was handled."),
        },
    )
)
