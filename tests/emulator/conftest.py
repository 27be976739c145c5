"""Fixtures for the emulator's tests: plain httpx clients of a running emulator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from pulumi_apikeys.emulator import RunningEmulator

from .helpers import KEYS, bearer


@pytest.fixture
def api(emulator: RunningEmulator) -> Iterator[httpx.Client]:
    """An httpx client of the emulator's API, authenticated with the configured admin key."""
    with httpx.Client(
        base_url=emulator.endpoint("openai").base_url,
        headers=bearer(emulator.endpoint("openai").credential),
        trust_env=False,
        timeout=10,
    ) as client:
        yield client


@pytest.fixture
def create_key(api: httpx.Client) -> Callable[..., dict[str, Any]]:
    """Creates a key through the API and returns the create response's body."""

    def create(name: str = "test-key", **fields: Any) -> dict[str, Any]:
        response = api.post(KEYS, json={"name": name, **fields})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    return create
