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
def _default_language() -> object:
    """Each test starts in the default language: a request in English must not leak onward."""
    from django.conf import settings

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> object:
    from shequ.workdays import calendar

    calendar.reload()
    yield
    calendar.reload()
