"""Fixtures of the incident tests: a small category table, built through the services."""

from __future__ import annotations

import pytest

from shequ.incidents.models import IncidentCategory
from shequ.incidents.tests.table import Table, make_table
from shequ.regions.tests.factories import World


@pytest.fixture
def table(world: World) -> Table:
    return make_table(world)


@pytest.fixture
def garbage(table: Table) -> IncidentCategory:
    """事件 0102 暴露垃圾, handled by the sanitation unit."""
    return table.garbage
