"""The SDK's lookup functions invoke the plugin's, and return its records typed."""

from __future__ import annotations

import pulumi

from pulumi_apikeys._version import __version__
from pulumi_apikeys_native import capy, openai
from tests.sdk_native.conftest import MockedEngine, wire

GET_ADMIN_API_KEYS = "apikeys:openai:getAdminApiKeys"
GET_API_KEYS = "apikeys:capy:getApiKeys"
ADMIN_RECORD = {
    "id": "key_abc",
    "name": "CI deployer",
    "redactedValue": "sk-admin-...xyz",
    "createdAt": 5,
    "owner": {"id": "user_1", "createdAt": 7},
}
CAPY_RECORD = {
    "id": "ak_1",
    "organizationId": "org_1",
    "name": "CI",
    "scopes": ["deploy"],
    "keyPrefix": "capy_live_ab",
    "isActive": False,
    "createdAt": "2024-01-01T00:00:00+00:00",
}


def test_get_admin_api_keys_invokes_the_plugins_function_with_its_arguments(engine: MockedEngine):
    engine.mocks.results[GET_ADMIN_API_KEYS] = {"keys": []}

    engine.run(lambda: openai.get_admin_api_keys(name="CI deployer").keys)

    (request,) = engine.monitor.invoked
    assert (request.tok, wire(request.args)) == (GET_ADMIN_API_KEYS, {"name": "CI deployer"})
    assert request.version == __version__


def test_an_unset_argument_is_not_sent(engine: MockedEngine):
    engine.mocks.results[GET_ADMIN_API_KEYS] = {"keys": []}

    engine.run(lambda: openai.get_admin_api_keys().keys)

    assert wire(engine.monitor.invoked[0].args) == {}


def test_get_admin_api_keys_returns_typed_records_with_snake_case_attributes(engine: MockedEngine):
    engine.mocks.results[GET_ADMIN_API_KEYS] = {"keys": [ADMIN_RECORD]}

    (record,) = engine.run(lambda: openai.get_admin_api_keys().keys)

    assert isinstance(record, openai.outputs.AdminApiKeyRecord)
    assert (record.id, record.redacted_value, record.created_at, record.last_used_at) == (
        "key_abc",
        "sk-admin-...xyz",
        5,
        None,
    )
    assert isinstance(record.owner, openai.outputs.AdminApiKeyOwner)
    assert record.owner.created_at == 7


def test_get_api_keys_sends_the_organization_and_the_name(engine: MockedEngine):
    engine.mocks.results[GET_API_KEYS] = {"keys": []}

    engine.run(lambda: capy.get_api_keys(organization_id="org_1", name="CI").keys)

    (request,) = engine.monitor.invoked
    assert (request.tok, wire(request.args)) == (GET_API_KEYS, {"organizationId": "org_1", "name": "CI"})


def test_get_api_keys_output_takes_outputs_and_returns_typed_records_in_an_output(engine: MockedEngine):
    engine.mocks.results[GET_API_KEYS] = {"keys": [CAPY_RECORD]}

    def program() -> pulumi.Output[object]:
        organization = pulumi.Output.from_input("org_1")
        return capy.get_api_keys_output(organization_id=organization).apply(lambda result: result.keys)

    (record,) = engine.run(program)
    assert isinstance(record, capy.outputs.ApiKeyRecord)
    assert (record.organization_id, record.key_prefix, record.is_active, record.scopes) == (
        "org_1",
        "capy_live_ab",
        False,
        ["deploy"],
    )
    assert wire(engine.monitor.invoked[0].args) == {"organizationId": "org_1"}


def test_the_plain_function_returns_an_awaitable_result(engine: MockedEngine):
    engine.mocks.results[GET_ADMIN_API_KEYS] = {"keys": [ADMIN_RECORD]}

    async def awaited() -> object:
        return (await openai.get_admin_api_keys()).keys[0].id

    assert engine.run(lambda: pulumi.Output.from_input(awaited())) == "key_abc"
