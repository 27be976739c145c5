"""What the client makes of answers the emulator would never give: shapes the API might drift to."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from pulumi_apikeys.errors import UnreadableResponseError
from pulumi_apikeys.openai.client import AdminApiKeysClient
from pulumi_apikeys.settings import RetryPolicy

KEY = json.loads((Path(__file__).parent / "fixtures" / "seed_001_admin_api_key.json").read_text())


def client_answering(body: object) -> AdminApiKeysClient:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=body))
    return AdminApiKeysClient(
        admin_key="sk-admin-unit",
        base_url="https://api.example.test/v1",
        policy=RetryPolicy(max_retries=0),
        http_client=httpx.Client(transport=transport),
    )


def test_fields_the_client_does_not_know_are_ignored():
    key = client_answering(KEY | {"project_scope": ["p1"], "owner": KEY["owner"] | {"email": "x"}}).retrieve(
        "key_abc"
    )
    assert key.id == "key_abc"


def test_a_key_missing_its_id_is_an_error_naming_the_call_and_field():
    body = {k: v for k, v in KEY.items() if k != "id"}
    with pytest.raises(UnreadableResponseError) as caught:
        client_answering(body).retrieve("key_abc")
    assert str(caught.value).startswith("openai.admin_api_keys.retrieve failed with HTTP 200")
    assert "id: Field required" in str(caught.value)


def test_a_create_answer_without_the_value_is_an_error_not_a_key_without_a_value():
    with pytest.raises(UnreadableResponseError, match="value: Field required"):
        client_answering(KEY).send_create(name="k")


def test_a_page_whose_cursor_does_not_advance_is_an_error_not_an_endless_loop():
    page = {"object": "list", "data": [KEY], "has_more": True}
    with pytest.raises(UnreadableResponseError, match="pagination did not advance"):
        list(client_answering(page).list(after="key_abc"))
