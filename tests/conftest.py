"""Fixtures shared by every test: emulators served over real HTTP on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from pulumi_apikeys._pacing import forget_pacers
from pulumi_apikeys.emulator import EmulatorConfig, RunningEmulator, start_emulator
from tests.faults.figures import FaultFigures, ThrottleFigures, render

# The toy vendor is registered for the whole session, before any emulator starts: every emulator
# serves it and every shared table runs over it (it is what guards "a backend is one folder").
import tests.toy_backend.under_test  # noqa: F401  isort: skip


@pytest.fixture(scope="session")
def session_emulator() -> Iterator[RunningEmulator]:
    """One emulator on a free port for the whole session; prefer ``emulator``, which resets it."""
    with start_emulator(EmulatorConfig(port=0)) as running:
        yield running


@pytest.fixture
def emulator(session_emulator: RunningEmulator) -> RunningEmulator:
    """The session's emulator, reset: no keys, no faults, an empty request log."""
    session_emulator.control.reset()
    return session_emulator


@pytest.fixture
def emulator_factory() -> Iterator[Callable[[EmulatorConfig], RunningEmulator]]:
    """Starts emulators with a custom configuration; each is stopped at teardown."""
    started: list[RunningEmulator] = []

    def start(config: EmulatorConfig) -> RunningEmulator:
        running = start_emulator(config)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


@pytest.fixture(autouse=True)
def _fresh_pacers() -> Iterator[None]:
    """Every test starts with pacers that have learned nothing: a rate one test taught the
    process-wide pacer of the session emulator must not slow down the next."""
    forget_pacers()
    yield
    forget_pacers()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Prints the figures of the fault scenarios that ran, from whichever process ran them."""
    faults: list[FaultFigures] = []
    throttles: list[ThrottleFigures] = []
    # Teardown reports (filed under whatever category their status gives) carry the rows.
    reports = [report for category in terminalreporter.stats.values() for report in category]
    for report in reports:
        if getattr(report, "when", None) != "teardown":
            continue
        for key, row in getattr(report, "user_properties", []):
            if key == "fault_figures":
                faults.append(FaultFigures(**row))
            elif key == "throttle_figures":
                throttles.append(ThrottleFigures(**row))
    for title, rows in (("fault suite figures", faults), ("rate limit figures", throttles)):
        if rows:
            terminalreporter.section(title)
            for line in render(rows):
                terminalreporter.write_line(line)
