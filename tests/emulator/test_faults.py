"""Fault injection through the real server: each kind, scripts, rates, the methods filter, latency."""

from __future__ import annotations

import contextlib
import json
import time

import httpx
import pytest

from pulumi_apikeys._http import MAX_RESPONSE_BYTES
from pulumi_apikeys.emulator import FaultPlan, RunningEmulator
from pulumi_apikeys.emulator.fault_layer import CLIENT_RESPONSE_CAP_BYTES, HUGE_BODY_BYTES, NOT_JSON_BODY
from pulumi_apikeys.errors import ApiConnectionError, ApiError, UnreadableResponseError
from pulumi_apikeys.openai.client import AdminApiKeysClient
from pulumi_apikeys.openai.models import OpenAIErrorBody
from pulumi_apikeys.settings import RetryPolicy

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


# Response faults: the request is processed, then its 2xx answer is replaced or damaged.

RESPONSE_KINDS = ["not_json", "missing_fields", "wrong_types", "huge_body", "truncated_body"]


@pytest.fixture
def sdk(emulator: RunningEmulator) -> AdminApiKeysClient:
    """The shared client of the emulator, without retries: one request, one damaged answer."""
    return AdminApiKeysClient(
        admin_key=emulator.endpoint("openai").credential,
        base_url=emulator.endpoint("openai").base_url,
        policy=RetryPolicy(max_retries=0),
    )


def _read_into(received: bytearray, response: httpx.Response) -> None:
    for chunk in response.iter_raw():
        received += chunk


def _names(api: httpx.Client) -> list[str]:
    return [item["name"] for item in api.get(KEYS).json()["data"]]


@pytest.mark.parametrize("kind", RESPONSE_KINDS)
def test_a_create_under_a_response_fault_still_creates_the_key(api: httpx.Client, control, kind: str) -> None:
    control.set_faults(FaultPlan.model_validate({"script": [kind]}))

    with (
        contextlib.suppress(*CONNECTION_LOST),
        api.stream("POST", KEYS, json={"name": "damaged"}) as response,
    ):
        response.read()

    assert _names(api) == ["damaged"]


def test_not_json_answers_200_with_a_json_content_type_and_a_body_that_is_not_json(
    api: httpx.Client, control
) -> None:
    control.set_faults(FaultPlan(script=["not_json"]))

    response = api.post(KEYS, json={"name": "k"})

    assert (response.status_code, response.headers["content-type"]) == (200, "application/json")
    assert response.content == NOT_JSON_BODY
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_missing_fields_drops_every_id_and_the_first_key_of_every_object(api: httpx.Client, control) -> None:
    control.set_faults(FaultPlan(script=["missing_fields"]))

    body = api.post(KEYS, json={"name": "k"}).json()

    assert body.keys() >= {"name", "owner", "value"}
    assert body.keys().isdisjoint({"id", "object"})  # `object` leads OpenAI's objects
    assert body["owner"].keys().isdisjoint({"id", "type"})


def test_missing_fields_reaches_into_the_objects_of_a_list(api: httpx.Client, control, create_key) -> None:
    create_key("k")
    control.set_faults(FaultPlan(script=["missing_fields"]))

    page = api.get(KEYS).json()

    assert "object" not in page
    (item,) = page["data"]
    assert ("id" in item, "object" in item, item["name"]) == (False, False, "k")


def test_wrong_types_swaps_strings_and_numbers_and_leaves_null_and_booleans(
    api: httpx.Client, control, create_key
) -> None:
    created = create_key("abc")
    control.set_faults(FaultPlan(script=["wrong_types"]))

    page = api.get(KEYS).json()

    (item,) = page["data"]
    assert (page["object"], page["has_more"]) == (len("list"), False)
    assert (item["name"], item["created_at"], item["expires_at"]) == (3, str(created["created_at"]), None)
    assert item["owner"]["created_at"] == str(created["owner"]["created_at"])


def test_huge_body_answers_200_with_json_larger_than_the_clients_cap(api: httpx.Client, control) -> None:
    control.set_faults(FaultPlan(script=["huge_body"]))

    response = api.post(KEYS, json={"name": "k"})

    assert (response.status_code, response.headers["content-type"]) == (200, "application/json")
    assert int(response.headers["content-length"]) == len(response.content) == HUGE_BODY_BYTES
    assert HUGE_BODY_BYTES > MAX_RESPONSE_BYTES
    assert response.json().keys() == {"padding"}


def test_the_emulators_copy_of_the_clients_cap_is_the_clients() -> None:
    assert CLIENT_RESPONSE_CAP_BYTES == MAX_RESPONSE_BYTES


def test_truncated_body_promises_the_whole_body_sends_half_then_closes(api: httpx.Client, control) -> None:
    control.set_faults(FaultPlan(script=["truncated_body"]))

    received = bytearray()
    with api.stream("POST", KEYS, json={"name": "k"}) as response:
        promised = int(response.headers["content-length"])
        with pytest.raises(CONNECTION_LOST):
            _read_into(received, response)

    assert response.status_code == 200
    assert 0 < len(received) == promised // 2


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_response_faults_damage_the_answers_of_every_method(
    api: httpx.Client, control, create_key, method: str
) -> None:
    key_id = create_key("k")["id"]
    control.set_faults(FaultPlan(script=["not_json"]))

    response = api.request(method, f"{KEYS}/{key_id}")

    assert (response.status_code, response.content) == (200, NOT_JSON_BODY)


@pytest.mark.parametrize("kind", RESPONSE_KINDS)
def test_an_error_answer_passes_through_a_response_fault_unchanged(
    api: httpx.Client, control, kind: str
) -> None:
    control.set_faults(FaultPlan.model_validate({"script": [kind]}))

    response = api.get(f"{KEYS}/key_missing")

    assert response.status_code == 404
    assert _error(response) == ("invalid_request_error", None)
    assert int(response.headers["content-length"]) == len(response.content)


def test_a_response_fault_on_an_error_answer_is_consumed_but_not_counted(api: httpx.Client, control) -> None:
    control.set_faults(FaultPlan(script=["wrong_types"]))

    api.get(f"{KEYS}/key_missing")

    assert control.faults().script == []
    assert control.health().faults_injected == {}
    assert control.requests()[-1].fault is None


def test_an_applied_response_fault_is_counted_and_logged(api: httpx.Client, control) -> None:
    control.set_faults(FaultPlan(script=["wrong_types"]))

    api.get(KEYS)

    assert control.health().faults_injected == {"wrong_types": 1}
    assert (control.requests()[-1].fault, control.requests()[-1].status) == ("wrong_types", 200)


@pytest.mark.parametrize(
    ("kind", "error", "problem"),
    [
        ("not_json", UnreadableResponseError, "Invalid JSON"),
        ("missing_fields", UnreadableResponseError, "id: Field required"),
        ("wrong_types", UnreadableResponseError, "created_at: Input should be a valid integer"),
        ("huge_body", UnreadableResponseError, f"larger than {MAX_RESPONSE_BYTES} bytes"),
        ("truncated_body", ApiConnectionError, "without sending complete message body"),
    ],
)
def test_the_client_refuses_a_damaged_answer_naming_the_problem(
    sdk: AdminApiKeysClient,
    emulator: RunningEmulator,
    control,
    create_key,
    kind: str,
    error: type[ApiError],
    problem: str,
) -> None:
    created = create_key("k")
    control.set_faults(FaultPlan.model_validate({"script": [kind]}))

    with pytest.raises(error) as raised:
        sdk.retrieve(created["id"])

    assert type(raised.value) is error
    assert problem in str(raised.value)
    assert created["value"] not in str(raised.value)
    assert emulator.endpoint("openai").credential not in str(raised.value)


def test_first_attempts_only_faults_a_request_once_and_lets_its_repeat_through(api: httpx.Client, control):
    control.set_faults(FaultPlan(rates={"commit_then_drop": 1.0}, first_attempts_only=True))
    with pytest.raises(CONNECTION_LOST):
        api.post(KEYS, json={"name": "a"})
    assert api.post(KEYS, json={"name": "a"}).status_code == 200
    with pytest.raises(CONNECTION_LOST):
        api.post(KEYS, json={"name": "b"})
    assert [item["name"] for item in api.get(KEYS).json()["data"]] == ["a", "a", "b"]


def test_max_faults_per_request_bounds_the_faults_of_identical_requests(api: httpx.Client, control):
    control.set_faults(FaultPlan(rates={"server_error": 1.0}, methods=["POST"], max_faults_per_request=2))

    first = [api.post(KEYS, json={"name": "a"}).status_code for _ in range(3)]
    other = api.post(KEYS, json={"name": "b"}).status_code

    assert first == [500, 500, 200]
    assert other == 500  # another body: faulted afresh
