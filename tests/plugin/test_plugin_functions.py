"""The lookup functions (invokes) as a program in any language calls them."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import json_format
from pulumi.runtime.proto import provider_pb2

from tests.plugin.driver import struct

OPENAI = "apikeys:openai:getAdminApiKeys"
CAPY = "apikeys:capy:getApiKeys"


def invoke(plugin, token: str, args: dict) -> provider_pb2.InvokeResponse:
    return plugin.stub.Invoke(provider_pb2.InvokeRequest(tok=token, args=struct(args)))


def records(response: provider_pb2.InvokeResponse) -> list[dict]:
    return json_format.MessageToDict(getattr(response, "return"))["keys"]


@pytest.fixture
def openai_keys(emulator) -> dict[str, str]:
    from tests.backends import under_test

    (subject,) = [s for s in under_test() if s.backend == "openai"]
    return {subject.create_out_of_band(emulator, name): name for name in ("deployer", "reader", "deployer")}


def test_the_openai_lookup_returns_every_key_without_a_value(plugin, openai_keys):
    found = records(invoke(plugin, OPENAI, {}))

    assert {r["id"]: r["name"] for r in found} == openai_keys
    assert all("value" not in r for r in found)
    assert {"redactedValue", "createdAt", "owner"} <= set(found[0])


def test_a_record_leaves_out_the_inputs_the_api_never_reports(plugin, openai_keys):
    found = records(invoke(plugin, OPENAI, {}))

    stored_only = {"expiresInSeconds", "rotationTriggers", "rotateAfterSeconds", "renewBeforeSeconds"}
    assert [sorted(stored_only & set(r)) for r in found] == [[]] * len(openai_keys)


def test_the_openai_lookup_keeps_only_the_keys_with_the_name_given(plugin, openai_keys):
    found = records(invoke(plugin, OPENAI, {"name": "deployer"}))

    assert sorted(r["id"] for r in found) == sorted(k for k, n in openai_keys.items() if n == "deployer")


def test_the_capy_lookup_lists_the_organizations_keys(plugin, emulator):
    from tests.backends import under_test

    (subject,) = [s for s in under_test() if s.backend == "capy"]
    key_id = subject.create_out_of_band(emulator, "ci")

    found = records(invoke(plugin, CAPY, {"organizationId": "org_1"}))

    assert [(r["id"], r["organizationId"], r["isActive"]) for r in found] == [(key_id, "org_1", True)]


def test_a_lookup_without_its_required_argument_fails_naming_it(plugin):
    response = invoke(plugin, CAPY, {"name": "ci"})

    assert [f.property for f in response.failures] == ["organizationId"]


def test_a_lookup_with_a_blank_name_fails_naming_it(plugin):
    response = invoke(plugin, OPENAI, {"name": " "})

    assert [f.property for f in response.failures] == ["name"]


def test_a_function_the_plugin_lacks_is_an_error_naming_it(plugin):
    with pytest.raises(grpc.RpcError) as raised:
        invoke(plugin, "apikeys:openai:getNothing", {})

    assert "'apikeys:openai:getNothing'" in raised.value.details()


PROJECT_KEYS = "apikeys:openai:getProjectApiKeys"


def test_the_project_lookup_returns_a_projects_keys_without_values_and_filters_by_name(plugin, emulator):
    from tests.backends.openai_projects import ACCOUNT, PROJECT, client

    api = client(emulator)
    made = {api.create_service_account_key(PROJECT, ACCOUNT, name=name).id: name for name in ("app", "ops")}

    found = records(invoke(plugin, PROJECT_KEYS, {"projectId": PROJECT}))
    named = records(invoke(plugin, PROJECT_KEYS, {"projectId": PROJECT, "name": "ops"}))

    assert {r["id"]: r["name"] for r in found} == made
    assert all("value" not in r for r in found)
    assert {r["serviceAccountId"] for r in found} == {ACCOUNT}
    assert [r["name"] for r in named] == ["ops"]


def test_the_project_lookup_requires_the_project(plugin):
    response = invoke(plugin, PROJECT_KEYS, {})

    assert [f.property for f in response.failures] == ["projectId"]
