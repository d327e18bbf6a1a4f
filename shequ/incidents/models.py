"""The incident category table of digital urban management: components and events.

Two levels, as the national practice has them: a class 大类 (部件 01 公用设施 …; 事件 01 市容环境 …)
and a subclass 小类 under it, which carries the rules a case follows: when a report may be filed
立案条件, when it may be closed 结案条件, the time limit and how it is counted, and who handles it
by default. The table is district-wide reference data that district administrators load from a
file and edit; every staff user reads it.
"""

from __future__ import annotations

from typing import Self

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class IncidentKind(models.TextChoices):
    COMPONENT = "component", _("Component")  # 部件: a facility in public space
    EVENT = "event", _("Event")  # 事件: something that happened or someone did


class TimeLimitKind(models.TextChoices):
    """How a subclass's time limit is counted (STANDARDS.md, "Working days and deadlines")."""

    URGENT_HOURS = "urgent_hours", _("Urgent hours")  # 紧急时: around the clock
    WORKING_HOURS = "working_hours", _("Working hours")  # 工作时: office hours of working days
    WORKING_DAYS = "working_days", _("Working days")  # 工作日
    NATURAL_DAYS = "natural_days", _("Calendar days")  # 自然日


class Tier(models.TextChoices):
    """Where an incident is handled first (分级处置): the grid solves what it can."""

    GRID = "grid", _("Grid")
    COMMUNITY = "community", _("Community")
    STREET = "street", _("Street")
    DISTRICT = "district", _("District")


class IncidentClass(models.Model):
    """A class 大类 of components or of events, with its two-digit code (01 公用设施)."""

    kind = models.CharField(_("kind"), max_length=16, choices=IncidentKind.choices)
    code = models.CharField(_("class code"), max_length=2)
    name = models.CharField(_("class name"), max_length=50)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("incident class")
        verbose_name_plural = _("incident classes")
        constraints = [
            # 部件 01 and 事件 01 are different classes: codes are unique within a kind.
            models.UniqueConstraint(fields=["kind", "code"], name="incident_class_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class IncidentCategoryQuerySet(models.QuerySet["IncidentCategory"]):
    def active(self) -> Self:
        return self.filter(is_active=True, incident_class__is_active=True)

    def of_kind(self, kind: str) -> Self:
        return self.filter(incident_class__kind=kind)

    def search(self, text: str) -> Self:
        """By name or class name, pinyin or initials (垃圾: laji, lj) and code (0102 or 02).

        The table holds a few hundred rows, so substring matches need no index.
        """
        text = text.strip()
        if not text:
            return self
        query = Q(name__icontains=text) | Q(incident_class__name__icontains=text)
        letters = text.lower().replace(" ", "")
        if letters.isascii() and letters.isalpha():
            query |= Q(name_pinyin__contains=letters) | Q(name_initials__contains=letters)
        if text.isdigit() and len(text) == 4:
            query |= Q(incident_class__code=text[:2], code=text[2:])
        elif text.isdigit() and len(text) == 2:
            query |= Q(incident_class__code=text) | Q(code=text)
        return self.filter(query)


class IncidentCategory(models.Model):
    """A subclass 小类 (0101 上水井盖, 0102 暴露垃圾 …): the rules an incident of it follows.

    Not versioned: an incident copies the time limit and the conditions when it is filed, so a
    later edit of the table changes new incidents only. Edits are in the audit log.
    """

    incident_class = models.ForeignKey(
        IncidentClass,
        on_delete=models.PROTECT,
        related_name="categories",
        verbose_name=_("class"),
    )
    code = models.CharField(_("subclass code"), max_length=2)
    name = models.CharField(_("subclass name"), max_length=50)
    filing_condition = models.TextField(_("filing condition"))
    closing_condition = models.TextField(_("closing condition"))
    time_limit = models.PositiveSmallIntegerField(_("time limit"))
    time_limit_kind = models.CharField(
        _("time limit counted in"), max_length=16, choices=TimeLimitKind.choices
    )
    default_unit = models.ForeignKey(
        "regions.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incident_categories",
        verbose_name=_("default handling unit"),
    )
    default_tier = models.CharField(_("default tier"), max_length=16, choices=Tier.choices)
    is_active = models.BooleanField(_("active"), default=True)
    # Search keys of the name: full pinyin and initials (暴露垃圾: baolulaji, bllj).
    name_pinyin = models.CharField(max_length=200, blank=True, editable=False)
    name_initials = models.CharField(max_length=64, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = IncidentCategoryQuerySet.as_manager()

    class Meta:
        ordering = ["incident_class__kind", "incident_class__code", "code"]
        verbose_name = _("incident category")
        verbose_name_plural = _("incident categories")
        constraints = [
            models.UniqueConstraint(
                fields=["incident_class", "code"], name="incident_category_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_code} {self.name}"

    @property
    def full_code(self) -> str:
        """Class and subclass code (0101): the middle of a 16-digit component id."""
        return f"{self.incident_class.code}{self.code}"

    @property
    def time_limit_text(self) -> str:
        return f"{self.time_limit} {self.get_time_limit_kind_display()}"


from shequ.incidents.models_loop import Channel, Incident, IncidentPhoto, PhotoStage  # noqa: E402, F401
