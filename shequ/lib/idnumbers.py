"""Identity numbers: GB 11643 citizen numbers and the residence documents that share their form.

`parse_identity(value, doc_type)` returns a normalised `Identity` or raises `IdentityError`
with a message that says exactly what is wrong, in Chinese through the translation machinery
("第18位校验码应为X"), never a bare "invalid".
"""

import datetime as dt
import unicodedata
from dataclasses import dataclass

from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.lib.divisions import PROVINCES, county_known

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
DIGITS = frozenset("0123456789")


class DocType(TextChoices):
    """Kinds of identity document stored beside the number."""

    ID_CARD = "id_card", gettext_lazy("Resident identity card")
    HMT_PERMIT = "hmt_permit", gettext_lazy("Residence permit (Hong Kong, Macao, Taiwan)")
    FOREIGN_PR = "foreign_pr", gettext_lazy("Foreign permanent residence card")


# Residence permits for Hong Kong, Macao and Taiwan residents carry these pseudo-province codes.
HMT_PREFIXES = {"81": "香港", "82": "澳门", "83": "台湾"}


class IdentityError(ValueError):
    """A number that cannot be accepted; `str(error)` is the message for the user."""


@dataclass(frozen=True)
class Identity:
    """A validated identity number in its stored 18-character form."""

    number: str
    doc_type: DocType
    birth_date: dt.date
    gender: str  # "M" or "F": odd sequence digit = male
    province: str
    warnings: tuple[str, ...] = ()

    @property
    def masked(self) -> str:
        return mask_identity(self.number)


def check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def upgrade_15(number: str) -> str:
    """Convert an old 15-digit number to its 18-digit form: insert 19 before the year, add the check."""
    first17 = number[:6] + "19" + number[6:]
    return first17 + check_char(first17)


def normalise(value: str) -> str:
    """Strip spaces, fold full-width and other compatibility forms (NFKC), upper-case x."""
    return "".join(unicodedata.normalize("NFKC", value).split()).upper()


def parse_identity(value: str, doc_type: DocType | str = DocType.ID_CARD) -> Identity:
    """Validate and normalise an identity number; raise `IdentityError` saying what is wrong."""
    doc_type = DocType(doc_type)
    number = normalise(value or "")
    if not number:
        raise IdentityError(_("Enter the identity number"))
    if len(number) == 15 and doc_type == DocType.ID_CARD:
        if any(char not in DIGITS for char in number):
            raise IdentityError(_("A 15-digit identity number may contain digits only"))
        number = upgrade_15(number)
    if len(number) != 18:
        raise IdentityError(
            _("The identity number should have 18 characters, not %(count)d")
            % {"count": len(number)}
        )
    for pos, char in enumerate(number[:17], start=1):
        if char not in DIGITS:
            raise IdentityError(
                _("Character %(pos)d should be a digit, not “%(char)s”")
                % {"pos": pos, "char": char}
            )
    if number[17] not in DIGITS and number[17] != "X":
        raise IdentityError(
            _("Character 18 may only be a digit or X, not “%(char)s”") % {"char": number[17]}
        )
    expected = check_char(number[:17])
    if number[17] != expected:
        raise IdentityError(
            _(
                "The check character (character 18) should be %(expected)s, not %(actual)s: check the number"
            )
            % {"expected": expected, "actual": number[17]}
        )
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise IdentityError(
            _("Characters 7-14 give the birth date %(date)s, which is not a real date")
            % {"date": number[6:14]}
        ) from exc
    if birth.year < 1890 or birth > dt.date.today():
        raise IdentityError(
            _("Characters 7-14 give the birth date %(date)s, which is out of range")
            % {"date": number[6:14]}
        )
    prefix = number[:2]
    warnings: list[str] = []
    if doc_type == DocType.HMT_PERMIT:
        if prefix not in HMT_PREFIXES:
            raise IdentityError(
                _(
                    "A residence permit for Hong Kong, Macao and Taiwan residents starts with 81, 82 or 83"
                )
            )
        province = HMT_PREFIXES[prefix]
    elif doc_type == DocType.FOREIGN_PR:
        # Permanent residence cards of the 2017 format follow the same 18-character form with
        # a province code for the issuing authority; only the checksum and date are binding.
        province = PROVINCES.get(prefix, "")
    else:
        if prefix in HMT_PREFIXES:
            raise IdentityError(
                _(
                    "A number starting with %(prefix)s is a Hong Kong, Macao or Taiwan residence permit: choose that document type"
                )
                % {"prefix": prefix}
            )
        if prefix not in PROVINCES:
            raise IdentityError(
                _("Characters 1-2 give the province code %(prefix)s, which does not exist")
                % {"prefix": prefix}
            )
        province = PROVINCES[prefix]
        if not county_known(number[:6]):
            warnings.append(
                _(
                    "Characters 1-6 give the address code %(code)s, which is not a known county code: check it"
                )
                % {"code": number[:6]}
            )
    gender = "M" if int(number[16]) % 2 else "F"
    return Identity(number, doc_type, birth, gender, province, tuple(warnings))


def mask_identity(number: str) -> str:
    """First 6 and last 4 characters, the rest as asterisks (STANDARDS.md, 个人信息保护)."""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
