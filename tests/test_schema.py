"""``schema.json`` is what the code declares, and the code does what the schema says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pulumi_apikeys import registry
from pulumi_apikeys.capy.declaration import API_KEY
from pulumi_apikeys.capy.resource import ApiKey
from pulumi_apikeys.core.declaration import KeyResource
from pulumi_apikeys.openai.declaration import ADMIN_API_KEY
from pulumi_apikeys.openai.resource import AdminApiKey
from pulumi_apikeys.schema import package_schema, package_schema_json

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schema.json"

EVERY_RESOURCE = pytest.mark.parametrize(
    ("spec", "resource"), [(ADMIN_API_KEY, AdminApiKey), (API_KEY, ApiKey)], ids=["openai", "capy"]
)


def test_schema_json_is_what_the_code_generates():
    assert SCHEMA_FILE.read_text() == package_schema_json(), "regenerate: pulumi-apikeys schema > schema.json"


def test_the_schema_describes_every_resource_of_the_built_in_backends():
    resources = registry.key_resources(registry.builtin())
    assert set(json.loads(SCHEMA_FILE.read_text())["resources"]) == {spec.type_name for spec in resources}
    assert [spec.type_name for spec in resources] == [ADMIN_API_KEY.type_name, API_KEY.type_name]


@EVERY_RESOURCE
def test_the_resource_token_in_the_schema_is_the_resources_own(spec: KeyResource, resource: type):
    token = f"pulumi-python:{resource._resource_type_name}"
    assert token == spec.type_name
    assert token in json.loads(SCHEMA_FILE.read_text())["resources"]


@EVERY_RESOURCE
def test_every_output_in_the_schema_is_a_typed_attribute_of_the_resource(spec: KeyResource, resource: type):
    outputs = package_schema()["resources"][spec.type_name]["properties"]
    annotated = {name for name, hint in resource.__annotations__.items() if hint.startswith("pulumi.Output[")}
    assert set(outputs) == annotated


@EVERY_RESOURCE
def test_value_is_the_only_secret_output(spec: KeyResource, resource: type):
    outputs = package_schema()["resources"][spec.type_name]["properties"]
    assert [name for name, prop in outputs.items() if prop.get("secret")] == ["value"]


def test_the_capy_scopes_are_an_array_of_strings_whose_change_replaces_the_key():
    capy = package_schema()["resources"][API_KEY.type_name]
    assert capy["inputProperties"]["scopes"]["items"] == {"type": "string"}
    assert capy["inputProperties"]["scopes"]["type"] == "array"
    assert capy["requiredInputs"] == ["organization_id", "name", "scopes"]
    replacing = {name for name, prop in capy["inputProperties"].items() if prop.get("replaceOnChanges")}
    assert replacing == {"organization_id", "name", "scopes"}
    assert capy["properties"]["is_active"]["type"] == "boolean"


def test_the_schema_command_prints_schema_json():
    from click.testing import CliRunner

    from pulumi_apikeys.cli import main

    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    assert result.output == SCHEMA_FILE.read_text()


def test_the_command_line_and_the_schema_load_without_the_pulumi_sdk():
    import subprocess
    import sys

    code = "import sys, pulumi_apikeys.cli, pulumi_apikeys.schema; print('pulumi' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "False"
