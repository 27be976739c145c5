"""50 creates through the provider server's worker threads, faults on: no duplicate, no cross-talk."""

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
LATENCY_MS = 40
FAULTY = FaultPlan(
    latency_ms=LATENCY_MS,
    rates={"commit_then_drop": 0.1, "server_error": 0.05, "drop": 0.05, "rate_limit": 0.05},
    retry_after_seconds=None,
    retry_after_ms=20,
    seed=50,
    # Fewer faults for one request than a client's four tries: the run never fails by bad luck,
    # however the rolls fall on concurrent requests (their order is the threads').
    max_faults_per_request=3,
)


def peak_in_flight(arrivals: list[float], window: float) -> int:
    """The most requests that arrived within one ``window``: all of them were in flight at once,
    since each is held for ``window`` by the emulator's latency before it is processed."""
    arrivals = sorted(arrivals)
    peak, start = 0, 0
    for end, at in enumerate(arrivals):
        while at - arrivals[start] >= window:
            start += 1
        peak = max(peak, end - start + 1)
    return peak


EVERY_KEY_RESOURCE = pytest.mark.parametrize("subject", every_face(), ids=lambda subject: subject.id)

LOST_ANSWERS = FaultPlan(latency_ms=LATENCY_MS, script=["commit_then_drop"] * 3, methods=["POST"])
"""The first three creates to arrive make their key but lose the answer, while the other creates of
the same name are in flight: each loss is cleaned up beside them. Fewer losses than a create's four
attempts, whichever creates the losses fall on (that depends on the threads' order): so the `up`
succeeds in every run, and what is tested is only that no cleanup takes another create's key."""


@EVERY_KEY_RESOURCE
def test_fifty_concurrent_creates_under_faults_each_get_their_own_key(
    subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator
):
    emulator.control.set_faults(FAULTY)
    started = time.monotonic()

    result = stack.up(many_keys(subject, COUNT))
    requests = emulator.control.requests()
    emulator.control.clear_faults()
    found = audit(subject, stack, emulator)

    record_single_run(
        f"{subject.id}: {COUNT} concurrent creates, 25% faults",
        operations=COUNT,
        injected=sum(1 for r in requests if r.fault is not None),
        ok=result.ok,
        audit=found,
        started=started,
    )
    assert result.ok, result.error_text
    # The creates really overlapped: several requests were held by the latency at the same time.
    assert peak_in_flight([r.time.timestamp() for r in requests], LATENCY_MS / 1000) >= 2
    # One key per resource, each named as its resource declares, each value its own key's.
    assert len(found.in_state) == COUNT == len(set(found.in_state))
    for key_id, resource in found.in_state.items():
        assert found.in_api[key_id] == f"fault-suite {resource.removeprefix('k')}"
    assert found.problems() == {}


@EVERY_KEY_RESOURCE
def test_concurrent_creates_of_one_name_never_delete_each_others_keys(
    subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator
):
    program = subject.program("\n".join(subject.key(f"k{i:02}", "shared") for i in range(12)) + "\n")
    emulator.control.set_faults(LOST_ANSWERS)

    result = stack.up(program)
    emulator.control.clear_faults()
    found = audit(subject, stack, emulator)

    assert result.ok, result.error_text
    assert len(found.in_state) == 12
    assert found.problems() == {}


SAME_NAME_COUNT = 200


@EVERY_KEY_RESOURCE
def test_two_hundred_creates_of_one_name_overlap_and_each_keep_their_own_key_under_lost_answers(
    subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator
):
    program = subject.program(
        "\n".join(subject.key(f"k{i:03}", "shared") for i in range(SAME_NAME_COUNT)) + "\n"
    )
    emulator.control.set_faults(LOST_ANSWERS)

    result = stack.up(program)
    requests = emulator.control.requests()
    emulator.control.clear_faults()
    found = audit(subject, stack, emulator)

    assert result.ok, result.error_text
    # Creates of one name no longer wait for each other: only a cleanup after a lost answer does.
    creates = [r.time.timestamp() for r in requests if r.method == "POST" and r.fault is None]
    assert peak_in_flight(creates, LATENCY_MS / 1000) >= 2
    assert sum(1 for r in requests if r.fault == "commit_then_drop") == len(LOST_ANSWERS.script)
    assert len(found.in_state) == SAME_NAME_COUNT
    assert found.problems() == {}
