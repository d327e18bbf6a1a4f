"""The engine's messages: a user's inbox and the requester's text messages."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.cases.models import Case, Notification
from shequ.cases.registry import Transition, get_type
from shequ.core.sms import get_sender
from shequ.lib import crypto


def notify(users: list[Any], case: Case | None, text: str) -> None:
    """Put a message in each user's inbox (call inside the transaction that causes it)."""
    seen: set[int] = set()
    rows = []
    for user in users:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, case=case, text=text[:300]))
    Notification.objects.bulk_create(rows)


def text_requester(case: Case, text: str) -> None:
    """Send a text message to the requester after commit (no phone: nothing)."""
    if not case.requester_phone_enc:
        return
    phone = crypto.decrypt(case.requester_phone_enc)
    sender = get_sender()  # chosen now: a message queued while held stays unsent
    transaction.on_commit(lambda: sender.send(phone, text))


def notify_after_commit(case: Case, transition: Transition, actor: Any) -> None:
    kind = get_type(case.type_key)
    state = kind.state_label(case.state)
    others = [u for u in (case.handler, case.first_responder) if u is not None and u != actor]
    notify(
        others,
        case,
        _("%(code)s %(title)s: %(state)s")
        % {"code": case.tracking_code, "title": case.title, "state": state},
    )
    if transition.tell_requester:
        text_requester(
            case,
            _(
                "Your matter %(code)s is now: %(state)s. Details: look it up with the code and the last 4 digits of your phone."
            )
            % {"code": case.tracking_code, "state": state},
        )


def notification_read(*, user: Any, ids: list[int] | None = None) -> int:
    """Mark a user's messages read (all of them when `ids` is None)."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(read_at=timezone.now())
