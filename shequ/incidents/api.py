"""The incident category table through the API, read-only: what a reporting app lists.

Ordered by kind and code for now; "most used first" (by the caller's grid's recent incidents)
comes with the incidents themselves.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from shequ.incidents.models import IncidentCategory, IncidentCategoryQuerySet, IncidentKind
from shequ.incidents.views import can_view

router = Router(tags=["incidents"])


class CategoryOut(Schema):
    id: int
    kind: str
    class_code: str
    class_name: str
    code: str
    full_code: str
    name: str
    time_limit: int
    time_limit_kind: str
    default_unit_id: int | None
    default_unit_name: str | None
    default_tier: str
    is_active: bool

    @staticmethod
    def resolve_kind(obj: IncidentCategory) -> str:
        return obj.incident_class.kind

    @staticmethod
    def resolve_class_code(obj: IncidentCategory) -> str:
        return obj.incident_class.code

    @staticmethod
    def resolve_class_name(obj: IncidentCategory) -> str:
        return obj.incident_class.name

    @staticmethod
    def resolve_default_unit_name(obj: IncidentCategory) -> str | None:
        return obj.default_unit.name if obj.default_unit else None

    @staticmethod
    def resolve_is_active(obj: IncidentCategory) -> bool:
        return obj.is_active and obj.incident_class.is_active


class CategoryDetailOut(CategoryOut):
    filing_condition: str
    closing_condition: str


def _categories(request: HttpRequest) -> IncidentCategoryQuerySet:
    if not can_view(request.user):
        raise PermissionDenied
    return IncidentCategory.objects.select_related("incident_class", "default_unit")


@router.get(
    "/categories",
    response=list[CategoryOut],
    summary="Incident categories (subclasses), searchable by name, code or pinyin",
)
@paginate(LimitOffsetPagination, max_limit=500)
def category_list(
    request: HttpRequest,
    q: str = "",
    kind: IncidentKind | None = None,
    class_code: str = "",
    include_retired: bool = False,
) -> IncidentCategoryQuerySet:
    categories = _categories(request).search(q[:100])
    if kind is not None:
        categories = categories.of_kind(kind)
    if class_code:
        categories = categories.filter(incident_class__code=class_code)
    if not include_retired:
        categories = categories.active()
    return categories.order_by("incident_class__kind", "incident_class__code", "code")


@router.get(
    "/categories/{category_id}",
    response=CategoryDetailOut,
    summary="One subclass with its filing and closing conditions",
)
def category_detail(request: HttpRequest, category_id: int) -> IncidentCategory:
    category = _categories(request).filter(pk=category_id).first()
    if category is None:
        raise Http404("not found")
    return category


def _mount_loop() -> None:
    """The loop's endpoints (reports, list, steps) beside the category table."""
    from shequ.incidents.api_loop import router as loop_router

    router.add_router("", loop_router)


_mount_loop()
