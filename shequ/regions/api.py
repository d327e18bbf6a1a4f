"""Regions through the API: the same scope and the same services as the pages."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import File, Query, Router, Schema, Status, UploadedFile

from shequ.lib.tabular import ImportFailed
from shequ.regions import io, io_columns, io_export, services
from shequ.regions import permissions as perms
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


class ImportErrorOut(Schema):
    row: int
    column: str
    value: str
    message: str


class ImportOut(Schema):
    rows: int
    created: int
    updated: int
    moved: int
    unchanged: int


# Declared before the "/{region_id}" routes, which would otherwise take "import" as an id.
@router.post(
    "/import",
    response={200: ImportOut, 400: list[ImportErrorOut]},
    summary="Import regions from .xlsx, .csv or .geojson: whole or not at all",
)
def region_import(request: HttpRequest, file: File[UploadedFile]) -> Any:
    if not perms.can_manage_regions(request.user):
        raise PermissionDenied("only district administrators manage the region tree")
    try:
        report = io.region_import(
            actor=request.user, file=file, filename=file.name or "", request=request
        )
    except ImportFailed as exc:
        return Status(
            400,
            [
                ImportErrorOut(
                    row=e.row, column=str(e.column), value=str(e.value), message=str(e.message)
                )
                for e in exc.errors
            ],
        )
    return report.as_dict()


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


@router.get("/{region_id}/export", summary="Export a subtree as xlsx, csv or geojson (audited)")
def region_export(request: HttpRequest, region_id: int, format: str = "xlsx") -> HttpResponse:
    region = get_region_for_user(request.user, region_id)
    if format not in io_columns.FORMATS:
        raise ValidationError(
            {"format": [f"format must be one of {', '.join(io_columns.FORMATS)}"]}
        )
    content, content_type, filename = io_export.region_export(
        actor=request.user, root=region, fmt=format, request=request
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
