"""Fixtures of the fault suite: a harness stack with a quick retry budget, and the figures report.

Every test here carries the ``faults`` marker: ``pytest -m faults`` runs the suite alone and prints
its figures (the root ``conftest`` prints them, as the one that pytest-xdist's controller loads);
the default run (CI's) includes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import pytest

from pulumi_apikeys import registry
from pulumi_apikeys.emulator import RunningEmulator
from tests.backends import PLUGINS, stack_config
from tests.faults.figures import FIGURES, THROTTLE_FIGURES
from tests.harness import HarnessStack
from tests.harness.state import FAST_KDF_ITERATIONS

QUICK_BUDGET = {"apikeys:requestTimeout": "5", "apikeys:totalTimeout": "60"}
"""Short timeouts keep a lost answer from holding a test up; retries stay at the default (3)."""


def fault_stack(
    workdir: Path, emulator: RunningEmulator, budget: dict[str, str] = QUICK_BUDGET, *, timeout: float = 120.0
) -> HarnessStack:
    """A stack whose provider talks to ``emulator`` with ``budget`` (by default the quick one);
    ``timeout`` bounds each operation."""
    return HarnessStack(
        workdir,
        project="apikeys-faults",
        stack="dev",
        config={
            # Every backend's settings: each provider reads only its own.
            **{
                key: value
                for backend in registry.registered()
                for key, value in stack_config(backend, emulator).items()
            },
            **budget,
        },
        kdf_iterations=FAST_KDF_ITERATIONS,
        timeout=timeout,
        plugins=PLUGINS,
    )


@pytest.fixture
def stack(tmp_path: Path, emulator: RunningEmulator) -> HarnessStack:
    """A fresh stack against the (reset) session emulator."""
    return fault_stack(tmp_path / "stack", emulator)


@pytest.fixture(autouse=True)
def _figures_on_the_report(request: pytest.FixtureRequest) -> Iterator[None]:
    """Puts the rows a test records on its report, which xdist carries from worker to controller."""
    before = (len(FIGURES), len(THROTTLE_FIGURES))
    yield
    for row in FIGURES[before[0] :]:
        request.node.user_properties.append(("fault_figures", asdict(row)))
    for throttle in THROTTLE_FIGURES[before[1] :]:
        request.node.user_properties.append(("throttle_figures", asdict(throttle)))
