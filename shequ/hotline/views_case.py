"""The hotline's part of the engine's case page (found by the engine by name).

The template hotline/_case_hotline.html (and _case_opinion.html) renders the panel through the
`hotline_panel` tag, which knows the user; here the call-back result that the panel adds to
the engine's "call_back" button is checked, and the hotline's timeline data is put in words.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shequ.cases.models import Case
from shequ.hotline.models import CallbackResult
from shequ.regions.models import Unit


def case_fragment_context(case: Case, user: Any) -> dict[str, Any]:
    """Nothing here: the panel's tag reads the case and the user itself."""
    return {}


def clean_transition_data(case: Case, name: str, data: dict[str, str]) -> dict[str, Any]:
    """Only "call_back" takes data: the result of the call-back."""
    if name != "call_back":
        return {}
    result = data.get("callback_result", "")
    if result not in CallbackResult.values:
        raise ValidationError({"callback_result": [_("Choose the result of the call-back")]})
    return {"callback_result": result}


def event_data_lines(data: dict[str, Any]) -> dict[str, str]:
    """Words for the hotline's keys in a timeline event's data."""
    lines: dict[str, str] = {}
    unit_ids = [data.get("lead_unit"), data.get("unit"), *data.get("assisting_units", [])]
    names = dict(Unit.objects.filter(pk__in=[u for u in unit_ids if u]).values_list("pk", "name"))
    if "lead_unit" in data:
        lines["lead_unit"] = _("Lead unit: %(unit)s") % {"unit": names.get(data["lead_unit"], "—")}
    if "assisting_units" in data:
        assisting = [names.get(pk, "—") for pk in data["assisting_units"]]
        lines["assisting_units"] = _("Assisting units: %(units)s") % {
            "units": "、".join(assisting) if assisting else "—"
        }
    if "sign_for_due" in data:
        lines["sign_for_due"] = _("Sign for by %(time)s") % {
            "time": str(data["sign_for_due"]).replace("T", " ")[:16]
        }
    if "unit" in data:
        lines["unit"] = _("By %(unit)s") % {"unit": names.get(data["unit"], "—")}
    if "send_backs" in data:
        lines["send_backs"] = _("Send-back %(count)s of 3 (the third escalates)") % {
            "count": data["send_backs"]
        }
    if "repeats" in data:
        lines["repeats"] = _("Repeat calls so far: %(count)s") % {"count": data["repeats"]}
    if "callback_result" in data:
        result = data["callback_result"]
        lines["callback_result"] = _("Call-back: %(result)s") % {
            "result": dict(CallbackResult.choices).get(result, result)
        }
    if "due_at" in data:
        lines["due_at"] = _("Due at %(time)s") % {
            "time": str(data["due_at"]).replace("T", " ")[:16]
        }
    if "owner_unit" in data:
        # The engine's record of the route (a unit's code): the lead unit line says it.
        lines["owner_unit"] = "" if "lead_unit" in data or "unit" in data else _("Unit cleared")
    return lines
