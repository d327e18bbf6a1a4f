"""The incident work queues: what each role has to do now, soonest deadline first.

Every queue starts from the engine's scoped cases (`cases_for`: the user's subtree and the
cases of the user's units) and narrows by state and by who acts at that step:
verify (grid workers and leaders, reported ones), dispatch (leaders: verified, filed, checked,
postponements to decide), handle (dispatched or being handled, where the user handles at the
incident's tier or for its unit), check (handled ones, for checkers of the place).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from shequ.cases.models import Case
from shequ.cases.selectors import cases_for
from shequ.incidents.casetype import CHECKERS, DISPATCHERS, HANDLERS, KEY, TIER_ROLES, VERIFIERS
from shequ.regions.permissions import roles
from shequ.regions.scoping import assignments


@dataclass(frozen=True)
class Queue:
    key: str
    label: Any
    states: tuple[str, ...]
    roles: frozenset[str]


QUEUES = (
    Queue("verify", _("To verify"), ("reported",), VERIFIERS),
    Queue(
        "dispatch",
        _("To file, dispatch or close"),
        ("verified", "filed", "postpone_pending", "checked"),
        DISPATCHERS,
    ),
    Queue("handle", _("To handle"), ("dispatched", "handling"), HANDLERS),
    Queue("check", _("To check"), ("handled",), CHECKERS),
)


def queues_for(user: Any) -> list[Queue]:
    held = roles(user)
    return [q for q in QUEUES if q.roles & held]


def _handled_by(user: Any) -> Q:
    """Incidents the user handles now: their units' ones, or at a tier where they hold the
    tier's role over the incident's handling node."""
    mine = Q(pk__in=[])
    tier_of: dict[str, str] = {role: tier for tier, role in TIER_ROLES.items()}
    for role, path, unit_id in assignments(user):
        if unit_id is not None and role in HANDLERS:
            mine |= Q(owner_unit_id=unit_id)
        if role in tier_of:
            mine |= Q(
                owner_unit__isnull=True,
                incident__tier=tier_of[role],
                incident__handling_region__path__startswith=path,
            )
    return mine


def queue_cases(user: Any, queue: Queue) -> QuerySet[Case]:
    cases = cases_for(user).filter(type_key=KEY, state__in=queue.states)
    if queue.key == "handle":
        cases = cases.filter(_handled_by(user))
    return cases.select_related(
        "region", "owner_unit", "handler", "incident", "incident__category",
        "incident__handling_region",
    ).order_by(F("due_at").asc(nulls_last=True), "id")  # fmt: skip
