import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from shequ.audit.models import Action, AuditEvent
from shequ.regions import permissions as perms
from shequ.regions.models import Level, Region, RegionMove
from shequ.regions.services import region_create, region_move, region_update
from shequ.regions.tests.factories import World


def test_visible_to_is_the_users_subtree(world: World) -> None:
    codes = lambda user: sorted(Region.objects.visible_to(user).values_list("code", flat=True))  # noqa: E731
    assert codes(world.users["gridworker"]) == [world.grid.code]
    assert codes(world.users["director"]) == sorted(
        [world.community.code, world.grid.code, world.sibling.code]
    )
    assert len(codes(world.users["admin"])) == Region.objects.count()


def test_a_user_without_roles_sees_nothing(world: World) -> None:
    from shequ.regions.tests.factories import UserFactory

    assert Region.objects.visible_to(UserFactory()).count() == 0


def test_permissions_by_role_and_node(world: World) -> None:
    assert perms.can_manage_regions(world.users["admin"], world.grid)
    assert not perms.can_manage_regions(world.users["street"], world.grid)
    assert perms.can_reveal_identity(world.users["director"], world.grid)
    assert not perms.can_reveal_identity(world.users["gridworker"], world.grid)
    assert perms.can_reveal_phone(world.users["gridworker"], world.grid)
    assert not perms.can_reveal_phone(world.users["gridworker"], world.sibling)
    assert perms.is_read_only(world.users["supervisor"])
    assert not perms.can_write(world.users["supervisor"], world.grid)
    assert perms.can_view_audit(world.users["supervisor"])
    assert perms.is_district_admin(world.users["admin"])
    assert not perms.is_district_admin(world.users["street"])


def test_create_checks_code_and_level(world: World, zh: None) -> None:
    admin = world.users["admin"]
    community = Level.objects.get(key="community")
    with pytest.raises(ValidationError) as error:
        region_create(
            actor=admin, code="13010500100", name="x", level=community, parent=world.street
        )
    assert error.value.message_dict["code"] == ["社区的编码应为12位，现在是11位"]
    with pytest.raises(ValidationError) as error:
        region_create(
            actor=admin, code="999999999001", name="x", level=community, parent=world.street
        )
    assert error.value.message_dict["code"] == ["编码应以上级编码130105001开头"]
    before = Region.objects.count()
    with pytest.raises(ValidationError):
        region_create(
            actor=admin, code="130105001099", name="x", level=community, parent=world.grid
        )
    assert Region.objects.count() == before
    region = region_create(
        actor=admin, code="130105001099", name="新社区", level=community, parent=world.street
    )
    assert region.path == f"{world.street.path}{region.pk}/"
    assert region.depth == 2
    assert AuditEvent.objects.filter(action=Action.CREATE, object_id=str(region.pk)).count() == 1


def test_move_carries_the_subtree_and_is_recorded(world: World) -> None:
    admin = world.users["admin"]
    moved = region_move(actor=admin, region=world.community, new_parent=world.other_street)
    assert moved.path == f"{world.other_street.path}{world.community.pk}/"
    world.grid.refresh_from_db()
    assert world.grid.path == f"{moved.path}{world.grid.pk}/"
    assert world.grid.depth == 3
    assert RegionMove.objects.get().subtree_size == 3
    assert AuditEvent.objects.filter(action=Action.MOVE).count() == 1
    # The street manager of the old street no longer sees the grid; the grid worker still does.
    assert not Region.objects.visible_to(world.users["street"]).filter(pk=world.grid.pk).exists()
    assert Region.objects.visible_to(world.users["gridworker"]).filter(pk=world.grid.pk).exists()


def test_move_under_own_subtree_is_refused(world: World) -> None:
    with pytest.raises(ValidationError):
        region_move(actor=world.users["admin"], region=world.street, new_parent=world.grid)
    world.street.refresh_from_db()
    assert world.street.parent_id == world.district.pk


def test_update_records_changed_fields(world: World) -> None:
    region_update(actor=world.users["admin"], region=world.grid, name="湖北第一网格")
    event = AuditEvent.objects.get(action=Action.UPDATE)
    assert event.changes == {"name": ["湖北一网格", "湖北第一网格"]}


def test_region_page_of_own_grid_and_refusals(world: World, client: Client) -> None:
    client.force_login(world.users["gridworker"])
    response = client.get(f"/regions/{world.grid.pk}/")
    assert response.status_code == 200
    assert client.get(f"/regions/{world.sibling.pk}/").status_code == 404
    assert client.get("/regions/").url == f"/regions/{world.grid.pk}/"  # type: ignore[attr-defined]
    assert (
        client.post(
            f"/regions/{world.grid.pk}/edit/", {"name": "x", "code": world.grid.code}
        ).status_code
        == 403
    )
    world.grid.refresh_from_db()
    assert world.grid.name == "湖北一网格"


def test_admin_edits_and_moves_on_the_page(world: World, client: Client) -> None:
    client.force_login(world.users["admin"])
    response = client.post(
        f"/regions/{world.grid.pk}/edit/",
        {"name": "湖北一号网格", "code": world.grid.code, "community_type": ""},
    )
    assert response.status_code == 302
    world.grid.refresh_from_db()
    assert world.grid.name == "湖北一号网格"
    response = client.post(
        f"/regions/{world.grid.pk}/move/", {"new_parent": world.other_community.pk}
    )
    assert response.status_code == 302
    world.grid.refresh_from_db()
    assert world.grid.parent_id == world.other_community.pk


def test_region_page_query_count(
    world: World, client: Client, django_assert_max_num_queries: object
) -> None:
    client.force_login(world.users["admin"])
    with django_assert_max_num_queries(25):  # type: ignore[operator]
        assert client.get(f"/regions/{world.district.pk}/").status_code == 200


def test_geojson_of_children(world: World, client: Client) -> None:
    square = {
        "type": "Polygon",
        "coordinates": [[[114.0, 38.0], [114.1, 38.0], [114.1, 38.1], [114.0, 38.0]]],
    }
    region_update(actor=world.users["admin"], region=world.grid, boundary=square)
    client.force_login(world.users["director"])
    data = client.get(f"/regions/{world.community.pk}/geojson/").json()
    assert [f["properties"]["code"] for f in data["features"]] == [world.grid.code]


def test_api_create_and_move(world: World, client: Client) -> None:
    client.force_login(world.users["admin"])
    response = client.post(
        "/api/v1/regions",
        {
            "code": "130105001001003",
            "name": "湖北三网格",
            "level": "grid",
            "parent_id": world.community.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    new_id = response.json()["id"]
    response = client.post(
        f"/api/v1/regions/{new_id}/move",
        {"new_parent_id": world.other_community.pk},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["parent_id"] == world.other_community.pk
    client.force_login(world.users["street"])
    response = client.patch(
        f"/api/v1/regions/{new_id}", {"name": "x"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_api_import_and_export(world: World, client: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.users["admin"])
    good = "编码,名称,层级,上级编码\n130105001001003,湖北三网格,grid,130105001001\n"
    response = client.post(
        "/api/v1/regions/import",
        {"file": SimpleUploadedFile("tree.csv", good.encode("utf-8-sig"), "text/csv")},
    )
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 1
    bad = (
        good.replace("130105001001003,湖北三网格", "130105001001004,湖北四网格")
        + "12,坏行,grid,130105001001\n"
    )
    before = Region.objects.count()
    response = client.post(
        "/api/v1/regions/import",
        {"file": SimpleUploadedFile("tree.csv", bad.encode("utf-8-sig"), "text/csv")},
    )
    assert response.status_code == 400
    assert [(e["row"], e["value"]) for e in response.json()] == [(3, "12")]
    assert Region.objects.count() == before
    response = client.get(f"/api/v1/regions/{world.community.pk}/export?format=geojson")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    client.force_login(world.users["gridworker"])
    assert client.get(f"/api/v1/regions/{world.community.pk}/export").status_code == 404
