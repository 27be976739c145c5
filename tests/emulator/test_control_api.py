"""The control API: loopback only, and what its endpoints do."""

from __future__ import annotations

import httpx
import pytest
from starlette.testclient import TestClient

from pulumi_apikeys.emulator import EmulatorConfig, FaultPlan, RunningEmulator
from pulumi_apikeys.emulator.app import build_app
from pulumi_apikeys.openai.emulator_service import DEFAULT_ADMIN_KEY

from .helpers import KEYS, bearer


@pytest.mark.parametrize("path", ["/_emulator/health", "/_emulator/faults", "/_emulator/requests"])
def test_a_caller_off_this_machine_is_refused(path: str) -> None:
    with TestClient(build_app(EmulatorConfig()), client=("10.1.2.3", 1234)) as client:
        response = client.get(path)

    assert response.status_code == 403
    assert response.json()["error"]["type"] == "permission_error"


def test_a_caller_off_this_machine_cannot_reset() -> None:
    app = build_app(EmulatorConfig())
    app.emulator.services["openai"].store.create("precious")
    with TestClient(app, client=("10.1.2.3", 1234)) as client:
        client.post("/_emulator/reset")

    assert app.emulator.services["openai"].key_count() == 1


def test_a_loopback_caller_is_served() -> None:
    with TestClient(build_app(EmulatorConfig()), client=("127.0.0.1", 1234)) as client:
        assert client.get("/_emulator/health").status_code == 200


def test_the_api_is_served_to_any_caller() -> None:
    with TestClient(build_app(EmulatorConfig()), client=("10.1.2.3", 1234)) as client:
        response = client.get("/v1" + KEYS, headers=bearer(DEFAULT_ADMIN_KEY))

    assert response.status_code == 200


def test_health_counts_keys_and_logged_requests(emulator: RunningEmulator, api: httpx.Client) -> None:
    api.post(KEYS, json={"name": "k"})

    health = emulator.control.health()

    assert (health.status, health.keys["openai"], health.requests) == ("ok", 1, 1)


def test_health_counts_each_services_keys_under_its_backend_name(
    emulator: RunningEmulator, api: httpx.Client
) -> None:
    api.post(KEYS, json={"name": "k"})
    capy = emulator.endpoint("capy")
    for name in ("c1", "c2"):
        httpx.post(
            capy.base_url + "/v1/organizations/org_1/api-keys",
            json={"name": name, "scopes": ["r"]},
            headers=bearer(capy.credential),
            trust_env=False,
        )

    keys = emulator.control.health().keys

    assert (keys["openai"], keys["capy"]) == (1, 2)
    assert list(keys) == list(emulator.endpoints())


def test_the_control_apis_own_errors_keep_their_body() -> None:
    with TestClient(build_app(EmulatorConfig()), client=("10.1.2.3", 1234)) as client:
        response = client.get("/_emulator/health")

    assert response.json() == {
        "error": {
            "message": "The emulator's control API answers loopback callers only.",
            "type": "permission_error",
            "param": None,
            "code": None,
        }
    }


def test_set_faults_returns_the_plan_in_force(emulator: RunningEmulator) -> None:
    plan = FaultPlan(script=["rate_limit"], latency_ms=5, seed=3)

    assert emulator.control.set_faults(plan) == plan
    assert emulator.control.faults() == plan


def test_clear_faults_restores_the_empty_plan(emulator: RunningEmulator) -> None:
    emulator.control.set_faults(FaultPlan(script=["drop"]))

    emulator.control.clear_faults()

    assert emulator.control.faults() == FaultPlan()


def test_an_invalid_fault_plan_is_refused(emulator: RunningEmulator) -> None:
    with httpx.Client(base_url=emulator.root_url, trust_env=False) as client:
        response = client.put("/_emulator/faults", json={"rates": {"drop": 2}})

    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert emulator.control.faults() == FaultPlan()


def test_the_request_log_records_method_path_query_and_status(
    emulator: RunningEmulator, api: httpx.Client
) -> None:
    api.get(KEYS, params={"limit": 5, "order": "desc"})

    (entry,) = emulator.control.requests()

    assert (entry.seq, entry.method, entry.path) == (1, "GET", "/v1" + KEYS)
    assert entry.query == {"limit": "5", "order": "desc"}
    assert entry.status == 200


def test_the_request_log_records_the_id_of_a_created_key(
    emulator: RunningEmulator, api: httpx.Client
) -> None:
    created = api.post(KEYS, json={"name": "k"}).json()

    assert emulator.control.requests()[-1].key_id == created["id"]


def test_the_request_log_never_holds_credentials_or_key_values(
    emulator: RunningEmulator, api: httpx.Client
) -> None:
    value = api.post(KEYS, json={"name": "secret-name"}).json()["value"]
    api.get(KEYS, headers=bearer(value))
    api.get(KEYS, headers=bearer("sk-admin-wrong-guess"))

    with httpx.Client(base_url=emulator.root_url, trust_env=False) as client:
        raw_log = client.get("/_emulator/requests").text

    for secret in (value, emulator.endpoint("openai").credential, "sk-admin-wrong-guess", "secret-name"):
        assert secret not in raw_log


def test_clear_requests_empties_the_log(emulator: RunningEmulator, api: httpx.Client) -> None:
    api.get(KEYS)

    emulator.control.clear_requests()

    assert emulator.control.requests() == []


def test_reset_drops_keys_faults_and_log(emulator: RunningEmulator, api: httpx.Client) -> None:
    key_id = api.post(KEYS, json={"name": "k"}).json()["id"]
    api.delete(f"{KEYS}/{key_id}")
    api.post(KEYS, json={"name": "k2"})
    emulator.control.set_faults(FaultPlan(script=["drop"]))

    emulator.control.reset()

    assert emulator.control.faults() == FaultPlan()
    assert emulator.control.requests() == []
    assert api.get(KEYS).json()["data"] == []
    assert api.get(KEYS, params={"after": key_id}).status_code == 400  # the tombstone is gone too


def test_control_responses_carry_a_request_id(emulator: RunningEmulator) -> None:
    with httpx.Client(base_url=emulator.root_url, trust_env=False) as client:
        response = client.get("/_emulator/health")

    assert response.headers["x-request-id"].startswith("req_")


def test_the_request_log_keeps_the_path_as_sent(emulator: RunningEmulator, api: httpx.Client) -> None:
    api.get(f"{KEYS}/key_x%2F..%2Fother")

    assert emulator.control.requests()[-1].path == f"/v1{KEYS}/key_x%2F..%2Fother"
