"""Care tags and visits: who needs attention, and the visits that give it.

Tags of the sensitive categories (disability, 低保, 特困: STANDARDS.md "Personal information")
keep their details sealed (`details_enc`) and are shown only to the roles of
`permissions.can_see_sensitive`; the kind itself stays in the clear so that figures and the
visit plan can be computed. "Aged 70+" is never stored: it is computed from the birth date.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.regions.models import Region, ScopedQuerySet


class CareKind(models.TextChoices):
    LIVING_ALONE = "living_alone", _("Living alone")
    DISABLED = "disabled", _("Disabled person")
    LOW_INCOME = "low_income", _("Low-income (低保)")
    EXTREME_POVERTY = "extreme_poverty", _("Extreme poverty support (特困)")
    LEFT_BEHIND_CHILD = "left_behind_child", _("Left-behind child")
    LEFT_BEHIND_ELDER = "left_behind_elder", _("Left-behind elder")
    VETERAN = "veteran", _("Veteran")


# The kinds whose records are sensitive personal information: narrower roles, sealed details,
# every read audited, export only with a reason by a leader.
SENSITIVE_KINDS = frozenset({CareKind.DISABLED, CareKind.LOW_INCOME, CareKind.EXTREME_POVERTY})

# "Aged 70+" is not a stored tag; the visit plan and the figures use this key for it.
AGED_KEY = "aged_70"
AGED_YEARS = 70


class CareTagQuerySet(ScopedQuerySet):
    scope_path = "person__region__path"

    def current(self) -> "CareTagQuerySet":
        return self.filter(ended_on__isnull=True)


class CareTag(models.Model):
    """A care tag on a person, from a date, until it ends (ended tags are kept)."""

    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="care_tags",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CareKind.choices)
    # Disability grade 1-4 (残疾等级) where the kind is "disabled"; empty otherwise.
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    # Certificate number and notes, sealed (AES-GCM JSON) for every kind.
    details_enc = models.TextField(_("details (encrypted)"), blank=True)
    since = models.DateField(_("since"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CareTagQuerySet.as_manager()

    class Meta:
        ordering = ["person", "kind"]
        verbose_name = _("care tag")
        verbose_name_plural = _("care tags")
        indexes = [models.Index(fields=["kind", "ended_on"], name="caretag_kind_ended")]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=models.Q(ended_on__isnull=True),
                name="caretag_one_current_per_kind",
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def sensitive(self) -> bool:
        return self.kind in SENSITIVE_KINDS


class VisitPlan(models.Model):
    """How often a care group is visited; editable by district administrators."""

    # A CareKind value, or AGED_KEY for residents aged 70 and over.
    kind = models.CharField(_("care group"), max_length=20, unique=True)
    interval_days = models.PositiveSmallIntegerField(_("visit every (days)"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("visit plan")
        verbose_name_plural = _("visit plans")

    def __str__(self) -> str:
        return f"{self.kind}: {self.interval_days}"


class VisitQuerySet(ScopedQuerySet):
    pass


class Visit(models.Model):
    """A visit 走访: who visited whom, when, what was found, the follow-up, the next visit due."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="visits", verbose_name=_("person")
    )
    # The person's grid at the time of the visit: the visit is scoped like the person was.
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="visits", verbose_name=_("grid")
    )
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="visits_made",
        verbose_name=_("visitor"),
    )
    visited_on = models.DateField(_("visited on"))
    found = models.TextField(_("what was found"))
    follow_up = models.TextField(_("follow-up"), blank=True)
    next_due = models.DateField(_("next visit due"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [models.Index(fields=["person", "-visited_on"], name="visit_person_latest")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.visited_on}"
