"""The SDK's resources register, read and come back as the plugin's schema says."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import pulumi
import pytest

from pulumi_apikeys._version import __version__
from pulumi_apikeys.capy.resource import ApiKey as DynamicApiKey
from pulumi_apikeys.capy.resource import RotatingApiKey as DynamicRotatingApiKey
from pulumi_apikeys.openai.resource import AdminApiKey as DynamicAdminApiKey
from pulumi_apikeys.openai.resource import RotatingAdminApiKey as DynamicRotatingAdminApiKey
from pulumi_apikeys_native import openai
from pulumi_apikeys_native.capy import ApiKey, RotatingApiKey
from pulumi_apikeys_native.openai import AdminApiKey, AdminApiKeyArgs, RotatingAdminApiKey
from tests.sdk_native.conftest import (
    ADMIN_API_KEY,
    API_KEY,
    ROTATING_ADMIN_API_KEY,
    ROTATING_API_KEY,
    MockedEngine,
    wire,
)

OWNER = {"type": "user", "object": "organization.user", "id": "user_1", "name": "Ada", "createdAt": 7}
ADMIN_KEY_OUTPUTS = {
    "redactedValue": "sk-admin-...xyz",
    "value": "sk-admin-secret",
    "createdAt": 5,
    "owner": OWNER,
}


def test_an_admin_api_key_registers_its_token_with_camel_case_inputs(engine: MockedEngine):
    engine.run(lambda: AdminApiKey("deployer", name="CI deployer", expires_in_seconds=3600))

    request = engine.monitor.registration(ADMIN_API_KEY)
    assert request.custom
    assert wire(request.object) == {"name": "CI deployer", "expiresInSeconds": 3600.0}


def test_an_unset_optional_input_is_not_sent(engine: MockedEngine):
    engine.run(lambda: AdminApiKey("forever", name="Forever"))

    assert wire(engine.monitor.registration(ADMIN_API_KEY).object) == {"name": "Forever"}


def test_the_rotation_settings_register_with_camel_case_names_the_triggers_as_a_map(engine: MockedEngine):
    engine.run(
        lambda: AdminApiKey(
            "deployer",
            name="CI deployer",
            rotation_triggers={"deployment": "v42"},
            rotate_after_seconds=86400,
            renew_before_seconds=3600,
        )
    )

    assert wire(engine.monitor.registration(ADMIN_API_KEY).object) == {
        "name": "CI deployer",
        "rotationTriggers": {"deployment": "v42"},
        "rotateAfterSeconds": 86400.0,
        "renewBeforeSeconds": 3600.0,
    }


def test_a_registration_asks_the_engine_for_the_plugin_at_the_packages_version(engine: MockedEngine):
    engine.run(lambda: AdminApiKey("deployer", name="CI deployer"))

    assert engine.monitor.registration(ADMIN_API_KEY).version == __version__


EVERY_KEY = pytest.mark.parametrize(
    ("token", "program", "replacing"),
    [
        (
            ADMIN_API_KEY,
            lambda: AdminApiKey("deployer", name="CI"),
            ["expiresInSeconds", "name", "rotationTriggers"],
        ),
        (
            API_KEY,
            lambda: ApiKey("ci", organization_id="org_1", name="CI", scopes=["keys:read"]),
            ["name", "organizationId", "rotationTriggers", "scopes"],
        ),
    ],
    ids=["AdminApiKey", "ApiKey"],
)
EVERY_PAIR = pytest.mark.parametrize(
    ("token", "program", "replacing"),
    [
        (
            ROTATING_ADMIN_API_KEY,
            lambda: RotatingAdminApiKey("deployer", name="CI", rotate_after_seconds=60),
            [],
        ),
        (
            ROTATING_API_KEY,
            lambda: RotatingApiKey(
                "ci", organization_id="org_1", name="CI", scopes=["keys:read"], rotate_after_seconds=60
            ),
            ["organizationId"],
        ),
    ],
    ids=["RotatingAdminApiKey", "RotatingApiKey"],
)


@EVERY_KEY
def test_a_registration_asks_for_the_value_as_a_secret_output(
    engine: MockedEngine, token: str, program: Callable[[], object], replacing: list[str]
):
    engine.run(program)

    assert list(engine.monitor.registration(token).additionalSecretOutputs) == ["value"]


@EVERY_KEY
def test_a_registration_asks_for_replacement_on_a_change_of_any_input_but_a_rotation_period(
    engine: MockedEngine, token: str, program: Callable[[], object], replacing: list[str]
):
    engine.run(program)

    assert list(engine.monitor.registration(token).replaceOnChanges) == replacing


@EVERY_PAIR
def test_a_pair_registers_its_token_and_asks_for_both_values_as_secret_outputs(
    engine: MockedEngine, token: str, program: Callable[[], object], replacing: list[str]
):
    engine.run(program)

    request = engine.monitor.registration(token)
    assert request.custom
    assert list(request.additionalSecretOutputs) == ["currentValue", "previousValue"]


@EVERY_PAIR
def test_a_pair_asks_for_replacement_only_on_a_change_of_where_its_keys_live(
    engine: MockedEngine, token: str, program: Callable[[], object], replacing: list[str]
):
    engine.run(program)

    assert list(engine.monitor.registration(token).replaceOnChanges) == replacing


def test_a_pair_requires_its_period():
    with pytest.raises(TypeError, match="Missing required property 'rotate_after_seconds'"):
        RotatingAdminApiKey("deployer", name="CI")  # type: ignore[call-overload]


def test_a_capy_key_registers_organization_id_name_and_scopes(engine: MockedEngine):
    engine.run(lambda: ApiKey("ci", organization_id="org_1", name="CI", scopes=["keys:read", "deploy"]))

    assert wire(engine.monitor.registration(API_KEY).object) == {
        "organizationId": "org_1",
        "name": "CI",
        "scopes": ["keys:read", "deploy"],
    }


def test_an_args_object_registers_as_keyword_arguments_do(engine: MockedEngine):
    engine.run(lambda: AdminApiKey("deployer", AdminApiKeyArgs(name="CI deployer", expires_in_seconds=60)))

    assert wire(engine.monitor.registration(ADMIN_API_KEY).object) == {
        "name": "CI deployer",
        "expiresInSeconds": 60.0,
    }


def test_a_missing_required_input_is_a_type_error_naming_it():
    with pytest.raises(TypeError, match="Missing required property 'scopes'"):
        ApiKey("ci", organization_id="org_1", name="CI")


def test_the_outputs_come_back_as_snake_case_attributes(engine: MockedEngine):
    engine.mocks.outputs[ADMIN_API_KEY] = ADMIN_KEY_OUTPUTS

    def program() -> pulumi.Output[list[object]]:
        key = AdminApiKey("deployer", name="CI deployer")
        return pulumi.Output.all(key.redacted_value, key.created_at, key.expires_at, key.name)

    assert engine.run(program) == ["sk-admin-...xyz", 5, None, "CI deployer"]


def test_the_owner_comes_back_typed_with_snake_case_attributes(engine: MockedEngine):
    engine.mocks.outputs[ADMIN_API_KEY] = ADMIN_KEY_OUTPUTS

    owner = engine.run(lambda: AdminApiKey("deployer", name="CI deployer").owner)

    assert isinstance(owner, openai.outputs.AdminApiKeyOwner)
    assert (owner.id, owner.created_at, owner.role) == ("user_1", 7, None)


def test_get_reads_the_key_by_its_id_with_no_inputs(engine: MockedEngine):
    engine.run(lambda: AdminApiKey.get("existing", "key_abc"))

    (request,) = engine.monitor.read
    assert (request.type, request.id, request.name) == (ADMIN_API_KEY, "key_abc", "existing")
    assert wire(request.properties) == {}
    assert request.version == __version__


def test_a_capy_get_sends_the_organization_as_state(engine: MockedEngine):
    engine.run(lambda: ApiKey.get("existing", "ak_1", organization_id="org_1"))

    (request,) = engine.monitor.read
    assert (request.type, request.id) == (API_KEY, "ak_1")
    assert wire(request.properties) == {"organizationId": "org_1"}


def test_a_read_key_has_the_outputs_the_plugin_read(engine: MockedEngine):
    engine.mocks.outputs[API_KEY] = {"keyPrefix": "capy_live_ab", "isActive": True}

    def program() -> pulumi.Output[list[object]]:
        key = ApiKey.get("existing", "ak_1", organization_id="org_1")
        return pulumi.Output.all(key.id, key.key_prefix, key.is_active, key.organization_id)

    assert engine.run(program) == ["ak_1", "capy_live_ab", True, "org_1"]


EVERY_CLASS = pytest.mark.parametrize(
    ("dynamic", "native"),
    [
        (DynamicAdminApiKey, AdminApiKey),
        (DynamicRotatingAdminApiKey, RotatingAdminApiKey),
        (DynamicApiKey, ApiKey),
        (DynamicRotatingApiKey, RotatingApiKey),
    ],
    ids=["AdminApiKey", "RotatingAdminApiKey", "ApiKey", "RotatingApiKey"],
)


def keywords(function: object, ignored: set[str]) -> set[str]:
    return set(inspect.signature(function).parameters) - ignored


@EVERY_CLASS
def test_the_keyword_arguments_are_the_dynamic_resources(dynamic: type, native: type):
    assert keywords(dynamic.__init__, {"self", "resource_name", "opts"}) == keywords(
        native._internal_init, {"__self__", "resource_name", "opts", "__props__"}
    )


@EVERY_CLASS
def test_get_takes_the_dynamic_resources_keywords_on_both_faces(dynamic: type, native: type):
    assert keywords(dynamic.get, {"resource_name", "id", "opts"}) <= keywords(
        native.get, {"resource_name", "id", "opts"}
    )
