"""The application case type: accepted at a window, handled by the owning back office."""

from django.utils.translation import gettext_lazy as _

from shequ.cases.registry import CaseType, ClockEffect, Transition, register
from shequ.regions.roles import Role

BACK = frozenset({Role.BACK_OFFICE})
FRONT = frozenset({Role.WINDOW_WORKER})
EITHER = BACK | FRONT

APPLICATION = register(
    CaseType(
        key="application",
        label=_("Application"),
        states={
            "accepted": _("Accepted"),
            "handling": _("Being handled"),
            "correction": _("Waiting for materials"),
            "approved": _("Approved"),
            "rejected": _("Not approved"),
            "delivered": _("Result delivered"),
            "refused": _("Refused at the window"),
        },
        initial="accepted",
        transitions=(
            Transition(
                "take", _("Take"), ("accepted",), "handling", BACK, takes=True, style="primary"
            ),
            Transition(
                "request_correction",
                _("Request missing materials"),
                ("handling",),
                "correction",
                BACK,
                clock=ClockEffect.PAUSE,
                needs_note=True,
                tell_requester=True,
            ),
            Transition(
                "corrected",
                _("Materials supplied"),
                ("correction",),
                "handling",
                EITHER,
                clock=ClockEffect.RESUME,
            ),
            Transition(
                "approve",
                _("Approve"),
                ("handling",),
                "approved",
                BACK,
                clock=ClockEffect.STOP,
                tell_requester=True,
                style="primary",
            ),
            Transition(
                "reject",
                _("Reject"),
                ("handling",),
                "rejected",
                BACK,
                clock=ClockEffect.STOP,
                needs_note=True,
                tell_requester=True,
                style="danger",
            ),
            Transition(
                "deliver",
                _("Deliver the result"),
                ("approved", "rejected"),
                "delivered",
                EITHER,
                tell_requester=True,
            ),
            Transition(
                "refuse",
                _("Refuse"),
                ("accepted",),
                "refused",
                FRONT,
                clock=ClockEffect.STOP,
                needs_note=True,
                style="danger",
            ),
        ),
        final_states=frozenset({"delivered", "refused"}),
        ratable=True,
        public_states={
            "accepted": _("Your application has been accepted and sent to the office in charge."),
            "handling": _("The office in charge is handling your application."),
            "correction": _(
                "Materials are missing: the office has told you what to bring. The time limit is paused until then."
            ),
            "approved": _("Approved: the result is being prepared for you."),
            "rejected": _("Not approved: the reason has been sent to you."),
            "delivered": _("Done: the result has been handed over. Please rate our service."),
            "refused": _(
                "The window could not accept this application; the reason was given to you."
            ),
        },
    )
)
