"""The 400s: requests the API refuses for their content, naming the parameter at fault."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pulumi_apikeys.openai_projects.models import EXPIRES_IN_SECONDS_MAX, OpenAIErrorBody

from .conftest import CreateAccount
from .helpers import PROJECTS, account_path, accounts_path, key_path, keys_path


def _bad_request_param(response: httpx.Response) -> str | None:
    assert response.status_code == 400, response.text
    error = OpenAIErrorBody.model_validate(response.json()).error
    assert error.type == "invalid_request_error"
    return error.param


@pytest.fixture
def account(create_account: CreateAccount) -> dict[str, Any]:
    """A service account with its initial key."""
    return create_account()


def test_a_body_that_is_not_json_is_refused(api: httpx.Client, project_id: str) -> None:
    response = api.post(
        accounts_path(project_id), content=b"name=a", headers={"content-type": "application/json"}
    )

    assert _bad_request_param(response) is None
    assert "could not parse the JSON body" in response.json()["error"]["message"]


@pytest.mark.parametrize("body", [["a"], "a", 3, None])
def test_a_body_that_is_not_an_object_is_refused(api: httpx.Client, body: Any) -> None:
    assert _bad_request_param(api.post(PROJECTS, json=body)) is None


@pytest.mark.parametrize(
    "body",
    [{}, {"name": ""}, {"name": None}, {"name": 5}],
    ids=["missing", "empty", "null", "number"],
)
def test_a_project_without_a_usable_name_is_refused(api: httpx.Client, body: dict[str, Any]) -> None:
    assert _bad_request_param(api.post(PROJECTS, json=body)) == "name"


@pytest.mark.parametrize(
    "body",
    [{}, {"name": ""}, {"name": None}, {"name": ["a"]}],
    ids=["missing", "empty", "null", "list"],
)
def test_an_account_without_a_usable_name_is_refused(
    api: httpx.Client, project_id: str, body: dict[str, Any]
) -> None:
    assert _bad_request_param(api.post(accounts_path(project_id), json=body)) == "name"


@pytest.mark.parametrize(
    "expires_in_seconds",
    [0, -1, EXPIRES_IN_SECONDS_MAX + 1, "3600", True, 36.5],
    ids=["zero", "negative", "over-a-year", "string", "bool", "float"],
)
def test_an_account_with_an_unusable_lifetime_is_refused(
    api: httpx.Client, project_id: str, expires_in_seconds: Any
) -> None:
    response = api.post(
        accounts_path(project_id), json={"name": "a", "expires_in_seconds": expires_in_seconds}
    )

    assert _bad_request_param(response) == "expires_in_seconds"


def test_a_lifetime_with_create_service_account_only_is_refused(api: httpx.Client, project_id: str) -> None:
    response = api.post(
        accounts_path(project_id),
        json={"name": "a", "expires_in_seconds": 60, "create_service_account_only": True},
    )

    assert _bad_request_param(response) == "expires_in_seconds"


def test_a_refused_account_create_makes_no_account(api: httpx.Client, project_id: str) -> None:
    api.post(accounts_path(project_id), json={"name": ""})

    assert api.get(accounts_path(project_id)).json()["data"] == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("scopes", "api.model.read"), ("scopes", [1]), ("name", ""), ("expires_in_seconds", 0)],
    ids=["scopes-not-a-list", "scopes-not-strings", "empty-name", "zero-lifetime"],
)
def test_a_key_create_with_an_unusable_field_is_refused(
    api: httpx.Client, project_id: str, account: dict[str, Any], field: str, value: Any
) -> None:
    response = api.post(f"{account_path(project_id, account['id'])}/api_keys", json={field: value})

    assert _bad_request_param(response) == field


def test_an_update_with_no_field_is_refused(
    api: httpx.Client, project_id: str, account: dict[str, Any]
) -> None:
    assert _bad_request_param(api.post(key_path(project_id, account["api_key"]["id"]), json={})) is None


@pytest.mark.parametrize("field", ["scopes", "expires_in_seconds"])
def test_an_update_with_a_null_field_is_refused(
    api: httpx.Client, project_id: str, account: dict[str, Any], field: str
) -> None:
    response = api.post(key_path(project_id, account["api_key"]["id"]), json={field: None})

    assert _bad_request_param(response) == field


@pytest.mark.parametrize("expires_in_seconds", [0, EXPIRES_IN_SECONDS_MAX + 1, "60"])
def test_an_update_with_an_unusable_lifetime_is_refused(
    api: httpx.Client, project_id: str, account: dict[str, Any], expires_in_seconds: Any
) -> None:
    response = api.post(
        key_path(project_id, account["api_key"]["id"]), json={"expires_in_seconds": expires_in_seconds}
    )

    assert _bad_request_param(response) == "expires_in_seconds"


@pytest.mark.parametrize("limit", ["0", "101", "-1", "1.5", "ten", "", " 5"])
def test_a_list_limit_outside_1_to_100_is_refused(api: httpx.Client, project_id: str, limit: str) -> None:
    assert _bad_request_param(api.get(accounts_path(project_id), params={"limit": limit})) == "limit"


@pytest.mark.parametrize("path", ["projects", "accounts", "keys"])
def test_a_list_after_an_id_never_seen_is_refused(api: httpx.Client, project_id: str, path: str) -> None:
    url = {"projects": PROJECTS, "accounts": accounts_path(project_id), "keys": keys_path(project_id)}[path]

    assert _bad_request_param(api.get(url, params={"after": "key_never_existed"})) == "after"


@pytest.mark.parametrize("access", ["all", "ACTIVE", ""])
def test_an_unknown_owner_project_access_filter_is_refused(
    api: httpx.Client, project_id: str, access: str
) -> None:
    response = api.get(keys_path(project_id), params={"owner_project_access": access})

    assert _bad_request_param(response) == "owner_project_access"
