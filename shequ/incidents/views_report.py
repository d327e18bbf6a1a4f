"""Reporting an incident from a phone: the staff page, its service worker and its manifest.

The page is a real form (category, description, photos, place, the reporter's own node as the
fallback when the place is in no grid) that static/js/incident-report.js enhances: a searchable
category picker, photos resized in the browser, the location from the phone or a tap on the
map. Every report is put in a queue on the phone (IndexedDB) and uploaded to
`POST /api/v1/incidents/reports` with its client id, so a report made offline waits and is sent
once when the connection returns. Everything the page needs offline is embedded in it (the
categories, most used first; the boundaries of the reporter's nodes) and kept by the service
worker with the static files (docs/incidents.md, "Reporting from a phone").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shequ.accounts.models import staff_user
from shequ.incidents.models import IncidentCategory
from shequ.incidents.models_loop import Incident
from shequ.incidents.services_loop import MAX_PHOTOS
from shequ.regions.models import Region
from shequ.regions.permissions import can_write
from shequ.regions.scoping import assignments

# "Most used first" counts the incidents of the reporter's area over this many days.
USAGE_DAYS = 90
# Photos are resized on the phone to this many pixels on the long side, as JPEG of this quality.
PHOTO_LONG_SIDE = 1600
PHOTO_QUALITY = 0.8
# Coordinates of the drawn boundaries are rounded to this many decimals (about 1 m).
BOUNDARY_DECIMALS = 5
THEME_COLOUR = "#b4232a"
# Files the service worker keeps for the page to open offline (static names, see `_precache`).
PRECACHE = (
    "css/shequ.css",
    "favicon.svg",
    "vendor/htmx/htmx.min.js",
    "vendor/alpinejs/alpine.min.js",
    "vendor/leaflet/leaflet.css",
    "vendor/leaflet/leaflet.js",
    "js/incident-report.js",
    "js/incident-report-queue.js",
    "js/incident-report-outbox.js",
    "incidents/icon.svg",
    "incidents/icon-192.png",
    "incidents/icon-512.png",
)
# The worker's own code, imported by the script the view answers (part of its version).
WORKER_SCRIPTS = ("js/incident-report-queue.js", "js/incident-sw.js")


def may_report(user: Any) -> bool:
    """Any staff role that may write: the API takes their reports (read-only roles may not)."""
    return can_write(user)


def category_uses(user: Any, now: dt.datetime | None = None) -> dict[int, int]:
    """Incidents per category in the user's area over the last `USAGE_DAYS` days."""
    since = (now or timezone.now()) - dt.timedelta(days=USAGE_DAYS)
    rows = (
        Incident.objects.visible_to(user)
        .filter(reported_at__gte=since)
        .values("category_id")
        .annotate(n=Count("pk"))
    )
    return {row["category_id"]: row["n"] for row in rows}


def category_rows(uses: dict[int, int]) -> list[dict[str, Any]]:
    """Active subclasses, the most used first (`uses`: incidents per category), then in the
    table's order (kind, class code, subclass code).

    Each row carries the search keys the page filters on offline (name, class name, pinyin,
    initials, codes), as `IncidentCategory.objects.search` does on the server.
    """
    rows = [
        {
            "id": c.pk,
            "code": c.full_code,
            "name": c.name,
            "class_name": c.incident_class.name,
            "class_code": c.incident_class.code,
            "subclass_code": c.code,
            "kind": c.incident_class.get_kind_display(),
            "pinyin": c.name_pinyin,
            "initials": c.name_initials,
            "uses": uses.get(c.pk, 0),
        }
        for c in IncidentCategory.objects.active().select_related("incident_class")
    ]
    # A stable sort: categories used equally often keep the table's order.
    return sorted(rows, key=lambda row: -row["uses"])


def rounded_geometry(value: Any) -> Any:
    """GeoJSON with its coordinates rounded to `BOUNDARY_DECIMALS` (a lighter page)."""
    if isinstance(value, float):
        return round(value, BOUNDARY_DECIMALS)
    if isinstance(value, list):
        return [rounded_geometry(item) for item in value]
    if isinstance(value, dict):
        return {key: rounded_geometry(item) for key, item in value.items()}
    return value


def report_places(user: Any) -> list[dict[str, Any]]:
    """The user's own nodes (the fallback choices) and their children, with boundaries.

    Only the nodes of the user's assignments and one level below them: a grid worker sees
    their grid and its sub-grids, a community leader the community and its grids.
    """
    ids = sorted({int(path.strip("/").rsplit("/", 1)[-1]) for _r, path, _u in assignments(user)})
    own = list(Region.objects.filter(pk__in=ids).select_related("level").order_by("path"))
    children = Region.objects.filter(parent__in=own).select_related("level").order_by("path")
    own_ids = {node.pk for node in own}
    places = []
    for node in [*own, *(c for c in children if c.pk not in own_ids)]:
        places.append(
            {
                "id": node.pk,
                "name": node.name,
                "level": node.level.name,
                "depth": node.depth,
                "own": node.pk in own_ids,
                "boundary": rounded_geometry(node.boundary) if node.boundary else None,
            }
        )
    return places


def report_strings() -> dict[str, str]:
    """The words the page's script shows, translated here (the script holds no text)."""
    return {
        "online": _("Online: reports are sent at once."),
        "offline": _(
            "Offline: reports are kept on this phone and sent when the connection returns."
        ),
        "waiting_one": _("1 report waiting to be sent"),
        "waiting_many": _("%(count)s reports waiting to be sent"),
        "refused_one": _("1 report refused: fix it or discard it"),
        "refused_many": _("%(count)s reports refused: fix or discard them"),
        "state_waiting": _("Waiting to be sent"),
        "state_sending": _("Sending…"),
        "state_retry": _("Not sent yet: will try again"),
        "state_error": _("Refused: fix it or discard it"),
        "state_login": _("Log in again to send it"),
        "state_other_user": _("Made by another account: log in as that account to send it"),
        "state_sent": _("Sent: tracking code %(code)s"),
        "fix": _("Fix"),
        "discard": _("Discard"),
        "discard_confirm": _("Discard this report? It will not be sent."),
        "open_case": _("Open"),
        "made_at": _("Made %(time)s"),
        "photos_none": _("no photo"),
        "photos_one": _("1 photo"),
        "photos_many": _("%(count)s photos"),
        "no_category": _("Choose a category"),
        "no_description": _("Describe what you saw"),
        "too_many_photos": _("At most %(count)s photos") % {"count": MAX_PHOTOS},
        "photo_unreadable": _("%(name)s could not be read as a photo"),
        "photo_working": _("Preparing photos…"),
        "remove_photo": _("Remove this photo"),
        "locating": _("Finding your location…"),
        "located": _("Location: %(lng)s, %(lat)s (±%(metres)s m)"),
        "tapped": _("Location: %(lng)s, %(lat)s (tapped on the map)"),
        "location_failed": _("The phone could not give the location: tap the map instead."),
        "no_geolocation": _("This phone cannot give its location: tap the map instead."),
        "in_place": _("In %(name)s"),
        "outside_places": _("Outside your grids: the grid is found from the location on arrival."),
        "no_location": _("No location: your own grid below is used."),
        "shown_of": _("%(shown)s of %(count)s shown: type to narrow the list"),
        "no_match": _("No category matches: try the pinyin initials or the code"),
        "used_times": _("used %(count)s times"),
        "not_found": _("The category or your grid is no longer available to you"),
        "too_large": _("The photos are too large to send"),
        "server_error": _("The server could not take it: will try again"),
        "login_link": _("Log in"),
        "fixing": _("Fixing a report that was refused: save it to send it again."),
    }


def _page_data(user: Any) -> dict[str, Any]:
    return {
        "user_id": user.pk,
        "api": reverse("api:incident_report_api"),
        "case_url": reverse("cases:case-detail", kwargs={"case_id": 0}),
        "login_url": f"{reverse('accounts:login')}?next={reverse('incidents:report')}",
        "sw_url": reverse("incidents:report-sw"),
        "scope": reverse("incidents:report"),
        "max_photos": MAX_PHOTOS,
        "photo_long_side": PHOTO_LONG_SIDE,
        "photo_quality": PHOTO_QUALITY,
        "categories": category_rows(category_uses(user)),
        "places": report_places(user),
        "strings": report_strings(),
    }


@login_required
@require_GET
def report_page(request: HttpRequest) -> HttpResponse:
    """The reporting page of a grid worker, building chief or any staff who may write."""
    user = staff_user(request)
    if not may_report(user):
        raise PermissionDenied
    data = _page_data(user)
    context = {
        "data": data,
        "categories": data["categories"],
        "places": [p for p in data["places"] if p["own"]],
        "max_photos": MAX_PHOTOS,
        "theme_colour": THEME_COLOUR,
    }
    return render(request, "incidents/report.html", context)


def _static_bytes(name: str) -> bytes:
    found = finders.find(name)
    if isinstance(found, list):
        found = found[0] if found else None
    if not found:
        return b""
    with open(found, "rb") as handle:
        return handle.read()


def worker_version() -> str:
    """A hash of everything the worker keeps and runs: a change installs a new worker."""
    digest = hashlib.sha256()
    for name in (*PRECACHE, *WORKER_SCRIPTS):
        digest.update(name.encode())
        digest.update(_static_bytes(name))
    return digest.hexdigest()[:16]


@require_GET
def report_worker(request: HttpRequest) -> HttpResponse:
    """The service worker of the reporting page (public: code and file names, no data).

    Served by a view rather than as a static file so that it may control the page's path
    (`Service-Worker-Allowed` pins it to the page) and carry the version of the files it keeps.
    """
    config = {
        "version": worker_version(),
        "page": reverse("incidents:report"),
        "precache": [static(name) for name in PRECACHE],
    }
    scripts = ", ".join(json.dumps(static(name)) for name in WORKER_SCRIPTS)
    body = (
        "// The reporting page's service worker: the page and its files offline, the queue's\n"
        "// uploads by Background Sync. Generated by shequ/incidents/views_report.py.\n"
        f"self.SHEQU_REPORT = {json.dumps(config)};\n"
        f"importScripts({scripts});\n"
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("incidents:report")
    # The browser asks for the worker on each visit; no-cache makes it see a new version.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def report_manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: the reporting page installs to the home screen (public)."""
    page = reverse("incidents:report")
    manifest = {
        "name": _("Community grid reports"),
        "short_name": _("Grid reports"),
        "description": _("Report incidents in your grid, also without a connection."),
        "lang": get_language() or "zh-hans",
        "start_url": page,
        "scope": page,
        "id": page,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f5f7fa",
        "theme_color": THEME_COLOUR,
        "icons": [
            {"src": static("incidents/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": static("incidents/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("incidents/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response
