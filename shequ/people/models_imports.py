"""An import of a register file: run as a background task, its progress shown on the page."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.regions.models import Region, ScopedQuerySet


class ImportKind(models.TextChoices):
    PERSONS = "persons", _("Persons and households")
    BUILDINGS = "buildings", _("Buildings")
    DWELLINGS = "dwellings", _("Dwellings")
    TENANCIES = "tenancies", _("Tenancies")


class ImportStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    VALIDATING = "validating", _("Checking rows")
    WRITING = "writing", _("Saving")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Not imported")


class ImportJob(models.Model):
    """One upload of a register file. Lands whole or not at all; a failed job has a report."""

    kind = models.CharField(_("register"), max_length=12, choices=ImportKind.choices)
    # The node the importing user chose: every row must fall within it.
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    file_name = models.CharField(_("file name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.WAITING
    )
    total = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(_("rows processed"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    # The error report (xlsx: row, column, masked value, reason) of a failed import.
    report = models.FileField(_("error report"), upload_to="imports/%Y/%m/", blank=True)
    message = models.CharField(_("message"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return self.file_name

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        return min(99, self.processed * 100 // self.total) if self.total else 0
