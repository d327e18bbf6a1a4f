"""The hotline's case types: the 12345 request ("hotline") and the resident's opinion ("opinion").

A hotline request runs the closed loop 受理 → 派单 → 签收 → 办理 → 答复 → (督办) → 办结 → 回访 → 评价.
Steps that move the case to a unit (dispatch, assign, send back) need a route the engine's
generic pages cannot give: they are taken only through `shequ.hotline.services`, which opens
`routing()` around the engine call; the guard refuses them anywhere else, so the engine's case
page and API never offer them. Steps of a unit (sign for, answer, send back) are taken only by
the staff of the unit the case is dispatched to.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.utils.translation import gettext_lazy as _

from shequ.cases.registry import CaseType, ClockEffect, Transition, register
from shequ.regions.permissions import unit_ids
from shequ.regions.roles import Role

OPERATOR = frozenset({Role.HOTLINE_OPERATOR})
MANAGERS = frozenset({Role.STREET_MANAGER, Role.DISTRICT_ADMIN})
CENTRE = OPERATOR | MANAGERS
UNIT = frozenset({Role.BACK_OFFICE})
COMMUNITY = frozenset({Role.COMMUNITY_LEADER, Role.STREET_MANAGER, Role.DISTRICT_ADMIN})

# Steps that route the case (a unit, a fresh time limit): hotline services only.
ROUTED = frozenset({"dispatch", "assign", "send_back", "send_back_escalate"})
# Steps of the unit the case is dispatched to.
UNIT_STEPS = frozenset({"sign_for", "answer", "send_back", "send_back_escalate"})

_routing: ContextVar[bool] = ContextVar("hotline_routing", default=False)


@contextmanager
def routing() -> Iterator[None]:
    """Mark the engine calls made inside as the hotline services' own (routed steps allowed)."""
    token = _routing.set(True)
    try:
        yield
    finally:
        _routing.reset(token)


def _guard(actor: Any, case: Any, transition: Transition) -> bool:
    if transition.name in ROUTED and not _routing.get():
        return False
    if transition.name in UNIT_STEPS:
        return actor is not None and case.owner_unit_id in unit_ids(actor)
    return True


HOTLINE = register(
    CaseType(
        key="hotline",
        label=_("Hotline request"),
        states={
            "accepted": _("Accepted, to dispatch"),
            "dispatched": _("Dispatched, to sign for"),
            "handling": _("Being handled"),
            "answered": _("Answered, to review"),
            "returned": _("Sent back, to re-dispatch"),
            "escalated": _("Escalated after send-backs"),
            "finished": _("Finished, to call back"),
            "closed": _("Called back"),
        },
        initial="accepted",
        transitions=(
            Transition(
                "dispatch",
                _("Dispatch"),
                ("accepted", "returned"),
                "dispatched",
                CENTRE,
                style="primary",
            ),
            Transition(
                "assign",
                _("Assign a unit"),
                ("escalated",),
                "dispatched",
                MANAGERS,
                needs_note=True,
                style="primary",
            ),
            Transition(
                "answer_directly",
                _("Answer directly and finish"),
                ("accepted", "returned", "escalated"),
                "finished",
                CENTRE,
                clock=ClockEffect.STOP,
                needs_note=True,
            ),
            Transition(
                "sign_for",
                _("Sign for"),
                ("dispatched",),
                "handling",
                UNIT,
                takes=True,
                style="primary",
            ),
            Transition(
                "send_back",
                _("Send back"),
                ("dispatched", "handling"),
                "returned",
                UNIT,
                needs_note=True,
                style="danger",
            ),
            Transition(
                "send_back_escalate",
                _("Send back (escalates)"),
                ("dispatched", "handling"),
                "escalated",
                UNIT,
                needs_note=True,
                style="danger",
            ),
            Transition(
                "answer",
                _("Answer with the result"),
                ("handling",),
                "answered",
                UNIT,
                needs_note=True,
                style="primary",
            ),
            Transition(
                "rework",
                _("Return for rework"),
                ("answered",),
                "handling",
                CENTRE,
                needs_note=True,
                style="danger",
            ),
            Transition(
                "finish",
                _("Finish"),
                ("answered",),
                "finished",
                CENTRE,
                clock=ClockEffect.STOP,
                tell_requester=True,
                style="primary",
            ),
            Transition(
                "call_back",
                _("Record the call-back"),
                ("finished",),
                "closed",
                CENTRE,
                needs_note=True,
                style="primary",
            ),
        ),
        final_states=frozenset({"closed"}),
        ratable=True,
        guard=_guard,
        public_states={
            "accepted": _("Your call has been recorded and is being passed to the unit in charge."),
            "dispatched": _("Passed to the unit in charge."),
            "handling": _("The unit in charge is handling your request."),
            "answered": _("The unit has answered; the hotline is checking the answer."),
            "returned": _("The hotline is passing your request to the right unit."),
            "escalated": _("The hotline's managers are deciding which unit takes your request."),
            "finished": _("Done: we will call you back to hear whether it was solved."),
            "closed": _("Done and called back. Thank you."),
        },
    )
)

OPINION = register(
    CaseType(
        key="opinion",
        label=_("Residents' opinion"),
        states={
            "received": _("Received"),
            "adopted": _("Adopted"),
            "declined": _("Not adopted"),
            "solved": _("Solved"),
        },
        initial="received",
        transitions=(
            Transition(
                "adopt",
                _("Adopt"),
                ("received",),
                "adopted",
                COMMUNITY,
                needs_note=True,
                takes=True,
                tell_requester=True,
                style="primary",
            ),
            Transition(
                "decline",
                _("Do not adopt"),
                ("received",),
                "declined",
                COMMUNITY,
                clock=ClockEffect.STOP,
                needs_note=True,
                tell_requester=True,
                style="danger",
            ),
            Transition(
                "solve",
                _("Solved"),
                ("adopted",),
                "solved",
                COMMUNITY,
                clock=ClockEffect.STOP,
                needs_note=True,
                tell_requester=True,
                style="primary",
            ),
        ),
        final_states=frozenset({"declined", "solved"}),
        public_states={
            "received": _("Received: the community will read it and answer."),
            "adopted": _("Adopted: the community is acting on it."),
            "declined": _("Not adopted: the community has given its reasons."),
            "solved": _("Solved."),
        },
    )
)
