"""Read-side aggregates of the region tree: counts per node, map features."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Count, Exists, OuterRef, QuerySet

from shequ.regions.models import Region

LEVEL_ORDER = ("district", "street", "community", "grid", "subgrid", "cell")


@dataclass
class NodeCounts:
    persons: int = 0
    households: int = 0
    buildings: int = 0
    descendants: Counter[str] = field(default_factory=Counter)

    @property
    def levels(self) -> list[tuple[str, int]]:
        """(level key, count) pairs from the top level down, for templates."""
        order = {key: depth for depth, key in enumerate(LEVEL_ORDER)}
        return sorted(self.descendants.items(), key=lambda item: order.get(item[0], 99))


def child_counts(parent: Region, children: list[Region]) -> dict[int, NodeCounts]:
    """Counts of each child's whole subtree, in a fixed number of queries (one per table).

    Records point at their own node; we group them by node once and add each node's counts to
    the child of `parent` whose subtree holds it (the path segment just below the parent).
    """
    result = {child.pk: NodeCounts() for child in children}
    if not children:
        return result
    depth = parent.depth + 1
    owner: dict[int, int] = {}
    for pk, path, level_key in Region.objects.filter(path__startswith=parent.path).values_list(
        "pk", "path", "level__key"
    ):
        parts = path.strip("/").split("/")
        if len(parts) > depth:
            child_pk = int(parts[depth])
            owner[pk] = child_pk
            if child_pk != pk and child_pk in result:
                result[child_pk].descendants[level_key] += 1
    for model_label, attr in (
        ("people.Person", "persons"),
        ("people.Household", "households"),
        ("people.Building", "buildings"),
    ):
        model = apps.get_model(model_label)
        rows = (
            model.objects.filter(region__path__startswith=parent.path)
            .values_list("region_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        for region_id, n in rows:
            owner_pk = owner.get(region_id)
            if owner_pk is not None and owner_pk in result:
                setattr(result[owner_pk], attr, getattr(result[owner_pk], attr) + n)
    return result


def node_totals(region: Region) -> NodeCounts:
    """Counts of one node's whole subtree."""
    counts = NodeCounts()
    for model_label, attr in (
        ("people.Person", "persons"),
        ("people.Household", "households"),
        ("people.Building", "buildings"),
    ):
        model = apps.get_model(model_label)
        setattr(counts, attr, model.objects.filter(region__path__startswith=region.path).count())
    for level_key, n in (
        Region.objects.filter(path__startswith=region.path)
        .exclude(pk=region.pk)
        .values_list("level__key")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts.descendants[level_key] = n
    return counts


def feature_collection(regions: list[Region], counts: dict[int, NodeCounts]) -> dict[str, Any]:
    """GeoJSON of the regions that have a boundary, with the figures the map shows."""
    features = []
    for region in regions:
        if not region.boundary:
            continue
        c = counts.get(region.pk, NodeCounts())
        features.append(
            {
                "type": "Feature",
                "geometry": region.boundary,
                "properties": {
                    "id": region.pk,
                    "code": region.code,
                    "name": region.name,
                    "level": region.level.name,
                    "persons": c.persons,
                    "households": c.households,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def with_child_flag(regions: QuerySet[Region]) -> QuerySet[Region]:
    """Mark each node with `has_child`, for the tree's expand buttons."""
    return regions.annotate(has_child=Exists(Region.objects.filter(parent=OuterRef("pk"))))


def roots_for(user: Any) -> list[Region]:
    """The top nodes of a user's scope, for the tree browser's first level."""
    from shequ.regions.scoping import scope_prefixes

    prefixes = scope_prefixes(user)
    regions = Region.objects.filter(path__in=prefixes).select_related("level")
    return list(with_child_flag(regions).order_by("path"))
