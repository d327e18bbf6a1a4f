"""Reading one cell: text, whole numbers, choices, dates, phones, identity numbers.

Each reader returns the value or records the problem on the row and returns None, so that a
row reports every bad cell, not only the first.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _

from shequ.lib.dates import parse_date
from shequ.lib.idnumbers import mask_identity
from shequ.lib.phones import PhoneError, mask_phone, parse_phone
from shequ.lib.tabular import cell_text, normalise_header
from shequ.people.importing.columns import choice_lookup, choice_names
from shequ.people.importing.context import RowProblems

_MOBILE = re.compile(r"1\d{10}")


def cell(value: Any) -> str:
    """`cell_text`, quicker for the cells most files are made of: text and empty cells."""
    if value is None:
        return ""
    if type(value) is str:
        return value.strip()
    return cell_text(value)


# Several identity numbers in one cell.
SEPARATORS = re.compile(r"[、,，;；\s]+")


def text(
    values: dict[str, Any], key: str, problems: RowProblems, limit: int, *, required: bool = False
) -> str:
    value = cell(values[key])
    if not value and required:
        problems.add(key, "", _("This column must be filled in"))
    elif len(value) > limit:
        problems.add(key, value[:60], _("At most %(count)d characters") % {"count": limit})
        return ""
    return value


def whole(
    values: dict[str, Any],
    key: str,
    problems: RowProblems,
    *,
    low: int,
    high: int,
    default: int | None = None,
) -> int | None:
    raw = values[key]
    shown = cell(raw)
    if not shown:
        if default is None:
            problems.add(key, "", _("This column must be filled in"))
        return default
    try:
        number = Decimal(shown)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or number != number.to_integral_value() or not low <= number <= high:
        problems.add(
            key,
            shown,
            _("Enter a whole number from %(low)d to %(high)d") % {"low": low, "high": high},
        )
        return None
    return int(number)


def decimal(values: dict[str, Any], key: str, problems: RowProblems) -> Decimal | None:
    shown = cell(values[key])
    if not shown:
        return None
    try:
        number = Decimal(shown.replace("㎡", "").replace("m²", "").strip()).quantize(
            Decimal("0.01")
        )
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or not 0 < number < 100_000:
        problems.add(key, shown, _("Enter the area in square metres, for example 89.5"))
        return None
    return number


@lru_cache(maxsize=16)
def _lookup(key: str) -> dict[str, str]:
    return choice_lookup(key)


@lru_cache(maxsize=4096)
def _code(key: str, shown: str) -> str | None:
    """The code a choice cell's text stands for: the same few words fill a whole column, and
    normalising one costs more than the rest of the cell's check."""
    return _lookup(key).get(normalise_header(shown))


def choice(
    values: dict[str, Any], key: str, problems: RowProblems, *, required: bool = False
) -> str:
    shown = cell(values[key])
    if not shown:
        if required:
            problems.add(key, "", _("This column must be filled in"))
        return ""
    found = _code(key, shown)
    if found is None:
        problems.add(
            key,
            shown,
            _("“%(value)s” is not one of %(names)s") % {"value": shown, "names": choice_names(key)},
        )
        return ""
    return found


def date(
    values: dict[str, Any], key: str, problems: RowProblems, *, required: bool = False
) -> dt.date | None:
    raw = values[key]
    if cell(raw) == "":
        if required:
            problems.add(key, "", _("This column must be filled in"))
        return None
    try:
        return parse_date(raw)
    except ValueError as exc:
        problems.add(key, raw, str(exc))
        return None


@lru_cache(maxsize=16384)
def _mobile_prefix_problem(prefix: str) -> str:
    """What `parse_phone` says of 11-digit mobile numbers with this 7-digit prefix."""
    try:
        parse_phone(prefix + "0000")
    except PhoneError as exc:
        return str(exc)
    return ""


def phone(values: dict[str, Any], key: str, problems: RowProblems) -> str:
    """The normalised phone number, "" when empty or wrong.

    An 11-digit mobile number's validity depends only on its first digits (the number
    ranges of the operators), so `parse_phone`'s answer is cached per 7-digit prefix: the
    libphonenumber check costs more than the rest of a person row.
    """
    shown = cell(values[key])
    if not shown:
        return ""
    if _MOBILE.fullmatch(shown):
        problem = _mobile_prefix_problem(shown[:7])
        if not problem:
            return shown
    else:
        try:
            return parse_phone(shown)
        except PhoneError as exc:
            problem = str(exc)
    problems.add(key, mask_phone(shown), problem)
    return ""


def masked_identity(raw: Any) -> str:
    """An identity number as the report shows it: first 6 and last 4 characters."""
    return mask_identity("".join(cell_text(raw).split()).upper())
