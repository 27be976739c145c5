"""Fixtures for the key commands: each backend's group run against the (reset) emulator."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import CliRunner, Result

from pulumi_apikeys.capy.client import CapyApiKeysClient
from pulumi_apikeys.cli import main
from pulumi_apikeys.emulator import RunningEmulator
from pulumi_apikeys.openai.client import AdminApiKeysClient

ORG = "org_1"
"""The capy organization the tests keep their keys in."""

Run = Callable[..., Result]


@pytest.fixture
def openai_cli(emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch) -> Run:
    """Runs ``pulumi-apikeys openai ARGS``, configured for the emulator through the environment."""
    endpoint = emulator.endpoint("openai")
    monkeypatch.setenv("OPENAI_ADMIN_KEY", endpoint.credential)
    monkeypatch.setenv("OPENAI_BASE_URL", endpoint.base_url)
    return lambda *args: CliRunner().invoke(main, ["openai", *args])


@pytest.fixture
def capy_cli(emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch) -> Run:
    """Runs ``pulumi-apikeys capy ARGS``, configured for the emulator through the environment."""
    endpoint = emulator.endpoint("capy")
    monkeypatch.setenv("CAPY_API_KEY", endpoint.credential)
    monkeypatch.setenv("CAPY_BASE_URL", endpoint.base_url)
    return lambda *args: CliRunner().invoke(main, ["capy", *args])


@pytest.fixture
def openai_client(emulator: RunningEmulator) -> AdminApiKeysClient:
    """A client of the emulator's Admin API, for keys made outside the command line."""
    endpoint = emulator.endpoint("openai")
    return AdminApiKeysClient(admin_key=endpoint.credential, base_url=endpoint.base_url)


@pytest.fixture
def capy_client(emulator: RunningEmulator) -> CapyApiKeysClient:
    """A client of the emulator's capy API, for keys made outside the command line."""
    endpoint = emulator.endpoint("capy")
    return CapyApiKeysClient(api_key=endpoint.credential, base_url=endpoint.base_url)
