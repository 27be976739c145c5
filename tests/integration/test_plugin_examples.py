"""The provider plugin's examples through the real Pulumi CLI (Automation API) against the emulator.

``examples/yaml-admin-keys`` (and ``examples/typescript-admin-keys`` where ``node`` and ``npm`` are
on PATH too), set up by the demo's own functions: ``demo.open_stack`` copies the example into
``tmp_path`` with its ``packages:`` path made absolute (the plugin is this checkout's ``provider/``
folder), on a file backend with the passphrase secrets provider and the emulator's URL and admin
key as stack config (the key a secret); ``demo.install_packages`` runs ``pulumi install``, which
creates the plugin's venv (``provider/venv``) and the program's local SDK. Then ``up``, a
``preview`` of the unchanged program, a rename, ``pulumi import`` of one key made outside Pulumi and
of the file ``pulumi-apikeys openai import-file`` (and ``capy import-file``) writes, and
``destroy``: each checked against the emulator's keys and the stack's state export.

Skipped where the ``pulumi`` CLI is not on PATH; the TypeScript test also where ``node`` or ``npm``
is not. The first ``pulumi install`` needs the network (pip for the plugin's venv; npm).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pulumi import automation as auto

from pulumi_apikeys.capy.client import CapyApiKeysClient
from pulumi_apikeys.cli import demo, main
from pulumi_apikeys.openai.client import AdminApiKeysClient
from pulumi_apikeys.openai.demo import YAML_PROJECT_NAME
from tests.integration.state import exported_state, is_secret, stored_text

pytestmark = [
    pytest.mark.skipif(
        shutil.which("pulumi") is None,
        reason="the Pulumi CLI is not on PATH: these tests drive the real engine and the provider plugin; "
        "install it with `curl -fsSL https://get.pulumi.com | sh` (see https://www.pulumi.com/docs/install/)",
    ),
    # Each test runs `pulumi install` (a venv for the plugin; npm for TypeScript) and several
    # operations, each starting the engine, the language host and the plugin.
    pytest.mark.timeout(1200),
]
needs_node = pytest.mark.skipif(
    shutil.which("node") is None or shutil.which("npm") is None,
    reason="node or npm is not on PATH: the TypeScript example needs Node.js and npm as well as the "
    "Pulumi CLI (see https://nodejs.org/)",
)

REPO = Path(__file__).resolve().parents[2]
YAML_EXAMPLE = REPO / "examples" / "yaml-admin-keys"
TYPESCRIPT_EXAMPLE = REPO / "examples" / "typescript-admin-keys"
ADMIN_KEY_TYPE = "apikeys:openai:AdminApiKey"
CAPY_KEY_TYPE = "apikeys:capy:ApiKey"
PROVIDER_TYPE = "pulumi:providers:apikeys"
ORGANIZATION = "org_demo"

# A full key value: "sk-admin-" and a long random tail (the redacted form is "sk-admin..." + 3 chars).
KEY_VALUE = re.compile(r"sk-admin-[A-Za-z0-9_-]{20,}")
# A full capy key value: "capy_live_" and a long random tail (the key prefix shows two of its characters).
CAPY_KEY_VALUE = re.compile(r"capy_live_[A-Za-z0-9_-]{20,}")

Lock = Callable[[], AbstractContextManager[None]]


def open_plugin_stack(example: Path, tmp_path: Path, endpoints: demo.Endpoints, lock: Lock) -> auto.Stack:
    """The example's stack as the demo opens it, after ``pulumi install``."""
    stack = demo.open_stack(
        command=auto.PulumiCommand(),
        example_dir=example,
        workdir=tmp_path / "work",
        endpoints=endpoints,
        state_dir=tmp_path / "state",
    )
    with lock():
        demo.install_packages(stack)
    return stack


@pytest.fixture
def yaml_stack(emulator, tmp_path, plugin_install_lock) -> auto.Stack:
    return open_plugin_stack(YAML_EXAMPLE, tmp_path, demo.Endpoints.of(emulator), plugin_install_lock)


@pytest.fixture
def api(emulator) -> AdminApiKeysClient:
    openai = emulator.endpoint("openai")
    return AdminApiKeysClient(base_url=openai.base_url, admin_key=openai.credential)


@pytest.fixture
def capy(emulator) -> CapyApiKeysClient:
    endpoint = emulator.endpoint("capy")
    return CapyApiKeysClient(base_url=endpoint.base_url, api_key=endpoint.credential)


def keys_by_id(api: AdminApiKeysClient) -> dict[str, str | None]:
    return {key.id: key.name for key in api.list()}


def run_pulumi(stack: auto.Stack, *args: str) -> auto.CommandResult:
    """``pulumi ARGS --stack <stack>`` in the stack's project, with the workspace's environment."""
    workspace = stack.workspace
    assert isinstance(workspace, auto.LocalWorkspace)
    return workspace.pulumi_command.run(
        [*args, "--stack", stack.name, "--non-interactive"], workspace.work_dir, dict(workspace.env_vars)
    )


def pulumi_import(stack: auto.Stack, *args: str) -> auto.CommandResult:
    """``pulumi import ARGS --yes --protect=false``: unprotected (``--protect`` defaults to true),
    so that ``destroy`` deletes what was imported."""
    return run_pulumi(stack, "import", *args, "--yes", "--protect=false")


def import_file(tmp_path: Path, env: dict[str, str], *args: str) -> tuple[Path, list[dict[str, Any]]]:
    """Runs ``pulumi-apikeys ARGS --output F`` (an ``import-file`` command); returns F and its resources."""
    written = tmp_path / "import.json"
    result = CliRunner().invoke(main, [*args, "--output", str(written)], env=env)
    assert result.exit_code == 0, result.output
    assert f"next: pulumi import --file {written}" in result.output  # its summary, on stderr
    return written, json.loads(written.read_text())["resources"]


def state_of(stack: auto.Stack) -> dict[str, Any]:
    """The stack's state, secrets encrypted (not ``stack.export_stack()``: see ``state.py``)."""
    return exported_state(stack)


def resources_of(state: dict[str, Any], type_token: str) -> dict[str, dict[str, Any]]:
    """The state's resources of one type, by resource name (the URN's last part)."""
    return {r["urn"].split("::")[-1]: r for r in state.get("resources", []) if r["type"] == type_token}


def assert_no_plaintext(stack: auto.Stack, emulator, state_dir: Path, *values: str) -> None:
    """No key value (known or not) and no credential in the state (exported, and every file the
    backend stored) or the stack's settings file."""
    state = json.dumps(state_of(stack)) + stored_text(state_dir)
    assert not KEY_VALUE.search(state)
    assert not CAPY_KEY_VALUE.search(state)
    workspace = stack.workspace
    assert isinstance(workspace, auto.LocalWorkspace)
    settings = (Path(workspace.work_dir) / f"Pulumi.{stack.name}.yaml").read_text()
    for secret in (*values, emulator.endpoint("openai").credential, emulator.endpoint("capy").credential):
        assert secret not in state
        assert secret not in settings


def test_yaml_up_preview_rename_and_destroy(yaml_stack, api, emulator, tmp_path) -> None:
    created = yaml_stack.up(show_secrets=False)

    outputs = created.outputs
    ids = {label: outputs[f"{label}Id"].value for label in ("deployer", "reports", "auditor")}
    assert keys_by_id(api) == {
        ids["deployer"]: "Release deployer",
        ids["reports"]: "Usage reports",
        ids["auditor"]: "Quarterly audit",
    }
    assert outputs["deployerKey"].secret
    assert outputs["reportsKey"].secret
    assert not outputs["deployerId"].secret
    value = outputs["deployerKey"].value
    assert KEY_VALUE.fullmatch(value)
    assert outputs["deployerRedactedValue"].value == "sk-admin..." + value[-3:]
    assert isinstance(outputs["deployerExpiresAt"].value, int | float)
    assert outputs["keysNamedLikeDeployer"].value == 1  # the lookup function found the new key
    # The value is a working admin key.
    base_url = emulator.endpoint("openai").base_url
    assert ids["deployer"] in keys_by_id(AdminApiKeysClient(base_url=base_url, admin_key=value))
    # In the state: the plugin's resources, each value a secret, and the default provider (made from
    # the stack's apikeys: config); no value and no admin key in plaintext anywhere.
    state = state_of(yaml_stack)
    keys = resources_of(state, ADMIN_KEY_TYPE)
    assert set(keys) == {"deployer", "reports", "auditor"}
    assert all(is_secret(key["outputs"]["value"]) for key in keys.values())
    assert keys["deployer"]["inputs"]["expiresInSeconds"] == 7776000
    assert resources_of(state, PROVIDER_TYPE)
    assert_no_plaintext(yaml_stack, emulator, tmp_path / "state", value, outputs["reportsKey"].value)

    unchanged = yaml_stack.preview()

    assert set(unchanged.change_summary) == {"same"}

    yaml_stack.set_config(f"{YAML_PROJECT_NAME}:deployerName", auto.ConfigValue(value="Release deployer v2"))
    renamed = yaml_stack.up(show_secrets=False)

    new_id = renamed.outputs["deployerId"].value
    assert new_id != ids["deployer"]
    assert keys_by_id(api) == {
        new_id: "Release deployer v2",
        ids["reports"]: "Usage reports",
        ids["auditor"]: "Quarterly audit",
    }
    assert renamed.summary.resource_changes is not None
    assert renamed.summary.resource_changes.get("replace") == 1
    assert renamed.outputs["deployerKey"].secret
    assert renamed.outputs["deployerKey"].value != value
    assert renamed.outputs["keysNamedLikeDeployer"].value == 1

    yaml_stack.destroy()

    assert keys_by_id(api) == {}
    assert yaml_stack.outputs() == {}


def test_yaml_stack_imports_one_key_made_outside_pulumi(yaml_stack, api, emulator, tmp_path) -> None:
    made = api.create(name="Legacy deployer")
    generated = tmp_path / "imported.yaml"

    pulumi_import(yaml_stack, ADMIN_KEY_TYPE, "legacy", made.id, "--out", str(generated))

    legacy = resources_of(state_of(yaml_stack), ADMIN_KEY_TYPE)["legacy"]
    assert legacy["id"] == made.id
    assert legacy["outputs"]["name"] == "Legacy deployer"
    assert legacy["outputs"]["redactedValue"].startswith("sk-admin...")
    assert legacy["outputs"].get("value") is None  # the API shows a value only when it creates a key
    assert legacy["inputs"]["name"] == "Legacy deployer"
    assert "expiresInSeconds" not in legacy["inputs"]  # the API reports when it expires, not the lifetime
    assert not legacy.get("protect")
    assert_no_plaintext(yaml_stack, emulator, tmp_path / "state", made.value.get_secret_value())
    assert keys_by_id(api) == {made.id: "Legacy deployer"}  # importing changed nothing in the API
    # `pulumi import` prints (here: writes) the YAML declaring it, from the plugin's schema.
    assert ADMIN_KEY_TYPE in generated.read_text()
    assert "Legacy deployer" in generated.read_text()

    # The stack manages it now: a refresh reads it through the plugin and finds it unchanged, and
    # as the program does not declare it, an update would delete it. (Not an exact count: the
    # program's default provider may differ from the import's, by version, and be replaced too.)
    refreshed = yaml_stack.refresh()
    assert refreshed.summary.resource_changes is not None
    assert set(refreshed.summary.resource_changes) == {"same"}
    preview = yaml_stack.preview()
    assert preview.change_summary.get("delete", 0) >= 1
    assert preview.change_summary.get("create", 0) >= 3

    yaml_stack.destroy()

    assert keys_by_id(api) == {}


def test_yaml_stack_imports_the_file_import_file_writes(yaml_stack, api, emulator, tmp_path) -> None:
    first = api.create(name="Legacy import")
    second = api.create(name="Legacy import")  # names are not unique: import-file names them apart
    other = api.create(name="Someone else's")
    openai = emulator.endpoint("openai")

    written, resources = import_file(
        tmp_path,
        {"OPENAI_ADMIN_KEY": openai.credential, "OPENAI_BASE_URL": openai.base_url},
        "openai",
        "import-file",
        "--name",
        "Legacy import",
    )

    assert {r["id"] for r in resources} == {first.id, second.id}
    assert {r["type"] for r in resources} == {ADMIN_KEY_TYPE}
    assert sorted(r["name"] for r in resources) == ["legacy-import", "legacy-import-2"]

    pulumi_import(yaml_stack, "--file", str(written), "--generate-code=false")

    imported = resources_of(state_of(yaml_stack), ADMIN_KEY_TYPE)
    assert {name: r["id"] for name, r in imported.items()} == {r["name"]: r["id"] for r in resources}
    assert all(r["outputs"].get("value") is None for r in imported.values())
    assert all(r["outputs"]["name"] == "Legacy import" for r in imported.values())
    values = [key.value.get_secret_value() for key in (first, second, other)]
    assert_no_plaintext(yaml_stack, emulator, tmp_path / "state", *values)

    yaml_stack.destroy()

    assert keys_by_id(api) == {other.id: "Someone else's"}  # only the imported keys were deleted


def test_yaml_stack_imports_capy_keys_by_organization_and_id(yaml_stack, capy, emulator, tmp_path) -> None:
    endpoint = emulator.endpoint("capy")
    yaml_stack.set_all_config(
        {
            "apikeys:capyBaseUrl": auto.ConfigValue(value=endpoint.base_url),
            "apikeys:capyApiKey": auto.ConfigValue(value=endpoint.credential, secret=True),
        }
    )
    one = capy.create(organization_id=ORGANIZATION, name="Legacy CI", scopes=["deploy", "keys:read"])
    batch = [
        capy.create(organization_id=ORGANIZATION, name="Batch job", scopes=["keys:read"]) for _ in range(2)
    ]

    # One key: its id is "<organization>/<key id>", as the API finds a key only through its organization.
    pulumi_import(
        yaml_stack, CAPY_KEY_TYPE, "legacy-ci", f"{ORGANIZATION}/{one.api_key.id}", "--generate-code=false"
    )
    written, resources = import_file(
        tmp_path,
        {"CAPY_API_KEY": endpoint.credential, "CAPY_BASE_URL": endpoint.base_url},
        "capy",
        "import-file",
        "--organization",
        ORGANIZATION,
        "--name",
        "Batch job",
    )
    assert {r["id"] for r in resources} == {f"{ORGANIZATION}/{key.api_key.id}" for key in batch}
    assert {r["type"] for r in resources} == {CAPY_KEY_TYPE}
    pulumi_import(yaml_stack, "--file", str(written), "--generate-code=false")

    imported = resources_of(state_of(yaml_stack), CAPY_KEY_TYPE)
    assert set(imported) == {"legacy-ci", *(r["name"] for r in resources)}
    legacy = imported["legacy-ci"]
    assert legacy["id"].endswith(one.api_key.id)
    assert legacy["outputs"]["organizationId"] == ORGANIZATION
    assert legacy["outputs"]["scopes"] == ["deploy", "keys:read"]
    assert legacy["inputs"]["organizationId"] == ORGANIZATION
    assert legacy["inputs"]["name"] == "Legacy CI"
    assert all(r["outputs"].get("value") is None for r in imported.values())
    values = [key.plaintext_api_key.get_secret_value() for key in (one, *batch)]
    assert_no_plaintext(yaml_stack, emulator, tmp_path / "state", *values)

    yaml_stack.destroy()

    assert all(key.is_gone for key in capy.list(ORGANIZATION))  # destroy revokes them


@needs_node
def test_typescript_up_preview_and_destroy(emulator, api, tmp_path, plugin_install_lock) -> None:
    stack = open_plugin_stack(TYPESCRIPT_EXAMPLE, tmp_path, demo.Endpoints.of(emulator), plugin_install_lock)
    # `pulumi install` generated the SDK where package.json expects it, as `pulumi package add` would.
    assert (tmp_path / "work" / "sdks" / "apikeys" / "package.json").is_file()

    created = stack.up(show_secrets=False)

    outputs = created.outputs
    ids = {label: outputs[f"{label}Id"].value for label in ("deployer", "reports", "auditor")}
    assert keys_by_id(api) == {
        ids["deployer"]: "Release deployer",
        ids["reports"]: "Usage reports",
        ids["auditor"]: "Quarterly audit",
    }
    assert outputs["deployerKey"].secret
    assert outputs["reportsKey"].secret
    assert KEY_VALUE.fullmatch(outputs["deployerKey"].value)
    assert outputs["keysNamedLikeDeployer"].value == 1
    # The explicit provider's admin key is an input of the provider resource: stored as a secret.
    state = state_of(stack)
    providers = resources_of(state, PROVIDER_TYPE)
    assert is_secret(providers["organization"]["inputs"]["openaiAdminKey"])
    assert all(
        key["provider"].startswith(providers["organization"]["urn"])
        for key in resources_of(state, ADMIN_KEY_TYPE).values()
    )
    values = [outputs["deployerKey"].value, outputs["reportsKey"].value]
    assert_no_plaintext(stack, emulator, tmp_path / "state", *values)

    unchanged = stack.preview()

    assert set(unchanged.change_summary) == {"same"}

    stack.destroy()

    assert keys_by_id(api) == {}
