"""The API goes away mid-run and comes back with its state file: nothing is lost or left behind."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from pulumi_apikeys.emulator import EmulatorConfig, FaultPlan, RunningEmulator
from tests.backends import ResourceUnderTest, every_face
from tests.faults.audit import audit
from tests.faults.conftest import fault_stack
from tests.faults.figures import FIGURES, FaultFigures
from tests.faults.programs import many_keys
from tests.harness import UpResult

pytestmark = pytest.mark.faults

COUNT = 60
SLOW = FaultPlan(latency_ms=25)


def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)


@pytest.mark.parametrize("subject", every_face(), ids=lambda subject: subject.id)
def test_a_restart_mid_up_with_a_state_file_loses_nothing(
    subject: ResourceUnderTest, tmp_path: Path, emulator_factory: Callable[[EmulatorConfig], RunningEmulator]
):
    state_file = tmp_path / "emulator-state.json"
    first = emulator_factory(EmulatorConfig(port=0, state_file=state_file, faults=SLOW))
    stack = fault_stack(tmp_path / "stack", first)
    started = time.monotonic()
    results: list[UpResult] = []
    up = threading.Thread(target=lambda: results.append(stack.up(many_keys(subject, COUNT))))

    up.start()
    wait_until(lambda: first.app.emulator.services[subject.backend].key_count() >= COUNT // 3)
    first.stop()
    keys_at_stop = first.app.emulator.services[subject.backend].key_count()
    second = emulator_factory(EmulatorConfig(port=first.port, state_file=state_file, faults=SLOW))
    up.join(120)

    assert results, "up did not finish"
    assert results[0].ok, results[0].error_text
    found = audit(subject, stack, second)
    destroyed = stack.destroy()
    after_destroy = audit(subject, stack, second)
    FIGURES.append(
        FaultFigures(
            scenario=f"{subject.id}: emulator restarted after {keys_at_stop} of {COUNT} creates",
            operations=2 * COUNT,
            faults_injected=1,
            successes=len(found.in_state) + (COUNT if destroyed.ok else 0),
            user_visible_failures=0 if destroyed.ok else 1,
            orphaned_keys=len(found.orphans),
            lost_values=len(found.lost_values),
            seconds=time.monotonic() - started,
        )
    )
    assert 0 < keys_at_stop < COUNT
    assert len(found.in_state) == COUNT
    assert found.problems() == {}
    assert destroyed.ok, destroyed.error_text
    assert after_destroy.in_api == {}
