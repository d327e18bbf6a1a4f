"""Writes to the region tree and to role assignments. Every write is audited."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.http import HttpRequest
from django.utils.translation import gettext as _

from shequ.audit.models import Action
from shequ.audit.services import audit_record, diff, snapshot
from shequ.regions.models import Level, Region, RegionMove, RoleAssignment, Unit
from shequ.regions.scoping import forget_scope

EDITABLE = ("code", "name", "boundary", "community_type", "is_special")


def child_path(parent: Region | None, pk: int) -> str:
    return f"{parent.path if parent else '/'}{pk}/"


def validate_code(code: str, level: Level, parent: Region | None) -> None:
    """Codes are digit strings; at levels with a fixed width they extend the parent's code."""
    errors: list[str] = []
    if not code or not code.isdigit():
        errors.append(_("The code must consist of digits"))
    elif level.code_digits and len(code) != level.code_digits:
        errors.append(
            _("A %(level)s code has %(digits)d digits, this one has %(count)d")
            % {"level": level.name, "digits": level.code_digits, "count": len(code)}
        )
    elif parent is not None and not code.startswith(parent.code):
        errors.append(
            _("The code should start with the parent's code %(code)s") % {"code": parent.code}
        )
    elif (
        parent is not None
        and not level.code_digits
        and len(code) != len(parent.code) + settings.GRID_CODE_DIGITS
    ):
        # Below the community the deployment's scheme adds GRID_CODE_DIGITS digits per level.
        errors.append(
            _("A %(level)s code has %(digits)d digits, this one has %(count)d")
            % {
                "level": level.name,
                "digits": len(parent.code) + settings.GRID_CODE_DIGITS,
                "count": len(code),
            }
        )
    if errors:
        raise ValidationError({"code": errors})


def validate_level(level: Level, parent: Region | None) -> None:
    if parent is None:
        if Level.objects.filter(depth__lt=level.depth).exists():
            raise ValidationError({"parent": _("Only the top level may have no parent")})
    elif parent.level.depth >= level.depth:
        raise ValidationError(
            {
                "level": _("A %(child)s cannot sit under a %(parent)s")
                % {"child": level.name, "parent": parent.level.name}
            }
        )


@transaction.atomic
def region_create(
    *,
    actor: Any,
    code: str,
    name: str,
    level: Level,
    parent: Region | None,
    boundary: dict[str, Any] | None = None,
    community_type: str = "",
    is_special: bool = False,
    request: HttpRequest | None = None,
) -> Region:
    """Add a node under `parent`; its path is set once the primary key is known."""
    validate_level(level, parent)
    validate_code(code, level, parent)
    if Region.objects.filter(code=code).exists():
        raise ValidationError({"code": _("The code %(code)s is taken") % {"code": code}})
    region = Region.objects.create(
        code=code,
        name=name,
        level=level,
        parent=parent,
        path="",
        depth=(parent.depth + 1) if parent else 0,
        boundary=boundary,
        community_type=community_type,
        is_special=is_special,
    )
    region.path = child_path(parent, region.pk)
    region.save(update_fields=["path"])
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=region,
        changes=diff({}, snapshot(region, EDITABLE)),
        request=request,
    )
    return region


@transaction.atomic
def region_update(
    *, actor: Any, region: Region, request: HttpRequest | None = None, **values: Any
) -> Region:
    """Change a node's own fields (not its place in the tree: that is `region_move`)."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    region = (
        Region.objects.select_for_update(of=("self",))
        .select_related("level", "parent")
        .get(pk=region.pk)
    )
    before = snapshot(region, EDITABLE)
    if "code" in values and values["code"] != region.code:
        validate_code(values["code"], region.level, region.parent)
        if Region.objects.filter(code=values["code"]).exclude(pk=region.pk).exists():
            raise ValidationError(
                {"code": _("The code %(code)s is taken") % {"code": values["code"]}}
            )
    for name, value in values.items():
        setattr(region, name, value)
    region.save(update_fields=[*values, "updated_at"])
    changes = diff(before, snapshot(region, EDITABLE))
    if changes:
        audit_record(
            actor=actor, action=Action.UPDATE, obj=region, changes=changes, request=request
        )
    return region


@transaction.atomic
def region_move(
    *, actor: Any, region: Region, new_parent: Region, request: HttpRequest | None = None
) -> Region:
    """Move a node and its whole subtree under another parent; records keep their node.

    Every record points at its node by key, so moving a grid moves its people, dwellings and
    cases with it; the move itself is kept in RegionMove and in the audit log.
    """
    region = (
        Region.objects.select_for_update(of=("self",))
        .select_related("level", "parent")
        .get(pk=region.pk)
    )
    new_parent = Region.objects.select_related("level").get(pk=new_parent.pk)
    if new_parent.path.startswith(region.path):
        raise ValidationError({"parent": _("A node cannot move under itself or its own subtree")})
    if region.parent_id is None:
        raise ValidationError({"parent": _("The top of the tree cannot be moved")})
    validate_level(region.level, new_parent)
    if region.parent_id == new_parent.pk:
        return region
    old_parent = region.parent
    assert old_parent is not None
    old_path = region.path
    new_path = child_path(new_parent, region.pk)
    depth_shift = new_parent.depth + 1 - region.depth
    subtree = Region.objects.filter(path__startswith=old_path)
    size = subtree.count()
    subtree.update(
        path=Concat(Value(new_path), Substr(F("path"), Length(Value(old_path)) + 1)),
        depth=F("depth") + depth_shift,
    )
    Region.objects.filter(pk=region.pk).update(parent=new_parent)
    RegionMove.objects.create(
        region=region,
        old_parent=old_parent,
        new_parent=new_parent,
        old_path=old_path,
        new_path=new_path,
        moved_by=actor if getattr(actor, "is_authenticated", False) else None,
        subtree_size=size,
    )
    region.refresh_from_db()
    audit_record(
        actor=actor,
        action=Action.MOVE,
        obj=region,
        changes={"parent": [old_parent.pk, new_parent.pk], "path": [old_path, new_path]},
        request=request,
    )
    return region


@transaction.atomic
def assignment_create(
    *,
    actor: Any,
    user: Any,
    role: str,
    region: Region,
    unit: Unit | None = None,
    request: HttpRequest | None = None,
) -> RoleAssignment:
    """Give a user a role at a node (and, for back-office work, the unit they handle for)."""
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, region=region, unit=unit
    )
    if created:
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=assignment,
            changes={
                "user": [None, user.pk],
                "role": [None, role],
                "region": [None, region.pk],
                "unit": [None, unit.pk if unit else None],
            },
            request=request,
            region_path=region.path,
        )
    forget_scope(user)
    return assignment


@transaction.atomic
def assignment_delete(
    *, actor: Any, assignment: RoleAssignment, request: HttpRequest | None = None
) -> None:
    audit_record(
        actor=actor,
        action=Action.DELETE,
        obj=assignment,
        changes={"role": [assignment.role, None]},
        request=request,
        region_path=assignment.region.path,
    )
    user = assignment.user
    assignment.delete()
    forget_scope(user)
