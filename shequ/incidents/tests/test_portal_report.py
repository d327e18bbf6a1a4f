"""A resident reports an incident through the portal and follows "my reports"."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from shequ.accounts.middleware import SESSION_KEY
from shequ.accounts.models import Resident
from shequ.accounts.services import resident_register
from shequ.cases.models import Case
from shequ.incidents.casetype import INCIDENT
from shequ.incidents.models_loop import Channel, Incident, PhotoStage
from shequ.incidents.tests.loop import IN_GRID, draw_grids, photo
from shequ.incidents.tests.table import Table
from shequ.lib.codes import display_code
from shequ.regions.tests.factories import World

pytestmark = pytest.mark.django_db
FORM = "/incidents/portal/report/"
MINE = "/incidents/portal/reports/"


def resident(phone: str = "13912345678", name: str = "李娜") -> Resident:
    return resident_register(phone=phone, name=name, password="Shequ-resident-1")


def portal(account: Resident) -> Client:
    client = Client()
    session = client.session
    session[SESSION_KEY] = account.pk
    session.save()
    return client


def body(table: Table, **changes: Any) -> dict[str, Any]:
    return {
        "category_id": table.garbage.pk,
        "description": "小区门口垃圾桶满溢",
        "lng": IN_GRID[0],
        "lat": IN_GRID[1],
        "address": "湖北路8号",
        "client_id": "resident-phone-1",
        "photos": [photo()],
        **changes,
    }


def test_the_form_and_my_reports_need_a_resident(world: World) -> None:
    for url in (FORM, MINE):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/portal/login/")
    # A staff session is not a resident's.
    staff = Client()
    staff.force_login(world.users["gridworker"])
    assert staff.get(FORM)["Location"].startswith("/portal/login/")


def test_a_resident_reports_with_the_phones_location(world: World, table: Table) -> None:
    draw_grids(world)
    account = resident()
    client = portal(account)
    form = client.get(FORM)
    assert form.status_code == 200
    assert 'id="report-data"' in form.content.decode()

    response = client.post(FORM, body(table))

    assert response.status_code == 302 and response["Location"] == MINE
    incident = Incident.objects.select_related("case").get()
    case = incident.case
    # Not verified on the spot: the grid worker checks a resident's report.
    assert (case.state, incident.channel, incident.resident_id) == (
        "reported",
        Channel.PORTAL,
        account.pk,
    )
    assert (case.region_id, incident.located, case.address) == (world.grid.pk, True, "湖北路8号")
    assert (case.requester_name, case.requester_phone_tail) == ("李娜", "5678")
    assert incident.photos.filter(stage=PhotoStage.BEFORE).count() == 1
    assert incident.reporter_id is None


def test_without_a_location_the_chosen_community_is_used(world: World, table: Table) -> None:
    client = portal(resident())
    response = client.post(FORM, body(table, lng="", lat="", grid_id=world.community.pk, photos=[]))
    assert response.status_code == 302
    incident = Incident.objects.select_related("case").get()
    assert (incident.case.region_id, incident.located) == (world.community.pk, False)


def test_a_report_without_a_place_is_refused_and_nothing_is_made(
    world: World, table: Table
) -> None:
    client = portal(resident())
    response = client.post(FORM, body(table, lng="", lat="", photos=[]))
    assert response.status_code == 200
    assert response.context["form"].errors["lat"]
    assert Case.objects.count() == 0
    # The rest of what was typed is kept for the resident to finish.
    assert "小区门口垃圾桶满溢" in response.content.decode()


def test_the_same_report_sent_twice_is_one(world: World, table: Table) -> None:
    draw_grids(world)
    client = portal(resident())
    assert client.post(FORM, body(table)).status_code == 302
    assert client.post(FORM, body(table)).status_code == 302
    assert Incident.objects.count() == 1


def test_another_residents_client_id_reveals_nothing(world: World, table: Table) -> None:
    draw_grids(world)
    portal(resident()).post(FORM, body(table))
    code = display_code(Case.objects.get().tracking_code)
    other = portal(resident("13912345679", "赵六"))
    response = other.post(FORM, body(table, description="路灯不亮"))
    assert response.status_code == 200
    assert code not in response.content.decode()
    assert Incident.objects.count() == 1
    assert code not in other.get(MINE).content.decode()


def test_my_reports_lists_only_my_own_with_the_public_state_words(
    world: World, table: Table
) -> None:
    draw_grids(world)
    mine, theirs = resident(), resident("13912345679", "赵六")
    portal(mine).post(FORM, body(table))
    portal(theirs).post(FORM, body(table, client_id="resident-phone-2", description="路灯不亮"))
    my_code, their_code = (
        display_code(Incident.objects.get(resident=account).case.tracking_code)
        for account in (mine, theirs)
    )

    page = portal(mine).get(MINE)

    html = page.content.decode()
    assert my_code in html and their_code not in html
    assert "小区门口垃圾桶满溢" in html and "路灯不亮" not in html
    assert str(INCIDENT.public_states["reported"]) in html
    assert [row["code"] for row in page.context["rows"]] == [my_code]
