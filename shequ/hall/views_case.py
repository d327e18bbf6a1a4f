"""The hall's part of the engine's case page for applications (found by the engine by name).

`case_fragment_context` feeds hall/_case_application.html; `clean_transition_data` checks the
delivery choice that the fragment adds to the engine's "deliver" button; `event_data_lines`
words that choice on the timeline.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shequ.cases.models import Case
from shequ.hall.casetype import APPLICATION
from shequ.hall.models import Application, DeliveryMethod
from shequ.hall.services import proxy_suggested


def _methods(application: Application) -> list[str]:
    """The handover methods the item allows: pickup always, post and proxy when offered."""
    item = application.item
    methods = [DeliveryMethod.PICKUP.value]
    if item.delivery:
        methods.append(DeliveryMethod.DELIVERY.value)
    if item.by_proxy:
        methods.append(DeliveryMethod.PROXY_HOME.value)
    return methods


def case_fragment_context(case: Case, user: Any = None) -> dict[str, Any]:
    application = (
        Application.objects.select_related("item", "item__department", "applicant")
        .filter(case=case)
        .first()
    )
    if application is None:
        return {"application": None}
    received = set(application.materials_received)
    materials = [
        {"material": m, "received": m.pk in received} for m in application.item.materials.all()
    ]
    suggested = proxy_suggested(application.applicant)
    methods = _methods(application)
    default = (
        DeliveryMethod.PROXY_HOME.value
        if suggested and DeliveryMethod.PROXY_HOME.value in methods
        else DeliveryMethod.PICKUP.value
    )
    chosen = application.delivery_method or case.data.get("delivery", "")
    labels = dict(DeliveryMethod.choices)
    return {
        "application": application,
        "materials": materials,
        "proxy_suggested": suggested,
        "delivery_methods": [(m, labels[m]) for m in methods],
        "delivery_default": default,
        "delivery_label": labels.get(chosen, ""),
    }


def clean_transition_data(case: Case, name: str, data: dict[str, str]) -> dict[str, Any]:
    """Only "deliver" takes data: how the result is handed over."""
    deliver = APPLICATION.transition("deliver")
    if deliver is None or name != deliver.name:
        return {}
    application = Application.objects.select_related("item").filter(case=case).first()
    method = data.get("delivery", "")
    allowed = _methods(application) if application else list(DeliveryMethod.values)
    if method not in allowed:
        raise ValidationError({"delivery": [_("Choose how the result is handed over")]})
    return {"delivery": method}


def event_data_lines(data: dict[str, Any]) -> dict[str, str]:
    """Words for the hall's keys in a timeline event's data."""
    lines: dict[str, str] = {}
    if "delivery" in data:
        method = data["delivery"]
        lines["delivery"] = _("Handover: %(method)s") % {
            "method": dict(DeliveryMethod.choices).get(method, method)
        }
    return lines
