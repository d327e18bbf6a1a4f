import pytest
from django.test import Client
from django.utils import translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from shequ.regions.tests.factories import World, make_world

# Property tests check what the code answers, not how fast examples are drawn: on a busy CI
# machine drawing slows down and the health check would fail a correct test.
hypothesis_settings.register_profile(
    "shequ", suppress_health_check=[HealthCheck.too_slow], deadline=None
)
hypothesis_settings.load_profile("shequ")


@pytest.fixture(autouse=True)
def _fresh_grid_locator() -> None:
    """Each process keeps an index of the grid boundaries it trusts for a few seconds; a test
    must not locate points against the boundaries (and regions) of a test rolled back."""
    from shequ.regions import locate

    locate.invalidate()


@pytest.fixture
def world(db: None) -> World:
    return make_world()


@pytest.fixture
def zh() -> object:
    """Run the test in Simplified Chinese, the default interface language."""
    with translation.override("zh-hans"):
        yield


def _language(request: pytest.FixtureRequest) -> str:
    """English for tests marked `english` (they assert the source wording), else the default."""
    from django.conf import settings

    return "en" if request.node.get_closest_marker("english") else settings.LANGUAGE_CODE


@pytest.fixture(autouse=True)
def _default_language(request: pytest.FixtureRequest) -> object:
    """Each test starts in its language: a request in English must not leak onward."""
    with translation.override(_language(request)):
        yield


@pytest.fixture
def client(request: pytest.FixtureRequest) -> Client:
    """The test client, asking for the test's language like a browser would."""
    return Client(headers={"accept-language": _language(request)})


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> object:
    from shequ.workdays import calendar

    calendar.reload()
    yield
    calendar.reload()
