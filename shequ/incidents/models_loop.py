"""An incident is a case of the engine (type "incident") with the facts of its category.

The case row holds what every case has: state, clock, place (address and point), the grid it
happened in (`case.region`, which never changes, so the grid keeps seeing its incidents) and the
owning unit when a department handles it. This row adds the category, the tier that handles it
now and the node of that tier, the reporter and the phone's id of the report, and two things
the database copies onto it for the indicators: the case's node, and the moments of the
timeline's steps they read.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.accounts.models import Resident
from shequ.cases.models import Case
from shequ.incidents.models import IncidentCategory, Tier
from shequ.regions.models import Region, ScopedQuerySet, Unit


class Channel(models.TextChoices):
    GRID = "grid", _("Grid worker")
    CHIEF = "chief", _("Building or unit chief")
    PORTAL = "portal", _("Resident portal")
    STAFF = "staff", _("Staff")
    HOTLINE = "hotline", _("Hotline")
    OPEN311 = "open311", _("Open311")


class IncidentQuerySet(ScopedQuerySet):
    scope_path = "case__region__path"


class Incident(models.Model):
    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="incident"
    )
    category = models.ForeignKey(
        IncidentCategory,
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("category"),
    )
    description = models.TextField(_("description"))
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices)
    # The node whose staff handle it at this tier (the grid, its community, street, district).
    handling_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("handled at")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reporter"),
    )
    resident = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("reported by resident"),
    )
    # The id the phone gave the report: an upload sent twice makes one incident.
    client_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # When the reporter saw it (a report made offline arrives later than it was made).
    reported_at = models.DateTimeField(_("reported"))
    located = models.BooleanField(
        _("grid found from the location"),
        default=False,
        help_text=_("False when the reporter's own grid was used"),
    )
    # The node it happened in: a copy of `case.region`, which never changes for an incident.
    # The database fills it when the row is inserted (trigger of migration 0003), whatever
    # code inserts it; the application never writes it. It lets the indicators and the map
    # read one street's incidents of a period off one index of this table.
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        db_index=False,
        related_name="+",
        verbose_name=_("region"),
    )
    # The moments of the timeline steps the indicators read, copied from the case's events by
    # the database (triggers on the timeline table, migration 0005): whatever code writes an
    # event (the engine's services, imports, bulk loads, a correction of its time), these
    # follow, and the application never writes them. The first "file" and the first
    # "dispatch"; the last "not_file", "feedback", "check_fail", "approve_postpone" and
    # "close". Null while the case has no such step. The indicators read them off this row
    # instead of the timeline (incidents/indicators.py). Shown nowhere: no verbose names.
    filed_at = models.DateTimeField(null=True, blank=True, editable=False)
    not_filed_at = models.DateTimeField(null=True, blank=True, editable=False)
    dispatched_at = models.DateTimeField(null=True, blank=True, editable=False)
    handled_at = models.DateTimeField(null=True, blank=True, editable=False)
    check_failed_at = models.DateTimeField(null=True, blank=True, editable=False)
    postponed_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Copies of the case's owning unit, deadline and on-time verdict, kept by the database
    # (triggers of migration 0007: taken from the case when the row is inserted, passed on
    # when the case changes them). The indicators read them here, not off each case row.
    owner_unit = models.ForeignKey(
        Unit,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        editable=False,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    due_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_on_time = models.BooleanField(null=True, blank=True, editable=False)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [
            # Indicators and map (incidents/indicators.py, map_points.py): the incidents of a
            # node's subtree reported in a period, `region_id IN (...) AND reported_at` range,
            # one seek per node of the subtree.
            models.Index(fields=["region", "reported_at"], name="incident_region_reported"),
        ]

    def __str__(self) -> str:
        return f"{self.case.tracking_code} {self.category.name}"


class PhotoStage(models.TextChoices):
    BEFORE = "before", _("Reported")
    AFTER = "after", _("After handling")


def photo_path(instance: IncidentPhoto, filename: str) -> str:
    return f"incidents/{instance.incident_id}/{instance.stage}-{filename}"


class IncidentPhoto(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(_("stage"), max_length=8, choices=PhotoStage.choices)
    image = models.FileField(_("photo"), upload_to=photo_path)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("incident photo")
        verbose_name_plural = _("incident photos")

    def __str__(self) -> str:
        return str(self.image.name)
