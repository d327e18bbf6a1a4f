from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from shequ.accounts.models import User
from shequ.audit.models import AuditEvent
from shequ.audit.tests.conftest import Events
from shequ.regions.tests.factories import World

Login = Callable[[User], Client]


def test_district_admin_reads_the_log(login: Login, world: World, events: Events) -> None:
    client = login(world.users["admin"])

    listing = client.get(reverse("admin:audit_auditevent_changelist"))
    detail = client.get(reverse("admin:audit_auditevent_change", args=[events.grid.pk]))

    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 5
    assert detail.status_code == 200
    assert events.grid.hash in detail.content.decode()


def test_nothing_can_be_added_changed_or_deleted(
    login: Login, world: World, events: Events
) -> None:
    client = login(world.users["admin"])
    change = reverse("admin:audit_auditevent_change", args=[events.grid.pk])

    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert client.post(change, {"object_repr": "forged"}).status_code == 403
    delete = reverse("admin:audit_auditevent_delete", args=[events.grid.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    listing = client.get(reverse("admin:audit_auditevent_changelist"))
    assert b"delete_selected" not in listing.content
    assert AuditEvent.objects.get(pk=events.grid.pk).object_repr == "grid-person"
    assert AuditEvent.objects.count() == 5


def test_other_roles_are_kept_out(login: Login, world: World, events: Events) -> None:
    for name in ("street", "director", "supervisor"):
        response = login(world.users[name]).get(reverse("admin:audit_auditevent_changelist"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
