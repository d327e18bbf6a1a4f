"""Dates as they come from spreadsheets and forms filled in by hand.

Accepted: date and datetime values (Excel date cells), Excel day numbers (what a date cell
gives when its Chinese built-in format is unknown to the reader), 20230501 as a number or text,
and the text forms 2023-05-01, 2023/5/1, 2023.5.1 and 2023年5月1日 (also with 号, full-width
digits or a time of day after the date, which is dropped).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Any

from django.utils.translation import gettext as _

# Excel counts days from 1899-12-30 (it takes 1900 for a leap year, so day 60 does not exist).
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_LAST_DAY = 2_958_465  # 9999-12-31
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_PATTERNS = (
    re.compile(rf"(\d{{4}})([-/.])(\d{{1,2}})\2(\d{{1,2}}){_TIME}"),
    re.compile(rf"(\d{{4}})(年)(\d{{1,2}})月(\d{{1,2}})[日号]?{_TIME}"),
    re.compile(rf"(\d{{4}})()(\d{{2}})(\d{{2}}){_TIME}"),
)


def parse_date(value: Any) -> dt.date:
    """Return the date, or raise ValueError with a message that says what is wrong."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool) or value is None:
        raise ValueError(_("Enter a date such as 2023-05-01"))
    if isinstance(value, int | float):
        return _from_number(value)
    if not isinstance(value, str):
        raise ValueError(_("Enter a date such as 2023-05-01"))
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        raise ValueError(_("Enter a date such as 2023-05-01"))
    for pattern in _PATTERNS:
        if match := pattern.fullmatch(text):
            year, _sep, month, day = match.groups()
            return _real_date(text, int(year), int(month), int(day))
    raise ValueError(
        _(
            "“%(value)s” is not a date: write it as 2023-05-01, 2023/5/1, 2023.5.1, "
            "2023年5月1日 or 20230501"
        )
        % {"value": value.strip()}
    )


def _from_number(value: float) -> dt.date:
    if not math.isfinite(value):
        raise ValueError(_("Enter a date such as 2023-05-01"))
    if value == int(value):
        number = int(value)
        if 10_000_000 <= number <= 99_999_999:
            digits = str(number)
            return _real_date(digits, int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        if 1900 <= number <= 2100:
            raise ValueError(
                _("%(value)d is a year, not a date: write the whole date, such as %(value)d-05-01")
                % {"value": number}
            )
    day = int(value)
    if day < 1 or day > _EXCEL_LAST_DAY or day == 60:
        raise ValueError(
            _("The number %(value)s is not a date: format the cell as a date or as text")
            % {"value": int(value) if value == int(value) else value}
        )
    # Excel's day 1 is 1900-01-01; from day 61 on its phantom 29 February 1900 is behind us.
    return _EXCEL_EPOCH + dt.timedelta(days=day if day > 60 else day + 1)


def _real_date(text: str, year: int, month: int, day: int) -> dt.date:
    if year < 1:
        raise ValueError(_("“%(value)s” has no year") % {"value": text})
    if not 1 <= month <= 12:
        raise ValueError(
            _("“%(value)s” has the month %(month)d: months run from 1 to 12")
            % {"value": text, "month": month}
        )
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(
            _("“%(value)s” is not a real date: %(year)d-%(month)02d has no day %(day)d")
            % {"value": text, "year": year, "month": month, "day": day}
        ) from None
