"""Rectification after a poor rating: first contact, fix, call-back with a result, close.

An appeal path lets the unit contest a malicious rating; the street decides.
"""

from django.utils.translation import gettext_lazy as _

from shequ.cases.registry import CaseType, ClockEffect, Transition, register
from shequ.regions.roles import Role

HANDLERS = frozenset(
    {Role.BACK_OFFICE, Role.WINDOW_WORKER, Role.COMMUNITY_LEADER, Role.STREET_MANAGER}
)
DECIDERS = frozenset({Role.STREET_MANAGER, Role.DISTRICT_ADMIN})

RECTIFICATION = register(
    CaseType(
        key="rectification",
        label=_("Rectification"),
        states={
            "open": _("Waiting for first contact"),
            "contacted": _("Requester contacted"),
            "rectified": _("Rectified, call-back due"),
            "appealed": _("Appeal under review"),
            "closed": _("Closed"),
        },
        initial="open",
        transitions=(
            Transition(
                "contact",
                _("Record first contact"),
                ("open",),
                "contacted",
                HANDLERS,
                needs_note=True,
                takes=True,
                style="primary",
            ),
            Transition(
                "rectify",
                _("Record the rectification"),
                ("contacted",),
                "rectified",
                HANDLERS,
                needs_note=True,
            ),
            Transition(
                "call_back",
                _("Record the call-back and close"),
                ("rectified",),
                "closed",
                HANDLERS,
                clock=ClockEffect.STOP,
                needs_note=True,
                tell_requester=True,
                style="primary",
            ),
            Transition(
                "appeal",
                _("Appeal a malicious rating"),
                ("open", "contacted"),
                "appealed",
                HANDLERS,
                needs_note=True,
            ),
            Transition(
                "appeal_upheld",
                _("Uphold the appeal and close"),
                ("appealed",),
                "closed",
                DECIDERS,
                clock=ClockEffect.STOP,
                needs_note=True,
            ),
            Transition(
                "appeal_dismissed",
                _("Dismiss the appeal"),
                ("appealed",),
                "contacted",
                DECIDERS,
                needs_note=True,
            ),
        ),
        final_states=frozenset({"closed"}),
        public_states={
            "open": _("We have your rating and will contact you within one working day."),
            "contacted": _("We have contacted you and are putting it right."),
            "rectified": _("Put right; we will call you back."),
            "appealed": _("Under review."),
            "closed": _("Closed."),
        },
    )
)
