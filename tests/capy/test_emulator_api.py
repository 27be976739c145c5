"""The capy API keys endpoints: statuses, error bodies, auth scoping, persistence, faults."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_apikeys.capy.models import ApiKey, ApiKeyCreated, ApiKeyList, CapyErrorBody
from pulumi_apikeys.emulator import EmulatorConfig, FaultPlan, RunningEmulator
from pulumi_apikeys.errors import ConfigurationError
from tests.emulator.helpers import KEYS, bearer

ORG = "org_1"
OTHER_ORG = "org_2"


def keys_path(organization_id: str = ORG) -> str:
    return f"/v1/organizations/{organization_id}/api-keys"


def error_of(response: httpx.Response) -> str:
    """The message of a capy error body; fails unless the body is exactly ``{"error": "..."}``."""
    body = response.json()
    assert set(body) == {"error"}, body
    return CapyErrorBody.model_validate(body).error


@pytest.fixture
def capy(emulator: RunningEmulator) -> Iterator[httpx.Client]:
    """An httpx client of the emulator's capy API, authenticated with the configured capy key."""
    with httpx.Client(
        base_url=emulator.endpoint("capy").base_url,
        headers=bearer(emulator.endpoint("capy").credential),
        trust_env=False,
        timeout=10,
    ) as client:
        yield client


@pytest.fixture
def create(capy: httpx.Client) -> Callable[..., dict[str, Any]]:
    """Creates a capy key through the API and returns the create response's body."""

    def make(
        name: str = "test-key", organization_id: str = ORG, scopes: list[str] | None = None
    ) -> dict[str, Any]:
        response = capy.post(keys_path(organization_id), json={"name": name, "scopes": scopes or ["read"]})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    return make


def test_create_returns_the_key_with_its_secret(capy: httpx.Client) -> None:
    response = capy.post(keys_path(), json={"name": "ci", "scopes": ["read", "write"]})

    assert response.status_code == 200
    created = ApiKeyCreated.model_validate(response.json())
    key, secret = created.api_key, created.plaintext_api_key.get_secret_value()
    assert re.fullmatch(r"ak_[0-9a-f]+", key.id)
    assert re.fullmatch(r"capy_live_[A-Za-z0-9_-]+", secret)
    assert key.key_prefix == secret[:12]
    assert (key.name, key.scopes, key.organization_id, key.is_active) == ("ci", ["read", "write"], ORG, True)
    assert (key.revoked_at, key.last_used_at, key.expires_at, key.project_id) == (None, None, None, None)
    assert response.json()["api_key"]["created_at"].endswith("Z")


def test_the_request_log_records_the_created_keys_id(emulator: RunningEmulator, create) -> None:
    created = create()

    [record] = emulator.control.requests()
    assert record.key_id == created["api_key"]["id"]


def test_list_returns_the_organizations_keys_in_creation_order(capy: httpx.Client, create) -> None:
    ids = [create(f"k{index}")["api_key"]["id"] for index in range(3)]
    create("elsewhere", organization_id=OTHER_ORG)

    response = capy.get(keys_path())

    assert response.status_code == 200
    listed = ApiKeyList.model_validate(response.json())
    assert [key.id for key in listed.api_keys] == ids
    assert listed.next_cursor is None


def test_an_organization_without_keys_lists_none(capy: httpx.Client) -> None:
    assert capy.get(keys_path("org_never_seen")).json() == {"api_keys": [], "next_cursor": None}


def test_revoke_answers_revoked_and_keeps_the_key_listed_as_inactive(capy: httpx.Client, create) -> None:
    key_id = create()["api_key"]["id"]

    response = capy.delete(f"{keys_path()}/{key_id}")

    assert (response.status_code, response.json()) == (200, {"revoked": True})
    [listed] = ApiKeyList.model_validate(capy.get(keys_path()).json()).api_keys
    assert (listed.id, listed.is_active, listed.revoked_at is not None) == (key_id, False, True)


def test_revoking_an_already_revoked_key_is_a_409_not_worth_retrying(capy: httpx.Client, create) -> None:
    key_id = create()["api_key"]["id"]
    capy.delete(f"{keys_path()}/{key_id}")

    response = capy.delete(f"{keys_path()}/{key_id}")

    assert response.status_code == 409
    assert "already revoked" in error_of(response)
    assert response.headers["x-should-retry"] == "false"


def test_revoking_an_unknown_key_is_a_404(capy: httpx.Client) -> None:
    response = capy.delete(f"{keys_path()}/ak_nope")

    assert response.status_code == 404
    assert error_of(response) == "No API key found with id 'ak_nope'."


def test_a_key_is_not_found_through_another_organization(capy: httpx.Client, create) -> None:
    key_id = create()["api_key"]["id"]

    assert capy.delete(f"{keys_path(OTHER_ORG)}/{key_id}").status_code == 404
    assert capy.get(keys_path()).json()["api_keys"][0]["is_active"] is True


def test_a_request_without_a_key_is_a_401(emulator: RunningEmulator) -> None:
    response = httpx.get(emulator.endpoint("capy").base_url + keys_path(), trust_env=False)

    assert response.status_code == 401
    assert error_of(response).startswith("Missing API key")


def test_a_wrong_key_is_a_401_that_does_not_echo_it(emulator: RunningEmulator) -> None:
    token = "capy_live_not-a-real-key-987654"
    response = httpx.get(
        emulator.endpoint("capy").base_url + keys_path(), headers=bearer(token), trust_env=False
    )

    assert response.status_code == 401
    assert token not in response.text
    assert token[-6:] not in response.text


def test_the_openai_admin_key_is_not_a_capy_key(emulator: RunningEmulator) -> None:
    response = httpx.get(
        emulator.endpoint("capy").base_url + keys_path(),
        headers=bearer(emulator.endpoint("openai").credential),
        trust_env=False,
    )

    assert response.status_code == 401


def test_the_configured_key_works_for_any_organization(capy: httpx.Client) -> None:
    for organization_id in ("org_a", "org_b", "anything-at-all"):
        assert capy.get(keys_path(organization_id)).status_code == 200


def test_a_created_key_works_for_its_own_organization_and_marks_itself_used(
    emulator: RunningEmulator, capy: httpx.Client, create
) -> None:
    secret = create()["plaintext_api_key"]

    response = httpx.get(
        emulator.endpoint("capy").base_url + keys_path(), headers=bearer(secret), trust_env=False
    )

    assert response.status_code == 200
    assert response.json()["api_keys"][0]["last_used_at"] is not None


def test_a_created_key_on_another_organization_is_a_403(emulator: RunningEmulator, create) -> None:
    secret = create()["plaintext_api_key"]

    response = httpx.get(
        emulator.endpoint("capy").base_url + keys_path(OTHER_ORG), headers=bearer(secret), trust_env=False
    )

    assert response.status_code == 403
    assert secret not in response.text
    error_of(response)


def test_a_revoked_key_is_a_401(emulator: RunningEmulator, capy: httpx.Client, create) -> None:
    created = create()
    capy.delete(f"{keys_path()}/{created['api_key']['id']}")

    response = httpx.get(
        emulator.endpoint("capy").base_url + keys_path(),
        headers=bearer(created["plaintext_api_key"]),
        trust_env=False,
    )

    assert response.status_code == 401
    assert error_of(response) == "This API key has been revoked."


@pytest.mark.parametrize(
    ("content", "status"),
    [
        (b"{not json", 400),
        (b'["name", "scopes"]', 400),
        (b'{"scopes": ["read"]}', 422),
        (b'{"name": "", "scopes": ["read"]}', 422),
        (b'{"name": "   ", "scopes": ["read"]}', 422),
        (b'{"name": "k"}', 422),
        (b'{"name": "k", "scopes": "read"}', 422),
        (b'{"name": "k", "scopes": [1, 2]}', 422),
        (b'{"name": 5, "scopes": ["read"]}', 422),
    ],
)
def test_a_bad_create_body_is_refused_with_an_error_body(
    capy: httpx.Client, content: bytes, status: int
) -> None:
    response = capy.post(keys_path(), content=content, headers={"content-type": "application/json"})

    assert response.status_code == status
    error_of(response)
    assert capy.get(keys_path()).json()["api_keys"] == []


def test_a_field_error_names_the_field(capy: httpx.Client) -> None:
    response = capy.post(keys_path(), json={"name": "k", "scopes": ["ok", 7]})

    assert error_of(response).startswith("Invalid 'scopes.1'")


def test_an_unknown_cursor_is_a_400(capy: httpx.Client) -> None:
    response = capy.get(keys_path(), params={"cursor": "ak_never"})

    assert response.status_code == 400
    assert "cursor" in error_of(response)


def test_another_organizations_key_is_no_cursor(capy: httpx.Client, create) -> None:
    key_id = create(organization_id=OTHER_ORG)["api_key"]["id"]

    assert capy.get(keys_path(), params={"cursor": key_id}).status_code == 400


def test_a_list_longer_than_a_page_comes_in_pages_linked_by_next_cursor(emulator_factory) -> None:
    running = emulator_factory(EmulatorConfig(port=0, services={"capy": {"page_size": 2}}))
    with httpx.Client(
        base_url=running.endpoint("capy").base_url,
        headers=bearer(running.endpoint("capy").credential),
        trust_env=False,
    ) as capy:
        ids = [
            capy.post(keys_path(), json={"name": f"k{i}", "scopes": ["r"]}).json()["api_key"]["id"]
            for i in range(5)
        ]
        pages, cursor = [], None
        while True:
            body = capy.get(keys_path(), params={"cursor": cursor} if cursor else None).json()
            pages.append([key["id"] for key in body["api_keys"]])
            cursor = body["next_cursor"]
            if cursor is None:
                break

    assert pages == [ids[0:2], ids[2:4], ids[4:5]]


def test_a_list_of_exactly_one_page_has_no_next_cursor(emulator_factory) -> None:
    running = emulator_factory(EmulatorConfig(port=0, services={"capy": {"page_size": 2}}))
    with httpx.Client(
        base_url=running.endpoint("capy").base_url,
        headers=bearer(running.endpoint("capy").credential),
        trust_env=False,
    ) as capy:
        for index in range(2):
            capy.post(keys_path(), json={"name": f"k{index}", "scopes": ["r"]})
        body = capy.get(keys_path()).json()

    assert (len(body["api_keys"]), body["next_cursor"]) == (2, None)


def test_an_unknown_path_under_the_capy_prefix_is_a_capy_404(capy: httpx.Client) -> None:
    response = capy.get(f"{keys_path()}/ak_1/rotate")

    assert response.status_code == 404
    assert error_of(response).startswith("Invalid URL")


def test_a_method_the_path_does_not_allow_is_a_capy_405(capy: httpx.Client) -> None:
    response = capy.put(keys_path(), json={})

    assert response.status_code == 405
    error_of(response)


def test_openai_paths_keep_openais_error_format(emulator: RunningEmulator) -> None:
    response = httpx.get(emulator.endpoint("openai").base_url + KEYS, trust_env=False)

    assert response.status_code == 401
    assert set(response.json()["error"]) == {"message", "type", "param", "code"}


@pytest.mark.parametrize(
    ("fault", "status"), [("rate_limit", 429), ("server_error", 500), ("unavailable", 503)]
)
def test_an_injected_fault_under_capy_paths_renders_capys_error_body(
    emulator: RunningEmulator, capy: httpx.Client, fault: str, status: int
) -> None:
    emulator.control.set_faults(FaultPlan.model_validate({"script": [fault]}))

    response = capy.get(keys_path())

    assert response.status_code == status
    assert isinstance(error_of(response), str)


def test_an_injected_429_under_capy_paths_keeps_its_retry_after(
    emulator: RunningEmulator, capy: httpx.Client
) -> None:
    emulator.control.set_faults(FaultPlan(script=["rate_limit"], retry_after_seconds=2))

    response = capy.post(keys_path(), json={"name": "k", "scopes": ["r"]})

    assert (response.status_code, response.headers["retry-after"]) == (429, "2")
    assert capy.get(keys_path()).json()["api_keys"] == []


def test_a_commit_fault_on_a_capy_create_still_makes_the_key(
    emulator: RunningEmulator, capy: httpx.Client
) -> None:
    emulator.control.set_faults(FaultPlan(script=["commit_then_drop"]))

    with pytest.raises(httpx.TransportError):
        capy.post(keys_path(), json={"name": "k", "scopes": ["r"]})

    assert [key["name"] for key in capy.get(keys_path()).json()["api_keys"]] == ["k"]


def test_reset_forgets_capy_keys(emulator: RunningEmulator, capy: httpx.Client, create) -> None:
    create()
    assert emulator.control.health().keys["capy"] == 1

    emulator.control.reset()

    assert capy.get(keys_path()).json()["api_keys"] == []
    assert emulator.control.health().keys["capy"] == 0


def test_both_kinds_of_keys_survive_a_restart(emulator_factory, tmp_path: Path) -> None:
    config = EmulatorConfig(port=0, state_file=tmp_path / "emulator-state.json")
    first = emulator_factory(config)
    with httpx.Client(base_url=first.root_url, trust_env=False) as api:
        openai_key = api.post(
            "/v1" + KEYS, json={"name": "openai"}, headers=bearer(first.endpoint("openai").credential)
        ).json()
        capy_root = bearer(first.endpoint("capy").credential)
        kept = api.post(keys_path(), json={"name": "kept", "scopes": ["r"]}, headers=capy_root).json()
        gone = api.post(keys_path(), json={"name": "gone", "scopes": ["r"]}, headers=capy_root).json()
        api.delete(f"{keys_path()}/{gone['api_key']['id']}", headers=capy_root)
        before = api.get(keys_path(), headers=capy_root).json()
    first.stop()

    second = emulator_factory(config)
    with httpx.Client(base_url=second.root_url, trust_env=False) as api:
        openai_listed = api.get("/v1" + KEYS, headers=bearer(openai_key["value"]))
        capy_listed = api.get(keys_path(), headers=bearer(kept["plaintext_api_key"]))
        revoked_refused = api.get(keys_path(), headers=bearer(gone["plaintext_api_key"]))

    assert [item["id"] for item in openai_listed.json()["data"]] == [openai_key["id"]]
    assert capy_listed.status_code == 200
    after = [ApiKey.model_validate(key) for key in capy_listed.json()["api_keys"]]
    assert [(key.id, key.is_gone) for key in after] == [
        (kept["api_key"]["id"], False),
        (gone["api_key"]["id"], True),
    ]
    assert after[1] == ApiKey.model_validate(before["api_keys"][1])
    assert revoked_refused.status_code == 401


def test_the_state_file_never_holds_a_capy_secret(emulator_factory, tmp_path: Path) -> None:
    state_file = tmp_path / "emulator-state.json"
    running = emulator_factory(EmulatorConfig(port=0, state_file=state_file))
    with httpx.Client(
        base_url=running.endpoint("capy").base_url,
        headers=bearer(running.endpoint("capy").credential),
        trust_env=False,
    ) as capy:
        secrets = [
            capy.post(keys_path(), json={"name": f"k{i}", "scopes": ["r"]}).json()["plaintext_api_key"]
            for i in range(3)
        ]
        capy.get(keys_path(), headers=bearer(secrets[0]))  # a use rewrites the file too

    text = state_file.read_text()

    assert all(secret not in text and secret[len("capy_live_") :] not in text for secret in secrets)
    assert running.endpoint("capy").credential not in text
    assert len(json.loads(text)["capy"]["keys"]) == 3


def test_a_state_file_from_before_capy_loads_with_no_capy_keys(emulator_factory, tmp_path: Path) -> None:
    state_file = tmp_path / "emulator-state.json"
    state_file.write_text(json.dumps({"version": 1, "next_seq": 1, "keys": [], "tombstones": {}}))
    running = emulator_factory(EmulatorConfig(port=0, state_file=state_file))
    with httpx.Client(
        base_url=running.endpoint("capy").base_url,
        headers=bearer(running.endpoint("capy").credential),
        trust_env=False,
    ) as capy:
        assert capy.get(keys_path()).json()["api_keys"] == []
        capy.post(keys_path(), json={"name": "k", "scopes": ["r"]})

    saved = json.loads(state_file.read_text())
    assert (saved["openai"]["next_seq"], len(saved["capy"]["keys"])) == (1, 1)


def test_an_unusable_capy_section_of_the_state_file_refuses_to_start(
    emulator_factory, tmp_path: Path
) -> None:
    state_file = tmp_path / "emulator-state.json"
    state_file.write_text(json.dumps({"capy": {"keys": [{"secret_sha256": "x"}]}}))

    with pytest.raises(ConfigurationError, match=r"emulator-state\.json is not usable: capy\.keys\.0\.key"):
        emulator_factory(EmulatorConfig(port=0, state_file=state_file))
