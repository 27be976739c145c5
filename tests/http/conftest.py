"""Fixtures for the HTTP layer's unit tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .fake_api import FakeApi, Handler


@pytest.fixture
def fake_api() -> Callable[..., FakeApi]:
    def make(*handlers: Handler) -> FakeApi:
        return FakeApi(list(handlers))

    return make
