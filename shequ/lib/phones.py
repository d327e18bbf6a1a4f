"""Phone numbers: mainland mobiles and landlines, validated and normalised with phonenumbers.

Stored form: mobiles as 11 digits ("13812345678"), landlines as area code + "-" + number
("020-81234567"), with an optional extension after "-". Messages say what is wrong.
"""

import re
import unicodedata

import phonenumbers
from django.utils.translation import gettext as _


class PhoneError(ValueError):
    """A phone number that cannot be accepted; `str(error)` is the message for the user."""


_SEPARATORS = re.compile(r"[\s\-()（）]")
# The stored form of a landline with an extension: 0755-81234567-123.
_STORED_EXTENSION = re.compile(r"^(0\d{2,3}-\d{7,8})-(\d{1,6})$")
_EXTENSION = re.compile(r"\s*(?:转|ext\.?|x|#)\s*(\d{1,6})$", re.IGNORECASE)


def parse_phone(value: str) -> str:
    """Return the normalised phone number or raise `PhoneError`."""
    raw = (value or "").strip()
    if not raw:
        raise PhoneError(_("Enter the phone number"))
    raw = unicodedata.normalize("NFKC", raw)
    extension = ""
    if match := _STORED_EXTENSION.match(raw):
        raw, extension = match.group(1), match.group(2)
    elif match := _EXTENSION.search(raw):
        extension = match.group(1)
        raw = raw[: match.start()]
    digits = _SEPARATORS.sub("", raw)
    international = digits.startswith(("+86", "0086"))
    if international:
        digits = digits.removeprefix("+86").removeprefix("0086")
        # In international form a landline drops the trunk 0: +86 20 8123 4567.
        if digits[:1] not in ("1", "0"):
            digits = "0" + digits
    if not digits or any(c not in "0123456789" for c in digits):
        bad = next((c for c in digits if c not in "0123456789"), "")
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
    """First 3 and last 4 digits of the number (without extension), the rest as asterisks."""
    if match := _STORED_EXTENSION.match(number):
        number = match.group(1)
    digits = number.replace("-", "")
    if len(digits) <= 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
