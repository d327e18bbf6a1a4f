"""Phone numbers: mainland mobiles and landlines, validated and normalised with phonenumbers.

Stored form: mobiles as 11 digits ("13812345678"), landlines as area code + "-" + number
("020-81234567"), with an optional extension after "-". Messages say what is wrong.
"""

import re

import phonenumbers
from django.utils.translation import gettext as _


class PhoneError(ValueError):
    """A phone number that cannot be accepted; `str(error)` is the message for the user."""


_SEPARATORS = re.compile(r"[\s\-()（）]")
_EXTENSION = re.compile(r"\s*(?:转|ext\.?|x|#)\s*(\d{1,6})$", re.IGNORECASE)


def parse_phone(value: str) -> str:
    """Return the normalised phone number or raise `PhoneError`."""
    raw = (value or "").strip()
    if not raw:
        raise PhoneError(_("Enter the phone number"))
    extension = ""
    if match := _EXTENSION.search(raw):
        extension = match.group(1)
        raw = raw[: match.start()]
    digits = _SEPARATORS.sub("", raw).translate(
        str.maketrans("０１２３４５６７８９＋", "0123456789+")
    )
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not digits.isdigit():
        bad = next(c for c in digits if not c.isdigit())
        raise PhoneError(_("A phone number cannot contain “%(char)s”") % {"char": bad})
    if digits.startswith("1"):
        if len(digits) != 11:
            raise PhoneError(
                _("A mobile number should have 11 digits, not %(count)d") % {"count": len(digits)}
            )
        parsed = phonenumbers.parse(digits, "CN")
        if not phonenumbers.is_valid_number(parsed):
            raise PhoneError(
                _("Mobile numbers do not start with %(prefix)s") % {"prefix": digits[:3]}
            )
        return digits
    if not digits.startswith("0"):
        raise PhoneError(_("Add the area code to a landline number, for example 020-81234567"))
    parsed = phonenumbers.parse(digits, "CN")
    if not phonenumbers.is_valid_number(parsed):
        raise PhoneError(
            _("The landline number %(number)s has a wrong area code or length") % {"number": digits}
        )
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    area, _sep, local = national.partition(" ")
    result = f"{area}-{local.replace(' ', '')}"
    return f"{result}-{extension}" if extension else result


def mask_phone(number: str) -> str:
    """First 3 and last 4 digits of the number, the rest as asterisks."""
    digits = number.replace("-", "")
    if len(digits) <= 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
