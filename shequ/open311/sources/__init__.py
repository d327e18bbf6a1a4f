"""The sources of the Open311 services (docs/open311.md, "Adding a source"), and what their
adapters share: a service code to its category, and a posted request to its category."""

from __future__ import annotations

from collections.abc import Callable

from shequ.open311.protocol import Open311Error
from shequ.open311.registry import Intake, Service


def service_found[C](
    code: str, category_of: Callable[[str], C | None], service: Callable[[C], Service]
) -> Service | None:
    """The service of the active category a code names (a source's `find`), or None."""
    category = category_of(code)
    return service(category) if category is not None else None


def intake_category[C](intake: Intake, category_of: Callable[[str], C | None]) -> C:
    """The active category a posted request's service names, for a source's `create`.

    Raises a 404 when the category was retired between the check of the request and its intake.
    """
    category = category_of(intake.service.code)
    if category is None:
        raise Open311Error(404, f"service_code {intake.service.code} was not found")
    return category
