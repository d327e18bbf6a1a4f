"""Staff users, resident accounts and API tokens. The two kinds of account never mix."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LockoutMixin(models.Model):
    """Failed-login counting shared by staff and resident accounts."""

    failed_logins = models.PositiveSmallIntegerField(_("failed logins"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        abstract = True

    def is_locked(self, now: dt.datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or timezone.now())


class User(LockoutMixin, AbstractUser):
    """A staff account. What it may see is given by its role assignments (regions app)."""

    name = models.CharField(_("full name"), max_length=64, blank=True)
    title = models.CharField(_("position"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("staff user")
        verbose_name_plural = _("staff users")

    def __str__(self) -> str:
        return self.name or self.username


class Resident(LockoutMixin, models.Model):
    """A resident's portal account: phone and password, apart from the staff accounts."""

    phone_enc = models.TextField(_("phone (encrypted)"))
    # Login looks the account up by the keyed hash of the normalised phone.
    phone_hash = models.CharField(max_length=64, unique=True)
    phone_masked = models.CharField(_("phone"), max_length=20)
    name = models.CharField(_("name"), max_length=64)
    password = models.CharField(_("password"), max_length=128)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    last_login = models.DateTimeField(_("last login"), null=True, blank=True)

    class Meta:
        verbose_name = _("resident account")
        verbose_name_plural = _("resident accounts")

    def __str__(self) -> str:
        return f"{self.name} {self.phone_masked}"

    def set_password(self, raw: str) -> None:
        self.password = make_password(raw)

    def check_password(self, raw: str) -> bool:
        return check_password(raw, self.password)

    @property
    def is_authenticated(self) -> bool:
        return True


class ApiToken(models.Model):
    """A token for a system that calls the API as a staff user; only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=64)
    # Each API request looks the token up by this hash.
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=8)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


def staff_user(request: HttpRequest) -> User:
    """The logged-in staff user of a request (views behind login_required)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
