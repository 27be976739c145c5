"""Rotation through the real Pulumi CLI (Automation API) against the emulator, on both faces.

- ``examples/rotation`` (the Python program, the dynamic resources), set up by the demo's own
  functions as ``test_cli_lifecycle.py`` does (a file backend in ``tmp_path``, the passphrase
  secrets provider, the emulator's URLs and admin keys as stack config, the keys secrets): ``up``
  creates its four resources, a second ``up`` changes nothing, and two forced rotations of the
  pairs (the config ``manualRotation``) are each an update: the old current key becomes the
  previous one, and the second rotation deletes the old previous key before it creates the new
  one. ``destroy`` leaves no live key of the example's names.
- The same example's ``release`` key, an ``AdminApiKey`` with ``rotation_triggers``: a new trigger
  (the config ``deployment``) replaces it, the new key created before the old one is deleted.
- A Pulumi YAML program written into ``tmp_path``, declaring one
  ``apikeys:openai:RotatingAdminApiKey`` through the provider plugin (this checkout's
  ``provider/`` folder as a ``packages:`` entry, installed with ``pulumi install`` as
  ``test_plugin_examples.py`` does): a new ``rotationTriggers`` value rotates it as an update.

The state is read as an attacker with it would: the plain ``pulumi stack export`` and the backend's
files (``state.py``), never ``Stack.export_stack()``, which decrypts every secret. Skipped where the
``pulumi`` CLI is not on PATH. The same scenarios run through the test harness in
``tests/rotation`` wherever the CLI is missing.
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
from pulumi import automation as auto

from pulumi_apikeys.capy.client import CapyApiKeysClient
from pulumi_apikeys.cli import demo
from pulumi_apikeys.emulator import RunningEmulator
from pulumi_apikeys.openai.client import AdminApiKeysClient
from tests.integration.state import exported_state, is_secret, stored_text

pytestmark = [
    pytest.mark.skipif(
        shutil.which("pulumi") is None,
        reason="the Pulumi CLI is not on PATH: these tests drive the real engine and the provider plugin; "
        "install it with `curl -fsSL https://get.pulumi.com | sh` (see https://www.pulumi.com/docs/install/)",
    ),
    # Several operations per test, each starting the engine, the program and the provider (and, for
    # the YAML one, `pulumi install` of the plugin's venv).
    pytest.mark.timeout(1200),
]

REPO = Path(__file__).resolve().parents[2]
ROTATION_EXAMPLE = REPO / "examples" / "rotation"
PROJECT = ROTATION_EXAMPLE.name
"""The example's project, named after its directory as the demo names it: config ``rotation:<key>``."""
PROVIDER_DIR = REPO / "provider"
YAML_PROJECT = "yaml-rotation"

CAPY_ORG = "org_demo"
"""The organization of the example's ``ingest`` pair (its config ``organizationId`` left unset)."""
OPENAI_KEYS = "/organization/admin_api_keys"
CAPY_KEYS = f"/organizations/{CAPY_ORG}/api-keys"
"""The key collections' paths (the request log has them after the ``/v1`` prefix)."""
MUTATING = ("POST", "DELETE", "PUT", "PATCH")

DYNAMIC_TYPES = {
    "deployer": "pulumi-python:dynamic/openai:AdminApiKey",
    "release": "pulumi-python:dynamic/openai:AdminApiKey",
    "service": "pulumi-python:dynamic/openai:RotatingAdminApiKey",
    "ingest": "pulumi-python:dynamic/capy:RotatingApiKey",
}
"""Each resource of ``examples/rotation`` -> its type token (the dynamic face's)."""
OPENAI_NAMES = {"CI deployer", "Release bot", "Backend service"}
"""The names of the example's OpenAI keys (capy: ``Ingest``)."""
PAIR_TYPE = "apikeys:openai:RotatingAdminApiKey"
ROTATE_AFTER = 30 * 86400

# A full key value: "sk-admin-" and a long random tail (the redacted form is "sk-admin..." + 3 chars).
KEY_VALUE = re.compile(r"sk-admin-[A-Za-z0-9_-]{20,}")
# A full capy key value: "capy_live_" and a long random tail (the key prefix shows two of its characters).
CAPY_KEY_VALUE = re.compile(r"capy_live_[A-Za-z0-9_-]{20,}")

Lock = Callable[[], AbstractContextManager[None]]

YAML_PROGRAM = """\
name: {project}
description: One rotating pair through the pulumi-apikeys provider plugin (a test's program)
runtime: yaml

packages:
  apikeys: {provider}

config:
  manualRotation:
    type: string
    default: "1"

resources:
  service:
    type: apikeys:openai:RotatingAdminApiKey
    properties:
      name: Backend service
      rotateAfterSeconds: {rotate_after}
      expiresInSeconds: {expires_in}
      rotationTriggers:
        manual: ${{manualRotation}}

outputs:
  currentId: ${{service.currentId}}
  currentValue: ${{service.currentValue}}
  nextRotationAt: ${{service.nextRotationAt}}
"""
"""A plugin program with one pair; ``previousId`` is read from the state (absent before a rotation)."""


def endpoints_of(emulator: RunningEmulator, *backends: str) -> demo.Endpoints:
    """The emulator's APIs of ``backends`` only: the stack config then holds their settings alone,
    as the demo's would outside the tests (the session's toy backend is no concern of the plugin)."""
    return demo.Endpoints({name: emulator.endpoint(name) for name in backends})


@pytest.fixture
def stack(emulator, tmp_path) -> auto.Stack:
    """The stack of ``examples/rotation``, as ``pulumi-apikeys demo --example examples/rotation`` opens it."""
    return demo.open_stack(
        command=auto.PulumiCommand(),
        example_dir=ROTATION_EXAMPLE,
        workdir=tmp_path / "work",
        endpoints=endpoints_of(emulator, "openai", "capy"),
    )


@pytest.fixture
def yaml_stack(emulator, tmp_path, plugin_install_lock) -> auto.Stack:
    """The YAML program's stack, its project a copy made by the demo's functions, after ``pulumi install``."""
    source = tmp_path / YAML_PROJECT
    source.mkdir()
    (source / "Pulumi.yaml").write_text(
        YAML_PROGRAM.format(
            project=YAML_PROJECT,
            provider=json.dumps(str(PROVIDER_DIR)),  # a JSON string is a YAML string
            rotate_after=ROTATE_AFTER,
            expires_in=3 * ROTATE_AFTER,
        ),
        encoding="utf-8",
    )
    stack = demo.open_stack(
        command=auto.PulumiCommand(),
        example_dir=source,
        workdir=tmp_path / "work",
        endpoints=endpoints_of(emulator, "openai"),
        state_dir=tmp_path / "state",
    )
    with plugin_install_lock():
        demo.install_packages(stack)
    return stack


@pytest.fixture
def api(emulator) -> AdminApiKeysClient:
    openai = emulator.endpoint("openai")
    return AdminApiKeysClient(base_url=openai.base_url, admin_key=openai.credential)


@pytest.fixture
def capy(emulator) -> CapyApiKeysClient:
    endpoint = emulator.endpoint("capy")
    return CapyApiKeysClient(base_url=endpoint.base_url, api_key=endpoint.credential)


def live_openai(api: AdminApiKeysClient, name: str) -> set[str]:
    """The ids of the OpenAI keys named ``name`` (a deleted key is no longer listed)."""
    return {key.id for key in api.list() if key.name == name}


def live_capy(capy: CapyApiKeysClient, name: str) -> set[str]:
    """The ids of the capy keys named ``name`` that still work (revoked keys stay listed)."""
    return {key.id for key in capy.list(CAPY_ORG) if key.name == name and not key.is_gone}


def writes(emulator: RunningEmulator, collection: str) -> list[tuple[str, str | None]]:
    """Each write the emulator logged under ``collection``, in arrival order: ``("POST", id of the
    key it created)`` or ``("DELETE", id of the key it deleted)``."""
    found: list[tuple[str, str | None]] = []
    for request in emulator.control.requests():
        _, under, rest = request.path.partition(collection)
        if request.method not in MUTATING or not under:
            continue
        found.append((request.method, request.key_id if request.method == "POST" else rest.strip("/")))
    return found


def resources_of(state: dict[str, Any], type_token: str) -> dict[str, dict[str, Any]]:
    """The state's resources of one type, by resource name (the URN's last part)."""
    return {r["urn"].split("::")[-1]: r for r in state.get("resources", []) if r["type"] == type_token}


def example_resources(state: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The example's four resources in the state, by name, each of its expected type."""
    found = {name: resources_of(state, type_token).get(name) for name, type_token in DYNAMIC_TYPES.items()}
    missing = sorted(name for name, resource in found.items() if resource is None)
    assert not missing, f"not in the state: {missing}"
    return {name: resource for name, resource in found.items() if resource is not None}


def changes_of(result: auto.UpResult) -> dict[str, int]:
    """The engine's summary of an ``up`` (``pulumi stack history``'s ``resourceChanges``): how many
    resources had each operation, by its name (``"same"``, ``"update"``, ``"replace"``, ...)."""
    changes = result.summary.resource_changes
    assert changes is not None, result.summary
    # The JSON's keys are plain strings, typed as OpType (a str enum): its value either way.
    return {auto.OpType(op).value: count for op, count in changes.items()}


def assert_no_plaintext(stack: auto.Stack, emulator: RunningEmulator, state_dir: Path, *values: str) -> None:
    """No key value (known or not) and no credential in the state (exported, and every file the
    backend stored) or the stack's settings file."""
    state = json.dumps(exported_state(stack)) + stored_text(state_dir)
    assert not KEY_VALUE.search(state)
    assert not CAPY_KEY_VALUE.search(state)
    workspace = stack.workspace
    assert isinstance(workspace, auto.LocalWorkspace)
    settings = (Path(workspace.work_dir) / f"Pulumi.{stack.name}.yaml").read_text()
    for secret in (*values, emulator.endpoint("openai").credential, emulator.endpoint("capy").credential):
        assert secret not in state
        assert secret not in settings


def secret_values(result: auto.UpResult) -> list[str]:
    """Every secret output's value: none may be stored in plaintext."""
    return [out.value for out in result.outputs.values() if out.secret and isinstance(out.value, str)]


def test_the_example_rotates_its_pairs_as_updates_the_old_previous_retired_first(
    stack, api, capy, emulator, tmp_path
) -> None:
    state_dir = tmp_path / "work" / "state"
    created = stack.up(show_secrets=False)

    first = created.outputs
    assert set(changes_of(created)) == {"create"}
    assert live_openai(api, "Backend service") == {first["service_current_id"].value}
    assert live_capy(capy, "Ingest") == {first["ingest_current_id"].value}
    assert live_openai(api, "CI deployer") == {first["deployer_id"].value}
    assert live_openai(api, "Release bot") == {first["release_id"].value}
    for name in ("deployer_key", "release_key", "service_current_value", "ingest_current_value"):
        assert first[name].secret, name
    assert KEY_VALUE.fullmatch(first["service_current_value"].value)
    assert CAPY_KEY_VALUE.fullmatch(first["ingest_current_value"].value)
    assert not first["service_current_id"].secret
    # No previous key before the first rotation (an output of None is left out of the stack's).
    assert "service_previous_id" not in first or first["service_previous_id"].value is None
    assert_no_plaintext(stack, emulator, state_dir, *secret_values(created))

    emulator.control.clear_requests()
    unchanged = stack.up(show_secrets=False)

    assert set(changes_of(unchanged)) == {"same"}
    assert writes(emulator, OPENAI_KEYS) == []
    assert writes(emulator, CAPY_KEYS) == []
    assert unchanged.outputs["service_current_id"].value == first["service_current_id"].value

    # The first forced rotation: both pairs rotate, as updates; nothing else changes. No key is
    # retired yet: the old current key becomes the previous one.
    stack.set_config(f"{PROJECT}:manualRotation", auto.ConfigValue(value="2"))
    emulator.control.clear_requests()
    rotated = stack.up(show_secrets=False)

    second = rotated.outputs
    changes = changes_of(rotated)
    assert changes.get("update") == 2, changes
    assert set(changes) - {"same"} == {"update"}, changes  # no replace, create or delete
    for pair in ("service", "ingest"):
        assert second[f"{pair}_previous_id"].value == first[f"{pair}_current_id"].value
        assert second[f"{pair}_current_id"].value != first[f"{pair}_current_id"].value
        assert second[f"{pair}_previous_value"].secret
        assert second[f"{pair}_current_value"].secret
        assert second[f"{pair}_previous_value"].value == first[f"{pair}_current_value"].value
        assert second[f"{pair}_current_value"].value != first[f"{pair}_current_value"].value
        assert not second[f"{pair}_previous_id"].secret
    assert writes(emulator, OPENAI_KEYS) == [("POST", second["service_current_id"].value)]
    assert writes(emulator, CAPY_KEYS) == [("POST", second["ingest_current_id"].value)]
    assert live_openai(api, "Backend service") == {
        first["service_current_id"].value,
        second["service_current_id"].value,
    }
    assert live_capy(capy, "Ingest") == {first["ingest_current_id"].value, second["ingest_current_id"].value}
    assert second["deployer_id"].value == first["deployer_id"].value
    assert second["release_id"].value == first["release_id"].value
    # In the state: an update keeps the pair's id; both slots' values are secrets, stored encrypted.
    resources = example_resources(exported_state(stack))
    for pair in ("service", "ingest"):
        outputs = resources[pair]["outputs"]
        assert outputs["previous_id"] == first[f"{pair}_current_id"].value
        assert outputs["current_id"] == second[f"{pair}_current_id"].value
        assert is_secret(outputs["current_value"]), pair
        assert is_secret(outputs["previous_value"]), pair
        assert resources[pair]["inputs"]["rotation_triggers"] == {"manual": "2"}
    assert resources["service"]["id"] == first["service_current_id"].value  # the pair's first key's id
    assert_no_plaintext(stack, emulator, state_dir, *secret_values(created), *secret_values(rotated))

    # The second forced rotation retires the first key: the old previous key is deleted (capy:
    # revoked) before the new key is created, so that never more than two keys exist.
    stack.set_config(f"{PROJECT}:manualRotation", auto.ConfigValue(value="3"))
    emulator.control.clear_requests()
    again = stack.up(show_secrets=False)

    third = again.outputs
    changes = changes_of(again)
    assert changes.get("update") == 2, changes
    assert set(changes) - {"same"} == {"update"}, changes
    for pair in ("service", "ingest"):
        assert third[f"{pair}_previous_id"].value == second[f"{pair}_current_id"].value
        assert third[f"{pair}_previous_value"].value == second[f"{pair}_current_value"].value
        assert third[f"{pair}_current_id"].value not in (
            first[f"{pair}_current_id"].value,
            second[f"{pair}_current_id"].value,
        )
    assert writes(emulator, OPENAI_KEYS) == [
        ("DELETE", first["service_current_id"].value),
        ("POST", third["service_current_id"].value),
    ]
    assert writes(emulator, CAPY_KEYS) == [
        ("DELETE", first["ingest_current_id"].value),
        ("POST", third["ingest_current_id"].value),
    ]
    assert live_openai(api, "Backend service") == {
        second["service_current_id"].value,
        third["service_current_id"].value,
    }
    assert live_capy(capy, "Ingest") == {second["ingest_current_id"].value, third["ingest_current_id"].value}
    resources = example_resources(exported_state(stack))
    for pair in ("service", "ingest"):
        assert is_secret(resources[pair]["outputs"]["current_value"]), pair
        assert is_secret(resources[pair]["outputs"]["previous_value"]), pair
    assert_no_plaintext(stack, emulator, state_dir, *secret_values(rotated), *secret_values(again))

    stack.destroy()

    assert {key.name for key in api.list()} & OPENAI_NAMES == set()
    assert live_capy(capy, "Ingest") == set()
    assert stack.outputs() == {}


def test_a_new_trigger_replaces_the_example_s_release_key_the_new_one_first(
    stack, api, emulator, tmp_path
) -> None:
    created = stack.up(show_secrets=False)

    old_id = created.outputs["release_id"].value
    old_value = created.outputs["release_key"].value
    assert live_openai(api, "Release bot") == {old_id}

    stack.set_config(f"{PROJECT}:deployment", auto.ConfigValue(value="v2"))
    emulator.control.clear_requests()
    replaced = stack.up(show_secrets=False)

    changes = changes_of(replaced)
    assert changes.get("replace") == 1, changes
    assert "update" not in changes, changes  # the pairs do not take the release's trigger
    new_id = replaced.outputs["release_id"].value
    assert new_id != old_id
    assert replaced.outputs["release_key"].secret
    assert replaced.outputs["release_key"].value != old_value
    # Create before delete: the new key exists before the old one goes, at the end of the `up`.
    assert writes(emulator, OPENAI_KEYS) == [("POST", new_id), ("DELETE", old_id)]
    assert writes(emulator, CAPY_KEYS) == []
    assert live_openai(api, "Release bot") == {new_id}
    for name in ("deployer", "service", "ingest"):  # nothing else changed
        key = "deployer_id" if name == "deployer" else f"{name}_current_id"
        assert replaced.outputs[key].value == created.outputs[key].value, name
    release = example_resources(exported_state(stack))["release"]
    assert release["id"] == new_id
    assert release["inputs"]["rotation_triggers"] == {"deployment": "v2"}
    assert is_secret(release["outputs"]["value"])
    assert_no_plaintext(
        stack, emulator, tmp_path / "work" / "state", *secret_values(created), *secret_values(replaced)
    )

    stack.destroy()

    assert {key.name for key in api.list()} & OPENAI_NAMES == set()


def test_a_yaml_rotating_pair_rotates_as_an_update_through_the_plugin(
    yaml_stack, api, emulator, tmp_path
) -> None:
    state_dir = tmp_path / "state"
    created = yaml_stack.up(show_secrets=False)

    first_id = created.outputs["currentId"].value
    first_value = created.outputs["currentValue"].value
    assert created.outputs["currentValue"].secret
    assert not created.outputs["currentId"].secret
    assert KEY_VALUE.fullmatch(first_value)
    assert live_openai(api, "Backend service") == {first_id}
    pair = resources_of(exported_state(yaml_stack), PAIR_TYPE)["service"]
    assert pair["outputs"]["currentId"] == first_id
    assert pair["outputs"].get("previousId") is None  # no previous key before the first rotation
    assert is_secret(pair["outputs"]["currentValue"])
    assert pair["outputs"]["nextRotationAt"] == pair["outputs"]["rotatedAt"] + ROTATE_AFTER
    assert created.outputs["nextRotationAt"].value == pair["outputs"]["nextRotationAt"]
    assert_no_plaintext(yaml_stack, emulator, state_dir, first_value)

    yaml_stack.set_config(f"{YAML_PROJECT}:manualRotation", auto.ConfigValue(value="2"))
    emulator.control.clear_requests()
    rotated = yaml_stack.up(show_secrets=False)

    changes = changes_of(rotated)
    assert changes.get("update") == 1, changes
    assert set(changes) - {"same"} == {"update"}, changes  # not replaced: a rotation is an update
    second_id = rotated.outputs["currentId"].value
    second_value = rotated.outputs["currentValue"].value
    assert second_id != first_id
    assert rotated.outputs["currentValue"].secret
    assert second_value != first_value
    # The first rotation retires nothing: one new key, the old current kept as the previous one.
    assert writes(emulator, OPENAI_KEYS) == [("POST", second_id)]
    assert live_openai(api, "Backend service") == {first_id, second_id}
    pair = resources_of(exported_state(yaml_stack), PAIR_TYPE)["service"]
    assert pair["id"] == first_id  # an update: the pair keeps its id, its first key's
    assert pair["outputs"]["previousId"] == first_id
    assert pair["outputs"]["currentId"] == second_id
    assert is_secret(pair["outputs"]["currentValue"])
    assert is_secret(pair["outputs"]["previousValue"])
    assert pair["inputs"]["rotationTriggers"] == {"manual": "2"}
    assert_no_plaintext(yaml_stack, emulator, state_dir, first_value, second_value)

    yaml_stack.destroy()

    assert live_openai(api, "Backend service") == set()
    assert yaml_stack.outputs() == {}
