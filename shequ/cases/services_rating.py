"""The requester's rating of a finished case; a poor one opens a rectification."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from shequ.audit.models import Action
from shequ.audit.services import audit_record
from shequ.cases.models import Case, Rating, RatingLevel
from shequ.cases.registry import get_type
from shequ.cases.services import _event, case_open
from shequ.cases.services_notify import notify


@transaction.atomic
def case_rate(
    *,
    case: Case,
    level: int,
    comment: str = "",
    channel: str,
    actor: Any = None,
    request: HttpRequest | None = None,
) -> Rating:
    """The requester's one rating of a finished case; a poor one opens a rectification."""
    locked = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    kind = get_type(locked.type_key)
    if not kind.ratable or locked.state not in kind.final_states:
        raise ValidationError({"level": [_("A matter can be rated once it is finished")]})
    if Rating.objects.filter(case=locked).exists():
        raise ValidationError({"level": [_("This matter has been rated already")]})
    if level not in RatingLevel.values:
        raise ValidationError({"level": [_("Choose one of the five levels")]})
    rating = Rating.objects.create(
        case=locked,
        level=level,
        comment=comment.strip()[:2000],
        channel=channel,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _event(
        locked,
        actor=actor,
        action="rate",
        from_state=locked.state,
        to_state=locked.state,
        note=comment.strip()[:2000],
        data={"level": level, "channel": channel},
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=locked,
        changes={"rating": [None, level]},
        request=request,
    )
    if rating.is_poor:
        rectification = case_open(
            case_type="rectification",
            actor=None,
            region=locked.region,
            title=_("Rectification: %(title)s") % {"title": locked.title},
            requester=locked.requester,
            requester_name=locked.requester_name,
            owner_unit=locked.owner_unit,
            promised_days=settings.RECTIFICATION_DAYS,
            data={"rating": level, "comment": comment.strip()[:2000]},
            parent=locked,
            note=_("Opened by a poor rating (%(level)s)") % {"level": rating.get_level_display()},
        )
        # The requester's phone goes along (sealed) for the call-back.
        if locked.requester_phone_enc:
            Case.objects.filter(pk=rectification.pk).update(
                requester_phone_enc=locked.requester_phone_enc,
                requester_phone_masked=locked.requester_phone_masked,
                requester_phone_tail=locked.requester_phone_tail,
            )
        notify(
            [locked.handler, locked.first_responder],
            rectification,
            _(
                "Poor rating on %(code)s: a rectification %(new)s is open; first contact within 1 working day."
            )
            % {"code": locked.tracking_code, "new": rectification.tracking_code},
        )
    return rating
