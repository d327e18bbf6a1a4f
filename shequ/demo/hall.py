"""The demo district's service hall: the catalog, the windows of 古楼街道, the back office.

Called at the end of `demo_seed`, inside its transaction. Deterministic: the catalog is fixed
data, the windows follow the community codes.
"""

from __future__ import annotations

from shequ.accounts.models import User
from shequ.hall.catalog_seed import catalog_seed
from shequ.hall.models import Window
from shequ.regions.models import Region, Unit
from shequ.regions.roles import Role
from shequ.regions.services import assignment_create

# The street whose community halls get windows, and the windows of each hall.
HALL_STREET_CODE = "130105001"  # 古楼街道
WINDOWS = ((1, "A"), (2, "AB"))
# The demo back-office login handles for these departments (see demo/logins.py).
BACKOFFICE_LOGIN = "backoffice"
BACKOFFICE_UNITS = ("D-MZ", "D-RS")


def demo_hall_seed(*, district: Region, logins_created: list[str]) -> dict[str, int]:
    """Seed the catalog, two windows in each community of 古楼街道, and the back office.

    The back-office assignments are given only to a `backoffice` login the demo created (a
    taken user name is left alone). Returns counts for the demo's summary.
    """
    units = catalog_seed(district=district)
    communities = Region.objects.filter(
        parent__code=HALL_STREET_CODE, level__key="community"
    ).order_by("code")
    windows = Window.objects.bulk_create(
        Window(region=community, number=number, groups=groups)
        for community in communities
        for number, groups in WINDOWS
    )
    if BACKOFFICE_LOGIN in logins_created:
        user = User.objects.get(username=BACKOFFICE_LOGIN)
        for unit in Unit.objects.filter(code__in=BACKOFFICE_UNITS).order_by("code"):
            assignment_create(
                actor=None, user=user, role=Role.BACK_OFFICE, region=district, unit=unit
            )
    return {"service_items": units["created"], "windows": len(windows)}
