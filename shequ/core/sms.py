"""Text messages to residents through a pluggable sender (SMS_SENDER).

A real gateway implements `send(phone, text) -> str` (returning the gateway's message id) and
is named in SMS_SENDER; the default writes each message to the log and sends nothing.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("shequ.sms")


class Sender(Protocol):
    def send(self, phone: str, text: str) -> str: ...


class LoggingSender:
    """Writes the message to the log with the phone masked."""

    def send(self, phone: str, text: str) -> str:
        from shequ.lib.phones import mask_phone

        logger.info("SMS to %s: %s", mask_phone(phone), text)
        return "logged"


class _Held:
    """Sends nothing: the sender while messages are held."""

    def send(self, phone: str, text: str) -> str:
        return ""


_held: ContextVar[bool] = ContextVar("sms_held", default=False)


@contextmanager
def held() -> Iterator[None]:
    """Messages queued within the block are not sent (the sender is chosen when a message
    is queued, so also not on a later commit): loading a demo's history texts nobody."""
    token = _held.set(True)
    try:
        yield
    finally:
        _held.reset(token)


def get_sender() -> Sender:
    if _held.get():
        return _Held()
    return import_string(settings.SMS_SENDER)()
