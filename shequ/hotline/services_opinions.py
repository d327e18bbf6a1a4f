"""The residents' opinions (民情): a resident's opinion or suggestion from the portal, opened as a
case for the community to answer."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from shequ.audit.models import Action
from shequ.audit.services import audit_record
from shequ.cases.models import Case
from shequ.cases.services import case_open
from shequ.cases.services_notify import notify
from shequ.hotline.casetype import OPINION
from shequ.hotline.models import Channel, HotlineCase, RequestKind
from shequ.hotline.services import TITLE_CHARS
from shequ.lib import crypto
from shequ.regions.models import Region, RoleAssignment
from shequ.regions.roles import Role

# A resident's opinion is answered (adopted or not, then solved) within this many working days.
OPINION_DAYS = 15


@transaction.atomic
def opinion_submit(
    *,
    resident: Any,
    community: Region,
    text: str,
    address: str = "",
    request: HttpRequest | None = None,
) -> Case:
    """A resident's opinion or suggestion from the portal, for the community to answer."""
    errors: dict[str, list[str]] = {}
    if len(text.strip()) < 5:
        errors["text"] = [_("Write your opinion in a few words at least")]
    if community.level.key != "community":
        errors["community"] = [_("Choose your community")]
    if errors:
        raise ValidationError(errors)
    case = case_open(
        case_type=OPINION,
        actor=None,
        region=community,
        title=" ".join(text.split())[:TITLE_CHARS],
        requester_name=resident.name,
        requester_phone=crypto.decrypt(resident.phone_enc),
        address=address,
        promised_days=OPINION_DAYS,
        note=_("Sent on the resident portal"),
        request=request,
    )
    HotlineCase.objects.create(
        case=case,
        channel=Channel.PORTAL,
        kind=RequestKind.SUGGESTION,
        text=text.strip(),
        resident=resident,
    )
    audit_record(
        actor=resident,
        action=Action.CREATE,
        obj=case,
        changes={"opinion": [None, case.tracking_code]},
        request=request,
    )
    notify(
        [
            row.user
            for row in RoleAssignment.objects.filter(
                region=community, role=Role.COMMUNITY_LEADER
            ).select_related("user")
        ],
        case,
        _("A resident's opinion for %(community)s: %(title)s")
        % {"community": community.name, "title": case.title},
    )
    return case
