"""The append-only, hash-chained audit log."""

from __future__ import annotations

from typing import Any, Self

from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.regions.models import ScopedQuerySet, scope_filter


class Action(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    MOVE = "move", _("Moved")
    IMPORT = "import", _("Imported")
    EXPORT = "export", _("Exported")
    REVEAL = "reveal", _("Revealed personal data")
    LOOKUP = "lookup", _("Looked up by identity number")
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOCKED = "locked", _("Account locked")
    LOGOUT = "logout", _("Logged out")
    PASSWORD = "password", _("Changed password")
    ROTATE = "rotate", _("Re-encrypted")


class AuditQuerySet(ScopedQuerySet):
    scope_path = "region_path"

    def visible_to(self, user: Any) -> Self:
        """Events of the user's subtree; events tied to no region only for district admins."""
        from shequ.regions.permissions import is_district_admin
        from shequ.regions.scoping import scope_prefixes

        prefixes = scope_prefixes(user)
        if not prefixes:
            return self.none()
        query = scope_filter(prefixes, "region_path")
        if is_district_admin(user):
            query |= models.Q(region_path="")
        return self.filter(query)


class AuditEvent(models.Model):
    """One audited act: who, when, what, which fields, from where.

    Rows are only ever inserted. Each row's `hash` covers its content and the previous row's
    hash, so an edited, deleted or inserted row breaks the chain (`manage.py audit_verify`).
    Encrypted fields are recorded as changed, never with their values.
    """

    at = models.DateTimeField(_("time"), db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    actor_kind = models.CharField(_("actor kind"), max_length=16)  # staff, resident, system
    actor_name = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    # The region path of the object, for scoping the log like everything else.
    region_path = models.CharField(max_length=255, blank=True, db_index=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            # The log page filtered by object ("history of this person").
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            # The log page filtered by actor.
            models.Index(fields=["actor_kind", "actor_id"], name="audit_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("audit events are append-only")


class AuditHead(models.Model):
    """The last hash of the chain; its row lock serialises appends so the chain stays linear."""

    last_hash = models.CharField(max_length=64, default="0" * 64)
    count = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return self.last_hash
