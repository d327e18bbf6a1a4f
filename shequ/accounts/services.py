"""Logging in with lockout, passwords, resident accounts and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.accounts.models import ApiToken, LockoutMixin, Resident, User
from shequ.audit.models import Action
from shequ.audit.services import Target, audit_record
from shequ.core.sql import Reader, prepared_cursor
from shequ.lib import crypto
from shequ.lib.phones import PhoneError, mask_phone, parse_phone
from shequ.regions.scoping import assignment_join, remember_assignments


@dataclass(frozen=True)
class LoginResult:
    account: Any | None
    error: str = ""


def _locked_message(account: LockoutMixin) -> str:
    until = timezone.localtime(account.locked_until) if account.locked_until else None
    return _(
        "Too many failed attempts: this account is locked until %(time)s. "
        "Try again later or ask an administrator."
    ) % {"time": f"{until:%H:%M}" if until else ""}


def _register_failure(account: LockoutMixin, actor: Any, request: HttpRequest | None) -> str:
    """Count a failed attempt on a locked row; lock the account when the limit is reached."""
    now = timezone.now()
    account.failed_logins += 1
    fields = ["failed_logins"]
    locked = account.failed_logins >= settings.LOGIN_MAX_FAILURES
    if locked:
        account.locked_until = now + dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        account.failed_logins = 0
        fields.append("locked_until")
    account.save(update_fields=fields)
    audit_record(actor=actor, action=Action.LOGIN_FAILED, obj=account, request=request)
    if locked:
        audit_record(actor=actor, action=Action.LOCKED, obj=account, request=request)
        return _locked_message(account)
    left = settings.LOGIN_MAX_FAILURES - account.failed_logins
    return _(
        "Wrong user name or password. %(left)d attempts left before the account is locked."
    ) % {"left": left}


def _register_success(account: Any, request: HttpRequest | None) -> None:
    account.failed_logins = 0
    account.locked_until = None
    account.last_login = timezone.now()
    account.save(update_fields=["failed_logins", "locked_until", "last_login"])
    audit_record(actor=account, action=Action.LOGIN, obj=account, request=request)


@transaction.atomic
def staff_login(*, username: str, password: str, request: HttpRequest | None) -> LoginResult:
    """Check a staff login; count failures and lock the account after LOGIN_MAX_FAILURES."""
    user = User.objects.select_for_update().filter(username=username.strip()).first()
    if user is None or not user.is_active:
        # Spend the same time as a real check so that user names cannot be probed by timing.
        User().set_password(password)
        return LoginResult(None, _("Wrong user name or password."))
    if user.is_locked():
        return LoginResult(None, _locked_message(user))
    if not user.check_password(password):
        return LoginResult(None, _register_failure(user, user, request))
    _register_success(user, request)
    return LoginResult(user)


@transaction.atomic
def resident_login(*, phone: str, password: str, request: HttpRequest | None) -> LoginResult:
    try:
        normalised = parse_phone(phone)
    except PhoneError as exc:
        return LoginResult(None, str(exc))
    resident = (
        Resident.objects.select_for_update()
        .filter(phone_hash=crypto.keyed_hash(normalised))
        .first()
    )
    if resident is None or not resident.is_active:
        Resident().set_password(password)
        return LoginResult(None, _("Wrong phone number or password."))
    if resident.is_locked():
        return LoginResult(None, _locked_message(resident))
    if not resident.check_password(password):
        return LoginResult(None, _register_failure(resident, resident, request))
    _register_success(resident, request)
    return LoginResult(resident)


@transaction.atomic
def resident_register(
    *, phone: str, name: str, password: str, request: HttpRequest | None = None
) -> Resident:
    """Open a resident account. Raises ValidationError keyed by field."""
    errors: dict[str, list[str]] = {}
    normalised = ""
    try:
        normalised = parse_phone(phone)
        if not normalised.startswith("1"):
            errors["phone"] = [_("Register with a mobile number: it receives the text messages")]
        elif Resident.objects.filter(phone_hash=crypto.keyed_hash(normalised)).exists():
            errors["phone"] = [_("This phone number already has an account: log in instead")]
    except PhoneError as exc:
        errors["phone"] = [str(exc)]
    if not name.strip():
        errors["name"] = [_("Enter your name")]
    try:
        password_validation.validate_password(password)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    resident = Resident(
        phone_enc=crypto.encrypt(normalised),
        phone_hash=crypto.keyed_hash(normalised),
        phone_masked=mask_phone(normalised),
        name=name.strip(),
    )
    resident.set_password(password)
    resident.save()
    audit_record(
        actor=resident,
        action=Action.CREATE,
        obj=resident,
        changes={"name": [None, resident.name], "phone": "changed"},
        request=request,
    )
    return resident


@transaction.atomic
def password_change(
    *, account: User | Resident, old: str, new: str, request: HttpRequest | None = None
) -> None:
    """Change a password after checking the old one and the password rules."""
    if not account.check_password(old):
        raise ValidationError({"old_password": [_("The current password is wrong")]})
    try:
        password_validation.validate_password(new, account if isinstance(account, User) else None)
    except ValidationError as exc:
        raise ValidationError({"new_password": list(exc.messages)}) from exc
    account.set_password(new)
    account.save(update_fields=["password"])
    audit_record(actor=account, action=Action.PASSWORD, obj=account, request=request)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, actor: User, name: str, request: HttpRequest | None = None
) -> tuple[ApiToken, str]:
    """Create a token for the actor; the raw token is returned once and never stored."""
    if not name.strip():
        raise ValidationError({"name": [_("Name the system that will use this token")]})
    raw = "sq_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor, name=name.strip(), token_hash=token_hash(raw), prefix=raw[:8]
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=Target("accounts.apitoken", str(token.pk), str(token)),
        request=request,
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken, request: HttpRequest | None = None) -> None:
    token.revoked = True
    token.save(update_fields=["revoked"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=Target("accounts.apitoken", str(token.pk), str(token)),
        changes={"revoked": [False, True]},
        request=request,
    )


def _token_readers() -> tuple[Reader, Reader]:
    global _READERS
    if _READERS is None:
        _READERS = (
            Reader(ApiToken, ("id", "last_used_at")),
            Reader(User, [f.name for f in User._meta.concrete_fields]),
        )
    return _READERS


_READERS: tuple[Reader, Reader] | None = None


def api_token_user(raw: str) -> User | None:
    """The active user behind a token, or None. Touches last_used_at at most once a minute.

    Every API request asks this, so one query reads the token, its user and the user's role
    assignments (cached on the user for the scoping helpers).
    """
    token_reader, user_reader = _token_readers()
    columns, joins = assignment_join("u.id")
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {token_reader.columns('t')}, {user_reader.columns('u')}, {columns} "
        f"FROM {quote(ApiToken._meta.db_table)} t "
        f"INNER JOIN {quote(User._meta.db_table)} u ON u.id = t.user_id {joins} "
        "WHERE t.token_hash = %s AND t.revoked = %s AND u.is_active = %s"
    )
    with prepared_cursor() as cursor:
        cursor.execute(sql, [token_hash(raw), False, True])
        rows = cursor.fetchall()
    if not rows:
        return None
    token = token_reader.load(rows[0])
    user = user_reader.load(rows[0][token_reader.width :])
    skip = token_reader.width + user_reader.width
    remember_assignments(user, [row[skip:] for row in rows])
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return cast(User, user)
