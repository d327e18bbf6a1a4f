"""Queue tickets: the kiosk, calling at the window, the calling screen."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from shequ.hall.models import Ticket, Window
from shequ.hall.services import ticket_take
from shequ.regions.roles import Role
from shequ.regions.tests.factories import World, staff
from shequ.workdays import calendar

# These tests assert the English source wording.
pytestmark = pytest.mark.english


@pytest.fixture
def windows(world: World) -> tuple[Window, Window]:
    """The community's hall: window 1 serves queue A, window 2 serves A and B."""
    return (
        Window.objects.create(region=world.community, number=1, groups="A"),
        Window.objects.create(region=world.community, number=2, groups="A,B"),
    )


@pytest.fixture
def worker(client: Client, world: World) -> Client:
    client.force_login(world.users["window"])
    return client


def kiosk(world: World) -> str:
    return f"/hall/queue/kiosk/{world.community.pk}/"


def take(client: Client, world: World, group: str) -> Ticket:
    response = client.post(kiosk(world), {"group": group})
    assert response.status_code == 302
    return Ticket.objects.order_by("-id").first()  # type: ignore[return-value]


def rows() -> list[tuple[str, str, int | None]]:
    return [
        (t.label, t.status, t.window.number if t.window else None)
        for t in Ticket.objects.select_related("window").order_by("id")
    ]


def test_the_kiosk_offers_the_hall_s_queue_groups(
    client: Client, world: World, windows: tuple[Window, Window]
) -> None:
    ticket_take(region=world.community, group="B")
    response = client.get(kiosk(world))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('name="group"') == 2
    assert 'value="A"' in body and 'value="B"' in body
    assert "General services" in body
    assert "Queue B" in body
    assert "1 person waiting" in body


def test_ticket_numbers_increase_per_group_and_restart_the_next_day(
    client: Client, world: World, windows: tuple[Window, Window], monkeypatch: pytest.MonkeyPatch
) -> None:
    labels = [take(client, world, g).label for g in ("A", "A", "B", "A")]
    assert labels == ["A001", "A002", "B001", "A003"]
    tomorrow = calendar.today() + dt.timedelta(days=1)
    monkeypatch.setattr(calendar, "today", lambda: tomorrow)
    ticket = take(client, world, "A")
    assert (ticket.label, ticket.day) == ("A001", tomorrow)
    assert Ticket.objects.count() == 5


def test_the_ticket_shows_the_people_ahead(
    client: Client, world: World, windows: tuple[Window, Window]
) -> None:
    take(client, world, "A")
    take(client, world, "B")
    response = client.post(kiosk(world), {"group": "A"}, follow=True)
    body = response.content.decode()
    assert response.status_code == 200
    assert "A002" in body
    assert "1 person is waiting ahead of you" in body
    assert "data-print" in body


def test_the_kiosk_refuses_a_queue_the_hall_does_not_serve(
    client: Client, world: World, windows: tuple[Window, Window]
) -> None:
    response = client.post(kiosk(world), {"group": "Z"})
    assert response.status_code == 200
    assert "This queue is not served in this hall" in response.content.decode()
    assert not Ticket.objects.exists()


def test_only_a_community_or_street_with_windows_is_a_hall(
    client: Client, world: World, windows: tuple[Window, Window]
) -> None:
    Window.objects.create(region=world.grid, number=1)
    for region in (world.other_community, world.grid):
        assert client.get(f"/hall/queue/kiosk/{region.pk}/").status_code == 404
        assert client.post(f"/hall/queue/kiosk/{region.pk}/", {"group": "A"}).status_code == 404
        assert client.get(f"/hall/queue/screen/{region.pk}/").status_code == 404
    assert not Ticket.objects.exists()


def test_call_next_serves_the_current_and_calls_the_oldest_of_the_window_s_groups(
    worker: Client, world: World, windows: tuple[Window, Window]
) -> None:
    one, two = windows
    for group in ("A", "B", "A"):
        ticket_take(region=world.community, group=group)
    worker.post(f"/hall/queue/window/{one.pk}/next/")
    assert rows() == [("A001", "called", 1), ("B001", "waiting", None), ("A002", "waiting", None)]
    worker.post(f"/hall/queue/window/{two.pk}/next/")
    assert rows() == [("A001", "called", 1), ("B001", "called", 2), ("A002", "waiting", None)]
    response = worker.post(f"/hall/queue/window/{one.pk}/next/", follow=True)
    assert "Called A002 to window 1." in response.content.decode()
    assert rows() == [("A001", "served", 1), ("B001", "called", 2), ("A002", "called", 1)]
    served = Ticket.objects.get(number=1, group="A")
    assert served.finished_at is not None and served.called_by == world.users["window"]
    response = worker.post(f"/hall/queue/window/{one.pk}/next/", follow=True)
    assert "No one is waiting." in response.content.decode()
    assert rows() == [("A001", "served", 1), ("B001", "called", 2), ("A002", "served", 1)]


def test_did_not_come_closes_the_current_ticket(
    worker: Client, world: World, windows: tuple[Window, Window]
) -> None:
    one, _two = windows
    ticket_take(region=world.community, group="A")
    ticket_take(region=world.community, group="A")
    response = worker.post(f"/hall/queue/window/{one.pk}/skip/", follow=True)
    assert "No ticket is being served at this window." in response.content.decode()
    worker.post(f"/hall/queue/window/{one.pk}/next/")
    response = worker.post(f"/hall/queue/window/{one.pk}/skip/", follow=True)
    assert "A001 did not come." in response.content.decode()
    assert rows() == [("A001", "skipped", 1), ("A002", "waiting", None)]
    assert Ticket.objects.get(number=1).finished_at is not None
    worker.post(f"/hall/queue/window/{one.pk}/next/")
    assert rows() == [("A001", "skipped", 1), ("A002", "called", 1)]


def test_the_window_page_shows_today_s_figures(
    worker: Client, world: World, windows: tuple[Window, Window]
) -> None:
    one, _two = windows
    for _n in range(3):
        ticket_take(region=world.community, group="A")
    worker.post(f"/hall/queue/window/{one.pk}/next/")
    worker.post(f"/hall/queue/window/{one.pk}/next/")
    now = timezone.now()
    # A001 waited 4 minutes, A002 waited 6: on average 5.
    Ticket.objects.filter(number=1).update(
        issued_at=now - dt.timedelta(minutes=10), called_at=now - dt.timedelta(minutes=6)
    )
    Ticket.objects.filter(number=2).update(
        issued_at=now - dt.timedelta(minutes=8), called_at=now - dt.timedelta(minutes=2)
    )
    response = worker.get(f"/hall/queue/window/{one.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<div class="value" data-testid="current">A002</div>' in body
    assert '<div class="value" data-testid="served">1</div>' in body
    assert '<div class="value" data-testid="wait">5 minutes</div>' in body
    assert '<td>A</td><td class="num">1</td>' in body
    assert "<tr><td>A001</td><td>" in body
    assert '<td class="num">4 min</td>' in body
    partial = worker.get(f"/hall/queue/window/{one.pk}/", headers={"HX-Request": "true"})
    assert "A002" in partial.content.decode()
    assert "<html" not in partial.content.decode()


def test_the_worker_lists_the_windows_of_their_halls(
    worker: Client, world: World, windows: tuple[Window, Window]
) -> None:
    Window.objects.create(region=world.other_community, number=1)
    response = worker.get("/hall/queue/")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('href="/hall/queue/window/') == 2
    assert f'href="/hall/queue/screen/{world.community.pk}/"' in body
    assert world.other_community.name not in body


def test_a_stranger_gets_not_found_on_another_hall_s_window(
    client: Client, world: World, windows: tuple[Window, Window]
) -> None:
    one, _two = windows
    ticket_take(region=world.community, group="A")
    other_worker = staff(Role.WINDOW_WORKER, world.other_community)
    for user in (world.users["stranger"], other_worker):
        client.force_login(user)
        assert client.get(f"/hall/queue/window/{one.pk}/").status_code == 404
        assert client.post(f"/hall/queue/window/{one.pk}/next/").status_code == 404
        assert client.post(f"/hall/queue/window/{one.pk}/skip/").status_code == 404
    assert rows() == [("A001", "waiting", None)]


def test_roles_other_than_window_worker_are_forbidden(
    client: Client, world: World, windows: tuple[Window, Window]
) -> None:
    one, _two = windows
    ticket_take(region=world.community, group="A")
    for name in ("director", "supervisor"):
        client.force_login(world.users[name])
        assert client.get("/hall/queue/").status_code == 403
        assert client.get(f"/hall/queue/window/{one.pk}/").status_code == 403
        assert client.post(f"/hall/queue/window/{one.pk}/next/").status_code == 403
    assert rows() == [("A001", "waiting", None)]


def test_the_window_pages_need_a_login(client: Client, windows: tuple[Window, Window]) -> None:
    response = client.get(f"/hall/queue/window/{windows[0].pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_screen_polls_its_board_and_shows_the_called_numbers(
    worker: Client, world: World, windows: tuple[Window, Window]
) -> None:
    one, two = windows
    for group in ("A", "B", "A"):
        ticket_take(region=world.community, group=group)
    worker.post(f"/hall/queue/window/{one.pk}/next/")
    worker.post(f"/hall/queue/window/{two.pk}/next/")
    screen = Client(headers={"accept-language": "en"})
    url = f"/hall/queue/screen/{world.community.pk}/"
    page = screen.get(url).content.decode()
    assert f'hx-get="{url}"' in page
    assert 'hx-trigger="every 3s"' in page
    response = screen.get(url, headers={"HX-Request": "true"})
    board = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in board
    latest = board.split('class="board-latest"', 1)[1].split("</div>", 1)[0]
    assert "B001" in latest and "Window 2" in latest
    assert "<tr><td>A001</td><td>Window 1</td></tr>" in board
    assert "A002" not in board.split("board-queues")[0]
    assert "1 waiting" in board
