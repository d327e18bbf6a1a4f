"""Named permission predicates: the one place that answers "may this user do that here?".

Views, templates and the API ask these; none of them inspects roles itself. Each predicate that
takes a region answers for that node: a role reaches its node's whole subtree.
"""

from typing import Any

from shequ.regions.roles import READ_ONLY_ROLES, Role
from shequ.regions.scoping import assignments

# Who may see an identity number or a phone in full (always with a stated, logged reason).
IDENTITY_REVEAL_ROLES = frozenset(
    {
        Role.WINDOW_WORKER,
        Role.BACK_OFFICE,
        Role.COMMUNITY_LEADER,
        Role.STREET_MANAGER,
        Role.DISTRICT_ADMIN,
    }
)
PHONE_REVEAL_ROLES = IDENTITY_REVEAL_ROLES | {Role.GRID_WORKER, Role.HOTLINE_OPERATOR}
AUDIT_ROLES = frozenset(
    {Role.DISTRICT_ADMIN, Role.STREET_MANAGER, Role.COMMUNITY_LEADER, Role.SUPERVISOR}
)
REGION_ADMIN_ROLES = frozenset({Role.DISTRICT_ADMIN})
LEADER_ROLES = frozenset({Role.COMMUNITY_LEADER, Role.STREET_MANAGER, Role.DISTRICT_ADMIN})
EXPORT_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.STREET_MANAGER, Role.COMMUNITY_LEADER})
# Sensitive care records (disability, 低保, 特困): the leaders of the node, never grid workers.
SENSITIVE_ROLES = LEADER_ROLES


def role_paths(user: Any) -> list[tuple[str, str]]:
    """(role, region path) pairs of an active staff user."""
    return [(role, path) for role, path, _unit in assignments(user)]


def roles(user: Any) -> set[str]:
    return {role for role, _path in role_paths(user)}


def has_role(user: Any, allowed: frozenset[str] | set[str], region: Any = None) -> bool:
    """Whether the user holds one of the roles at the region or above it (anywhere if None)."""
    path = getattr(region, "path", region)
    return any(
        role in allowed and (path is None or path.startswith(node_path))
        for role, node_path in role_paths(user)
    )


def is_read_only(user: Any) -> bool:
    held = roles(user)
    return bool(held) and held <= READ_ONLY_ROLES


def can_write(user: Any, region: Any = None) -> bool:
    """A role that may change records at the region: any role but the read-only ones."""
    return has_role(user, set(Role.values) - READ_ONLY_ROLES, region)


def is_district_admin(user: Any) -> bool:
    """A district administrator at a root of the tree."""
    return any(
        role == Role.DISTRICT_ADMIN and path.count("/") == 2 for role, path in role_paths(user)
    )


def can_manage_regions(user: Any, region: Any = None) -> bool:
    return has_role(user, REGION_ADMIN_ROLES, region)


def can_reveal_identity(user: Any, region: Any) -> bool:
    return has_role(user, IDENTITY_REVEAL_ROLES, region)


def can_reveal_phone(user: Any, region: Any) -> bool:
    return has_role(user, PHONE_REVEAL_ROLES, region)


def can_see_sensitive(user: Any, region: Any) -> bool:
    """Whether the user may see sensitive care tags (disability, 低保, 特困) at the region."""
    return has_role(user, SENSITIVE_ROLES, region)


def can_view_audit(user: Any) -> bool:
    return has_role(user, AUDIT_ROLES)


def can_export(user: Any, region: Any = None) -> bool:
    return has_role(user, EXPORT_ROLES, region)


def can_edit_holidays(user: Any) -> bool:
    return is_district_admin(user)


def can_use_admin(user: Any) -> bool:
    return is_district_admin(user)


def unit_ids(user: Any) -> set[int]:
    """The units a user works for (from assignments that name a unit)."""
    return {unit for _role, _path, unit in assignments(user) if unit is not None}


def can_view_catalog(user: Any) -> bool:
    """Any staff role: the service catalog is the same in every community of the district."""
    return bool(role_paths(user))


def can_manage_catalog(user: Any) -> bool:
    """Adding and importing items: a district administrator (the catalog is the district's)."""
    return has_role(user, REGION_ADMIN_ROLES)


def can_edit_item(user: Any, department: Any) -> bool:
    """Editing an item: the administrators of its department's node."""
    return is_district_admin(user) or can_manage_regions(user, department.region)
