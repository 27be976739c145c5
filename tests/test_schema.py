"""``schema.json`` is the provider plugin's package schema, as the declarations make it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pulumi_apikeys import registry
from pulumi_apikeys._version import __version__
from pulumi_apikeys.capy.declaration import API_KEY
from pulumi_apikeys.capy.resource import ApiKey, RotatingApiKey
from pulumi_apikeys.core.declaration import Declared, KeyResource
from pulumi_apikeys.core.lifecycles import declarations
from pulumi_apikeys.core.rotating_pair import rotating_pair
from pulumi_apikeys.openai.declaration import ADMIN_API_KEY
from pulumi_apikeys.openai.resource import AdminApiKey, RotatingAdminApiKey
from pulumi_apikeys.schema import package_schema, package_schema_json
from pulumi_apikeys.sdkgen.python import py_name

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schema.json"
SCHEMA = package_schema()
ADMIN = SCHEMA["resources"]["apikeys:openai:AdminApiKey"]
CAPY = SCHEMA["resources"]["apikeys:capy:ApiKey"]
ADMIN_PAIR = SCHEMA["resources"]["apikeys:openai:RotatingAdminApiKey"]
CAPY_PAIR = SCHEMA["resources"]["apikeys:capy:RotatingApiKey"]

EVERY_RESOURCE = pytest.mark.parametrize(
    ("spec", "resource"), [(ADMIN_API_KEY, AdminApiKey), (API_KEY, ApiKey)], ids=["openai", "capy"]
)
EVERY_DECLARATION = pytest.mark.parametrize(
    ("spec", "resource"),
    [
        (ADMIN_API_KEY, AdminApiKey),
        (rotating_pair(ADMIN_API_KEY), RotatingAdminApiKey),
        (API_KEY, ApiKey),
        (rotating_pair(API_KEY), RotatingApiKey),
    ],
    ids=["openai", "openai-pair", "capy", "capy-pair"],
)
ROTATION_INPUTS = ["rotationTriggers", "rotateAfterSeconds", "renewBeforeSeconds"]
"""The rotation inputs every key resource declares, on the wire."""
PAIR_OUTPUTS = [
    "currentId", "currentValue", "currentExpiresAt", "previousId", "previousValue", "previousExpiresAt",
    "previousLastUsedAt", "rotatedAt", "nextRotationAt",
]  # fmt: skip
"""What a rotating pair adds to its key's inputs: both slots and the schedule."""
TOKEN = re.compile(r"^[a-zA-Z][-a-zA-Z0-9_]*:([^0-9][a-zA-Z0-9._/-]*)?:[^0-9][a-zA-Z0-9._/]*$")
"""The metaschema's pattern for resource and type tokens (``pkg/codegen/schema/pulumi.json``)."""
METASCHEMA_TOP_LEVEL = {
    "name", "displayName", "version", "description", "keywords", "homepage", "license", "attribution",
    "repository", "logoUrl", "pluginDownloadURL", "publisher", "namespace", "meta", "config", "types",
    "dependencies", "provider", "resources", "functions", "language", "parameterization",
    "allowedPackageNames",
}  # fmt: skip
"""The metaschema's top-level properties: it allows no others."""


def test_schema_json_is_what_the_code_generates():
    assert SCHEMA_FILE.read_text() == package_schema_json(), "regenerate: pulumi-apikeys schema > schema.json"


def test_the_schema_command_prints_schema_json():
    from click.testing import CliRunner

    from pulumi_apikeys.cli import main

    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    assert result.output == SCHEMA_FILE.read_text()


def test_the_command_line_the_schema_and_the_sdk_generator_load_without_the_pulumi_sdk():
    import subprocess
    import sys

    code = (
        "import sys, pulumi_apikeys.cli, pulumi_apikeys.schema, pulumi_apikeys.sdkgen; "
        "print('pulumi' in sys.modules)"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "False"


def test_the_package_is_the_plugin_apikeys_at_the_projects_version():
    assert (SCHEMA["name"], SCHEMA["version"]) == ("apikeys", __version__)


def test_the_top_level_holds_only_what_the_metaschema_knows():
    assert set(SCHEMA) <= METASCHEMA_TOP_LEVEL
    required = {"name", "description", "config", "provider", "resources", "types", "functions", "language"}
    assert required <= set(SCHEMA)


def test_the_resources_are_the_built_in_ones_each_followed_by_its_rotating_pair():
    assert list(SCHEMA["resources"]) == [
        "apikeys:openai:AdminApiKey",
        "apikeys:openai:RotatingAdminApiKey",
        "apikeys:capy:ApiKey",
        "apikeys:capy:RotatingApiKey",
        "apikeys:openai:ProjectServiceAccount",  # no pair: replacing it takes its keys along
        "apikeys:openai:ProjectApiKey",
        "apikeys:openai:RotatingProjectApiKey",
    ]
    assert list(SCHEMA["resources"]) == [
        d.plugin_type_name for d in declarations(registry.key_resources(registry.builtin()))
    ]


def test_every_token_matches_the_metaschemas_pattern():
    tokens = [*SCHEMA["resources"], *SCHEMA["types"], *SCHEMA["functions"]]

    assert tokens
    assert [t for t in tokens if not TOKEN.match(t)] == []


def test_the_properties_are_the_declared_names_in_camel_case():
    assert set(ADMIN["properties"]) == {
        "name", "expiresInSeconds", *ROTATION_INPUTS, "redactedValue", "value", "createdAt", "expiresAt",
        "lastUsedAt", "owner",
    }  # fmt: skip
    assert set(CAPY["properties"]) == {
        "organizationId", "name", "scopes", *ROTATION_INPUTS, "keyPrefix", "value", "projectId",
        "createdByUserId", "deviceName", "source", "isActive", "createdAt", "expiresAt", "lastUsedAt",
        "revokedAt",
    }  # fmt: skip


def test_a_pairs_properties_are_its_keys_inputs_its_period_and_triggers_then_both_slots():
    assert list(ADMIN_PAIR["properties"]) == [
        "name", "expiresInSeconds", "rotateAfterSeconds", "rotationTriggers", *PAIR_OUTPUTS,
    ]  # fmt: skip
    assert list(CAPY_PAIR["properties"]) == [
        "organizationId", "name", "scopes", "rotateAfterSeconds", "rotationTriggers", *PAIR_OUTPUTS,
    ]  # fmt: skip


def test_the_inputs_are_the_declared_ones_without_adopt_id():
    assert (list(ADMIN["inputProperties"]), ADMIN["requiredInputs"]) == (
        ["name", "expiresInSeconds", *ROTATION_INPUTS],
        ["name"],
    )
    assert (list(CAPY["inputProperties"]), CAPY["requiredInputs"]) == (
        ["organizationId", "name", "scopes", *ROTATION_INPUTS],
        ["organizationId", "name", "scopes"],
    )


def test_a_pair_requires_its_period_and_has_no_renewal_input():
    assert (list(ADMIN_PAIR["inputProperties"]), ADMIN_PAIR["requiredInputs"]) == (
        ["name", "expiresInSeconds", "rotateAfterSeconds", "rotationTriggers"],
        ["name", "rotateAfterSeconds"],
    )
    assert (list(CAPY_PAIR["inputProperties"]), CAPY_PAIR["requiredInputs"]) == (
        ["organizationId", "name", "scopes", "rotateAfterSeconds", "rotationTriggers"],
        ["organizationId", "name", "scopes", "rotateAfterSeconds"],
    )


def test_the_required_outputs_are_those_always_present():
    assert ADMIN["required"] == ["name", "redactedValue", "createdAt", "owner"]
    assert CAPY["required"] == ["organizationId", "name", "scopes", "keyPrefix", "isActive", "createdAt"]
    assert ADMIN_PAIR["required"] == ["name", "rotateAfterSeconds", "rotatedAt"]
    assert CAPY_PAIR["required"] == ["organizationId", "name", "scopes", "rotateAfterSeconds", "rotatedAt"]


@EVERY_RESOURCE
def test_value_is_the_only_secret(spec: KeyResource[Any, Any], resource: type):
    props = SCHEMA["resources"][spec.plugin_type_name]
    every = [*props["properties"].items(), *props["inputProperties"].items()]

    assert [name for name, prop in every if prop.get("secret")] == ["value"]


@pytest.mark.parametrize("pair", [ADMIN_PAIR, CAPY_PAIR], ids=["openai", "capy"])
def test_a_pairs_secrets_are_the_values_of_both_slots(pair: dict[str, Any]):
    every = [*pair["properties"].items(), *pair["inputProperties"].items()]

    assert [name for name, prop in every if prop.get("secret")] == ["currentValue", "previousValue"]


@EVERY_RESOURCE
def test_a_change_of_any_input_but_a_rotation_period_replaces_the_key_on_inputs_and_outputs_alike(
    spec: KeyResource[Any, Any], resource: type
):
    props = SCHEMA["resources"][spec.plugin_type_name]
    periods = {"rotateAfterSeconds", "renewBeforeSeconds"}
    replacing = [p.wire_name for p in spec.plugin_inputs if p.wire_name not in periods]

    assert [n for n, p in props["inputProperties"].items() if p.get("replaceOnChanges")] == replacing
    assert [n for n, p in props["properties"].items() if p.get("replaceOnChanges")] == replacing
    assert "rotationTriggers" in replacing


def test_only_a_change_of_where_its_keys_live_replaces_a_pair():
    for pair, placement in ((ADMIN_PAIR, []), (CAPY_PAIR, ["organizationId"])):
        for props in (pair["inputProperties"], pair["properties"]):
            assert [n for n, p in props.items() if p.get("replaceOnChanges")] == placement


@pytest.mark.parametrize(
    "resource", [ADMIN, ADMIN_PAIR, CAPY, CAPY_PAIR], ids=["openai", "openai-pair", "capy", "capy-pair"]
)
def test_the_rotation_triggers_are_a_map_of_strings(resource: dict[str, Any]):
    triggers = resource["inputProperties"]["rotationTriggers"]

    assert {k: triggers[k] for k in ("type", "additionalProperties")} == {
        "type": "object",
        "additionalProperties": {"type": "string"},
    }
    assert "items" not in triggers


def test_only_resource_properties_say_replace_on_changes():
    elsewhere = [*SCHEMA["types"].values(), *(f["inputs"] for f in SCHEMA["functions"].values())]
    elsewhere += [r["stateInputs"] for r in SCHEMA["resources"].values()]

    assert [p for obj in elsewhere for p in obj["properties"].values() if "replaceOnChanges" in p] == []


def test_the_capy_scopes_are_an_array_of_strings():
    assert {k: CAPY["inputProperties"]["scopes"][k] for k in ("type", "items")} == {
        "type": "array",
        "items": {"type": "string"},
    }
    assert CAPY["properties"]["isActive"]["type"] == "boolean"


def test_the_owner_is_an_object_type_with_camel_case_properties():
    assert ADMIN["properties"]["owner"]["$ref"] == "#/types/apikeys:openai:AdminApiKeyOwner"
    owner = SCHEMA["types"]["apikeys:openai:AdminApiKeyOwner"]
    assert owner["type"] == "object"
    assert set(owner["properties"]) == {"type", "object", "id", "name", "createdAt", "role"}


def test_a_get_may_give_the_declared_inputs_none_of_them_required():
    state = CAPY["stateInputs"]

    assert (state["type"], set(state["properties"]), "required" in state) == (
        "object",
        {"organizationId", "name", "scopes", *ROTATION_INPUTS},
        False,
    )


def test_the_config_is_every_setting_of_every_built_in_resource_and_the_retry_budget():
    variables = SCHEMA["config"]["variables"]

    assert set(variables) == {
        "openaiAdminKey", "openaiBaseUrl", "capyApiKey", "capyBaseUrl", "maxRetries", "requestTimeout",
        "totalTimeout", "maxRequestsPerMinute",
    }  # fmt: skip
    assert {k for k, v in variables.items() if v.get("secret")} == {"openaiAdminKey", "capyApiKey"}


def test_the_numeric_settings_are_typed_and_the_rest_are_strings():
    types = {k: v["type"] for k, v in SCHEMA["config"]["variables"].items()}

    assert {k for k, t in types.items() if t != "string"} == {
        "maxRetries",
        "requestTimeout",
        "totalTimeout",
        "maxRequestsPerMinute",
    }
    assert (types["maxRetries"], types["requestTimeout"]) == ("integer", "number")


def test_the_provider_takes_every_setting_as_an_input():
    assert SCHEMA["provider"]["inputProperties"] == SCHEMA["config"]["variables"]


def test_the_lookup_functions_take_their_declared_arguments():
    openai = SCHEMA["functions"]["apikeys:openai:getAdminApiKeys"]["inputs"]
    capy = SCHEMA["functions"]["apikeys:capy:getApiKeys"]["inputs"]

    assert (list(openai["properties"]), openai.get("required")) == (["name"], None)
    assert (list(capy["properties"]), capy["required"]) == (["organizationId", "name"], ["organizationId"])


@pytest.mark.parametrize(
    ("function", "record"),
    [
        ("apikeys:openai:getAdminApiKeys", "apikeys:openai:AdminApiKeyRecord"),
        ("apikeys:capy:getApiKeys", "apikeys:capy:ApiKeyRecord"),
    ],
)
def test_a_lookup_function_returns_its_keys_as_records(function: str, record: str):
    outputs = SCHEMA["functions"][function]["outputs"]

    assert outputs["required"] == ["keys"]
    assert outputs["properties"]["keys"]["type"] == "array"
    assert outputs["properties"]["keys"]["items"] == {"$ref": f"#/types/{record}"}


@EVERY_RESOURCE
def test_a_record_is_the_id_then_every_output_but_the_value_and_the_inputs_the_api_never_reports(
    spec: KeyResource[Any, Any], resource: type
):
    assert spec.listing is not None
    record = SCHEMA["types"][f"apikeys:{spec.module}:{spec.listing.record_name}"]
    stored_only = {p.wire_name for p in spec.properties if p.stored_only}
    outputs = [
        name
        for name in SCHEMA["resources"][spec.plugin_type_name]["properties"]
        if name != "value" and name not in stored_only
    ]

    assert list(record["properties"]) == ["id", *outputs]
    assert record["required"][0] == "id"


def test_the_inputs_the_api_never_reports_are_the_rotation_settings_and_openais_lifetime():
    assert [p.wire_name for p in ADMIN_API_KEY.properties if p.stored_only] == [
        "expiresInSeconds",
        *ROTATION_INPUTS,
    ]
    assert [p.wire_name for p in API_KEY.properties if p.stored_only] == ROTATION_INPUTS
    records = [
        SCHEMA["types"]["apikeys:openai:AdminApiKeyRecord"],
        SCHEMA["types"]["apikeys:capy:ApiKeyRecord"],
    ]
    assert [n for r in records for n in r["properties"] if n in {"expiresInSeconds", *ROTATION_INPUTS}] == []


def test_a_pair_has_no_lookup_function_and_no_record_of_its_own():
    assert [t for t in [*SCHEMA["types"], *SCHEMA["functions"]] if "Rotating" in t] == []


def _refs(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_every_ref_names_a_type_of_the_schema():
    refs = list(_refs(SCHEMA))

    assert len(refs) >= 3
    assert [r for r in refs if r.removeprefix("#/types/") not in SCHEMA["types"]] == []


def _objects() -> Iterator[tuple[dict[str, Any], list[str]]]:
    """Every object spec with the names it requires."""
    for resource in SCHEMA["resources"].values():
        yield resource["properties"], resource["required"]
        yield resource["inputProperties"], resource["requiredInputs"]
    for obj in [
        *SCHEMA["types"].values(),
        *(f[k] for f in SCHEMA["functions"].values() for k in ("inputs", "outputs")),
    ]:
        yield obj["properties"], obj.get("required", [])


def test_every_required_name_is_a_property_of_its_object():
    assert [
        (sorted(props), required) for props, required in _objects() if not set(required) <= set(props)
    ] == []


def test_the_language_sections_name_each_sdks_package():
    language = SCHEMA["language"]

    assert language["python"]["packageName"] == "pulumi_apikeys_native"
    assert language["nodejs"]["packageName"] == "@pulumi-apikeys/apikeys"
    assert language["go"]["importBasePath"] == "github.com/pulumi-apikeys/pulumi-apikeys/sdk/go/apikeys"
    assert language["csharp"]["packageReferences"] == {"Pulumi": "3.*"}
    assert language["csharp"]["rootNamespace"]


@EVERY_DECLARATION
def test_every_output_is_a_typed_attribute_of_both_faces(spec: Declared, resource: type):
    import pulumi_apikeys_native

    native = getattr(getattr(pulumi_apikeys_native, spec.module), spec.name)
    outputs = {py_name(name) for name in SCHEMA["resources"][spec.plugin_type_name]["properties"]}
    # Declared on the class or on a base it shares with others (the rotation settings, a pair's slots).
    hints = {
        name: hint for cls in resource.__mro__ for name, hint in vars(cls).get("__annotations__", {}).items()
    }
    annotated = {
        name for name, hint in hints.items() if isinstance(hint, str) and hint.startswith("pulumi.Output[")
    }

    assert outputs == annotated
    assert outputs <= {name for name in dir(native) if isinstance(getattr(native, name), property)}
