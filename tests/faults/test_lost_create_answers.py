"""Every create's first attempt is carried out and its answer lost: reconciliation must not orphan."""

from __future__ import annotations

import time

import pytest

from pulumi_apikeys.emulator import FaultPlan, RunningEmulator
from tests.faults.audit import audit_capy, audit_openai
from tests.faults.figures import record_single_run
from tests.faults.programs import many_capy_keys, many_keys
from tests.harness import HarnessStack

pytestmark = pytest.mark.faults

COUNT = 100


def test_creates_whose_first_answer_is_lost_end_with_one_usable_key_each(
    stack: HarnessStack, emulator: RunningEmulator
):
    emulator.control.set_faults(
        FaultPlan(rates={"commit_then_drop": 1.0}, methods=["POST"], first_attempts_only=True)
    )
    started = time.monotonic()

    result = stack.up(many_keys(COUNT))
    injected = sum(1 for r in emulator.control.requests() if r.fault is not None)
    emulator.control.clear_faults()
    audit = audit_openai(stack, emulator)

    record_single_run(
        "every create's first answer lost",
        operations=COUNT,
        injected=injected,
        ok=result.ok,
        audit=audit,
        started=started,
    )
    assert result.ok, result.error_text
    assert injected == COUNT
    assert len(audit.in_state) == COUNT
    assert audit.problems() == {}
    # Each lost key was found and deleted before the create that succeeded.
    deletes = [r for r in emulator.control.requests() if r.method == "DELETE"]
    assert len(deletes) == COUNT


CAPY_COUNT = 50


def test_capy_creates_whose_first_answer_is_lost_end_with_one_live_key_each(
    stack: HarnessStack, emulator: RunningEmulator
):
    emulator.control.set_faults(
        FaultPlan(rates={"commit_then_drop": 1.0}, methods=["POST"], first_attempts_only=True)
    )
    started = time.monotonic()

    result = stack.up(many_capy_keys(CAPY_COUNT))
    injected = sum(1 for r in emulator.control.requests() if r.fault is not None)
    emulator.control.clear_faults()
    audit = audit_capy(stack, emulator, "org_faults")

    record_single_run(
        "capy: every create's first answer lost",
        operations=CAPY_COUNT,
        injected=injected,
        ok=result.ok,
        audit=audit,
        started=started,
    )
    assert result.ok, result.error_text
    assert injected == CAPY_COUNT
    assert len(audit.in_state) == CAPY_COUNT
    assert audit.problems() == {}
