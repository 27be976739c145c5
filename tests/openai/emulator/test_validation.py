"""The 400s: requests the API refuses for their content, naming the parameter at fault."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pulumi_apikeys.openai.models import EXPIRES_IN_SECONDS_MAX, OpenAIErrorBody
from tests.emulator.helpers import KEYS


def _bad_request_param(response: httpx.Response) -> str | None:
    assert response.status_code == 400, response.text
    error = OpenAIErrorBody.model_validate(response.json()).error
    assert error.type == "invalid_request_error"
    return error.param


def test_a_create_body_that_is_not_json_is_refused(api: httpx.Client) -> None:
    response = api.post(KEYS, content=b"name=k", headers={"content-type": "application/json"})

    assert _bad_request_param(response) is None
    assert "could not parse the JSON body" in response.json()["error"]["message"]


@pytest.mark.parametrize("body", [["k"], "k", 3, None])
def test_a_create_body_that_is_not_an_object_is_refused(api: httpx.Client, body: Any) -> None:
    response = api.post(KEYS, json=body)

    assert _bad_request_param(response) is None


@pytest.mark.parametrize(
    "body",
    [{}, {"name": ""}, {"name": None}, {"name": 5}, {"name": ["k"]}],
    ids=["missing", "empty", "null", "number", "list"],
)
def test_a_create_without_a_usable_name_is_refused(api: httpx.Client, body: dict[str, Any]) -> None:
    assert _bad_request_param(api.post(KEYS, json=body)) == "name"


@pytest.mark.parametrize(
    "expires_in_seconds",
    [0, -1, EXPIRES_IN_SECONDS_MAX + 1, "3600", True, 36.5],
    ids=["zero", "negative", "over-a-year", "string", "bool", "float"],
)
def test_a_create_with_an_unusable_lifetime_is_refused(api: httpx.Client, expires_in_seconds: Any) -> None:
    response = api.post(KEYS, json={"name": "k", "expires_in_seconds": expires_in_seconds})

    assert _bad_request_param(response) == "expires_in_seconds"


@pytest.mark.parametrize("expires_in_seconds", [1, EXPIRES_IN_SECONDS_MAX])
def test_a_create_accepts_the_lifetime_bounds(api: httpx.Client, expires_in_seconds: int) -> None:
    response = api.post(KEYS, json={"name": "k", "expires_in_seconds": expires_in_seconds})

    assert response.status_code == 200


def test_a_refused_create_makes_no_key(api: httpx.Client) -> None:
    api.post(KEYS, json={"name": ""})

    assert api.get(KEYS).json()["data"] == []


@pytest.mark.parametrize("limit", ["0", "101", "-1", "1.5", "ten", "", " 5"])
def test_a_list_limit_outside_1_to_100_is_refused(api: httpx.Client, limit: str) -> None:
    assert _bad_request_param(api.get(KEYS, params={"limit": limit})) == "limit"


@pytest.mark.parametrize("order", ["ascending", "DESC", ""])
def test_a_list_order_other_than_asc_or_desc_is_refused(api: httpx.Client, order: str) -> None:
    assert _bad_request_param(api.get(KEYS, params={"order": order})) == "order"


def test_a_list_after_an_id_never_seen_is_refused(api: httpx.Client) -> None:
    assert _bad_request_param(api.get(KEYS, params={"after": "key_never_existed"})) == "after"
