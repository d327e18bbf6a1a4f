"""Attach the logged-in resident (portal accounts) to the request as `request.resident`."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

SESSION_KEY = "_resident_id"


def get_resident(request: HttpRequest) -> Any:
    from shequ.accounts.models import Resident

    resident_id = request.session.get(SESSION_KEY)
    if resident_id is None:
        return None
    return Resident.objects.filter(pk=resident_id, is_active=True).first()


class ResidentMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.resident = SimpleLazyObject(lambda: get_resident(request))  # type: ignore[attr-defined]
        return self.get_response(request)
