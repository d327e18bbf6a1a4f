import pytest
from django.utils import translation

from shequ.regions.tests.factories import World, make_world


@pytest.fixture
def world(db: None) -> World:
    return make_world()


@pytest.fixture
def zh() -> object:
    """Run the test in Simplified Chinese, the default interface language."""
    with translation.override("zh-hans"):
        yield


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> object:
    from shequ.workdays import calendar

    calendar.reload()
    yield
    calendar.reload()
