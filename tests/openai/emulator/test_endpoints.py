"""The Admin API keys endpoints: what each answers, with which status and body."""

from __future__ import annotations

import re

import httpx
import pytest

from pulumi_apikeys.emulator import EmulatorConfig
from pulumi_apikeys.openai.models import AdminApiKey, AdminApiKeyCreated, AdminApiKeyDeleted, OpenAIErrorBody
from tests.emulator.helpers import KEYS, bearer


def test_create_returns_the_key_with_its_value(api: httpx.Client) -> None:
    response = api.post(KEYS, json={"name": "ci-deployer"})

    assert response.status_code == 200
    created = AdminApiKeyCreated.model_validate(response.json())
    assert created.object == "organization.admin_api_key"
    assert created.name == "ci-deployer"
    assert re.fullmatch(r"key_[0-9a-f]+", created.id)
    value = created.value.get_secret_value()
    assert value.startswith("sk-admin-")
    assert created.redacted_value == "sk-admin..." + value[-3:]
    assert created.expires_at is None
    assert created.last_used_at is None


def test_create_with_a_lifetime_sets_expires_at(api: httpx.Client) -> None:
    body = api.post(KEYS, json={"name": "short-lived", "expires_in_seconds": 3600}).json()

    assert body["expires_at"] == body["created_at"] + 3600


def test_created_keys_are_owned_by_a_user_by_default(api: httpx.Client) -> None:
    owner = api.post(KEYS, json={"name": "k"}).json()["owner"]

    assert (owner["type"], owner["object"], owner["role"]) == ("user", "organization.user", "owner")


def test_an_emulator_can_make_service_account_owned_keys(emulator_factory) -> None:
    running = emulator_factory(
        EmulatorConfig(
            port=0,
            services={
                "openai": {"owner_kind": "service_account", "owner_id": "svc_1", "owner_name": "deployer"}
            },
        )
    )
    with httpx.Client(
        base_url=running.endpoint("openai").base_url,
        headers=bearer(running.endpoint("openai").credential),
        trust_env=False,
    ) as api:
        owner = api.post(KEYS, json={"name": "k"}).json()["owner"]

    assert owner == {
        "type": "service_account",
        "object": "organization.service_account",
        "id": "svc_1",
        "name": "deployer",
        "created_at": owner["created_at"],
        "role": "member",
    }


def test_retrieve_returns_the_key_without_its_value(api: httpx.Client, create_key) -> None:
    created = create_key("k")

    response = api.get(f"{KEYS}/{created['id']}")

    assert response.status_code == 200
    assert "value" not in response.json()
    assert AdminApiKey.model_validate(response.json()).id == created["id"]


def test_retrieve_of_an_unknown_id_is_a_404_naming_it(api: httpx.Client) -> None:
    response = api.get(f"{KEYS}/key_doesnotexist")

    assert response.status_code == 404
    error = OpenAIErrorBody.model_validate(response.json()).error
    assert error.type == "invalid_request_error"
    assert error.param == "key_id"
    assert "key_doesnotexist" in error.message


def test_delete_removes_the_key(api: httpx.Client, create_key) -> None:
    created = create_key("k")

    response = api.delete(f"{KEYS}/{created['id']}")

    assert response.status_code == 200
    assert AdminApiKeyDeleted.model_validate(response.json()) == AdminApiKeyDeleted(
        id=created["id"], object="organization.admin_api_key.deleted", deleted=True
    )
    assert api.get(f"{KEYS}/{created['id']}").status_code == 404


def test_deleting_a_deleted_key_is_a_404(api: httpx.Client, create_key) -> None:
    created = create_key("k")
    api.delete(f"{KEYS}/{created['id']}")

    response = api.delete(f"{KEYS}/{created['id']}")

    assert response.status_code == 404
    assert OpenAIErrorBody.model_validate(response.json()).error.param == "key_id"


def test_list_shows_created_keys_without_values(api: httpx.Client, create_key) -> None:
    created = create_key("k")

    body = api.get(KEYS).json()

    assert body["object"] == "list"
    assert [item["id"] for item in body["data"]] == [created["id"]]
    assert "value" not in body["data"][0]


def test_an_empty_list_has_null_first_and_last_ids(api: httpx.Client) -> None:
    body = api.get(KEYS).json()

    assert body == {"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": False}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", KEYS),
        ("POST", KEYS),
        ("GET", f"{KEYS}/key_missing"),
        ("GET", "/no/such/path"),
    ],
)
def test_every_response_carries_a_request_id(api: httpx.Client, method: str, path: str) -> None:
    response = api.request(method, path, json={"name": "k"} if method == "POST" else None)

    assert re.fullmatch(r"req_[0-9a-f]{32}", response.headers["x-request-id"])


def test_request_ids_differ_between_requests(api: httpx.Client) -> None:
    first = api.get(KEYS).headers["x-request-id"]
    second = api.get(KEYS).headers["x-request-id"]

    assert first != second


def test_an_unknown_path_is_an_openai_style_404(api: httpx.Client) -> None:
    response = api.get("/organization/nothing_here")

    assert response.status_code == 404
    error = OpenAIErrorBody.model_validate(response.json()).error
    assert error.message == "Invalid URL (GET /v1/organization/nothing_here)"
    assert error.type == "invalid_request_error"


def test_a_wrong_method_is_an_openai_style_405_listing_the_allowed_ones(api: httpx.Client) -> None:
    response = api.put(KEYS, json={})

    assert response.status_code == 405
    assert OpenAIErrorBody.model_validate(response.json()).error.type == "invalid_request_error"
    assert {method.strip() for method in response.headers["allow"].split(",")} >= {"GET", "POST"}
