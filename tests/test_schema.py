"""``schema.json`` is what the code declares, and the code does what the schema says."""

from __future__ import annotations

import json
from pathlib import Path

from pulumi_apikeys.openai.properties import ADMIN_API_KEY
from pulumi_apikeys.openai.resource import AdminApiKey
from pulumi_apikeys.schema import package_schema, package_schema_json

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schema.json"


def test_schema_json_is_what_the_code_generates():
    assert SCHEMA_FILE.read_text() == package_schema_json(), "regenerate: pulumi-apikeys schema > schema.json"


def test_the_resource_token_in_the_schema_is_the_resources_own():
    assert (
        f"pulumi-python:{AdminApiKey._resource_type_name}" in json.loads(SCHEMA_FILE.read_text())["resources"]
    )


def test_every_output_in_the_schema_is_a_typed_attribute_of_the_resource():
    outputs = package_schema()["resources"][ADMIN_API_KEY.type_name]["properties"]
    annotated = {
        name for name, hint in AdminApiKey.__annotations__.items() if hint.startswith("pulumi.Output[")
    }
    assert set(outputs) == annotated


def test_value_is_the_only_secret_output():
    outputs = package_schema()["resources"][ADMIN_API_KEY.type_name]["properties"]
    assert [name for name, prop in outputs.items() if prop.get("secret")] == ["value"]


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
