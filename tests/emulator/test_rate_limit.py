"""The emulator's rate limit: a token bucket per API and credential, as the real Admin API enforces."""

from __future__ import annotations

import threading

import httpx
import pytest

from pulumi_apikeys.capy.models import CapyErrorBody
from pulumi_apikeys.emulator import FaultPlan, RateLimit, RunningEmulator
from pulumi_apikeys.emulator.faults import FaultInjector
from pulumi_apikeys.openai.models import OpenAIErrorBody

from .helpers import KEYS, bearer

ORG = "org_bucket"
CAPY_KEYS = f"/v1/organizations/{ORG}/api-keys"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def injector_with(limit: RateLimit) -> tuple[FaultInjector, Clock]:
    clock = Clock()
    return FaultInjector(FaultPlan(rate_limit=limit), clock=clock), clock


def test_a_full_bucket_lets_its_burst_through_then_refuses():
    injector, _ = injector_with(RateLimit(burst=3, window_seconds=6))
    assert [injector.take_token("openai", "k") for _ in range(3)] == [None, None, None]
    refused = injector.take_token("openai", "k")
    assert refused is not None
    assert refused.wait_seconds == pytest.approx(2.0)  # one token in 6 / 3 s
    assert injector.throttled == 1


def test_the_bucket_refills_continuously_over_its_window():
    injector, clock = injector_with(RateLimit(burst=3, window_seconds=6))
    for _ in range(3):
        injector.take_token("openai", "k")
    clock.now = 1.9
    assert injector.take_token("openai", "k") is not None
    clock.now = 2.0
    assert injector.take_token("openai", "k") is None
    clock.now = 100.0  # never more than the burst, however long it rests
    assert [injector.take_token("openai", "k") is None for _ in range(4)] == [True, True, True, False]


def test_a_refused_request_takes_no_token():
    injector, clock = injector_with(RateLimit(burst=1, window_seconds=1))
    injector.take_token("openai", "k")
    for _ in range(5):
        injector.take_token("openai", "k")
    clock.now = 1.0
    assert injector.take_token("openai", "k") is None


def test_each_api_and_credential_has_a_bucket_of_its_own():
    injector, _ = injector_with(RateLimit(burst=1, window_seconds=60))
    assert injector.take_token("openai", "k1") is None
    assert injector.take_token("openai", "k2") is None
    assert injector.take_token("capy", "k1") is None
    assert injector.take_token("openai", "k1") is not None


def test_a_new_plan_starts_with_full_buckets():
    injector, _ = injector_with(RateLimit(burst=1, window_seconds=60))
    injector.take_token("openai", "k")
    injector.replace(FaultPlan(rate_limit=RateLimit(burst=1, window_seconds=60)))
    assert injector.take_token("openai", "k") is None


def test_the_bucket_minimum_is_the_requests_past_the_burst_at_the_refill_rate():
    assert RateLimit(burst=7, window_seconds=6).minimum_seconds(30) == pytest.approx(23 * 6 / 7)
    assert RateLimit(burst=7, window_seconds=6).minimum_seconds(5) == 0


def test_an_empty_bucket_answers_429_in_openais_format_without_retry_headers(
    api: httpx.Client, emulator: RunningEmulator
):
    emulator.control.set_faults(FaultPlan(rate_limit=RateLimit(burst=2, window_seconds=60)))
    statuses = [api.get(KEYS).status_code for _ in range(3)]
    refused = api.get(KEYS)
    assert statuses == [200, 200, 429]
    error = OpenAIErrorBody.model_validate(refused.json()).error
    assert (error.type, error.code) == ("requests", "rate_limit_exceeded")
    assert not {"retry-after", "retry-after-ms"} & set(refused.headers)
    assert not any(name.startswith("x-ratelimit") for name in refused.headers)


def test_capy_has_its_own_bucket_and_its_own_error_format(api: httpx.Client, emulator: RunningEmulator):
    emulator.control.set_faults(FaultPlan(rate_limit=RateLimit(burst=1, window_seconds=60)))
    assert api.get(KEYS).status_code == 200
    capy_client = httpx.Client(
        base_url=emulator.endpoint("capy").base_url,
        headers=bearer(emulator.endpoint("capy").credential),
        trust_env=False,
    )
    with capy_client as capy:
        assert capy.get(CAPY_KEYS).status_code == 200
        refused = capy.get(CAPY_KEYS)
    assert refused.status_code == 429
    assert CapyErrorBody.model_validate(refused.json()).error.startswith("Rate limit reached")


def test_retry_after_is_sent_when_the_limit_asks(api: httpx.Client, emulator: RunningEmulator):
    emulator.control.set_faults(FaultPlan(rate_limit=RateLimit(burst=1, window_seconds=60, retry_after=True)))
    api.get(KEYS)
    assert api.get(KEYS).headers["retry-after"] == "60"


def test_refusals_are_logged_and_counted(api: httpx.Client, emulator: RunningEmulator):
    emulator.control.set_faults(FaultPlan(rate_limit=RateLimit(burst=1, window_seconds=60)))
    api.get(KEYS)
    api.get(KEYS)
    logged = [(r.status, r.fault, r.throttled) for r in emulator.control.requests()]
    assert logged == [(200, None, False), (429, "rate_limit", True)]
    assert emulator.control.health().throttled == 1


def test_the_limit_is_set_and_shown_through_the_control_api(emulator: RunningEmulator):
    plan = emulator.control.set_faults(FaultPlan(rate_limit=RateLimit(burst=7, window_seconds=6)))
    assert plan.rate_limit == RateLimit(burst=7, window_seconds=6)
    assert emulator.control.faults().rate_limit == RateLimit(burst=7, window_seconds=6)


def test_a_request_in_flight_across_a_reset_is_dropped_and_touches_nothing_new(
    emulator: RunningEmulator,
):
    # The root of a flake: a request held by the latency of one test's plan, resuming after the next
    # test's reset, consumed that test's scripted fault. Now it is dropped when it resumes.
    emulator.control.set_faults(FaultPlan(latency_ms=1000))
    outcome: list[object] = []

    def slow_create() -> None:
        client = httpx.Client(
            base_url=emulator.endpoint("openai").base_url,
            headers=bearer(emulator.endpoint("openai").credential),
            trust_env=False,
        )
        with client as c:
            try:
                outcome.append(c.post(KEYS, json={"name": "stale"}, timeout=10).status_code)
            except httpx.TransportError as exc:
                outcome.append(type(exc))

    thread = threading.Thread(target=slow_create)
    thread.start()
    while emulator.control.health().requests == 0:  # the request has arrived and is held
        threading.Event().wait(0.01)
    emulator.control.reset()
    emulator.control.set_faults(FaultPlan(script=["drop"]))
    thread.join()

    assert outcome in ([httpx.RemoteProtocolError], [httpx.ReadError])
    assert emulator.control.faults().script == ["drop"]  # not consumed by the stale request
    assert emulator.control.health().keys["openai"] == 0
    assert emulator.control.requests() == []
