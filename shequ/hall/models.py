"""The service hall: the versioned service catalog, applications, one-time notices, queue tickets."""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.cases.models import Case
from shequ.people.models import Person
from shequ.regions.models import Region, ScopedQuerySet, Unit


class ItemKind(models.TextChoices):
    LICENSE = "license", _("Administrative licence")
    CONFIRMATION = "confirmation", _("Administrative confirmation")
    PAYMENT = "payment", _("Administrative payment")
    PUBLIC_SERVICE = "public_service", _("Public service")
    CERTIFICATE = "certificate", _("Certificate")
    OTHER = "other", _("Other")


class ServiceItemQuerySet(ScopedQuerySet):
    def visible_to(self, user: Any) -> Self:
        """Items of the departments on the user's branch of the tree, above or below.

        A window worker of a community accepts the items of its district's departments, so an
        item is visible when its department sits at one of the user's nodes, below one, or at
        one of their ancestors.
        """
        from shequ.regions.scoping import scope_prefixes

        query = models.Q(pk__in=[])
        for prefix in scope_prefixes(user):
            parts = prefix.strip("/").split("/")
            ancestors = ["/" + "/".join(parts[:depth]) + "/" for depth in range(1, len(parts))]
            query |= models.Q(department__region__path__startswith=prefix)
            query |= models.Q(department__region__path__in=ancestors)
        return self.filter(query)

    def current(self) -> Self:
        """The version of each item that new applications use."""
        return self.filter(is_current=True)


class ServiceItem(models.Model):
    """One version of a service item (事项). Editing an item makes a new version; a case keeps
    the version it was accepted under."""

    code = models.CharField(_("code"), max_length=32)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices)
    department = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="service_items", verbose_name=_("department")
    )
    legal_basis = models.TextField(_("legal basis"), blank=True)
    procedure = models.TextField(_("procedure"), blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    promised_days = models.PositiveSmallIntegerField(_("promised working days"))
    statutory_days = models.PositiveSmallIntegerField(_("statutory working days"))
    fee = models.CharField(_("fee"), max_length=200, default="不收费")
    online = models.BooleanField(_("can be done online"), default=False)
    by_proxy = models.BooleanField(_("can be done by proxy"), default=True)
    delivery = models.BooleanField(_("result can be delivered"), default=False)
    queue_group = models.CharField(_("queue group"), max_length=8, default="A")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ServiceItemQuerySet.as_manager()

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="item_code_version"),
            # One current version per code.
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(is_current=True), name="item_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", _("Original")
    COPY = "copy", _("Copy")
    BOTH = "both", _("Original and copy")


class Material(models.Model):
    """A material an item requires."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="materials")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("name"), max_length=200)
    form = models.CharField(_("form"), max_length=8, choices=MaterialForm.choices)
    count = models.PositiveSmallIntegerField(_("copies"), default=1)
    electronic_ok = models.BooleanField(_("electronic accepted"), default=False)
    required = models.BooleanField(_("required"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["item", "position", "id"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return self.name


class DeliveryMethod(models.TextChoices):
    PICKUP = "pickup", _("Pick up at the window")
    DELIVERY = "delivery", _("Delivered by post")
    PROXY_HOME = "proxy_home", _("Brought home by a worker (proxy service)")


class ApplicationQuerySet(ScopedQuerySet):
    scope_path = "case__region__path"


class Application(models.Model):
    """The hall's part of an application case: which item version, which materials came."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="application")
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="applications", verbose_name=_("applicant")
    )
    accepted_at_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("accepted at")
    )
    materials_received = models.JSONField(_("materials received"), default=list)
    delivery_method = models.CharField(
        _("delivery"), max_length=12, choices=DeliveryMethod.choices, blank=True
    )
    result = models.TextField(_("result"), blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self) -> str:
        return f"{self.case.tracking_code} {self.item.name}"


class MissingNotice(models.Model):
    """A one-time notice of every missing material (一次性告知), printed for the applicant."""

    number = models.CharField(_("notice number"), max_length=20, unique=True)
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="notices")
    applicant = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="notices")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    missing = models.JSONField(_("missing materials"), default=list)  # material names
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("one-time notice")
        verbose_name_plural = _("one-time notices")
        indexes = [
            # "Was this material notified before for this applicant and item?"
            models.Index(fields=["applicant", "item"], name="notice_applicant_item"),
        ]

    def __str__(self) -> str:
        return self.number


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    SERVED = "served", _("Served")
    SKIPPED = "skipped", _("Did not come")


class Window(models.Model):
    """A service window of a hall (a community's or a street's)."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="windows")
    number = models.PositiveSmallIntegerField(_("window number"))
    groups = models.CharField(_("queue groups served"), max_length=32, default="A")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["region", "number"]
        verbose_name = _("window")
        verbose_name_plural = _("windows")
        constraints = [
            models.UniqueConstraint(fields=["region", "number"], name="window_region_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number}号窗口"


class Ticket(models.Model):
    """A queue ticket: taken at the kiosk, called to a window, served."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="tickets")
    day = models.DateField(_("day"))
    group = models.CharField(_("queue group"), max_length=8)
    number = models.PositiveIntegerField(_("number"))
    status = models.CharField(
        _("status"), max_length=8, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    window = models.ForeignKey(
        Window, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets"
    )
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    called_at = models.DateTimeField(_("called"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["day", "group", "number"]
        verbose_name = _("queue ticket")
        verbose_name_plural = _("queue tickets")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "day", "group", "number"], name="ticket_unique_number"
            ),
        ]
        indexes = [
            # "Call next": the oldest waiting ticket of a group in a hall today.
            models.Index(fields=["region", "day", "group", "status", "number"], name="ticket_next"),
        ]

    def __str__(self) -> str:
        return f"{self.group}{self.number:03d}"

    @property
    def label(self) -> str:
        return str(self)
