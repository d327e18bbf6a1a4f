"""The demo accounts: one staff login for every role, and one resident login.

Every demo account has the password DEMO_PASSWORD. It is published in the README and printed
by `manage.py demo_logins`: a demo database must never hold real people's data.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import check_password, make_password

from shequ.accounts.models import Resident, User
from shequ.accounts.services import resident_register
from shequ.demo.generator import DEMO_RESIDENT_PHONE
from shequ.lib import crypto
from shequ.people.models import Person
from shequ.regions.models import Region, RoleAssignment, Unit
from shequ.regions.roles import Role
from shequ.regions.services import assignment_create

DEMO_PASSWORD = "Shequ-demo-2026"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    region_code: str  # the node the role is held at
    name: str
    title: str
    # A handler of a unit (a department): created once the unit exists.
    unit_code: str = ""


# 古楼街道 is 130105001, 湖北社区 130105001001, its first two grids ...001 and ...002.
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", Role.DISTRICT_ADMIN, "130105", "赵立新", "区社区治理办公室管理员"),
    DemoAccount("street", Role.STREET_MANAGER, "130105001", "钱建华", "古楼街道办事处副主任"),
    DemoAccount("director", Role.COMMUNITY_LEADER, "130105001001", "孙丽娟", "湖北社区党委书记"),
    DemoAccount("window", Role.WINDOW_WORKER, "130105001001", "李晓燕", "湖北社区全科社工"),
    DemoAccount("backoffice", Role.BACK_OFFICE, "130105001", "周海涛", "古楼街道后台经办"),
    DemoAccount("grid", Role.GRID_WORKER, "130105001001001", "吴晓东", "湖北社区第一网格网格员"),
    DemoAccount("grid2", Role.GRID_WORKER, "130105001001002", "郑春梅", "湖北社区第二网格网格员"),
    DemoAccount("chief", Role.BUILDING_CHIEF, "130105001001001", "王德胜", "楼栋长"),
    DemoAccount("hotline", Role.HOTLINE_OPERATOR, "130105", "冯雪梅", "生活求助联动中心坐席"),
    DemoAccount("provider", Role.SERVICE_PROVIDER, "130105", "陈海波", "阳光社工服务中心项目主管"),
    DemoAccount("supervisor", Role.SUPERVISOR, "130105", "褚文静", "区行风监督员"),
    DemoAccount(
        "chengguan", Role.BACK_OFFICE, "130105", "马国栋", "区城管执法局派驻中队", unit_code="D-CG"
    ),
    DemoAccount(
        "huanwei", Role.BACK_OFFICE, "130105", "黄丽萍", "区环卫中心调度员", unit_code="D-HW"
    ),
    DemoAccount(
        "shuiwu", Role.BACK_OFFICE, "130105", "何建军", "区水务局热线承办员", unit_code="D-SW"
    ),
)


@dataclass(frozen=True)
class LoginRow:
    """One line of the logins table."""

    login: str
    role: str
    region: str
    password: str


def demo_staff_create() -> tuple[list[str], list[str]]:
    """Create the demo staff accounts with their roles; (created, skipped) user names.

    A user name that is already taken is left as it is: its password is not the demo's.
    """
    created: list[str] = []
    skipped: list[str] = []
    regions = {
        region.code: region
        for region in Region.objects.filter(code__in={a.region_code for a in DEMO_ACCOUNTS})
    }
    taken = set(
        User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]).values_list(
            "username", flat=True
        )
    )
    # One hash for all the demo accounts: each Argon2 hash takes a noticeable fraction of a
    # second, and the shared password is published anyway.
    encoded = make_password(DEMO_PASSWORD)
    units = {
        unit.code: unit
        for unit in Unit.objects.filter(code__in={a.unit_code for a in DEMO_ACCOUNTS} - {""})
    }
    for account in DEMO_ACCOUNTS:
        if account.username in taken:
            skipped.append(account.username)
            continue
        if account.unit_code and account.unit_code not in units:
            continue  # its unit comes later (the incident categories make the departments)
        user = User(
            username=account.username, name=account.name, title=account.title, password=encoded
        )
        user.save()
        assignment_create(
            actor=None,
            user=user,
            role=account.role,
            region=regions[account.region_code],
            unit=units.get(account.unit_code),
        )
        created.append(account.username)
    return created, skipped


def demo_resident_create(name: str) -> Resident | None:
    """The resident demo account (phone DEMO_RESIDENT_PHONE), unless that phone has one."""
    if Resident.objects.filter(phone_hash=crypto.keyed_hash(DEMO_RESIDENT_PHONE)).exists():
        return None
    return resident_register(phone=DEMO_RESIDENT_PHONE, name=name, password=DEMO_PASSWORD)


def demo_login_rows() -> list[LoginRow]:
    """The demo logins that work in this database: staff in the order above, then the resident.

    An account whose password is no longer the demo password is left out.
    """
    by_username = {account.username: account for account in DEMO_ACCOUNTS}
    # The demo accounts share one hash: check each distinct hash once.
    verified: dict[str, bool] = {}

    def works(encoded: str) -> bool:
        if encoded not in verified:
            verified[encoded] = check_password(DEMO_PASSWORD, encoded)
        return verified[encoded]

    users = {
        user.username: user
        for user in User.objects.filter(username__in=by_username, is_active=True)
        if works(user.password)
    }
    assignments = (
        RoleAssignment.objects.filter(user__in=users.values())
        .select_related("user", "region", "unit")
        .order_by("pk")
    )
    held: dict[str, list[RoleAssignment]] = {}
    for assignment in assignments:
        held.setdefault(assignment.user.username, []).append(assignment)
    rows = [
        LoginRow(
            username,
            str(item.get_role_display()),
            f"{item.region.name} · {item.unit.name}" if item.unit else item.region.name,
            DEMO_PASSWORD,
        )
        for username in by_username
        for item in held.get(username, [])
    ]
    phone_hash = crypto.keyed_hash(DEMO_RESIDENT_PHONE)
    resident = Resident.objects.filter(phone_hash=phone_hash, is_active=True).first()
    if resident is not None and works(resident.password):
        person = Person.objects.filter(phone_hash=phone_hash).select_related("region").first()
        home = f"{person.region.name} ({resident.name})" if person else resident.name
        role = str(Resident._meta.verbose_name)
        rows.append(LoginRow(DEMO_RESIDENT_PHONE, role, home, DEMO_PASSWORD))
    return rows
