"""What ``pulumi package add ./provider`` finds in the plugin folder, and the schema it is given."""

from __future__ import annotations

from importlib.metadata import requires
from pathlib import Path

from packaging.requirements import Requirement
from pulumi.runtime.proto import provider_pb2

from pulumi_apikeys.schema import package_schema_json
from tests.plugin.driver import PROVIDER_DIR

REPO = Path(__file__).resolve().parents[2]


def test_the_plugin_folder_declares_a_python_plugin():
    lines = [
        line.strip()
        for line in (PROVIDER_DIR / "PulumiPlugin.yaml").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

    assert lines == ["runtime: python"]


def test_the_plugin_folder_runs_from_its_main_module():
    # pulumi-language-python RunPlugin: a folder with __main__.py runs as `python <folder> <args>`.
    assert (PROVIDER_DIR / "__main__.py").is_file()


def test_the_plugins_venv_requirements_are_the_packages_runtime_dependencies():
    declared = {Requirement(r) for r in requires("pulumi-apikeys") or [] if "extra ==" not in r}
    listed = {
        Requirement(line)
        for line in (PROVIDER_DIR / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }

    assert {(r.name, r.specifier) for r in listed} == {(r.name, r.specifier) for r in declared}


def test_get_schema_answers_the_schema_file(plugin):
    answer = plugin.stub.GetSchema(provider_pb2.GetSchemaRequest(version=0)).schema

    assert answer == package_schema_json() == (REPO / "schema.json").read_text()
