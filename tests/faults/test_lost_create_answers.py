"""Every create's first attempt is carried out and its answer lost: reconciliation must not orphan."""

from __future__ import annotations

import time

import pytest

from pulumi_apikeys.emulator import FaultPlan, RunningEmulator
from tests.backends import ResourceUnderTest, every_face
from tests.faults.audit import audit
from tests.faults.figures import record_single_run
from tests.faults.programs import many_keys
from tests.harness import HarnessStack

pytestmark = pytest.mark.faults

COUNT = 50


@pytest.mark.parametrize("subject", every_face(), ids=lambda subject: subject.id)
def test_creates_whose_first_answer_is_lost_end_with_one_usable_key_each(
    subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator
):
    emulator.control.set_faults(
        FaultPlan(rates={"commit_then_drop": 1.0}, methods=["POST"], first_attempts_only=True)
    )
    started = time.monotonic()

    result = stack.up(many_keys(subject, COUNT))
    injected = sum(1 for r in emulator.control.requests() if r.fault is not None)
    emulator.control.clear_faults()
    found = audit(subject, stack, emulator)

    record_single_run(
        f"{subject.id}: every create's first answer lost",
        operations=COUNT,
        injected=injected,
        ok=result.ok,
        audit=found,
        started=started,
    )
    assert result.ok, result.error_text
    assert injected == COUNT
    assert len(found.in_state) == COUNT
    assert found.problems() == {}
    # Each lost key was found and deleted (or revoked) before the create that succeeded.
    deletes = [r for r in emulator.control.requests() if r.method == "DELETE"]
    assert len(deletes) == COUNT
