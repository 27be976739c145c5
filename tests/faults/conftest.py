"""Fixtures of the fault suite: a harness stack with a quick retry budget, and the figures report.

Every test here carries the ``faults`` marker: ``pytest -m faults`` runs the suite alone and prints
its figures; the default run (CI's) includes it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pulumi_apikeys.emulator import RunningEmulator
from tests.faults.figures import FIGURES, render
from tests.harness import HarnessStack, Secret
from tests.harness.state import FAST_KDF_ITERATIONS

QUICK_BUDGET = {"apikeys:requestTimeout": "5", "apikeys:totalTimeout": "60"}
"""Short timeouts keep a lost answer from holding a test up; retries stay at the default (3)."""


def fault_stack(workdir: Path, emulator: RunningEmulator) -> HarnessStack:
    """A stack whose provider talks to ``emulator`` with the quick budget."""
    return HarnessStack(
        workdir,
        project="apikeys-faults",
        stack="dev",
        config={
            # Both APIs' settings: each provider reads only its own.
            "apikeys:openaiBaseUrl": emulator.base_url,
            "apikeys:openaiAdminKey": Secret(emulator.admin_key),
            "apikeys:capyBaseUrl": emulator.capy_base_url,
            "apikeys:capyApiKey": Secret(emulator.capy_key),
            **QUICK_BUDGET,
        },
        kdf_iterations=FAST_KDF_ITERATIONS,
    )


@pytest.fixture
def stack(tmp_path: Path, emulator: RunningEmulator) -> HarnessStack:
    """A fresh stack against the (reset) session emulator."""
    return fault_stack(tmp_path / "stack", emulator)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Prints the figures of the fault scenarios that ran."""
    if not FIGURES:
        return
    terminalreporter.section("fault suite figures")
    for line in render(FIGURES):
        terminalreporter.write_line(line)
