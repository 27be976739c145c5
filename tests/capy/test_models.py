"""The capy models accept what the seed documents and refuse what it does not."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from pulumi_apikeys.capy.client import capy_error_message
from pulumi_apikeys.capy.models import (
    REVEAL_SECRETS,
    ApiKey,
    ApiKeyCreated,
    ApiKeyCreateRequest,
    ApiKeyList,
    ApiKeyRevoked,
    CapyErrorBody,
)
from pulumi_apikeys.openai import models as openai_models

SECRET = "capy_live_" + "fake-for-tests-" * 2

# The seed's example object, as documented.
SEED_KEY = {
    "created_at": "2019-08-24T14:15:22Z",
    "created_by_user_id": "string",
    "device_name": "string",
    "expires_at": "2019-08-24T14:15:22Z",
    "id": "string",
    "is_active": True,
    "key_prefix": "string",
    "last_used_at": "2019-08-24T14:15:22Z",
    "name": "string",
    "organization_id": "string",
    "project_id": "string",
    "revoked_at": "2019-08-24T14:15:22Z",
    "scopes": ["string"],
    "source": "string",
}

MINIMAL_KEY = {
    "id": "ak_1",
    "name": "ci",
    "key_prefix": "capy_live_ab",
    "scopes": ["read"],
    "organization_id": "org_1",
    "is_active": True,
    "created_at": "2024-05-01T10:00:00Z",
}


def test_the_documented_key_example_parses_with_aware_datetimes():
    key = ApiKey.model_validate_json(json.dumps(SEED_KEY))
    expected = datetime(2019, 8, 24, 14, 15, 22, tzinfo=timezone.utc)
    for stamp in (key.created_at, key.expires_at, key.last_used_at, key.revoked_at):
        assert stamp == expected
        assert stamp is not None
        assert stamp.utcoffset() == timedelta(0)


def test_the_documented_list_example_parses():
    listed = ApiKeyList.model_validate_json(json.dumps({"api_keys": [SEED_KEY]}))
    assert [key.id for key in listed.api_keys] == ["string"]
    assert listed.next_cursor is None


def test_a_timestamp_with_an_offset_keeps_it():
    key = ApiKey.model_validate(MINIMAL_KEY | {"created_at": "2024-05-01T12:00:00+02:00"})
    assert key.created_at == datetime(2024, 5, 1, 10, 0, tzinfo=timezone.utc)
    assert key.created_at.utcoffset() == timedelta(hours=2)


def test_timestamps_parse_from_a_dict_as_from_json():
    assert ApiKey.model_validate(MINIMAL_KEY) == ApiKey.model_validate_json(json.dumps(MINIMAL_KEY))


def test_a_naive_timestamp_is_refused():
    with pytest.raises(ValidationError, match="created_at"):
        ApiKey.model_validate_json(json.dumps(MINIMAL_KEY | {"created_at": "2024-05-01T10:00:00"}))


def test_a_numeric_timestamp_is_refused_not_read_as_unix_seconds():
    with pytest.raises(ValidationError, match="created_at"):
        ApiKey.model_validate_json(json.dumps(MINIMAL_KEY | {"created_at": 1714557600}))


@pytest.mark.parametrize(
    "field", ["id", "name", "key_prefix", "scopes", "organization_id", "is_active", "created_at"]
)
def test_a_missing_required_field_is_an_error_naming_it(field):
    body = dict(MINIMAL_KEY)
    del body[field]
    with pytest.raises(ValidationError, match=field):
        ApiKey.model_validate_json(json.dumps(body))


def test_the_nullable_fields_default_to_none():
    key = ApiKey.model_validate_json(json.dumps(MINIMAL_KEY))
    assert (key.project_id, key.created_by_user_id, key.device_name, key.source) == (None, None, None, None)
    assert (key.expires_at, key.last_used_at, key.revoked_at) == (None, None, None)


def test_a_field_of_the_wrong_type_is_an_error_not_a_coercion():
    with pytest.raises(ValidationError, match="is_active"):
        ApiKey.model_validate_json(json.dumps(MINIMAL_KEY | {"is_active": "true"}))


def test_unknown_fields_are_tolerated():
    assert ApiKey.model_validate(MINIMAL_KEY | {"brand_new_field": {"x": 1}}).id == "ak_1"


@pytest.mark.parametrize(
    ("changes", "gone"),
    [
        ({}, False),
        ({"revoked_at": "2024-05-02T10:00:00Z"}, True),
        ({"is_active": False}, True),
        ({"is_active": False, "revoked_at": "2024-05-02T10:00:00Z"}, True),
    ],
)
def test_a_key_is_gone_when_revoked_or_inactive(changes, gone):
    assert ApiKey.model_validate(MINIMAL_KEY | changes).is_gone is gone


def created() -> ApiKeyCreated:
    return ApiKeyCreated.model_validate({"api_key": MINIMAL_KEY, "plaintext_api_key": SECRET})


def test_the_create_response_hides_its_secret_in_repr_str_and_dumps():
    response = created()
    dumps = (
        response.model_dump_json(),
        json.dumps(response.model_dump(), default=str),
        json.dumps(response.model_dump(mode="json")),
    )
    for text in (repr(response), str(response), *dumps):
        assert SECRET not in text
    assert response.plaintext_api_key.get_secret_value() == SECRET


def test_the_create_response_reveals_its_secret_only_when_asked():
    assert json.loads(created().model_dump_json(context=REVEAL_SECRETS))["plaintext_api_key"] == SECRET


def test_the_reveal_context_is_the_one_the_openai_models_use():
    assert REVEAL_SECRETS is openai_models.REVEAL_SECRETS


def test_a_create_response_without_its_secret_is_an_error():
    with pytest.raises(ValidationError, match="plaintext_api_key"):
        ApiKeyCreated.model_validate({"api_key": MINIMAL_KEY})


def test_the_revoke_response_parses():
    assert ApiKeyRevoked.model_validate_json('{"revoked": true}').revoked is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scopes": ["read"]}, "name"),
        ({"name": "", "scopes": ["read"]}, "name"),
        ({"name": "   ", "scopes": ["read"]}, "name"),
        ({"name": "k"}, "scopes"),
        ({"name": "k", "scopes": "read"}, "scopes"),
        ({"name": "k", "scopes": [1]}, "scopes"),
    ],
)
def test_the_create_request_refuses_what_the_api_refuses(body, field):
    with pytest.raises(ValidationError, match=field):
        ApiKeyCreateRequest.model_validate(body)


def test_the_error_body_parses():
    assert CapyErrorBody.model_validate_json('{"error": "No such key"}').error == "No such key"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"error": "No such key"}', "No such key"),
        (b'{"error": {"message": "an OpenAI error"}}', None),
        (b"<html>502</html>", None),
        (b"", None),
    ],
)
def test_the_error_parser_reads_only_capys_error_format(body, message):
    assert capy_error_message(body) == message


def test_the_capy_package_loads_without_the_pulumi_sdk():
    code = "import sys, pulumi_apikeys.capy; print('pulumi' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "False"
