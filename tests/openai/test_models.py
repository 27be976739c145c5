"""The API models accept what the documentation shows and refuse what it does not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from pulumi_apikeys.openai.models import (
    REVEAL_SECRETS,
    AdminApiKey,
    AdminApiKeyCreated,
    AdminApiKeyCreateRequest,
    AdminApiKeyDeleted,
    AdminApiKeyPage,
    OpenAIErrorBody,
)

FIXTURES = Path(__file__).parent / "fixtures"
SECRET = "sk-admin-Zq8xV3mN0pL5wR2tY7uI9oP4aS6dF1gH"


def seed(name: str) -> str:
    return (FIXTURES / name).read_text()


def created_body(**changes: object) -> dict[str, object]:
    body = json.loads(seed("seed_001_admin_api_key.json"))
    body["value"] = SECRET
    body.update(changes)
    return body


def test_the_documented_key_example_parses_with_a_user_owner():
    key = AdminApiKey.model_validate_json(seed("seed_001_admin_api_key.json"))
    assert (key.id, key.name, key.redacted_value, key.created_at, key.last_used_at) == (
        "key_abc",
        "Main Admin Key",
        "sk-admin...xyz",
        1711471533,
        1711471534,
    )
    assert (key.owner.type, key.owner.role, key.expires_at) == ("user", "owner", None)


def test_the_documented_list_example_parses_with_a_service_account_owner():
    page = AdminApiKeyPage.model_validate_json(seed("seed_003_list_page.json"))
    assert page.has_more is False
    assert (page.first_id, page.last_id) == ("key_abc", "key_abc")
    assert (page.data[0].owner.type, page.data[0].owner.object, page.data[0].owner.role) == (
        "service_account",
        "organization.service_account",
        "member",
    )


def test_unknown_fields_are_tolerated():
    body = json.loads(seed("seed_001_admin_api_key.json")) | {"brand_new_field": {"x": 1}}
    assert AdminApiKey.model_validate(body).id == "key_abc"


def test_a_missing_required_field_is_an_error_naming_it():
    body = json.loads(seed("seed_001_admin_api_key.json"))
    del body["redacted_value"]
    with pytest.raises(ValidationError, match="redacted_value"):
        AdminApiKey.model_validate(body)


def test_a_field_of_the_wrong_type_is_an_error_not_a_coercion():
    body = json.loads(seed("seed_001_admin_api_key.json")) | {"created_at": "1711471533"}
    with pytest.raises(ValidationError, match="created_at"):
        AdminApiKey.model_validate_json(json.dumps(body))


def test_a_page_needs_only_object_data_and_has_more():
    page = AdminApiKeyPage.model_validate_json('{"object": "list", "data": [], "has_more": false}')
    assert (page.first_id, page.last_id) == (None, None)


def test_the_create_response_hides_its_value_in_repr_str_and_dumps():
    created = AdminApiKeyCreated.model_validate(created_body())
    for text in (repr(created), str(created), created.model_dump_json(), json.dumps(created.model_dump())):
        assert SECRET not in text
    assert created.value.get_secret_value() == SECRET


def test_the_create_response_reveals_its_value_only_when_asked():
    created = AdminApiKeyCreated.model_validate(created_body())
    assert json.loads(created.model_dump_json(context=REVEAL_SECRETS))["value"] == SECRET


def test_a_create_response_without_a_value_is_an_error():
    body = created_body()
    del body["value"]
    with pytest.raises(ValidationError, match="value"):
        AdminApiKeyCreated.model_validate(body)


def test_the_delete_response_parses():
    deleted = AdminApiKeyDeleted.model_validate_json(
        '{"id": "key_abc", "object": "organization.admin_api_key.deleted", "deleted": true}'
    )
    assert (deleted.id, deleted.deleted) == ("key_abc", True)


def test_the_error_body_parses():
    body = OpenAIErrorBody.model_validate_json(
        '{"error": {"message": "No such key", "type": "invalid_request_error", "param": null, "code": null}}'
    )
    assert body.error.message == "No such key"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "k", "expires_in_seconds": 0}, "expires_in_seconds"),
        ({"name": "k", "expires_in_seconds": 31_536_001}, "expires_in_seconds"),
    ],
)
def test_the_create_request_refuses_what_the_api_refuses(body, field):
    with pytest.raises(ValidationError, match=field):
        AdminApiKeyCreateRequest.model_validate(body)
