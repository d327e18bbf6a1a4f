"""Factories for the region tree and staff users with roles."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

import factory

from shequ.accounts.models import User
from shequ.regions.models import Level, Region, RoleAssignment
from shequ.regions.roles import Role

PASSWORD = "Shequ-test-2026"


DEFAULT_LEVELS = {
    key: (name, depth, digits)
    for key, name, depth, digits in import_module(
        "shequ.regions.migrations.0002_default_levels"
    ).LEVELS
}


def level(key: str) -> Level:
    """The level row; recreated when a transactional test's flush removed the migration's rows."""
    name, depth, digits = DEFAULT_LEVELS[key]
    found, _created = Level.objects.get_or_create(
        key=key, defaults={"name": name, "depth": depth, "code_digits": digits}
    )
    return found


def make_region(code: str, name: str, level_key: str, parent: Region | None = None) -> Region:
    """Insert a node directly (tests only: the app writes through regions.services)."""
    region = Region.objects.create(
        code=code,
        name=name,
        level=level(level_key),
        parent=parent,
        path="",
        depth=(parent.depth + 1) if parent else 0,
    )
    region.path = f"{parent.path if parent else '/'}{region.pk}/"
    region.save(update_fields=["path"])
    return region


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"工作人员{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


def staff(role: str, region: Region, username: str | None = None) -> User:
    user: User = UserFactory(username=username) if username else UserFactory()  # type: ignore[assignment]
    RoleAssignment.objects.create(user=user, role=role, region=region)
    return user


@dataclass
class World:
    """A small district: 2 streets, 2 communities in the first, 2 grids in each community.

    `grid` is the home grid of the grid worker; `sibling` is the grid next to it in the same
    community: the stranger's grid in the scoping tests.
    """

    district: Region
    street: Region
    other_street: Region
    community: Region
    other_community: Region
    grid: Region
    sibling: Region
    users: dict[str, User] = field(default_factory=dict)


def make_world() -> World:
    district = make_region("130105", "新华区", "district")
    street = make_region("130105001", "古楼街道", "street", district)
    other_street = make_region("130105002", "新区街道", "street", district)
    community = make_region("130105001001", "湖北社区", "community", street)
    other_community = make_region("130105001002", "八一社区", "community", street)
    make_region("130105002001", "御苑社区", "community", other_street)
    grid = make_region("130105001001001", "湖北一网格", "grid", community)
    sibling = make_region("130105001001002", "湖北二网格", "grid", community)
    make_region("130105001002001", "八一一网格", "grid", other_community)
    world = World(district, street, other_street, community, other_community, grid, sibling)
    world.users = {
        "admin": staff(Role.DISTRICT_ADMIN, district, "admin"),
        "street": staff(Role.STREET_MANAGER, street, "street"),
        "director": staff(Role.COMMUNITY_LEADER, community, "director"),
        "window": staff(Role.WINDOW_WORKER, community, "window"),
        "gridworker": staff(Role.GRID_WORKER, grid, "gridworker"),
        "stranger": staff(Role.GRID_WORKER, sibling, "stranger"),
        "supervisor": staff(Role.SUPERVISOR, district, "supervisor"),
    }
    return world
