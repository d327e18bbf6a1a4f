"""Where the services of the Open311 list come from: sources registered by the apps' adapters.

A source lists its services and makes a case from a posted request. The incident categories
are one source (sources/incidents.py); the hotline's categories can be another. Open311 sits
above the case types, so a source's module lives in `shequ/open311/sources/` and imports its
case-type app, never the other way round (docs/open311.md, "Adding a source").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from shequ.cases.models import Case
from shequ.regions.models import Region


@dataclass(frozen=True)
class Service:
    """One entry of the service list (GET services)."""

    code: str
    name: str
    description: str = ""
    group: str = ""
    keywords: str = ""  # comma separated
    type: str = "realtime"
    # What the reporter can expect (the time limit): the requests' `service_notice`.
    notice: str = ""


@dataclass(frozen=True)
class Intake:
    """A posted request, checked and placed: what a source needs to make its case.

    `region` is the node the request belongs to when its point lies in no grid (the key's
    node, or the deepest node of the key's subtree holding the point); `actor` is the key's
    staff user. `description` is the staff's text (the client's text and the attributes).
    `client_id` is set when the client sent a token: the source must make one case per
    client id even when two posts race (or leave that to the unique key and token).
    `requester_name` and `requester_phone` (validated, in the clear) are the reporter's, for
    a source whose intake seals them itself; Open311 sets them on the case in any event.
    """

    service: Service
    actor: Any
    region: Region
    description: str
    lat: float | None
    lng: float | None
    address: str
    client_id: str
    requester_name: str = ""
    requester_phone: str = ""
    request: HttpRequest | None = None


@dataclass(frozen=True)
class ServiceSource:
    """A provider of services: a key, its services, and how a posted request becomes a case.

    `services()` lists the active services; `find(code)` answers one (active) service or None;
    `create(intake)` makes the case in the caller's transaction and returns it (an earlier
    case when the source recognises the client id: Open311 then answers the first request).
    `agencies(cases)` names who is responsible for each case (by case key), read in a
    constant number of queries; without it the owning unit or the case's node is named.
    `audit_types` are the audit object types whose changes change the service list (the
    discovery changeset).
    """

    key: str
    services: Callable[[], list[Service]]
    find: Callable[[str], Service | None]
    create: Callable[[Intake], Case]
    agencies: Callable[[Sequence[Case]], dict[int, str]] | None = None
    audit_types: tuple[str, ...] = field(default_factory=tuple)


_SOURCES: dict[str, ServiceSource] = {}


def register(source: ServiceSource) -> ServiceSource:
    _SOURCES[source.key] = source
    return source


def sources() -> list[ServiceSource]:
    return list(_SOURCES.values())


def get_source(key: str) -> ServiceSource:
    return _SOURCES[key]


def all_services() -> list[tuple[ServiceSource, Service]]:
    """Every active service of every source; a code two sources use is listed once (the
    first registered source's), so a service code always names one service."""
    seen: set[str] = set()
    found = []
    for source in _SOURCES.values():
        for service in source.services():
            if service.code in seen:
                continue
            seen.add(service.code)
            found.append((source, service))
    return found


def find_service(code: str) -> tuple[ServiceSource, Service] | None:
    for source in _SOURCES.values():
        service = source.find(code)
        if service is not None:
            return source, service
    return None


def default_agencies(cases: Sequence[Case]) -> dict[int, str]:
    """The owning unit, else the node the case belongs to (cases read with both joined)."""
    return {
        case.pk: case.owner_unit.name if case.owner_unit is not None else case.region.name
        for case in cases
    }
