"""Text messages to residents through a pluggable sender (SMS_SENDER).

A real gateway implements `send(phone, text) -> str` (returning the gateway's message id) and
is named in SMS_SENDER; the default writes each message to the log and sends nothing.
"""

import logging
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


def get_sender() -> Sender:
    return import_string(settings.SMS_SENDER)()
