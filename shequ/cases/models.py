"""The one workflow engine: cases, their timeline, attachments, ratings, the staff inbox.

A case's type (`type_key`) names a `CaseType` registered by its app (see cases/registry.py);
the engine stores and moves cases without knowing any type.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shequ.cases.deadlines import LimitKind
from shequ.people.models import Person
from shequ.regions.models import Region, ScopedQuerySet, Unit


class Clock(models.TextChoices):
    """The deadline clock: not started, running, paused (补正, hearing...), stopped (finished)."""

    IDLE = "idle", _("Not started")
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    STOPPED = "stopped", _("Stopped")


class Alert(models.IntegerChoices):
    """How far the deadline warnings have gone, so each is sent once."""

    NONE = 0, _("None")
    DUE_SOON = 1, _("Due soon")
    OVERDUE = 2, _("Overdue")


class CaseQuerySet(ScopedQuerySet):
    def of_type(self, key: str) -> Self:
        return self.filter(type_key=key)

    def open(self) -> Self:
        return self.exclude(clock=Clock.STOPPED)

    def running(self) -> Self:
        return self.filter(clock=Clock.RUNNING)

    def due_soon(self, until: dt.date, today: dt.date) -> Self:
        """Running cases whose deadline falls between today and `until` (inclusive)."""
        return self.filter(clock=Clock.RUNNING, due_date__gte=today, due_date__lte=until)

    def overdue(self, today: dt.date) -> Self:
        return self.filter(clock=Clock.RUNNING, due_date__lt=today)

    def for_units(self, unit_ids: set[int]) -> Self:
        return self.filter(owner_unit_id__in=unit_ids)

    def handled_by(self, user: Any) -> Self:
        return self.filter(Q(handler=user) | Q(first_responder=user))


class Case(models.Model):
    """A matter tracked from intake to rating: application, incident, hotline request, need..."""

    type_key = models.CharField(_("type"), max_length=32)
    state = models.CharField(_("state"), max_length=32)
    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True)
    title = models.CharField(_("title"), max_length=200)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="cases", verbose_name=_("region")
    )
    owner_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("owning unit"),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_cases",
        verbose_name=_("handler"),
    )
    first_responder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="first_responded_cases",
        verbose_name=_("first responder"),
    )
    requester = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("requester"),
    )
    requester_name = models.CharField(_("requester name"), max_length=64)
    requester_phone_enc = models.TextField(blank=True)
    requester_phone_masked = models.CharField(_("requester phone"), max_length=20, blank=True)
    # The status lookup compares the last four digits of the phone; kept apart from the mask.
    requester_phone_tail = models.CharField(max_length=4, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followups",
        verbose_name=_("originating case"),
    )
    # Where the matter is (incidents, hotline calls, Open311 requests): an address and a point.
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    # The time limit: an amount of `limit_kind` units (working days for service items; hours
    # or days of several kinds for incidents, cases/deadlines.py).
    promised_days = models.PositiveSmallIntegerField(_("promised working days"), default=0)
    limit_kind = models.CharField(
        _("time limit counted in"),
        max_length=16,
        choices=LimitKind.choices,
        default=LimitKind.WORKING_DAYS,
    )
    clock = models.CharField(_("clock"), max_length=8, choices=Clock.choices, default=Clock.IDLE)
    started_on = models.DateField(_("clock started"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # The moment the limit ends; `due_date` is its local day (what the indexes read).
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    due_provisional = models.BooleanField(_("due date provisional"), default=False)
    paused_on = models.DateField(_("paused since"), null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    alert = models.PositiveSmallIntegerField(choices=Alert.choices, default=Alert.NONE)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    finished_on_time = models.BooleanField(_("finished on time"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            # The periodic deadline scan and the overdue lists: running cases by due date.
            # `alert` is in no index of the case row, so that raising it (the scan's only
            # write to a case) is a HOT update on PostgreSQL, with no new index entry.
            models.Index(fields=["clock", "due_date"], name="case_due"),
            # A unit's work queue: its open cases by due date, `for_units(...).open()
            # .order_by("due_date", "id")`. Partial (open cases only) and in the sort order, so
            # the first page is read straight off the index instead of sorting every open
            # case of the unit; the condition is the very SQL of `open()`.
            models.Index(
                fields=["owner_unit", "due_date", "id"],
                condition=~Q(clock=Clock.STOPPED),
                name="case_unit_queue",
            ),
            # A handler's own queue, the same way.
            models.Index(
                fields=["handler", "due_date", "id"],
                condition=~Q(clock=Clock.STOPPED),
                name="case_handler_queue",
            ),
            # Lists by type and state (dashboards, type pages).
            models.Index(fields=["type_key", "state"], name="case_type_state"),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.title}"


class CaseEvent(models.Model):
    """One step of a case's timeline: append-only."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(_("by"), max_length=150)
    action = models.CharField(_("action"), max_length=32)
    from_state = models.CharField(_("from"), max_length=32, blank=True)
    to_state = models.CharField(_("to"), max_length=32, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.from_state}→{self.to_state}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("case events are append-only")
        super().save(*args, **kwargs)


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"cases/{instance.case_id}/{filename}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path)
    name = models.CharField(_("name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class RatingLevel(models.IntegerChoices):
    """The five levels of 好差评; the two lowest are poor ratings."""

    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    BASICALLY_SATISFIED = 3, _("Basically satisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


class RatingChannel(models.TextChoices):
    PORTAL = "portal", _("Resident portal")
    KIOSK = "kiosk", _("Kiosk")
    CALLBACK = "callback", _("Call-back by a worker")
    API = "api", _("API")


class Rating(models.Model):
    """The requester's one rating of a finished case."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="rating")
    level = models.PositiveSmallIntegerField(_("rating"), choices=RatingLevel.choices)
    comment = models.TextField(_("comment"), blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=RatingChannel.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("rated"), auto_now_add=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_level_display()}"

    @property
    def is_poor(self) -> bool:
        return self.level <= RatingLevel.DISSATISFIED


class Notification(models.Model):
    """A message in a staff member's inbox."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    text = models.CharField(_("message"), max_length=300)
    # A page the message points to (a reminder digest links to its list); empty for most.
    url = models.CharField(_("link"), max_length=200, blank=True)
    # Set for messages that must be stored once only (one reminder digest per user and day).
    key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The inbox badge: unread messages of a user.
            models.Index(fields=["user", "read_at"], name="notification_unread"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], condition=~models.Q(key=""), name="notification_user_key"
            )
        ]

    def __str__(self) -> str:
        return self.text


class IdempotencyKey(models.Model):
    """A client's key for a create request: a retry with the same key returns the same case."""

    key = models.CharField(max_length=100)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key"),
        ]

    def __str__(self) -> str:
        return self.key
