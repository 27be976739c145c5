"""Who the API lets in: the configured admin key, and the live keys the emulator created."""

from __future__ import annotations

import httpx

from pulumi_apikeys.openai.models import OpenAIErrorBody
from tests.emulator.helpers import KEYS, bearer


def test_the_configured_admin_key_is_accepted(api: httpx.Client) -> None:
    assert api.get(KEYS).status_code == 200


def test_a_request_without_a_key_is_refused_with_a_hint(api: httpx.Client) -> None:
    response = api.get(KEYS, headers={"Authorization": ""})

    assert response.status_code == 401
    error = OpenAIErrorBody.model_validate(response.json()).error
    assert error.type == "invalid_request_error"
    assert "You didn't provide an API key" in error.message
    assert "Authorization: Bearer" in error.message


def test_a_non_bearer_authorization_counts_as_no_key(api: httpx.Client) -> None:
    response = api.get(KEYS, headers={"Authorization": "Basic dXNlcjpwYXNz"})

    assert response.status_code == 401
    assert "You didn't provide an API key" in response.json()["error"]["message"]


def test_a_wrong_key_is_refused_as_invalid_api_key(api: httpx.Client) -> None:
    response = api.get(KEYS, headers=bearer("sk-admin-wrong-key-0123456789"))

    assert response.status_code == 401
    error = OpenAIErrorBody.model_validate(response.json()).error
    assert (error.type, error.code) == ("invalid_request_error", "invalid_api_key")
    assert error.message == "Incorrect API key provided."


def test_a_wrong_key_is_never_echoed_not_even_in_part(api: httpx.Client) -> None:
    presented = "sk-admin-SECRETwrongKEYxyz987"

    response = api.get(KEYS, headers=bearer(presented))

    for fragment in (presented, presented[:12], presented[-4:], "SECRET"):
        assert fragment not in response.text
        assert fragment not in str(response.headers)


def test_a_created_key_authenticates(api: httpx.Client, create_key) -> None:
    value = create_key("k")["value"]

    response = api.get(KEYS, headers=bearer(value))

    assert response.status_code == 200


def test_using_a_created_key_sets_its_last_used_at(api: httpx.Client, create_key) -> None:
    created = create_key("k")

    api.get(KEYS, headers=bearer(created["value"]))

    retrieved = api.get(f"{KEYS}/{created['id']}").json()
    assert retrieved["last_used_at"] is not None
    assert retrieved["last_used_at"] >= created["created_at"]


def test_using_the_configured_key_leaves_created_keys_unused(api: httpx.Client, create_key) -> None:
    created = create_key("k")

    api.get(KEYS)

    assert api.get(f"{KEYS}/{created['id']}").json()["last_used_at"] is None


def test_a_deleted_key_no_longer_authenticates(api: httpx.Client, create_key) -> None:
    created = create_key("k")
    api.delete(f"{KEYS}/{created['id']}")

    response = api.get(KEYS, headers=bearer(created["value"]))

    assert response.status_code == 401
