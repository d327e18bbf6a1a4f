"""Staff login and logout, password change, API tokens."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.accounts import services
from shequ.accounts.forms import PasswordChangeForm, StaffLoginForm, TokenForm
from shequ.accounts.models import ApiToken, staff_user
from shequ.audit.models import Action
from shequ.audit.services import audit_record
from shequ.regions.permissions import can_write


def apply_errors(form: Form, error: ValidationError) -> None:
    """Put a service's field errors on the form (unknown fields become form errors)."""
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


def login_view(request: HttpRequest) -> HttpResponse:
    form = StaffLoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        result = services.staff_login(
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
            request=request,
        )
        if result.account is not None:
            login(request, result.account, backend="django.contrib.auth.backends.ModelBackend")
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
                target = ""
            return redirect(target or "dashboard:home")
        error = result.error
    return render(request, "accounts/login.html", {"form": form, "error": error})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record(actor=request.user, action=Action.LOGOUT, obj=request.user, request=request)
    logout(request)
    return redirect("accounts:login")


@login_required
def password_change_view(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                account=staff_user(request),
                old=form.cleaned_data["old_password"],
                new=form.cleaned_data["new_password"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            login(request, staff_user(request), backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your password has been changed."))
            return redirect("dashboard:home")
    return render(request, "accounts/password_change.html", {"form": form})


def _require_writer(user: Any) -> None:
    if not can_write(user):
        raise PermissionDenied


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    _require_writer(request.user)
    form = TokenForm(request.POST or None)
    raw = ""
    if request.method == "POST" and form.is_valid():
        try:
            _token, raw = services.api_token_create(
                actor=staff_user(request),
                name=form.cleaned_data["name"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            form = TokenForm()
    tokens = ApiToken.objects.filter(user=staff_user(request)).order_by("-created_at")
    return render(request, "accounts/token_list.html", {"form": form, "tokens": tokens, "raw": raw})


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    _require_writer(request.user)
    # Tokens are scoped to their owner: another user's token is "not found".
    token = ApiToken.objects.filter(pk=token_id, user=staff_user(request)).first()
    if token is None:
        raise Http404
    services.api_token_revoke(actor=staff_user(request), token=token, request=request)
    messages.success(request, _("The token has been revoked."))
    return redirect("accounts:token-list")
