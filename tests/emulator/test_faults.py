"""Fault injection through the real server: each kind, scripts, rates, the methods filter, latency."""

from __future__ import annotations

import time

import httpx
import pytest

from pulumi_apikeys.emulator import FaultPlan, RunningEmulator
from pulumi_apikeys.openai.models import OpenAIErrorBody

from .helpers import KEYS

# What a client sees when the server closes the connection without answering.
CONNECTION_LOST = (httpx.RemoteProtocolError, httpx.ReadError)


@pytest.fixture
def control(emulator: RunningEmulator):
    return emulator.control


def _error(response: httpx.Response) -> tuple[str | None, str | None]:
    error = OpenAIErrorBody.model_validate(response.json()).error
    return error.type, error.code


def test_rate_limit_is_a_429_with_an_openai_body_and_retry_after(api: httpx.Client, control) -> None:
    control.set_faults(FaultPlan(script=["rate_limit"]))

    response = api.get(KEYS)

    assert response.status_code == 429
    assert _error(response) == ("requests", "rate_limit_exceeded")
    assert response.headers["retry-after"] == "1"
    assert "retry-after-ms" not in response.headers
    assert response.headers["x-request-id"].startswith("req_")


def test_rate_limit_sends_the_configured_retry_after_headers(api: httpx.Client, control) -> None:
    control.set_faults(FaultPlan(script=["rate_limit"], retry_after_seconds=2.5, retry_after_ms=250))

    response = api.get(KEYS)

    assert (response.headers["retry-after"], response.headers["retry-after-ms"]) == ("2.5", "250")


def test_rate_limit_can_omit_retry_after(api: httpx.Client, control) -> None:
    control.set_faults(FaultPlan(script=["rate_limit"], retry_after_seconds=None))

    response = api.get(KEYS)

    assert response.status_code == 429
    assert "retry-after" not in response.headers


@pytest.mark.parametrize(("kind", "status"), [("server_error", 500), ("unavailable", 503)])
def test_server_faults_answer_with_an_openai_server_error(
    api: httpx.Client, control, kind: str, status: int
) -> None:
    control.set_faults(FaultPlan.model_validate({"script": [kind]}))

    response = api.get(KEYS)

    assert response.status_code == status
    assert _error(response)[0] == "server_error"


def test_bad_gateway_is_a_502_with_an_html_body_like_a_proxy(api: httpx.Client, control) -> None:
    control.set_faults(FaultPlan(script=["bad_gateway"]))

    response = api.get(KEYS)

    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert "502 Bad Gateway" in response.text


def test_drop_closes_the_connection_without_creating_the_key(api: httpx.Client, control) -> None:
    control.set_faults(FaultPlan(script=["drop"]))

    with pytest.raises(CONNECTION_LOST):
        api.post(KEYS, json={"name": "lost"})

    assert api.get(KEYS).json()["data"] == []


def test_commit_then_drop_creates_the_key_then_closes_the_connection(api: httpx.Client, control) -> None:
    control.set_faults(FaultPlan(script=["commit_then_drop"]))

    with pytest.raises(CONNECTION_LOST):
        api.post(KEYS, json={"name": "orphan"})

    assert [item["name"] for item in api.get(KEYS).json()["data"]] == ["orphan"]


def test_commit_then_hang_creates_the_key_and_never_answers(api: httpx.Client, control) -> None:
    control.set_faults(FaultPlan(script=["commit_then_hang"], hang_seconds=60))

    with pytest.raises(httpx.ReadTimeout):
        api.post(KEYS, json={"name": "orphan"}, timeout=0.5)

    assert [item["name"] for item in api.get(KEYS).json()["data"]] == ["orphan"]


@pytest.mark.parametrize("kind", ["commit_then_drop", "commit_then_hang"])
def test_commit_faults_are_no_ops_for_requests_other_than_create(
    api: httpx.Client, control, kind: str
) -> None:
    control.set_faults(FaultPlan.model_validate({"script": [kind]}))

    response = api.get(KEYS)

    assert response.status_code == 200
    assert control.faults().script == []  # consumed all the same
    assert control.requests()[-1].fault is None


def test_the_log_names_the_key_a_dropped_create_made(api: httpx.Client, control) -> None:
    control.set_faults(FaultPlan(script=["commit_then_drop"]))
    with pytest.raises(CONNECTION_LOST):
        api.post(KEYS, json={"name": "orphan"})

    (entry,) = control.requests()

    assert (entry.fault, entry.status) == ("commit_then_drop", None)
    assert entry.key_id == api.get(KEYS).json()["data"][0]["id"]


def test_a_script_is_consumed_in_order_then_requests_succeed(api: httpx.Client, control) -> None:
    control.set_faults(FaultPlan(script=["server_error", "rate_limit"]))

    statuses = [api.get(KEYS).status_code for _ in range(3)]

    assert statuses == [500, 429, 200]


def test_the_plan_shows_only_the_script_still_to_come(api: httpx.Client, control) -> None:
    control.set_faults(FaultPlan(script=["server_error", "rate_limit"]))

    api.get(KEYS)

    assert control.faults().script == ["rate_limit"]


def test_the_methods_filter_spares_other_methods(api: httpx.Client, control) -> None:
    control.set_faults(FaultPlan(script=["server_error"], methods=["post"]))

    listed = api.get(KEYS)
    created = api.post(KEYS, json={"name": "k"})

    assert (listed.status_code, created.status_code) == (200, 500)


def test_a_rate_of_one_faults_every_request(api: httpx.Client, control) -> None:
    control.set_faults(FaultPlan(rates={"unavailable": 1.0}))

    assert {api.get(KEYS).status_code for _ in range(5)} == {503}


def test_seeded_rates_fault_the_same_requests_every_run(api: httpx.Client, control) -> None:
    plan = FaultPlan(rates={"server_error": 0.5}, seed=1234)

    control.set_faults(plan)
    first_run = [api.get(KEYS).status_code for _ in range(20)]
    control.set_faults(plan)
    second_run = [api.get(KEYS).status_code for _ in range(20)]

    assert first_run == second_run
    assert set(first_run) == {200, 500}


def test_latency_is_added_and_logged(api: httpx.Client, control) -> None:
    control.set_faults(FaultPlan(latency_ms=200))

    started = time.monotonic()
    api.get(KEYS)
    elapsed = time.monotonic() - started

    assert control.requests()[-1].latency_ms == 200
    assert elapsed >= 0.15  # a generous lower bound: the delay happened


def test_control_requests_are_never_faulted_or_delayed(emulator: RunningEmulator, control) -> None:
    control.set_faults(FaultPlan(script=["drop", "server_error"], latency_ms=100))

    health = control.health()
    control.requests()

    assert health.status == "ok"
    assert control.faults().script == ["drop", "server_error"]
    assert control.requests() == []  # control requests are not logged either


def test_every_injected_fault_is_counted_and_logged(api: httpx.Client, control) -> None:
    control.set_faults(FaultPlan(script=["rate_limit", "server_error", "rate_limit"]))

    for _ in range(4):
        api.get(KEYS)

    assert control.health().faults_injected == {"rate_limit": 2, "server_error": 1}
    assert [entry.fault for entry in control.requests()] == ["rate_limit", "server_error", "rate_limit", None]
    assert [entry.status for entry in control.requests()] == [429, 500, 429, 200]


def test_a_faulted_response_carries_a_request_id(api: httpx.Client, control) -> None:
    control.set_faults(FaultPlan(script=["server_error"]))

    response = api.get(KEYS)

    assert response.headers["x-request-id"] == control.requests()[-1].request_id
