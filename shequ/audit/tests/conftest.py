from dataclasses import dataclass

import pytest
from django.test import Client

from shequ.accounts.models import User
from shequ.audit.models import Action, AuditEvent
from shequ.audit.services import Target, audit_record
from shequ.regions.tests.factories import World


@dataclass
class Events:
    """One event at each place of the small district, and one tied to no region."""

    grid: AuditEvent
    sibling: AuditEvent
    other_community: AuditEvent
    other_street: AuditEvent
    unplaced: AuditEvent


def record(actor: User | None, path: str, repr_: str, action: str = Action.UPDATE) -> AuditEvent:
    return audit_record(
        actor=actor,
        action=action,
        obj=Target("people.person", repr_, repr_, region_path=path),
        changes={"name": [f"{repr_}-old", repr_]},
        reason="",
    )


@pytest.fixture
def events(world: World) -> Events:
    admin = world.users["admin"]
    return Events(
        grid=record(admin, world.grid.path, "grid-person"),
        sibling=record(admin, world.sibling.path, "sibling-person"),
        other_community=record(admin, world.other_community.path, "other-community-person"),
        other_street=record(admin, world.other_street.path, "other-street-person"),
        unplaced=record(None, "", "system-thing", Action.LOGIN_FAILED),
    )


@pytest.fixture
def login(client: Client) -> object:
    """Log a user in; pages answer in English, the source language of the messages."""

    def _login(user: User) -> Client:
        client.force_login(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return _login
