"""Fixtures for resource scenarios: a harness stack configured against the emulator, and a direct client."""

from __future__ import annotations

from pathlib import Path

import pytest

from pulumi_apikeys.capy.client import CapyApiKeysClient
from pulumi_apikeys.emulator import RunningEmulator
from pulumi_apikeys.openai.client import AdminApiKeysClient
from tests.backends import ResourceUnderTest, stack_config
from tests.harness import HarnessStack, Secret
from tests.harness.state import FAST_KDF_ITERATIONS


@pytest.fixture
def stack(tmp_path: Path, emulator: RunningEmulator, subject: ResourceUnderTest) -> HarnessStack:
    """A fresh stack whose config points ``subject``'s provider at the (reset) emulator (for the
    tables parametrized over every key resource)."""
    return HarnessStack(
        tmp_path / "stack",
        project="apikeys-test",
        stack="dev",
        config=stack_config(subject.settings, emulator),
        kdf_iterations=FAST_KDF_ITERATIONS,
        plugins=subject.plugins,
    )


@pytest.fixture
def harness_stack(tmp_path: Path, emulator: RunningEmulator) -> HarnessStack:
    """A fresh stack whose config points the provider at the (reset) emulator, the admin key a secret.

    The provider gets both through ``Configure`` only: the harness scrubs ``OPENAI_*`` from the
    environment of the program and of the provider server.
    """
    return HarnessStack(
        tmp_path / "stack",
        project="apikeys-test",
        stack="dev",
        config={
            "apikeys:openaiBaseUrl": emulator.endpoint("openai").base_url,
            "apikeys:openaiAdminKey": Secret(emulator.endpoint("openai").credential),
        },
        kdf_iterations=FAST_KDF_ITERATIONS,
    )


@pytest.fixture
def api_client(emulator: RunningEmulator) -> AdminApiKeysClient:
    """A client of the emulator's API, for changes made outside Pulumi."""
    return AdminApiKeysClient(
        admin_key=emulator.endpoint("openai").credential, base_url=emulator.endpoint("openai").base_url
    )


@pytest.fixture
def capy_stack(tmp_path: Path, emulator: RunningEmulator) -> HarnessStack:
    """A fresh stack whose config points the capy provider at the (reset) emulator, the API key a secret.

    As for ``harness_stack``, the provider gets both through ``Configure`` only: the harness scrubs
    ``CAPY_*`` from the environment of the program and of the provider server.
    """
    return HarnessStack(
        tmp_path / "capy-stack",
        project="apikeys-test",
        stack="dev",
        config={
            "apikeys:capyBaseUrl": emulator.endpoint("capy").base_url,
            "apikeys:capyApiKey": Secret(emulator.endpoint("capy").credential),
        },
        kdf_iterations=FAST_KDF_ITERATIONS,
    )


@pytest.fixture
def capy_client(emulator: RunningEmulator) -> CapyApiKeysClient:
    """A client of the emulator's capy API, for changes made outside Pulumi."""
    return CapyApiKeysClient(
        api_key=emulator.endpoint("capy").credential, base_url=emulator.endpoint("capy").base_url
    )
