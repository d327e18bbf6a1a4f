"""The reads of Open311: the service list, the requests as published, the discovery changeset.

GET requests publishes the requests posted through Open311, with what is not personal: the
service, the client's description, the place, the times and the state. Never the
requester's name, phone or e-mail, the device or account id, or the client's media link.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Max, Q

from shequ.audit.models import AuditEvent
from shequ.cases.models import Case
from shequ.cases.registry import all_types, get_type
from shequ.open311 import definitions
from shequ.open311.models import ServiceRequest
from shequ.open311.parsing import MAX_REQUESTS, Query
from shequ.open311.protocol import format_datetime
from shequ.open311.registry import all_services, default_agencies, get_source, sources

# The changeset when no service has changed since the start (a fresh database).
FIRST_CHANGESET = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
ATTRIBUTE_TYPES = ("open311.serviceattribute", "open311.attributevalue")


def service_list() -> list[dict[str, Any]]:
    """The `services` document: every active service of every source."""
    found = all_services()
    with_metadata = definitions.codes_with_attributes(service.code for _s, service in found)
    return [
        {
            "service_code": service.code,
            "service_name": service.name,
            "description": service.description or None,
            "metadata": service.code in with_metadata,
            "type": service.type,
            "keywords": service.keywords or None,
            "group": service.group or None,
        }
        for _source, service in found
    ]


def changeset() -> dt.datetime:
    """When the service list or a definition last changed: the newest audit event of the
    sources' tables and the attributes (deletions included, which a column could not show)."""
    types = [*ATTRIBUTE_TYPES, *(t for source in sources() for t in source.audit_types)]
    latest = AuditEvent.objects.filter(object_type__in=types).aggregate(at=Max("at"))["at"]
    return latest or FIRST_CHANGESET


def closed_filter() -> Q:
    """Cases in a final state of their type: Open311's `closed`."""
    query = Q(pk__in=[])
    for kind in all_types():
        query |= Q(case__type_key=kind.key, case__state__in=sorted(kind.final_states))
    return query


def requests_matching(query: Query) -> list[ServiceRequest]:
    """At most 1,000 requests, newest first: by id (which overrides the rest), or by codes,
    the time range and statuses. One query; the cases, units and nodes joined."""
    rows = ServiceRequest.objects.select_related("case", "case__owner_unit", "case__region")
    if query.ids:
        rows = rows.filter(case_id__in=query.ids)
    else:
        rows = rows.filter(created_at__gte=query.start, created_at__lte=query.end)
        if query.codes:
            rows = rows.filter(service_code__in=query.codes)
        if set(query.statuses) == {"closed"}:
            rows = rows.filter(closed_filter())
        elif set(query.statuses) == {"open"}:
            rows = rows.exclude(closed_filter())
    return list(rows.order_by("-created_at", "-case_id")[:MAX_REQUESTS])


def request_by_id(text: str) -> ServiceRequest | None:
    if not text.isdigit() or len(text) > 18:
        return None
    return (
        ServiceRequest.objects.select_related("case", "case__owner_unit", "case__region")
        .filter(case_id=int(text))
        .first()
    )


def requests_of_token(token: str) -> list[ServiceRequest]:
    return list(ServiceRequest.objects.filter(token=token).order_by("case_id")[:MAX_REQUESTS])


def _agencies(records: list[ServiceRequest]) -> dict[int, str]:
    by_source: dict[str, list[Case]] = defaultdict(list)
    for record in records:
        by_source[record.source].append(record.case)
    names: dict[int, str] = {}
    for key, cases in by_source.items():
        try:
            agencies = get_source(key).agencies or default_agencies
        except KeyError:
            agencies = default_agencies
        names.update(agencies(cases))
    return names


def published(records: list[ServiceRequest]) -> list[dict[str, Any]]:
    """The `service_requests` document of GET requests (one query per source for the
    agencies, whatever the number of requests)."""
    agencies = _agencies(records)
    documents = []
    for record in records:
        case = record.case
        kind = get_type(case.type_key)
        closed = case.state in kind.final_states
        notes = kind.public_states.get(case.state) or kind.state_label(case.state)
        documents.append(
            {
                "service_request_id": case.pk,
                "status": "closed" if closed else "open",
                "status_notes": str(notes) or None,
                "service_name": record.service_name,
                "service_code": record.service_code,
                "description": record.description or None,
                "agency_responsible": agencies.get(case.pk) or None,
                "service_notice": record.service_notice or None,
                "requested_datetime": format_datetime(record.created_at),
                # Every step saves the case, and nothing after its final one: the last
                # change of a closed request is its closing.
                "updated_datetime": format_datetime(max(case.updated_at, record.created_at)),
                "expected_datetime": format_datetime(case.due_at),
                "address": case.address or None,
                "address_id": record.address_id or None,
                "zipcode": None,
                "lat": case.lat,
                "long": case.lng,
            }
        )
    return documents
