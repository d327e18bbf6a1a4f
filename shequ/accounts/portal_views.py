"""The resident portal: phone-first pages for residents' own accounts."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.accounts import services
from shequ.accounts.forms import (
    PasswordChangeForm,
    ResidentLoginForm,
    ResidentRegisterForm,
)
from shequ.accounts.middleware import SESSION_KEY
from shequ.accounts.views import apply_errors
from shequ.audit.models import Action
from shequ.audit.services import audit_record


def resident_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.resident:  # type: ignore[attr-defined]
            return redirect(f"{_login_url()}?next={request.path}")
        return view(request, *args, **kwargs)

    return wrapper


def _login_url() -> str:
    from django.urls import reverse

    return reverse("portal:login")


def _start_session(request: HttpRequest, resident: Any) -> None:
    request.session.cycle_key()
    request.session[SESSION_KEY] = resident.pk


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"resident": request.resident})  # type: ignore[attr-defined]


def login_view(request: HttpRequest) -> HttpResponse:
    form = ResidentLoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        result = services.resident_login(
            phone=form.cleaned_data["phone"],
            password=form.cleaned_data["password"],
            request=request,
        )
        if result.account is not None:
            _start_session(request, result.account)
            return redirect("portal:home")
        error = result.error
    return render(request, "portal/login.html", {"form": form, "error": error})


def register_view(request: HttpRequest) -> HttpResponse:
    form = ResidentRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            resident = services.resident_register(request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            _start_session(request, resident)
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("portal:home")
    return render(request, "portal/register.html", {"form": form})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    resident = request.resident  # type: ignore[attr-defined]
    if resident:
        audit_record(actor=resident, action=Action.LOGOUT, obj=resident, request=request)
    request.session.flush()
    return redirect("portal:home")


@resident_required
def password_view(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                account=request.resident,  # type: ignore[attr-defined]
                old=form.cleaned_data["old_password"],
                new=form.cleaned_data["new_password"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your password has been changed."))
            return redirect("portal:home")
    return render(request, "portal/password.html", {"form": form})
