"""A fleet of keys against the Admin API's real rate limit, scaled down: default settings, no failure.

The emulator's bucket behaves as a peer measured OpenAI's: 7 requests go through, then 429 with no
retry header until it refills, here over 6 s instead of 60. Each scenario creates 30 keys in one
``up`` and destroys them, each operation starting from a full bucket; the figures put each
operation's wall time beside the least time the bucket allows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from pulumi_apikeys.emulator import FaultPlan, RateLimit, RunningEmulator
from tests.backends import ResourceUnderTest, every_face
from tests.backends.openai import ADMIN_API_KEY_UNDER_TEST
from tests.faults.audit import audit
from tests.faults.conftest import fault_stack
from tests.faults.figures import THROTTLE_FIGURES, ThrottleFigures
from tests.faults.programs import many_keys
from tests.harness import UpResult

pytestmark = pytest.mark.faults

COUNT = 30
LIMIT = RateLimit(burst=7, window_seconds=6)


def throttled(
    emulator: RunningEmulator, operation: Callable[[], UpResult]
) -> tuple[UpResult, float, int, int]:
    """Runs ``operation`` from a full bucket: its result, wall seconds, requests admitted and 429s."""
    emulator.control.set_faults(FaultPlan(rate_limit=LIMIT))  # a new plan: full buckets
    emulator.control.clear_requests()
    started = time.monotonic()
    result = operation()
    seconds = time.monotonic() - started
    requests = emulator.control.requests()
    emulator.control.clear_faults()
    refused = sum(1 for r in requests if r.throttled)
    return result, seconds, len(requests) - refused, refused


@pytest.mark.parametrize("subject", every_face(), ids=lambda subject: subject.id)
def test_a_fleet_is_created_and_destroyed_under_the_real_rate_limit_with_default_settings(
    tmp_path: Path, emulator: RunningEmulator, subject: ResourceUnderTest
):
    program = many_keys(subject, COUNT, prefix="fleet")
    stack = fault_stack(tmp_path / "stack", emulator, budget={})  # the default retry budget

    up, up_seconds, up_admitted, up_429s = throttled(emulator, lambda: stack.up(program))
    after_up = audit(subject, stack, emulator)
    down, down_seconds, down_admitted, down_429s = throttled(emulator, stack.destroy)
    after_destroy = audit(subject, stack, emulator)

    face = f"{subject.backend} " if subject.face == "dynamic" else f"{subject.backend} (plugin) "
    for scenario, result, seconds, admitted, refused, left in (
        ("up", up, up_seconds, up_admitted, up_429s, after_up),
        ("destroy", down, down_seconds, down_admitted, down_429s, after_destroy),
    ):
        THROTTLE_FIGURES.append(
            ThrottleFigures(
                scenario=f"{face}{scenario}, bucket {LIMIT.burst}/{LIMIT.window_seconds:g}s",
                keys=COUNT,
                requests_admitted=admitted,
                responses_429=refused,
                failures=0 if result.ok else 1,
                orphaned_keys=len(left.orphans),
                seconds=seconds,
                bucket_minimum=LIMIT.minimum_seconds(admitted),
            )
        )
    assert up.ok, up.error_text
    assert len(after_up.in_state) == COUNT
    assert after_up.problems() == {}  # every value in state, each its own key's; no orphan
    assert down.ok, down.error_text
    assert after_destroy.in_api == after_destroy.in_state == {}
    # Paced, not hammering: fewer 429s than keys, in each operation.
    assert up_429s < COUNT
    assert down_429s < COUNT
    # The user watching the `up` was told the API throttles (stderr, or the plugin's Log calls).
    assert "the API is rate limiting requests (HTTP 429); pacing them from now on" in subject.provider_output(
        up
    )


def test_a_fleet_under_a_limit_that_sends_retry_after_is_paced_too(tmp_path: Path, emulator: RunningEmulator):
    # The server's wait is believed, and what follows it is paced, not sent as a burst of 429s.
    told = RateLimit(burst=7, window_seconds=3, retry_after=True)
    stack = fault_stack(tmp_path / "stack", emulator, budget={})
    emulator.control.set_faults(FaultPlan(rate_limit=told))

    up = stack.up(many_keys(ADMIN_API_KEY_UNDER_TEST, 15, prefix="told"))
    refused = sum(1 for r in emulator.control.requests() if r.throttled)
    emulator.control.clear_faults()
    found = audit(ADMIN_API_KEY_UNDER_TEST, stack, emulator)

    assert up.ok, up.error_text
    assert len(found.in_state) == 15
    assert found.problems() == {}
    assert refused < 15
