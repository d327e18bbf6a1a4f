"""Two handlers press "take" on the same case at the same moment: one wins, one is told.

Each thread has its own database connection and its own transaction, as two requests would:
on PostgreSQL the row lock (SELECT ... FOR UPDATE) makes the second wait and then see the new
state; on SQLite the IMMEDIATE transaction mode makes the second writer wait for the first.

SQLite's in-memory test database is shared between connections through its shared cache,
whose table locks fail at once ("database table is locked") instead of waiting like the
database file of a deployment. So on SQLite this test copies the test database into a file
and runs on that, with the project's own connection settings (WAL, IMMEDIATE, busy timeout).
"""

import datetime as dt
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import translation

from shequ.cases.models import Case, CaseEvent
from shequ.cases.services import CaseConflict, case_transition
from shequ.cases.tests.factories import make_unit, on_day, open_application, unit_staff
from shequ.regions.tests.factories import make_world

TODAY = dt.date(2026, 3, 2)
ROUNDS = 5

# The flush at the end of a transactional test would empty the tables that migrations seed
# (holidays, region levels); serialized rollback puts them back for the tests that follow.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _database_file(transactional_db: None, tmp_path: Path) -> Iterator[None]:
    """On SQLite's in-memory test database, run the test on a file copy of it instead."""
    memory = connections["default"]
    if memory.vendor != "sqlite" or not memory.is_in_memory_db():  # type: ignore[attr-defined]
        yield
        return
    path = tmp_path / "race.sqlite3"
    memory.ensure_connection()
    target = sqlite3.connect(path)
    memory.connection.backup(target)
    target.close()
    shared = connections.settings["default"]
    # The in-memory connection keeps a settings copy of its own, so that it still knows it is
    # in memory (closing it would drop the database); new connections open the file.
    memory.settings_dict = dict(shared)
    name = shared["NAME"]
    shared["NAME"] = str(path)
    connections["default"] = connections.create_connection("default")
    try:
        yield
    finally:
        connections["default"].close()
        shared["NAME"] = name
        memory.settings_dict = shared
        connections["default"] = memory


def race(case: Case, actors: list[Any]) -> list[Any]:
    """Run `take` by each actor in its own thread, released together; returns each outcome."""
    start = threading.Barrier(len(actors))
    outcomes: list[Any] = [None] * len(actors)

    def attempt(index: int, actor: Any) -> None:
        try:
            with translation.override("en"):
                start.wait(timeout=10)
                outcomes[index] = case_transition(
                    case=case, name="take", actor=actor, expected_state="accepted"
                )
        except Exception as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(index, actor)) for index, actor in enumerate(actors)
    ]
    # The day is patched once, around all the threads: patches entered and left by several
    # threads at once restore each other's mocks, and the module would keep a fake "today".
    with on_day(TODAY):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def test_two_handlers_take_the_same_case_at_once_and_exactly_one_wins() -> None:
    world = make_world()
    unit = make_unit(world.street)
    handlers = [unit_staff(unit), unit_staff(unit)]
    # Several rounds, so that either thread gets to be first now and then.
    cases = [open_application(world, unit, on=TODAY) for _ in range(ROUNDS)]

    for case in cases:
        outcomes = race(case, handlers)

        winners = [o for o in outcomes if isinstance(o, Case)]
        losers = [o for o in outcomes if not isinstance(o, Case)]
        assert len(winners) == 1, outcomes
        assert len(losers) == 1 and isinstance(losers[0], CaseConflict), outcomes
        winner = handlers[outcomes.index(winners[0])]
        assert str(losers[0]).startswith(
            f"This matter was just moved to “Being handled” by {winner.name} at "
        )
        case.refresh_from_db()
        assert (case.state, case.handler_id) == ("handling", winner.pk)
        takes = CaseEvent.objects.filter(case=case, action="take")
        assert list(takes.values_list("actor_id", flat=True)) == [winner.pk]
        assert CaseEvent.objects.filter(case=case).count() == 2
