"""The one scoping mechanism: which subtrees a user reaches, and fetch helpers that answer 404.

Every query that returns records goes through `ScopedQuerySet.visible_to(user)`; every view
fetches one object with `get_visible_or_404`, so a record outside the user's subtree is "not
found", never "forbidden".
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, models
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


def assignment_join(user_id_column: str) -> tuple[str, str]:
    """(SELECT columns, LEFT JOINs) that bring a user's assignments along with his own row.

    For a hand-written query that reads the user (the API token's): it then returns one row
    per assignment, or one row of NULLs without any; give the three columns of each row to
    `remember_assignments`. The same (role, region path, unit id) as `assignments`.
    """
    from shequ.regions.models import Region, RoleAssignment

    quote = connection.ops.quote_name
    assignment, region = quote(RoleAssignment._meta.db_table), quote(Region._meta.db_table)
    columns = "shequ_ra.role, shequ_rr.path, shequ_ra.unit_id"
    joins = (
        f"LEFT JOIN {assignment} shequ_ra ON shequ_ra.user_id = {user_id_column} "
        f"LEFT JOIN {region} shequ_rr ON shequ_rr.id = shequ_ra.region_id"
    )
    return columns, joins


def remember_assignments(user: Any, rows: Iterable[Sequence[Any]]) -> None:
    """Cache the assignments read by a query built with `assignment_join` on the user."""
    if getattr(user, "is_active", False):
        user._assignments_cache = [
            (role, path, unit) for role, path, unit in rows if role is not None
        ]


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


def home_region(user: Any) -> Any:
    """The first node the user reaches (the default node of a page), or Http404 if none.

    A materialized path ends with the node's own key, so no lookup by path is needed.
    """
    prefixes = scope_prefixes(user)
    if not prefixes:
        raise Http404("no region")
    return get_region_for_user(user, int(prefixes[0].strip("/").rsplit("/", 1)[-1]))


_REGION_READER: Any = None


def get_region_in_scope(user: Any, region_id: int) -> Any:
    """One region by id with its name and path only (no level, no parent), or Http404.

    For the API's hot paths: one hand-written SELECT by primary key, then the same rule as
    `visible_to` (the path starts with one of the user's prefixes) asked of the row.
    """
    global _REGION_READER
    from shequ.core.sql import Reader, prepared_cursor
    from shequ.regions.models import Region

    if _REGION_READER is None:
        _REGION_READER = Reader(Region, ("id", "code", "name", "level", "parent", "path", "depth"))
    prefixes = scope_prefixes(user)
    quote = connection.ops.quote_name
    with prepared_cursor() as cursor:
        cursor.execute(
            f"SELECT {_REGION_READER.columns('r')} FROM {quote(Region._meta.db_table)} r "
            "WHERE r.id = %s",
            [region_id],
        )
        row = cursor.fetchone()
    region = _REGION_READER.load(row) if row is not None else None
    if region is None or not any(region.path.startswith(prefix) for prefix in prefixes):
        raise Http404("not found")
    return region
