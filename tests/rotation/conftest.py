"""Fixtures for rotation's tests: the clock stopped for the rules, a harness stack for the pair."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
import time_machine

from pulumi_apikeys.emulator import RunningEmulator
from tests.backends import stack_config
from tests.harness import HarnessStack, Secret
from tests.harness.state import FAST_KDF_ITERATIONS
from tests.rotation.pair_helpers import PairUnderTest

START = datetime(2026, 12, 2, 5, 0, 0, tzinfo=timezone.utc)
"""Where the rules' clock stands still."""
START_SECONDS = int(START.timestamp())


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    """The process's clock stopped at ``START``; the in-process emulator reads it too."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


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
