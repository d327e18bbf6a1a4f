"""The one scoping mechanism: which subtrees a user reaches, and fetch helpers that answer 404.

Every query that returns records goes through `ScopedQuerySet.visible_to(user)`; every view
fetches one object with `get_visible_or_404`, so a record outside the user's subtree is "not
found", never "forbidden".
"""

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404


def assignments(user: Any) -> list[tuple[str, str, int | None]]:
    """(role, region path, unit id) of each assignment of an active staff user.

    One query per request: the scope, the roles and the units are all read from it, and the
    result is cached on the user object.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_assignments_cache", None)
    if cached is None:
        from shequ.regions.models import RoleAssignment

        cached = list(
            RoleAssignment.objects.filter(user=user).values_list("role", "region__path", "unit_id")
        )
        user._assignments_cache = cached
    return cached


def scope_prefixes(user: Any) -> list[str]:
    """The materialized paths a staff user reaches, nested paths collapsed, cached on the user.

    Residents and anonymous users reach no subtree: their pages query by ownership instead.
    """
    cached = getattr(user, "_scope_prefixes", None)
    if cached is not None:
        return cached
    paths = sorted({path for _role, path, _unit in assignments(user)})
    prefixes: list[str] = []
    for path in paths:
        if not any(path.startswith(kept) for kept in prefixes):
            prefixes.append(path)
    if user is not None and getattr(user, "is_authenticated", False):
        user._scope_prefixes = prefixes
    return prefixes


def forget_scope(user: Any) -> None:
    """Drop the cached scope after assignments change."""
    for attr in ("_assignments_cache", "_scope_prefixes", "_roles_cache", "_units_cache"):
        if hasattr(user, attr):
            delattr(user, attr)


def get_visible_or_404[M: models.Model](
    queryset: models.QuerySet[M], user: Any, **lookup: Any
) -> M:
    """Fetch one object within the user's scope, or raise Http404."""
    try:
        return queryset.visible_to(user).get(**lookup)  # type: ignore[attr-defined]
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404("not found") from exc


def get_region_for_user(user: Any, region_id: int) -> Any:
    from shequ.regions.models import Region

    return get_visible_or_404(Region.objects.select_related("level", "parent"), user, pk=region_id)
