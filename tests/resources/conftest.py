"""Fixtures for resource scenarios: a harness stack configured against the emulator, and a direct client."""

from __future__ import annotations

from pathlib import Path

import pytest

from pulumi_apikeys.emulator import RunningEmulator
from pulumi_apikeys.openai.client import AdminApiKeysClient
from tests.harness import HarnessStack, Secret
from tests.harness.state import FAST_KDF_ITERATIONS


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
            "apikeys:openaiBaseUrl": emulator.base_url,
            "apikeys:openaiAdminKey": Secret(emulator.admin_key),
        },
        kdf_iterations=FAST_KDF_ITERATIONS,
    )


@pytest.fixture
def api_client(emulator: RunningEmulator) -> AdminApiKeysClient:
    """A client of the emulator's API, for changes made outside Pulumi."""
    return AdminApiKeysClient(admin_key=emulator.admin_key, base_url=emulator.base_url)
