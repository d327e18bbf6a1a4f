"""The register of people and places: buildings, dwellings, households, persons.

Identity numbers and phones are stored three ways: sealed (`*_enc`, AES-GCM), as a keyed hash
for exact lookup (`*_hash`), and masked for display (`*_masked`). Plain values never touch a
column; `services.person_reveal` opens them for allowed roles and writes the audit log.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.lib.idnumbers import DocType
from shequ.regions.models import Region, ScopedQuerySet


class Building(models.Model):
    """A residential building (楼栋) in a grid."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("grid")
    )
    name = models.CharField(_("name"), max_length=64)
    # Search by address is a prefix lookup ("幸福路12号"); the index serves it.
    address = models.CharField(_("address"), max_length=200, db_index=True)
    floors = models.PositiveSmallIntegerField(_("floors"), default=6)
    units = models.PositiveSmallIntegerField(_("units"), default=1)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["region", "name"]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")

    def __str__(self) -> str:
        return self.address


class DwellingUse(models.TextChoices):
    OWNER = "owner", _("Owner-occupied")
    RENTED = "rented", _("Rented")
    VACANT = "vacant", _("Vacant")
    COMMERCIAL = "commercial", _("Commercial")


class Dwelling(models.Model):
    """A dwelling (房屋) in a building."""

    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="dwellings", verbose_name=_("building")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="dwellings", verbose_name=_("grid")
    )
    unit = models.PositiveSmallIntegerField(_("unit"), default=1)
    floor = models.SmallIntegerField(_("floor"))
    number = models.CharField(_("number"), max_length=16)
    area = models.DecimalField(_("area (m²)"), max_digits=7, decimal_places=2, null=True)
    use = models.CharField(_("use"), max_length=12, choices=DwellingUse.choices)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["building", "unit", "floor", "number"]
        verbose_name = _("dwelling")
        verbose_name_plural = _("dwellings")

    def __str__(self) -> str:
        return f"{self.building.address} {self.unit}单元{self.number}"


class Household(models.Model):
    """A household (户): the people registered together, living in one dwelling."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="households", verbose_name=_("grid")
    )
    dwelling = models.ForeignKey(
        Dwelling,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="households",
        verbose_name=_("dwelling"),
    )
    number = models.CharField(_("household number"), max_length=32, blank=True, db_index=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class ResidenceStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered (户籍)")
    RESIDENT = "resident", _("Resident, not registered (常住)")
    FLOATING = "floating", _("Floating (流动)")


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GRANDCHILD = "grandchild", _("Grandchild")
    SIBLING = "sibling", _("Sibling")
    OTHER = "other", _("Other")


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Person(models.Model):
    """A person of the register (一人一表)."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="persons", verbose_name=_("grid")
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("household"),
    )
    relation = models.CharField(
        _("relation to head"), max_length=12, choices=Relation.choices, blank=True
    )
    # Where the person lives now (a tenant may live apart from the household's dwelling).
    dwelling = models.ForeignKey(
        Dwelling,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="occupants",
        verbose_name=_("dwelling"),
    )
    # Prefix search by name ("张" or "张伟"), full pinyin and initials ("zw" finds 张伟): each
    # is served by its index in Meta.indexes.
    name = models.CharField(_("name"), max_length=64)
    name_pinyin = models.CharField(max_length=200)
    name_initials = models.CharField(max_length=64)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    doc_type = models.CharField(
        _("document type"), max_length=16, choices=DocType.choices, default=DocType.ID_CARD
    )
    id_number_enc = models.TextField(_("identity number (encrypted)"))
    # Exact lookup by identity number; unique across the register.
    id_number_hash = models.CharField(max_length=64, unique=True)
    id_number_masked = models.CharField(_("identity number"), max_length=18)
    # The last four characters are shown in the mask anyway; search by the last 4-6 digits
    # narrows on this index and checks the fifth and sixth digit on the sealed number.
    id_last4 = models.CharField(max_length=4, db_index=True, default="")
    phone_enc = models.TextField(_("phone (encrypted)"), blank=True)
    # Exact lookup by phone (a phone may be shared within a family).
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)
    residence_status = models.CharField(
        _("residence status"),
        max_length=12,
        choices=ResidenceStatus.choices,
        default=ResidenceStatus.REGISTERED,
    )
    registration_place = models.CharField(_("household registration place"), max_length=100)
    residence_permit_number = models.CharField(
        _("residence permit number"), max_length=32, blank=True
    )
    residence_permit_expiry = models.DateField(
        _("residence permit expiry"), null=True, blank=True, db_index=True
    )
    # A person who left the district keeps the record (history is never deleted).
    left_on = models.DateField(_("left the district on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        # The search keys, each followed by id (the order of the results) and by the columns
        # of the scope test and the default filter: a search walks the index in result order
        # and tests region and "has not left" on the entry itself, so the capped count of a
        # broad search (up to 1,001 entries) reads no table row.
        indexes = [
            models.Index(fields=["name", "id", "region", "left_on"], name="person_name_search_idx"),
            models.Index(
                fields=["name_pinyin", "id", "region", "left_on"], name="person_pinyin_search_idx"
            ),
            models.Index(
                fields=["name_initials", "id", "region", "left_on"],
                name="person_initials_search_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# The rest of the register's models live in their own modules; Django finds them here.
from shequ.people.models_care import CareKind, CareTag, Visit, VisitPlan  # noqa: E402
from shequ.people.models_imports import ImportJob, ImportKind, ImportStatus  # noqa: E402
from shequ.people.models_moves import MoveKind, PersonMove, Tenancy  # noqa: E402

__all__ = [
    "Building",
    "CareKind",
    "CareTag",
    "Dwelling",
    "DwellingUse",
    "Gender",
    "Household",
    "ImportJob",
    "ImportKind",
    "ImportStatus",
    "MoveKind",
    "Person",
    "PersonMove",
    "Relation",
    "ResidenceStatus",
    "Tenancy",
    "Visit",
    "VisitPlan",
]
