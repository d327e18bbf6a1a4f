"""The hotline's categories as Open311 services; a posted request becomes a hotline case.

Service codes are `H-` and the category's code (`H-GS` 供水), so that they never meet the
incident codes. A request is taken through the hotline's own intake (`call_take`) on the API channel, recorded
under the key's account: the hotline's operators then dispatch it like any other.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from shequ.cases.deadlines import LimitKind
from shequ.cases.models import Case
from shequ.hotline.models import Category, Channel
from shequ.hotline.services import CallIn, call_take
from shequ.open311.registry import Intake, Service, ServiceSource, register
from shequ.open311.sources import intake_category, service_found

KEY = "hotline"
PREFIX = "H-"


def _service(category: Category) -> Service:
    limit = f"{category.handling_amount} {LimitKind(category.handling_kind).label}"
    return Service(
        code=PREFIX + category.code,
        name=category.name,
        description=_("Hotline: %(name)s") % {"name": category.name},
        group=_("Hotline"),
        keywords=", ".join((category.name, category.code)),
        notice=_("The unit in charge handles it within %(limit)s once the hotline passes it on.")
        % {"limit": limit},
    )


def services() -> list[Service]:
    return [_service(category) for category in Category.objects.filter(is_active=True)]


def category_of(code: str) -> Category | None:
    if not code.startswith(PREFIX):
        return None
    return Category.objects.filter(code=code.removeprefix(PREFIX), is_active=True).first()


def find(code: str) -> Service | None:
    return service_found(code, category_of, _service)


def create(intake: Intake) -> Case:
    category = intake_category(intake, category_of)
    call = call_take(
        actor=intake.actor,
        data=CallIn(
            text=intake.description,
            region=intake.region,
            address=intake.address,
            lat=intake.lat,
            lng=intake.lng,
            category=category,
            caller_name=intake.requester_name,
            caller_phone=intake.requester_phone,
            channel=Channel.API,
        ),
        request=intake.request,
    )
    return call.case


SOURCE = register(
    ServiceSource(
        key=KEY,
        services=services,
        find=find,
        create=create,
        audit_types=("hotline.category",),
    )
)
