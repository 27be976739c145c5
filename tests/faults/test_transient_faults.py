"""200 creates and 200 deletes while one API request in ten fails transiently."""

from __future__ import annotations

import time

import pytest

from pulumi_apikeys.emulator import FaultPlan, RunningEmulator
from tests.backends import ResourceUnderTest, every_face
from tests.faults.audit import Audit, audit
from tests.faults.figures import FIGURES, FaultFigures
from tests.faults.programs import many_keys
from tests.harness import HarnessStack, UpResult

pytestmark = pytest.mark.faults

COUNT = 200
MIXED_10_PERCENT = FaultPlan(
    rates={"rate_limit": 0.02, "server_error": 0.02, "bad_gateway": 0.02, "unavailable": 0.02, "drop": 0.02},
    retry_after_seconds=None,
    retry_after_ms=20,
    seed=20261123,
    # Fewer faults for one request than a client's four tries: the run never fails by bad luck,
    # however the rolls fall on concurrent requests (their order is the threads').
    max_faults_per_request=3,
)
RUNS_AT_MOST = 4


def audited(subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator) -> Audit:
    """The audit, taken with faults paused so that it sees the API as it is."""
    plan = emulator.control.faults()
    emulator.control.clear_faults()
    try:
        return audit(subject, stack, emulator)
    finally:
        emulator.control.set_faults(plan)


def failed_operations(result: UpResult) -> int:
    return result.error_text.count(" failed:") if not result.ok else 0


def what_failed(result: UpResult) -> list[str]:
    """Each failure's message as the user reads it: the package's error lines, else the last line."""
    if result.ok:
        return []
    lines = result.error_text.strip().splitlines()
    return [line for line in lines if line.startswith("pulumi_apikeys.errors.")] or lines[-1:]


@pytest.mark.parametrize("subject", every_face(), ids=lambda subject: subject.id)
def test_creates_and_deletes_under_ten_percent_mixed_faults_succeed_and_leave_no_orphan(
    subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator
):
    emulator.control.set_faults(MIXED_10_PERCENT)
    started = time.monotonic()
    failures = 0
    said: list[str] = []

    for _ in range(RUNS_AT_MOST):
        result = stack.up(many_keys(subject, COUNT))
        failures += failed_operations(result)
        said += what_failed(result)
        found = audited(subject, stack, emulator)
        # Whatever a run did, state and API agree afterwards: no orphan, no stray, no lost value.
        assert found.problems() == {}
        if result.ok:
            break
    assert len(found.in_state) == COUNT
    lost_values = len(found.lost_values)

    for _ in range(RUNS_AT_MOST):
        result = stack.destroy()
        failures += failed_operations(result)
        said += what_failed(result)
        found = audited(subject, stack, emulator)
        assert found.problems() == {}
        if result.ok:
            break
    assert found.in_api == {}
    assert found.in_state == {}

    injected = sum(1 for r in emulator.control.requests() if r.fault is not None)
    operations = 2 * COUNT
    FIGURES.append(
        FaultFigures(
            scenario=f"{subject.id}: 10% mixed transient faults",
            operations=operations,
            faults_injected=injected,
            successes=operations - failures,
            user_visible_failures=failures,
            orphaned_keys=len(found.orphans),
            lost_values=lost_values,
            seconds=time.monotonic() - started,
            failures=tuple(said),
        )
    )
    assert injected > 0
    assert (operations - failures) / operations >= 0.995
