"""Regions through the API: the same scope and the same services as the pages."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from shequ.regions import permissions as perms
from shequ.regions import services
from shequ.regions.models import Level, Region
from shequ.regions.scoping import get_region_for_user
from shequ.regions.selectors import child_counts, feature_collection

router = Router(tags=["regions"])


class RegionOut(Schema):
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    path: str
    community_type: str
    is_special: bool

    @staticmethod
    def resolve_level(obj: Region) -> str:
        return obj.level.key


class RegionDetailOut(RegionOut):
    boundary: dict[str, Any] | None


class RegionFilter(Schema):
    level: str | None = None
    parent_id: int | None = None
    code: str | None = None


class RegionIn(Schema):
    code: str
    name: str
    level: str
    parent_id: int
    community_type: str = ""
    is_special: bool = False
    boundary: dict[str, Any] | None = None


class RegionPatch(Schema):
    code: str | None = None
    name: str | None = None
    community_type: str | None = None
    is_special: bool | None = None
    boundary: dict[str, Any] | None = None


class MoveIn(Schema):
    new_parent_id: int


def _require_manager(request: HttpRequest, region: Region) -> None:
    if not perms.can_manage_regions(request.user, region):
        raise PermissionDenied("only district administrators manage the region tree")


@router.get("", response=list[RegionOut], summary="Regions within the caller's scope")
def region_list(
    request: HttpRequest, filters: Query[RegionFilter], limit: int = 500, offset: int = 0
) -> Any:
    regions = Region.objects.visible_to(request.user).select_related("level")
    if filters.level:
        regions = regions.filter(level__key=filters.level)
    if filters.parent_id is not None:
        regions = regions.filter(parent_id=filters.parent_id)
    if filters.code:
        regions = regions.filter(code=filters.code)
    return regions.order_by("path")[offset : offset + min(limit, 2000)]


@router.get("/{region_id}", response=RegionDetailOut, summary="One region")
def region_detail(request: HttpRequest, region_id: int) -> Any:
    return get_region_for_user(request.user, region_id)


@router.get("/{region_id}/geojson", summary="Boundaries of a region's children as GeoJSON")
def region_geojson(request: HttpRequest, region_id: int) -> Any:
    region = get_region_for_user(request.user, region_id)
    children = list(region.children.select_related("level").order_by("code"))
    return feature_collection(children, child_counts(region, children))


@router.post("", response={201: RegionDetailOut}, summary="Add a region under a parent")
def region_create(request: HttpRequest, data: RegionIn) -> Any:
    parent = get_region_for_user(request.user, data.parent_id)
    _require_manager(request, parent)
    level = Level.objects.filter(key=data.level).first()
    if level is None:
        from django.core.exceptions import ValidationError

        raise ValidationError({"level": [f"unknown level {data.level}"]})
    region = services.region_create(
        actor=request.user,
        code=data.code,
        name=data.name,
        level=level,
        parent=parent,
        boundary=data.boundary,
        community_type=data.community_type,
        is_special=data.is_special,
        request=request,
    )
    return Status(201, region)


@router.patch("/{region_id}", response=RegionDetailOut, summary="Change a region's own fields")
def region_update(request: HttpRequest, region_id: int, data: RegionPatch) -> Any:
    region = get_region_for_user(request.user, region_id)
    _require_manager(request, region)
    values = data.model_dump(exclude_unset=True)
    return services.region_update(actor=request.user, region=region, request=request, **values)


@router.post("/{region_id}/move", response=RegionDetailOut, summary="Move a region and its subtree")
def region_move(request: HttpRequest, region_id: int, data: MoveIn) -> Any:
    region = get_region_for_user(request.user, region_id)
    _require_manager(request, region)
    new_parent = get_region_for_user(request.user, data.new_parent_id)
    _require_manager(request, new_parent)
    return services.region_move(
        actor=request.user, region=region, new_parent=new_parent, request=request
    )
