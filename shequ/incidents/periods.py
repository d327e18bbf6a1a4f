"""Periods of the incident indicators and map: whole local days, with a canonical key.

A month (2026-03), a quarter (2026-Q1), a year (2026) or two days (2026-03-01..2026-03-15);
the indicators (indicators.py) and the map (map_points.py) count the incidents reported in one.
"""

from __future__ import annotations

import calendar as cal
import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

# A custom period spans at most this many days (a year and a leap day).
MAX_CUSTOM_DAYS = 366


@dataclass(frozen=True)
class Period:
    """Whole local days from `first` to `last` (Asia/Shanghai), with its canonical key."""

    kind: str  # month, quarter, year, custom
    key: str  # 2026-03, 2026-Q1, 2026, 2026-03-01..2026-03-15
    first: dt.date
    last: dt.date

    @property
    def start(self) -> dt.datetime:
        tz = timezone.get_current_timezone()
        return dt.datetime.combine(self.first, dt.time(), tzinfo=tz)

    @property
    def end(self) -> dt.datetime:
        """The first moment after the period."""
        tz = timezone.get_current_timezone()
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(), tzinfo=tz)

    @property
    def label(self) -> str:
        if self.kind == "custom":
            return f"{self.first.isoformat()} – {self.last.isoformat()}"
        return self.key


def month_period(year: int, month: int) -> Period:
    last = cal.monthrange(year, month)[1]
    return Period(
        "month", f"{year}-{month:02d}", dt.date(year, month, 1), dt.date(year, month, last)
    )


def quarter_period(year: int, quarter: int) -> Period:
    first_month = 3 * (quarter - 1) + 1
    last = month_period(year, first_month + 2).last
    return Period("quarter", f"{year}-Q{quarter}", dt.date(year, first_month, 1), last)


def year_period(year: int) -> Period:
    return Period("year", f"{year}", dt.date(year, 1, 1), dt.date(year, 12, 31))


def custom_period(first: dt.date, last: dt.date) -> Period:
    if last < first:
        raise ValidationError({"period": [_("The period ends before it starts")]})
    if (last - first).days + 1 > MAX_CUSTOM_DAYS:
        raise ValidationError(
            {
                "period": [
                    _("A custom period spans at most %(days)d days") % {"days": MAX_CUSTOM_DAYS}
                ]
            }
        )
    return Period("custom", f"{first.isoformat()}..{last.isoformat()}", first, last)


def current_period(today: dt.date | None = None) -> Period:
    today = today or timezone.localdate()
    return month_period(today.year, today.month)


_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*(?:\.\.|~|/)\s*(\d{4}-\d{2}-\d{2})$")


def parse_period(text: str) -> Period:
    """A period from its key: 2026-03, 2026-Q1, 2026 or 2026-03-01..2026-03-15.

    Raises ValidationError (field "period") with what is expected.
    """
    text = text.strip()
    try:
        if match := _MONTH.match(text):
            year, month = int(match[1]), int(match[2])
            if 1 <= month <= 12 and year >= 2000:
                return month_period(year, month)
        elif match := _QUARTER.match(text):
            if int(match[1]) >= 2000:
                return quarter_period(int(match[1]), int(match[2]))
        elif match := _YEAR.match(text):
            if int(match[1]) >= 2000:
                return year_period(int(match[1]))
        elif match := _RANGE.match(text):
            return custom_period(dt.date.fromisoformat(match[1]), dt.date.fromisoformat(match[2]))
    except ValueError:
        pass
    raise ValidationError(
        {
            "period": [
                _(
                    "Give a month (2026-03), a quarter (2026-Q1), a year (2026) or two days "
                    "(2026-03-01..2026-03-15)"
                )
            ]
        }
    )
