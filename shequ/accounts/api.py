from django.http import HttpRequest
from ninja import Router, Schema

from shequ.accounts.models import staff_user
from shequ.regions.models import RoleAssignment

router = Router(tags=["accounts"])


class AssignmentOut(Schema):
    role: str
    region_id: int
    region_code: str
    region_name: str


class MeOut(Schema):
    username: str
    name: str
    assignments: list[AssignmentOut]


@router.get("/me", response=MeOut, summary="The calling user and its roles")
def me(request: HttpRequest) -> MeOut:
    user = staff_user(request)
    rows = RoleAssignment.objects.filter(user=user).select_related("region")
    return MeOut(
        username=user.get_username(),
        name=getattr(user, "name", ""),
        assignments=[
            AssignmentOut(
                role=a.role,
                region_id=a.region_id,
                region_code=a.region.code,
                region_name=a.region.name,
            )
            for a in rows
        ],
    )
