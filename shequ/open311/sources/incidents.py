"""The incident categories as Open311 services; a posted request becomes an incident.

Service codes are the category's kind letter and its four-digit full code: `C0101` is the
component 上水井盖 (部件 01 01), `E0102` the event 暴露垃圾 (事件 01 02). The four digits
alone are not unique: components and events both number their classes from 01.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.utils.translation import gettext as _

from shequ.cases.models import Case
from shequ.incidents.models import IncidentCategory, IncidentKind
from shequ.incidents.models_loop import Channel, Incident
from shequ.incidents.services_loop import incident_report
from shequ.open311.registry import Intake, Service, ServiceSource, register
from shequ.open311.sources import intake_category, service_found

KEY = "incidents"
KIND_LETTER = {IncidentKind.COMPONENT: "C", IncidentKind.EVENT: "E"}
LETTER_KIND = {letter: kind for kind, letter in KIND_LETTER.items()}
CODE = re.compile(r"^([CE])(\d{2})(\d{2})$")


def service_code(category: IncidentCategory) -> str:
    return KIND_LETTER[IncidentKind(category.incident_class.kind)] + category.full_code


def _service(category: IncidentCategory) -> Service:
    kind = IncidentKind(category.incident_class.kind)
    keywords = [
        category.incident_class.name,
        str(kind.label),
        category.name_pinyin,
        category.name_initials,
    ]
    return Service(
        code=service_code(category),
        name=category.name,
        description=category.filing_condition,
        group=category.incident_class.name,
        keywords=", ".join(word for word in keywords if word),
        notice=_("To be handled within %(limit)s once the report is filed.")
        % {"limit": category.time_limit_text},
    )


def services() -> list[Service]:
    rows = IncidentCategory.objects.active().select_related("incident_class")
    return [_service(category) for category in rows]


def category_of(code: str) -> IncidentCategory | None:
    """The active category a service code names, or None."""
    match = CODE.match(code)
    if match is None:
        return None
    letter, class_code, subclass_code = match.groups()
    return (
        IncidentCategory.objects.active()
        .select_related("incident_class")
        .filter(
            incident_class__kind=LETTER_KIND[letter],
            incident_class__code=class_code,
            code=subclass_code,
        )
        .first()
    )


def find(code: str) -> Service | None:
    return service_found(code, category_of, _service)


def create(intake: Intake) -> Case:
    category = intake_category(intake, category_of)
    incident = incident_report(
        actor=intake.actor,
        category=category,
        description=intake.description,
        lng=intake.lng,
        lat=intake.lat,
        address=intake.address,
        grid=intake.region,
        client_id=intake.client_id,
        channel=Channel.OPEN311,
        request=intake.request,
    )
    return incident.case


def agencies(cases: Sequence[Case]) -> dict[int, str]:
    """The owning unit (a department), else the node of the tier handling it now."""
    nodes = dict(
        Incident.objects.filter(pk__in=[case.pk for case in cases]).values_list(
            "pk", "handling_region__name"
        )
    )
    return {
        case.pk: case.owner_unit.name if case.owner_unit is not None else nodes.get(case.pk, "")
        for case in cases
    }


SOURCE = register(
    ServiceSource(
        key=KEY,
        services=services,
        find=find,
        create=create,
        agencies=agencies,
        audit_types=("incidents.incidentcategory", "incidents.incidentclass"),
    )
)
