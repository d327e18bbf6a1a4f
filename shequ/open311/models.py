"""Open311 GeoReport v2: the clients' keys, the attributes of each service, the posted requests.

A request posted through Open311 becomes a case of the engine like any other (an incident, a
hotline request); `ServiceRequest` keeps what only the Open311 side needs: the key it came
with, the client's token and ids, the attributes and the text the client may read back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.cases.models import Case
from shequ.regions.models import Region


class Open311Key(models.Model):
    """A client's API key for posting requests; only its hash is stored.

    Requests posted with it are filed as `user` (scoping, the timeline, the audit log) and may
    only be placed in `region`'s subtree; a point in no grid falls back to `region` itself.
    """

    name = models.CharField(_("client"), max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("files requests as"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("reports into")
    )
    # Each POST looks the key up by this hash.
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Open311 key")
        verbose_name_plural = _("Open311 keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Datatype(models.TextChoices):
    """The datatypes of GeoReport v2 service attributes."""

    STRING = "string", _("Text on one line")
    NUMBER = "number", pgettext_lazy("data type", "Number")
    DATETIME = "datetime", _("Date and time")
    TEXT = "text", _("Text")
    SINGLE = "singlevaluelist", _("One value of a list")
    MULTI = "multivaluelist", _("Several values of a list")


LIST_DATATYPES = frozenset({Datatype.SINGLE, Datatype.MULTI})


class ServiceAttribute(models.Model):
    """One field of a service definition: what a client asks the reporter beyond the text.

    Keyed by the service code, not by a foreign key, because services come from several
    tables (incident categories, hotline categories); a code no service has any more is
    simply not shown.
    """

    service_code = models.CharField(_("service code"), max_length=24)
    code = models.CharField(
        _("code"),
        max_length=50,
        help_text=_("Letters, digits, - and _: clients send it as attribute[code]."),
    )
    variable = models.BooleanField(
        _("asks for input"),
        default=True,
        help_text=_("Untick for a note shown to the reporter that takes no answer."),
    )
    datatype = models.CharField(_("datatype"), max_length=16, choices=Datatype.choices)
    required = models.BooleanField(_("required"), default=False)
    datatype_description = models.CharField(
        _("input hint"), max_length=200, blank=True, help_text=_("For example: in metres")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    description = models.CharField(_("question"), max_length=500)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["service_code", "order", "id"]
        verbose_name = _("service attribute")
        verbose_name_plural = _("service attributes")
        constraints = [
            models.UniqueConstraint(fields=["service_code", "code"], name="open311_attr_code"),
            models.UniqueConstraint(fields=["service_code", "order"], name="open311_attr_order"),
        ]

    def __str__(self) -> str:
        return f"{self.service_code} {self.code}"

    @property
    def is_list(self) -> bool:
        return self.datatype in LIST_DATATYPES


class AttributeValue(models.Model):
    """One choice of a single- or multi-value list attribute."""

    attribute = models.ForeignKey(ServiceAttribute, on_delete=models.CASCADE, related_name="values")
    key = models.CharField(_("key"), max_length=50)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("attribute value")
        verbose_name_plural = _("attribute values")
        constraints = [
            models.UniqueConstraint(fields=["attribute", "key"], name="open311_value_key"),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.name}"


class ServiceRequest(models.Model):
    """A request posted through Open311; its `service_request_id` is the case's key.

    `description` is the text the client posted, published by GET requests; the case holds the
    staff's version (with the attributes) and the requester's name and phone, sealed, which
    are never published.
    """

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="open311"
    )
    key = models.ForeignKey(
        Open311Key, on_delete=models.PROTECT, related_name="requests", verbose_name=_("key")
    )
    # The registry's source that made the case (incidents, hotline).
    source = models.CharField(_("source"), max_length=32)
    service_code = models.CharField(_("service code"), max_length=24)
    service_name = models.CharField(_("service"), max_length=100)
    service_notice = models.CharField(_("service notice"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    address_id = models.CharField(_("address id"), max_length=100, blank=True)
    # The client's own identifier of the request: a retry with the same key and token returns
    # the first request, and GET tokens/{token} answers its id.
    token = models.CharField(_("token"), max_length=64, blank=True)
    device_id = models.CharField(_("device id"), max_length=100, blank=True)
    account_id = models.CharField(_("account id"), max_length=100, blank=True)
    # A link the client sent (a photo on its own servers); shown to staff, never published.
    media_url = models.URLField(_("media link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-case_id"]
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")
        constraints = [
            models.UniqueConstraint(
                fields=["key", "token"], condition=~Q(token=""), name="open311_key_token"
            ),
        ]
        indexes = [
            # GET requests: a date range, newest first (the default query: the last 90 days).
            models.Index(fields=["created_at", "case"], name="open311_request_time"),
            # GET requests?service_code=...: the same within some services.
            models.Index(
                fields=["service_code", "created_at", "case"], name="open311_request_service"
            ),
            # GET tokens/{token}.
            models.Index(fields=["token"], condition=~Q(token=""), name="open311_request_token"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.service_name}"
