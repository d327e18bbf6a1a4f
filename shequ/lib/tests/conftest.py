import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english() -> object:
    """Messages are asserted in English, the source language; Chinese is the translation."""
    with translation.override("en"):
        yield
