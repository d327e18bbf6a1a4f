"""The read-only admin and the seeding command."""

import datetime as dt

import pytest
from django.core.management import call_command

from shequ.workdays.models import CalendarYear, SpecialDay

pytestmark = pytest.mark.django_db


def test_the_admin_lists_the_table_read_only(client, world) -> None:
    client.force_login(world.users["admin"])
    assert client.get("/admin/workdays/specialday/").status_code == 200
    assert client.get("/admin/workdays/calendaryear/").status_code == 200
    assert client.get("/admin/workdays/specialday/add/").status_code == 403
    day = SpecialDay.objects.get(date=dt.date(2026, 10, 1))
    before = (day.kind, day.name)
    response = client.post(
        f"/admin/workdays/specialday/{day.pk}/change/", {"kind": "workday", "name": "x"}
    )
    assert response.status_code == 403
    day.refresh_from_db()
    assert (day.kind, day.name) == before
    assert (
        client.post(f"/admin/workdays/specialday/{day.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert SpecialDay.objects.filter(pk=day.pk).exists()


def test_a_grid_worker_has_no_admin(client, world) -> None:
    client.force_login(world.users["gridworker"])
    assert client.get("/admin/workdays/specialday/").status_code == 302


def test_the_seed_command(db, capsys) -> None:
    SpecialDay.objects.filter(date__year=2026).delete()
    CalendarYear.objects.filter(year=2026).delete()

    call_command("workdays_seed", "--from-year", "2026")

    assert SpecialDay.objects.filter(date__year=2026).count() == 39
    assert CalendarYear.objects.filter(year=2026).exists()
    assert capsys.readouterr().out == "40 rows written; the package covers 2004-2026.\n"
