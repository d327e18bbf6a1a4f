"""The hotline 生活求助联动中心: request categories, the responsibility list, calls, the hotline's
part of each case, assisting units, and the side table of the duplicate suggestion.

A hotline request and a resident's opinion are cases of the engine (types "hotline" and
"opinion", casetype.py); `HotlineCase` holds what only they have. Every call the operators take
is a `Call`, whether it opened a case, was merged into an open one as a repeat, or opened a
case linked to another.
"""

from __future__ import annotations

from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shequ.cases.deadlines import LimitKind
from shequ.cases.models import Case
from shequ.regions.models import Region, ScopedQuerySet, Unit


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    PORTAL = "portal", _("Resident portal")
    API = "api", _("API")


class RequestKind(models.TextChoices):
    """What the caller wants (诉求类型)."""

    HELP = "help", _("Request for help")
    CONSULTATION = "consultation", _("Consultation")
    COMPLAINT = "complaint", _("Complaint")
    REPORT = "report", _("Report")
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Praise")


class CallOutcome(models.TextChoices):
    NEW = "new", _("New case")
    REPEAT = "repeat", _("Merged as a repeat call")
    LINKED = "linked", _("New case linked to another")


class CallbackResult(models.TextChoices):
    SOLVED = "solved", _("Reached: solved")
    UNSOLVED = "unsolved", _("Reached: not solved")
    UNREACHABLE = "unreachable", _("Could not reach the caller")
    DECLINED = "declined", _("Caller declined the call-back")


class Category(models.Model):
    """A matter category of the hotline (供水, 噪音扰民, 物业管理 …) with its default time limits.

    District-wide reference data. A call's limits come from its category: the unit must sign
    for it within `sign_for_hours` working hours and finish within `handling_amount` of
    `handling_kind` from the dispatch; an urgent call has `urgent_hours` around the clock.
    """

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=50)
    sign_for_hours = models.PositiveSmallIntegerField(
        _("sign-for limit (working hours)"), default=2
    )
    handling_amount = models.PositiveSmallIntegerField(_("handling limit"), default=5)
    handling_kind = models.CharField(
        _("handling limit counted in"),
        max_length=16,
        choices=LimitKind.choices,
        default=LimitKind.WORKING_DAYS,
    )
    urgent_hours = models.PositiveSmallIntegerField(
        _("limit of an urgent call (hours)"), default=24
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("hotline category")
        verbose_name_plural = _("hotline categories")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ResponsibilityQuerySet(models.QuerySet["Responsibility"]):
    def for_place(self, category: Category, region: Region) -> Responsibility | None:
        """The entry for a category at a node: the deepest one whose node holds it."""
        ancestors = [int(part) for part in region.path.strip("/").split("/") if part]
        return (
            self.filter(category=category, region_id__in=ancestors)
            .select_related("lead_unit", "region")
            .order_by("-region__depth")
            .first()
        )


class Responsibility(models.Model):
    """A line of the responsibility list 责任清单: who leads and who assists on a category.

    An entry applies to its node's subtree; a deeper entry overrides (the district says 区水务局
    leads on water supply, a street may name its own office for property matters).
    """

    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="responsibilities",
        verbose_name=_("category"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("applies in")
    )
    lead_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("lead unit")
    )
    assisting_units = models.ManyToManyField(
        Unit, blank=True, related_name="+", verbose_name=_("assisting units")
    )
    duty = models.CharField(_("what the lead unit does"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ResponsibilityQuerySet.as_manager()

    class Meta:
        ordering = ["category__code", "region__path"]
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibility list")
        constraints = [
            models.UniqueConstraint(fields=["category", "region"], name="hotline_resp_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.category} → {self.lead_unit}"


class HotlineCaseQuerySet(ScopedQuerySet):
    scope_path = "case__region__path"


class HotlineCase(models.Model):
    """The hotline's part of a case of type "hotline" or "opinion".

    A confidential caller's name and phone are sealed here and nowhere else: the case itself
    carries a placeholder name and no phone, so no page or API answer of the engine can show
    them; only the hotline's own pages open them for operators.
    """

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="hotline"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    kind = models.CharField(
        _("kind of request"), max_length=16, choices=RequestKind.choices, default=RequestKind.HELP
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("category"),
    )
    urgency = models.CharField(
        _("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL
    )
    text = models.TextField(_("request"))
    confidential = models.BooleanField(_("confidential"), default=False)
    caller_name_enc = models.TextField(blank=True)
    caller_phone_enc = models.TextField(blank=True)
    caller_phone_masked = models.CharField(max_length=20, blank=True)
    resident = models.ForeignKey(
        "accounts.Resident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resident account"),
    )
    lead_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lead unit"),
    )
    send_backs = models.PositiveSmallIntegerField(_("send-backs"), default=0)
    # The sign-for limit of the current dispatch (the case's own clock runs the handling limit).
    sign_for_due = models.DateTimeField(_("sign for by"), null=True, blank=True)
    sign_for_reminded = models.BooleanField(default=False)

    objects = HotlineCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("hotline case")
        verbose_name_plural = _("hotline cases")
        indexes = [
            # The sign-for reminder: dispatched cases whose sign-for limit passed, not reminded.
            models.Index(
                fields=["sign_for_due"],
                condition=Q(sign_for_reminded=False, sign_for_due__isnull=False),
                name="hotline_sign_for_due",
            ),
        ]

    def __str__(self) -> str:
        return str(self.case_id)


class Assist(models.Model):
    """An assisting unit 协办单位 of a dispatch, and its contribution to the lead unit."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="hotline_assists")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("assisting unit")
    )
    active = models.BooleanField(default=True)
    dispatched_at = models.DateTimeField(auto_now_add=True)
    reply = models.TextField(_("contribution"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("assisting unit")
        verbose_name_plural = _("assisting units")
        indexes = [
            # A unit's list of the cases it assists on.
            models.Index(fields=["unit", "active"], name="hotline_assist_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.unit_id}"


class CallQuerySet(ScopedQuerySet):
    scope_path = "region__path"

    def in_period(self, start: object, end: object) -> Self:
        return self.filter(taken_at__gte=start, taken_at__lt=end)


class Call(models.Model):
    """One call taken by an operator, or one request a system sent through the API (`channel`):
    it opened a case, was merged into one, or was linked."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="hotline_calls")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.PHONE
    )
    outcome = models.CharField(_("outcome"), max_length=8, choices=CallOutcome.choices)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    taken_at = models.DateTimeField(_("taken"), auto_now_add=True)
    text = models.TextField(_("what the caller said"))
    confidential = models.BooleanField(_("confidential"), default=False)
    caller_name_enc = models.TextField(blank=True)
    caller_phone_enc = models.TextField(blank=True)
    caller_phone_masked = models.CharField(_("phone"), max_length=20, blank=True)

    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        indexes = [
            # The indicators: calls of a period.
            models.Index(fields=["taken_at"], name="hotline_call_taken"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.outcome}"


# --- The duplicate suggestion's side table (search.py) --------------------------------------


class SuggestDoc(models.Model):
    """An open case as the suggestion searches it: its node's path, text, address and point."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="+")
    path = models.CharField(max_length=255)
    text = models.CharField(max_length=400)
    address = models.CharField(max_length=200)
    lat = models.FloatField(null=True)
    lng = models.FloatField(null=True)

    def __str__(self) -> str:
        return str(self.case_id)


class SuggestEntry(models.Model):
    """A search key of an open case: a character pair of its text or address, its exact
    address, its map cell, each as a 64-bit hash, with the case's area (the street it lies in,
    or the root for a case at the district's own node). The primary key (key, area, case) is
    the one index the suggestion reads: an operator of a street reads only his street's
    entries of each key."""

    pk = models.CompositePrimaryKey("key", "area", "case")
    key = models.BigIntegerField()
    area = models.IntegerField()
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.key} {self.case_id}"


class SuggestGram(models.Model):
    """How many open cases hold a key: how much the key says (rarer says more). Kept by the
    sync, which is the only writer of the side table."""

    key = models.BigIntegerField(primary_key=True)
    docs = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key} {self.docs}"


class SuggestMark(models.Model):
    """How far the side table has taken in the case table: cases above `last_case_id` are
    searched straight from the case table until the next sync."""

    last_case_id = models.BigIntegerField(default=0)
    synced_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return str(self.last_case_id)
