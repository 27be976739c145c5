"""``sdk/python`` is what ``python -m pulumi_apikeys.sdkgen`` writes from the schema now."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pulumi.type_token import get_type_token

from pulumi_apikeys import registry
from pulumi_apikeys._version import __version__
from pulumi_apikeys.core.declaration import Declared, Property
from pulumi_apikeys.core.lifecycles import declarations
from pulumi_apikeys.schema import package_schema
from pulumi_apikeys.sdkgen import python_sdk_files, write_python_sdk
from pulumi_apikeys.sdkgen.__main__ import main
from pulumi_apikeys.sdkgen.python import py_name
from pulumi_apikeys_native import Provider, capy, openai

SDK_DIR = Path(__file__).resolve().parents[2] / "sdk" / "python"
PACKAGE = SDK_DIR / "pulumi_apikeys_native"
REGENERATE = "regenerate: python -m pulumi_apikeys.sdkgen"


def test_the_checked_in_sdk_is_every_file_the_generator_writes_now(tmp_path: Path):
    written = write_python_sdk(tmp_path)

    for path in written:
        assert (SDK_DIR / path).read_text() == (tmp_path / path).read_text(), f"{path}: {REGENERATE}"
    in_package = {
        p.relative_to(SDK_DIR).as_posix()
        for p in PACKAGE.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert in_package == {path for path in written if path.startswith("pulumi_apikeys_native/")}, REGENERATE


def test_check_finds_the_checked_in_sdk_current():
    assert main(["--check", str(SDK_DIR)]) == 0


def test_check_names_a_file_that_differs(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    write_python_sdk(tmp_path)
    (tmp_path / "pulumi_apikeys_native" / "provider.py").write_text("# edited by hand\n")

    assert main(["--check", str(tmp_path)]) == 1
    assert "pulumi_apikeys_native/provider.py" in capsys.readouterr().err


def test_the_writer_removes_a_module_the_schema_no_longer_makes_and_leaves_caches(tmp_path: Path):
    write_python_sdk(tmp_path)
    left_over = tmp_path / "pulumi_apikeys_native" / "openai" / "old_key.py"
    cache = tmp_path / "pulumi_apikeys_native" / "__pycache__" / "provider.cpython-311.pyc"
    left_over.write_text("")
    cache.parent.mkdir()
    cache.write_bytes(b"")

    write_python_sdk(tmp_path)

    assert not left_over.exists()
    assert cache.exists()


def test_the_plugin_json_names_the_plugin_and_its_version():
    plugin = json.loads((PACKAGE / "pulumi-plugin.json").read_text())

    assert plugin == {"resource": True, "name": "apikeys", "version": __version__}


def test_the_distribution_is_pulumi_apikeys_native_on_the_pulumi_sdk_the_plugin_needs():
    # Read as text: tomllib is Python 3.11's, and the project supports 3.10.
    pyproject = (SDK_DIR / "pyproject.toml").read_text()

    assert 'name = "pulumi-apikeys-native"' in pyproject
    assert f'version = "{__version__}"' in pyproject
    assert '"pulumi>=3.171,<4"' in pyproject


@pytest.mark.parametrize(
    ("cls", "token"),
    [
        (openai.AdminApiKey, "apikeys:openai:AdminApiKey"),
        (openai.RotatingAdminApiKey, "apikeys:openai:RotatingAdminApiKey"),
        (capy.ApiKey, "apikeys:capy:ApiKey"),
        (capy.RotatingApiKey, "apikeys:capy:RotatingApiKey"),
        (Provider, "pulumi:providers:apikeys"),
    ],
    ids=["AdminApiKey", "RotatingAdminApiKey", "ApiKey", "RotatingApiKey", "Provider"],
)
def test_a_resource_class_carries_its_type_token(cls: type, token: str):
    assert get_type_token(cls) == token


def _declared(resource: Declared) -> list[Property]:
    """Every declared name a face spells: properties, nested types' properties, function arguments."""
    props = list(resource.properties)
    props += [nested for p in resource.properties if p.object_type for nested in p.object_type.properties]
    if resource.listing is not None:
        props += list(resource.listing.arguments)
    return props


@pytest.mark.parametrize(
    "resource", declarations(registry.key_resources(registry.builtin())), ids=lambda r: r.name
)
def test_the_python_sdk_spells_every_property_as_it_is_declared(resource: Declared):
    for prop in _declared(resource):
        assert py_name(prop.wire_name) == prop.name


def test_the_files_come_from_the_schema_given():
    schema = package_schema()
    schema["resources"]["apikeys:openai:AdminApiKey"]["properties"]["lastUsedAt"]["description"] = "Renamed."

    files = python_sdk_files(schema)

    assert "Renamed." in files["pulumi_apikeys_native/openai/admin_api_key.py"]
