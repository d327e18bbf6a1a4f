"""Tenancies and moves: who rents which dwelling, and where people went (nothing is deleted)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.regions.models import Region, ScopedQuerySet


class Tenancy(models.Model):
    """A lease of a dwelling: landlord, tenants, from and to, and when it was registered.

    The landlord is a person of the register when known, or just a name (an owner living
    elsewhere). A lease is registered within 30 days of signing (STANDARDS.md).
    """

    dwelling = models.ForeignKey(
        "people.Dwelling",
        on_delete=models.PROTECT,
        related_name="tenancies",
        verbose_name=_("dwelling"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="tenancies", verbose_name=_("grid")
    )
    landlord = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lettings",
        verbose_name=_("landlord"),
    )
    landlord_name = models.CharField(_("landlord name"), max_length=64, blank=True)
    tenants = models.ManyToManyField(
        "people.Person", related_name="tenancies", verbose_name=_("tenants")
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"), db_index=True)
    registered_on = models.DateField(_("lease registered on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("tenancy")
        verbose_name_plural = _("tenancies")

    def __str__(self) -> str:
        return f"{self.dwelling_id} {self.starts_on}–{self.ends_on}"


class MoveKind(models.TextChoices):
    MOVED = "moved", _("Moved to another dwelling")
    HOUSEHOLD = "household", _("Changed household")
    LEFT = "left", _("Left the district")
    RETURNED = "returned", _("Came back to the district")


class PersonMove(models.Model):
    """One move of a person, with where from and where to: the history of the register."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="moves", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=MoveKind.choices)
    on = models.DateField(_("date"))
    # Scoped by the grid the person moved from: the old community still sees the departure.
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("from grid")
    )
    to_region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to grid"),
    )
    from_dwelling = models.ForeignKey(
        "people.Dwelling", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_dwelling = models.ForeignKey(
        "people.Dwelling", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_household = models.ForeignKey(
        "people.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_household = models.ForeignKey(
        "people.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("move")
        verbose_name_plural = _("moves")

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.on}"
