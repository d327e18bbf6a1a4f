"""Read-side helpers of the register: what the search box holds and the filters of the person list.

`classify` decides the kind of search from what the box holds:

- Chinese characters: a name prefix (张, 张伟, 阿依古丽·买买提, 𠮷…); with a house number or
  a road word, an address (幸福路12号3单元301).
- Latin letters: the full pinyin ("zhangwei", "zhang wei") or the initials ("zw").
- 4 to 6 digits (the last may be X): the end of an identity number; 18 characters: the
  whole number, by its keyed hash.
- A phone in any usual writing (+86, spaces, dashes): the keyed hash of its normal form.

The search itself (`person_search`, `search_page`) is in `shequ.people.search`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from shequ.lib.idnumbers import IdentityError, parse_identity
from shequ.lib.phones import PhoneError, parse_phone
from shequ.people.models import CareKind, CareTag, Person, ResidenceStatus
from shequ.people.models_care import AGED_KEY, SENSITIVE_KINDS
from shequ.regions.models import Region
from shequ.regions.permissions import can_see_sensitive

AGE_BANDS: dict[str, tuple[int, int | None]] = {
    "0-17": (0, 17),
    "18-59": (18, 59),
    "60-69": (60, 69),
    "70-79": (70, 79),
    "80+": (80, None),
}


class Kind(StrEnum):
    """What the search box was understood to hold."""

    NONE = "none"
    NAME = "name"
    PINYIN = "pinyin"
    INITIALS = "initials"
    ID_TAIL = "id_tail"
    ID_NUMBER = "id_number"
    PHONE = "phone"
    ADDRESS = "address"
    UNKNOWN = "unknown"


KIND_LABELS = {
    Kind.NAME: _("name"),
    Kind.PINYIN: _("full pinyin"),
    Kind.INITIALS: _("pinyin initials"),
    Kind.ID_TAIL: _("last digits of an identity number"),
    Kind.ID_NUMBER: _("identity number"),
    Kind.PHONE: _("phone"),
    Kind.ADDRESS: _("address"),
    Kind.UNKNOWN: _(
        "nothing searchable: type a name, pinyin, 4 to 6 last digits of an identity number, a phone or an address"
    ),
}

# Kinds whose own index narrows further than any scope does.
SELECTIVE_KINDS = frozenset({Kind.ID_TAIL, Kind.ID_NUMBER, Kind.PHONE, Kind.ADDRESS})

_ID_TAIL = re.compile(r"^\d{3,5}[\dX]$")
_PHONEISH = re.compile(r"^[+\d\s\-()（）]+$")
_LATIN = re.compile(r"^[a-z][a-z\s']*$")
# "幸福路12号", "幸福路12号阳光花园3号楼3单元301": the building address, then unit and room.
_ADDRESS = re.compile(r"^(?P<address>.*?号楼?)(?:(?P<unit>\d{1,2})单元)?(?:(?P<room>\d{1,5})室?)?$")
# Words that end a road or compound name: "幸福路" alone is an address, not a name.
_PLACE_ENDINGS = ("路", "街", "大道", "巷", "弄", "胡同", "小区", "花园", "苑", "里", "村", "号")


@dataclass(frozen=True)
class Term:
    """The search box, understood: its kind and the normalised value(s) to look for."""

    kind: Kind
    value: str = ""
    unit: int | None = None
    room: str = ""


def _is_han(char: str) -> bool:
    return unicodedata.category(char) == "Lo"


def classify(raw: str) -> Term:
    """Decide what kind of search the box holds. Pure: no database access."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        return Term(Kind.NONE)
    compact = re.sub(r"\s+", "", text)
    upper = compact.upper()
    if _ID_TAIL.match(upper):
        return Term(Kind.ID_TAIL, upper)
    if len(upper) in (15, 18) and upper[:-1].isdigit():
        try:
            return Term(Kind.ID_NUMBER, parse_identity(upper).number)
        except IdentityError:
            pass  # Perhaps a phone written with 0086: tried next.
    if _PHONEISH.match(text) and sum(c.isdigit() for c in text) >= 7:
        try:
            return Term(Kind.PHONE, parse_phone(text))
        except PhoneError:
            return Term(Kind.UNKNOWN, compact)
    lowered = text.lower()
    if _LATIN.match(lowered):
        letters = re.sub(r"[\s']", "", lowered)
        # Initials are short runs of consonant starts; a vowel or a long word is pinyin.
        if len(letters) <= 4 and not re.search(r"[aeiouv]", letters):
            return Term(Kind.INITIALS, letters)
        return Term(Kind.PINYIN, letters)
    if any(c.isdigit() for c in compact) or (
        len(compact) >= 3 and compact.endswith(_PLACE_ENDINGS)
    ):
        match = _ADDRESS.match(compact)
        if match and match.group("address"):
            unit = match.group("unit")
            return Term(
                Kind.ADDRESS,
                match.group("address"),
                unit=int(unit) if unit else None,
                room=match.group("room") or "",
            )
        return Term(Kind.ADDRESS, compact)
    if any(_is_han(c) for c in compact):
        # Names keep their middle dot; the usual look-alikes are written as "·".
        return Term(Kind.NAME, re.sub(r"[•．.・]", "·", compact))
    return Term(Kind.UNKNOWN, compact)


@dataclass
class PersonFilters:
    """The filters of the person list, as the page, the API and the export receive them."""

    q: str = ""
    region: Region | None = None
    status: str = ""
    tag: str = ""
    age: str = ""
    permit_expiring: bool = False
    include_left: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        """The filters for the audit log and the file name: values only, no personal data.

        The search term is recorded by its kind only (a phone or identity number typed into
        the box is personal data and must not reach the log in the clear).
        """
        term = classify(self.q)
        described: dict[str, Any] = {"search": str(term.kind)}
        if self.region is not None:
            described["region"] = self.region.pk
        for name in ("status", "tag", "age"):
            if value := getattr(self, name):
                described[name] = value
        if self.permit_expiring:
            described["permit_expiring"] = True
        if self.include_left:
            described["include_left"] = True
        return described


def tag_choices(user: Any, region: Any = None) -> list[tuple[str, str]]:
    """Care-tag filter choices the user may use: sensitive kinds only for allowed roles."""
    sensitive = can_see_sensitive(user, region) if region is not None else _sees_sensitive(user)
    choices = [
        (kind.value, str(kind.label))
        for kind in CareKind
        if sensitive or kind not in SENSITIVE_KINDS
    ]
    return [(AGED_KEY, str(_("Aged 70+"))), *choices]


def _sees_sensitive(user: Any) -> bool:
    """Whether the user may see sensitive tags anywhere in his scope (at his own nodes)."""
    from shequ.regions.permissions import role_paths

    return any(can_see_sensitive(user, path) for _role, path in role_paths(user))


def current_tags(persons: list[Person], user: Any) -> dict[int, list[CareTag]]:
    """Current care tags of the persons on a page, sensitive ones only where allowed."""
    tags: dict[int, list[CareTag]] = {p.pk: [] for p in persons}
    if not persons:
        return tags
    regions = {p.pk: p.region for p in persons}
    allowed: dict[int, bool] = {}
    for tag in CareTag.objects.current().filter(person_id__in=list(tags)).order_by("kind"):
        if tag.sensitive:
            region = regions[tag.person_id]
            if region.pk not in allowed:
                allowed[region.pk] = can_see_sensitive(user, region)
            if not allowed[region.pk]:
                continue
        tags[tag.person_id].append(tag)
    return tags


__all__ = [
    "AGE_BANDS",
    "KIND_LABELS",
    "Kind",
    "PersonFilters",
    "ResidenceStatus",
    "Term",
    "classify",
    "current_tags",
    "tag_choices",
]
