"""The JSON API root under /api/v1/: each app contributes its router from its own api.py."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI

from shequ.api.auth import AUTH

api = NinjaAPI(
    title="Shequ API",
    version="1",
    description=(
        "社区治理与服务平台 JSON API. Authenticate with `Authorization: Bearer <token>` "
        "(tokens are created on the staff page /accounts/tokens/). Every list and object is "
        "limited to the caller's region scope: an object outside it answers 404."
    ),
    auth=AUTH,
    urls_namespace="api",
)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": detail}, status=400)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "forbidden"}, status=403)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "not found"}, status=404)


def _register() -> None:
    from shequ.accounts.api import router as accounts_router
    from shequ.audit.api import router as audit_router
    from shequ.cases.api import router as cases_router
    from shequ.hall.api import router as hall_router
    from shequ.hotline.api import router as hotline_router
    from shequ.incidents.api import router as incidents_router
    from shequ.incidents.api_figures import router as incident_figures_router
    from shequ.people.api import router as people_router
    from shequ.regions.api import router as regions_router
    from shequ.workdays.api import router as workdays_router

    api.add_router("/accounts", accounts_router)
    api.add_router("/regions", regions_router)
    api.add_router("/people", people_router)
    api.add_router("/audit", audit_router)
    api.add_router("/workdays", workdays_router)
    api.add_router("/cases", cases_router)
    api.add_router("/hall", hall_router)
    # Before the incidents' own router, whose "/{case_id}" would take "/indicators".
    api.add_router("/incidents", incident_figures_router)
    api.add_router("/incidents", incidents_router)
    api.add_router("/hotline", hotline_router)


_register()
