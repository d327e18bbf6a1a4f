"""The region tree (district > street > community > grid > sub-grid > cell) and role memberships."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shequ.regions.roles import Role

if TYPE_CHECKING:
    from shequ.accounts.models import User


class Level(models.Model):
    """A level of the tree, as data: a deployment may use fewer levels or rename them."""

    key = models.SlugField(_("key"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=32)
    depth = models.PositiveSmallIntegerField(_("depth"), unique=True)
    # Number of digits a code has at this level (6 for a district, 9 street, 12 community);
    # empty where the deployment's grid scheme decides.
    code_digits = models.PositiveSmallIntegerField(_("code digits"), null=True, blank=True)

    class Meta:
        ordering = ["depth"]
        verbose_name = _("level")
        verbose_name_plural = _("levels")

    def __str__(self) -> str:
        return self.name


class CommunityType(models.TextChoices):
    """Seed 002 governs each type of community differently."""

    FRINGE = "fringe", _("Urban-rural fringe")
    OLD_TOWN = "old_town", _("Old town")
    ABANDONED = "abandoned", _("Without a property company")
    GATED = "gated", _("Gated high-end compound")
    ORDINARY = "ordinary", _("Ordinary residential")


def scope_filter(prefixes: list[str], field: str) -> Q:
    """A Q that keeps rows whose materialized path starts with one of the prefixes."""
    query = Q(pk__in=[])
    for prefix in prefixes:
        query |= Q(**{f"{field}__startswith": prefix})
    return query


class ScopedQuerySet(models.QuerySet):
    """Base of every scoped queryset: `visible_to(user)` is the one filter by region subtree.

    Subclasses set `scope_path` to the lookup that reaches the region's materialized path
    (for example "region__path"). A user with no role assignment sees nothing: the filter
    fails closed.
    """

    scope_path: str = "region__path"

    def visible_to(self, user: Any) -> Self:
        from shequ.regions.scoping import scope_prefixes

        prefixes = scope_prefixes(user)
        if not prefixes:
            return self.none()
        return self.filter(scope_filter(prefixes, self.scope_path))


class RegionQuerySet(ScopedQuerySet):
    scope_path = "path"

    def subtree(self, region: Region) -> Self:
        return self.filter(path__startswith=region.path)

    def at_level(self, key: str) -> Self:
        return self.filter(level__key=key)


class Region(models.Model):
    """A node of the region tree.

    `path` is the materialized path of primary keys ("/1/7/42/"): a subtree is
    `path__startswith`, and a role on a node reaches everything below it.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.ForeignKey(Level, on_delete=models.PROTECT, verbose_name=_("level"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    # Subtree queries: `path LIKE '/1/7/%'` (varchar_pattern_ops index on PostgreSQL).
    path = models.CharField(_("path"), max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)
    community_type = models.CharField(
        _("community type"), max_length=16, choices=CommunityType.choices, blank=True
    )
    is_special = models.BooleanField(
        _("special grid"),
        default=False,
        help_text=_("A grid that covers one unit such as a school, hospital or park."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        indexes = [
            # Children of a node in code order, for the tree browser.
            models.Index(fields=["parent", "code"], name="region_parent_code"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def ancestors(self) -> models.QuerySet[Region]:
        ids = [int(part) for part in self.path.strip("/").split("/")[:-1] if part]
        return Region.objects.filter(pk__in=ids).select_related("level").order_by("depth")

    @property
    def is_root(self) -> bool:
        return self.parent_id is None


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("Government department")
    STREET_OFFICE = "street_office", _("Street office")
    COMMUNITY = "community", _("Community office")
    PARTNER = "partner", _("Partner unit")


class Unit(models.Model):
    """A unit that owns and handles matters: a department, a street office, a partner unit.

    It sits at a node of the tree (a district department at the district); its handlers hold
    the back-office role at that node with the unit named on the assignment.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="units", verbose_name=_("region")
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name


class RoleAssignment(models.Model):
    """A staff user's role at a node of the tree: reaches the node's whole subtree.

    `unit` names the unit a back-office handler works for (its work queue).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("region")
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("unit"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                condition=models.Q(unit__isnull=True),
                name="assignment_unique",
            ),
            # A back-office handler may work for several units at the same node.
            models.UniqueConstraint(
                fields=["user", "role", "region", "unit"],
                condition=models.Q(unit__isnull=False),
                name="assignment_unit_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} @ {self.region.name}"


class RegionMove(models.Model):
    """History of moves: a node and its subtree changed parent. Append-only."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="moves")
    old_parent = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    new_parent = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    old_path = models.CharField(max_length=255)
    new_path = models.CharField(max_length=255)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    moved_at = models.DateTimeField(auto_now_add=True)
    subtree_size = models.PositiveIntegerField()

    class Meta:
        ordering = ["-moved_at"]
        verbose_name = _("region move")
        verbose_name_plural = _("region moves")

    def __str__(self) -> str:
        return f"{self.region} {self.old_path} → {self.new_path}"


def user_regions(user: User) -> models.QuerySet[Region]:
    """The nodes a user holds roles at."""
    return Region.objects.filter(assignments__user=user).distinct()
