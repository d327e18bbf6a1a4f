"""The incident's part of the engine's case page (found by the engine by name).

`case_fragment_context` feeds incidents/_case_incident.html: category and its conditions, the
tier and node handling it, photos before and after, the place on a small map, and the fields
the dispatch, postponement and feedback buttons carry. `clean_transition_data` checks them;
`event_data_lines` words them on the timeline.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shequ.cases.deadlines import HOUR_KINDS
from shequ.cases.models import Case
from shequ.incidents.casetype import INCIDENT, SUPERVISING
from shequ.incidents.models import Tier
from shequ.incidents.models_loop import Incident, PhotoStage
from shequ.regions.models import Unit, UnitKind
from shequ.regions.permissions import has_role

TIER_LABELS = dict(Tier.choices)


def case_fragment_context(case: Case, user: Any) -> dict[str, Any]:
    incident = (
        Incident.objects.select_related(
            "category", "category__incident_class", "category__default_unit", "handling_region"
        )
        .filter(pk=case.pk)
        .first()
    )
    if incident is None:
        return {"incident": None}
    photos = list(incident.photos.order_by("id"))
    requested = (
        case.events.filter(action="request_postpone").order_by("-id").values_list("data", flat=True)
    ).first()
    return {
        "incident": incident,
        "before": [p for p in photos if p.stage == PhotoStage.BEFORE],
        "after": [p for p in photos if p.stage == PhotoStage.AFTER],
        "tiers": Tier.choices,
        "units": Unit.objects.filter(kind__in=(UnitKind.DEPARTMENT, UnitKind.PARTNER)).order_by(
            "kind", "code"
        ),
        "postpone_requested": (requested or {}).get("amount", ""),
        "boundary": case.region.boundary,
        "point": [case.lat, case.lng] if case.lat is not None and case.lng is not None else None,
        "hours": case.limit_kind in HOUR_KINDS,
        "may_supervise": case.state not in INCIDENT.final_states
        and has_role(user, SUPERVISING, case.region),
    }


def clean_transition_data(case: Case, name: str, data: dict[str, str]) -> dict[str, Any]:
    if name == "dispatch":
        tier = data.get("tier", "")
        if tier not in TIER_LABELS:
            raise ValidationError({"tier": [_("Choose where it is handled")]})
        unit = data.get("unit", "")
        if unit and not unit.isdigit():
            raise ValidationError({"unit": [_("No such unit")]})
        return {"tier": tier, "unit": unit}
    if name in ("request_postpone", "approve_postpone"):
        return {"amount": data.get("amount", "")}
    return {}


def event_data_lines(data: dict[str, Any]) -> dict[str, str]:
    lines: dict[str, str] = {}
    if "tier" in data:
        lines["tier"] = _("Handled at: %(tier)s %(node)s %(unit)s") % {
            "tier": TIER_LABELS.get(data["tier"], data["tier"]),
            "node": data.get("node", ""),
            "unit": data.get("unit", ""),
        }
    for key in ("node", "unit", "from_tier"):
        if key in data:
            lines[key] = ""
    if "amount" in data:
        lines["amount"] = _("Postponement: %(amount)s") % {"amount": data["amount"]}
    if "photos" in data:
        lines["photos"] = (
            _("%(count)s photos of the result") % {"count": data["photos"]}
            if data["photos"]
            else ""
        )
    return lines
