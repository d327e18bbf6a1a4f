"""The GeoReport v2 endpoints: discovery, services, service definitions, requests, tokens.

Every endpoint answers in XML or JSON by its suffix. Only POST requests needs a key (the
`api_key` form field); everything else is public and shows nothing personal. Errors are the
specification's list of {code, description}: 400 bad input, 403 key, 404 not found.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from shequ.open311 import definitions, selectors
from shequ.open311.parsing import parse_post, parse_query
from shequ.open311.protocol import (
    MIME_TYPES,
    Open311Error,
    error_response,
    format_datetime,
    respond,
)
from shequ.open311.registry import find_service
from shequ.open311.services import key_of, request_replay, request_submit
from shequ.regions.models import Region

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"

View = Callable[..., HttpResponse]


def endpoint(*methods: str) -> Callable[[View], View]:
    """Answer the methods given, and any Open311Error as the error document of the format."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            if request.method not in (*methods, "HEAD") or (
                request.method == "HEAD" and "GET" not in methods
            ):
                response = error_response(
                    fmt, Open311Error(405, f"{request.method} is not allowed here")
                )
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as error:
                return error_response(fmt, error)
            except ValidationError as error:
                return error_response(fmt, Open311Error(400, *error.messages))

        return wrapper

    return decorate


def _district_name() -> str:
    root = Region.objects.filter(parent__isnull=True).order_by("code").first()
    return root.name if root is not None else "the district"


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    changed = format_datetime(selectors.changeset())
    url = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt}))
    district = _district_name()
    document = {
        "changeset": changed,
        "contact": (
            f"Open311 GeoReport v2 endpoint of {district}, run on Shequ by the district "
            "administration: ask the district administrators about it."
        ),
        "key_service": (
            f"Keys for posting requests are issued by the district administrators of {district} "
            "(administration, Open311 keys). Reading needs no key."
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url.rsplit("/", 1)[0],
                "changeset": changed,
                "type": "test" if settings.DEBUG else "production",
                "formats": MIME_TYPES,
            }
        ],
    }
    return respond(fmt, "discovery", document)


@endpoint("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    return respond(fmt, "services", selectors.service_list())


@endpoint("GET")
def service_detail(request: HttpRequest, service_code: str, fmt: str) -> HttpResponse:
    found = find_service(service_code)
    if found is None:
        raise Open311Error(404, f"service_code {service_code} was not found")
    attributes = definitions.attributes_of(service_code)
    return respond(fmt, "service_definition", definitions.definition(service_code, attributes))


@csrf_exempt
@endpoint("GET", "POST")
def request_list(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post(request, fmt)
    records = selectors.requests_matching(parse_query(request.GET))
    return respond(fmt, "service_requests", selectors.published(records))


def _post(request: HttpRequest, fmt: str) -> HttpResponse:
    raw = (request.POST.get("api_key") or request.GET.get("api_key") or "").strip()
    if not raw:
        raise Open311Error(403, "api_key was not provided -- can't proceed with create_request.")
    key = key_of(raw)
    if key is None:
        raise Open311Error(403, "Invalid api_key received -- can't proceed with create_request.")
    posted = parse_post(request.POST)
    record = request_replay(key, posted.token)
    if record is None:
        found = find_service(posted.service_code)
        if found is None:
            raise Open311Error(404, f"service_code {posted.service_code} was not found")
        source, service = found
        attributes = definitions.attributes_of(service.code)
        values, many = definitions.posted_attributes(request.POST)
        checked = definitions.check(attributes, values, many)
        if checked.errors:
            raise Open311Error(400, *checked.errors)
        record, _replayed = request_submit(
            key=key,
            source=source,
            service=service,
            posted=posted,
            attributes=attributes,
            values=checked.values,
            request=request,
        )
    answer = {
        "service_request_id": record.case_id,
        "service_notice": record.service_notice or None,
        "account_id": record.account_id or None,
    }
    return respond(fmt, "service_requests", [answer])


@endpoint("GET")
def request_detail(request: HttpRequest, service_request_id: str, fmt: str) -> HttpResponse:
    record = selectors.request_by_id(service_request_id)
    if record is None:
        raise Open311Error(404, f"service_request_id {service_request_id} was not found")
    return respond(fmt, "service_requests", selectors.published([record]))


@endpoint("GET")
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    records = selectors.requests_of_token(token)
    if not records:
        raise Open311Error(404, f"token {token} was not found")
    answer = [{"service_request_id": r.case_id, "token": r.token} for r in records]
    return respond(fmt, "service_requests", answer)


@csrf_exempt
def unknown(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other URL under the endpoint: the error document, in JSON for a .json URL."""
    fmt = "json" if rest.endswith(".json") else "xml"
    return error_response(fmt, Open311Error(404, f"/{rest} is not a resource of this endpoint"))
