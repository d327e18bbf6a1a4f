"""The staff overview: figures of the user's scope, computed from the records."""

from typing import Any

from django.db.models import Count

from shequ.people.models import Person, ResidenceStatus
from shequ.regions.models import RoleAssignment
from shequ.regions.selectors import child_counts, node_totals, roots_for


def overview(user: Any) -> dict[str, Any]:
    roots = roots_for(user)
    assignments = list(
        RoleAssignment.objects.filter(user=user).select_related("region", "region__level")
    )
    blocks = []
    for root in roots:
        totals = node_totals(root)
        children = list(root.children.select_related("level").order_by("code"))
        counts = child_counts(root, children)
        status = dict(
            Person.objects.filter(region__path__startswith=root.path)
            .values_list("residence_status")
            .annotate(n=Count("id"))
            .order_by()
        )
        blocks.append(
            {
                "region": root,
                "totals": totals,
                "chart": {
                    "names": [c.name for c in children],
                    "persons": [counts[c.pk].persons for c in children],
                    "households": [counts[c.pk].households for c in children],
                },
                "status": [
                    {"name": str(label), "value": status.get(value, 0)}
                    for value, label in ResidenceStatus.choices
                ],
            }
        )
    charts = [{"bars": b["chart"], "pie": b["status"]} for b in blocks]
    return {"assignments": assignments, "blocks": blocks, "charts": charts}
