"""Fixtures for the rotating pair's scenarios: a harness stack for the pair under test."""

from __future__ import annotations

from pathlib import Path

import pytest

from pulumi_apikeys.emulator import RunningEmulator
from tests.backends import stack_config
from tests.harness import HarnessStack, Secret
from tests.harness.state import FAST_KDF_ITERATIONS
from tests.rotation.pair_helpers import PairUnderTest


@pytest.fixture
def pair_stack(tmp_path: Path, emulator: RunningEmulator, pair: PairUnderTest) -> HarnessStack:
    """A fresh stack whose config points the pair's provider at the (reset) emulator, on the pair's
    face (the plugin folder as a project package for the plugin face)."""
    return HarnessStack(
        tmp_path / "stack",
        project="apikeys-test",
        stack="dev",
        config={
            key: value if isinstance(value, Secret) else str(value)
            for key, value in stack_config(pair.key.settings, emulator).items()
        },
        kdf_iterations=FAST_KDF_ITERATIONS,
        plugins=pair.key.plugins,
    )
