"""For tests that assert the English source messages: an English client and thread language.

The interface defaults to Simplified Chinese; these tests check wording in the source language,
so the translation can change without breaking them.
"""

from collections.abc import Iterator

import pytest
from django.test import Client
from django.utils import translation


@pytest.fixture
def client() -> Client:
    return Client(headers={"accept-language": "en"})


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield
