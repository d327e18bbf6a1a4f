"""The region browser: the tree of the user's scope, a node's figures, its map, edits."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.accounts.views import apply_errors
from shequ.regions import permissions as perms
from shequ.regions import services
from shequ.regions.forms import RegionCreateForm, RegionEditForm, RegionMoveForm
from shequ.regions.models import Level, Region, RegionMove
from shequ.regions.scoping import get_region_for_user
from shequ.regions.selectors import (
    NodeCounts,
    child_counts,
    feature_collection,
    node_totals,
    roots_for,
    with_child_flag,
)


def _children(region: Region) -> list[Region]:
    return list(with_child_flag(region.children.select_related("level")).order_by("code"))


def _tree_path(
    roots: list[Region],
    ancestors: list[Region],
    region: Region,
    known: dict[int, tuple[list[Region], dict[int, NodeCounts]]],
    totals: NodeCounts,
) -> list[dict[str, Any]]:
    """The branch from the user's scope roots down to `region`, each level with its children.

    `known` holds children and counts already computed for some nodes (the page's own node),
    so that the tree does not query them twice.
    """
    expanded = {a.pk for a in ancestors} | {region.pk}

    def build(nodes: list[Region], counts: dict[int, NodeCounts]) -> list[dict[str, Any]]:
        items = []
        for node in nodes:
            item: dict[str, Any] = {"node": node, "children": None, "counts": counts.get(node.pk)}
            if node.pk in expanded:
                if node.pk in known:
                    children, child_figures = known[node.pk]
                else:
                    children = _children(node)
                    child_figures = child_counts(node, children)
                item["children"] = build(children, child_figures)
            items.append(item)
        return items

    return build(roots, {r.pk: totals if r.pk == region.pk else node_totals(r) for r in roots})


def _grid_warnings(region: Region, households: int, persons: int) -> list[str]:
    if region.level.key != "grid" or region.is_special:
        return []
    warnings = []
    if not settings.GRID_HOUSEHOLDS_MIN <= households <= settings.GRID_HOUSEHOLDS_MAX:
        warnings.append(
            _("This grid has %(n)d households; a grid should hold %(lo)d-%(hi)d.")
            % {
                "n": households,
                "lo": settings.GRID_HOUSEHOLDS_MIN,
                "hi": settings.GRID_HOUSEHOLDS_MAX,
            }
        )
    if persons > settings.GRID_PERSONS_MAX:
        warnings.append(
            _("This grid has %(n)d persons, more than the %(max)d a grid should hold.")
            % {"n": persons, "max": settings.GRID_PERSONS_MAX}
        )
    return warnings


@login_required
def region_list(request: HttpRequest) -> HttpResponse:
    roots = roots_for(request.user)
    if not roots:
        raise Http404
    return redirect("regions:region-detail", region_id=roots[0].pk)


@login_required
def region_detail(request: HttpRequest, region_id: int) -> HttpResponse:
    region = get_region_for_user(request.user, region_id)
    children = _children(region)
    counts = child_counts(region, children)
    totals = node_totals(region)
    rows = [{"node": c, "counts": counts[c.pk]} for c in children]
    can_manage = perms.can_manage_regions(request.user, region)
    roots = roots_for(request.user)
    root_paths = tuple(r.path for r in roots)
    ancestors = [a for a in region.ancestors() if a.path.startswith(root_paths)]
    context = {
        "region": region,
        "ancestors": ancestors,
        "tree": _tree_path(roots, ancestors, region, {region.pk: (children, counts)}, totals),
        "rows": rows,
        "totals": totals,
        "levels": Level.objects.all(),
        "warnings": _grid_warnings(region, totals.households, totals.persons),
        "can_manage": can_manage,
        "moves": RegionMove.objects.filter(region=region).select_related(
            "old_parent", "new_parent"
        )[:10],
        "edit_form": RegionEditForm(
            level_key=region.level.key,
            initial={
                "name": region.name,
                "code": region.code,
                "community_type": region.community_type,
                "is_special": region.is_special,
            },
        )
        if can_manage
        else None,
        "chart": {
            "names": [c.name for c in children],
            "persons": [counts[c.pk].persons for c in children],
            "households": [counts[c.pk].households for c in children],
        },
    }
    return render(request, "regions/region_detail.html", context)


@login_required
def region_children(request: HttpRequest, region_id: int) -> HttpResponse:
    """The tree's lazy branch: a node's children as an htmx fragment."""
    region = get_region_for_user(request.user, region_id)
    children = _children(region)
    counts = child_counts(region, children)
    items = [{"node": c, "children": None, "counts": counts[c.pk]} for c in children]
    return render(request, "regions/_tree.html", {"items": items, "current": None})


@login_required
def region_geojson(request: HttpRequest, region_id: int) -> JsonResponse:
    """Boundaries of the node's children (or of the node itself when it has none)."""
    region = get_region_for_user(request.user, region_id)
    children = _children(region)
    counts = child_counts(region, children)
    shapes = children if any(c.boundary for c in children) else [region]
    if shapes == [region]:
        counts = {region.pk: node_totals(region)}
    data = feature_collection(shapes, counts)
    data["outline"] = region.boundary
    return JsonResponse(data)


def _require_manager(user: Any, region: Region) -> None:
    if not perms.can_manage_regions(user, region):
        raise PermissionDenied


@login_required
@require_POST
def region_edit(request: HttpRequest, region_id: int) -> HttpResponse:
    region = get_region_for_user(request.user, region_id)
    _require_manager(request.user, region)
    form = RegionEditForm(request.POST, level_key=region.level.key)
    if form.is_valid():
        try:
            services.region_update(
                actor=request.user, region=region, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            for messages_ in exc.message_dict.values():
                for message in messages_:
                    messages.error(request, message)
        else:
            messages.success(request, _("Saved."))
    else:
        for field_errors in form.errors.values():
            for error in field_errors:
                messages.error(request, str(error))
    return redirect("regions:region-detail", region_id=region.pk)


@login_required
def region_create(request: HttpRequest, region_id: int) -> HttpResponse:
    """Add a child under the node."""
    parent = get_region_for_user(request.user, region_id)
    _require_manager(request.user, parent)
    levels = [(lv.key, lv.name) for lv in Level.objects.filter(depth__gt=parent.level.depth)]
    form = RegionCreateForm(request.POST or None, levels=levels)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            child = services.region_create(
                actor=request.user,
                code=data["code"].strip(),
                name=data["name"].strip(),
                level=Level.objects.get(key=data["level"]),
                parent=parent,
                community_type=data["community_type"],
                is_special=data["is_special"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Added %(name)s.") % {"name": child.name})
            return redirect("regions:region-detail", region_id=child.pk)
    return render(request, "regions/region_form.html", {"form": form, "parent": parent})


@login_required
def region_move(request: HttpRequest, region_id: int) -> HttpResponse:
    region = get_region_for_user(request.user, region_id)
    _require_manager(request.user, region)
    if region.parent is None:
        raise PermissionDenied
    candidates = (
        Region.objects.visible_to(request.user)
        .filter(level__depth__lt=region.level.depth)
        .exclude(path__startswith=region.path)
        .exclude(pk=region.parent_id)
        .select_related("level")
        .order_by("path")
    )
    form = RegionMoveForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        new_parent = form.cleaned_data["new_parent"]
        _require_manager(request.user, new_parent)
        try:
            services.region_move(
                actor=request.user, region=region, new_parent=new_parent, request=request
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Moved %(name)s with everything under it.") % {"name": region.name}
            )
            return redirect("regions:region-detail", region_id=region.pk)
    return render(request, "regions/region_move.html", {"form": form, "region": region})
