"""``examples/rotation``, run by the harness against the emulator: a first ``up``, then a second one
that changes nothing (the example's periods are days long), and a trigger's change.

As ``tests/resources/test_example_project.py`` does for the other Python examples, this keeps the
example honest where the real CLI is not installed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pulumi_apikeys.capy.client import CapyApiKeysClient
from pulumi_apikeys.emulator import RunningEmulator
from pulumi_apikeys.openai.client import AdminApiKeysClient
from tests.harness import HarnessStack, Secret, UpResult
from tests.harness.state import FAST_KDF_ITERATIONS

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "rotation" / "__main__.py"
PROJECT = "apikeys-test"
CAPY_ORG = "org_demo"
DAY = 86400

SECRETS = ("deployer_key", "release_key", "service_current_value", "ingest_current_value")
"""The values exported from the first ``up`` on: each a secret."""
PREVIOUS_SECRETS = ("service_previous_value", "ingest_previous_value")
"""The previous keys' values, exported from the first rotation on (a ``None`` output is left out)."""
PLAIN = (
    "deployer_id",
    "deployer_expires_at",
    "release_id",
    "service_current_id",
    "service_next_rotation_at",
    "ingest_current_id",
    "ingest_next_rotation_at",
)
TYPES = {
    "deployer": "pulumi-python:dynamic/openai:AdminApiKey",
    "release": "pulumi-python:dynamic/openai:AdminApiKey",
    "service": "pulumi-python:dynamic/openai:RotatingAdminApiKey",
    "ingest": "pulumi-python:dynamic/capy:RotatingApiKey",
}
"""Each resource of the example -> its type token (the dynamic face's)."""
MUTATING = ("POST", "DELETE", "PUT", "PATCH")
OPENAI_KEYS = "/organization/admin_api_keys"
CAPY_KEYS = f"/organizations/{CAPY_ORG}/api-keys"


@pytest.fixture
def stack(tmp_path: Path, emulator: RunningEmulator) -> HarnessStack:
    """A fresh stack pointed at both of the emulator's APIs, the credentials as secrets."""
    openai, capy = emulator.endpoint("openai"), emulator.endpoint("capy")
    return HarnessStack(
        tmp_path / "stack",
        project=PROJECT,
        stack="dev",
        config={
            "apikeys:openaiBaseUrl": openai.base_url,
            "apikeys:openaiAdminKey": Secret(openai.credential),
            "apikeys:capyBaseUrl": capy.base_url,
            "apikeys:capyApiKey": Secret(capy.credential),
        },
        kdf_iterations=FAST_KDF_ITERATIONS,
    )


@pytest.fixture
def openai_client(emulator: RunningEmulator) -> AdminApiKeysClient:
    endpoint = emulator.endpoint("openai")
    return AdminApiKeysClient(admin_key=endpoint.credential, base_url=endpoint.base_url)


@pytest.fixture
def capy_client(emulator: RunningEmulator) -> CapyApiKeysClient:
    endpoint = emulator.endpoint("capy")
    return CapyApiKeysClient(api_key=endpoint.credential, base_url=endpoint.base_url)


def mutating_requests(emulator: RunningEmulator) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in emulator.control.requests() if r.method in MUTATING]


def assert_exported(result: UpResult, *, rotated: bool) -> None:
    """The example's outputs: the values secrets, the rest in the clear; the previous keys only
    once a pair has rotated."""
    outputs = result.outputs
    secrets = SECRETS + PREVIOUS_SECRETS if rotated else SECRETS
    for name in secrets:
        assert name in outputs, f"{name} is not exported: {sorted(outputs)}"
        assert outputs[name].secret, f"{name} is not a secret"
        assert isinstance(outputs[name].value, str), name
        assert outputs[name].value, name
    for name in PLAIN + (("service_previous_id", "ingest_previous_id") if rotated else ()):
        assert name in outputs, f"{name} is not exported: {sorted(outputs)}"
        assert not outputs[name].secret, f"{name} is a secret"
    if not rotated:
        for name in (*PREVIOUS_SECRETS, "service_previous_id", "ingest_previous_id"):
            assert name not in outputs, f"{name} is exported before the first rotation"
    for name in ("deployer_key", "release_key", "service_current_value"):
        assert outputs[name].value.startswith("sk-admin-"), name
    assert outputs["ingest_current_value"].value.startswith("capy_"), outputs["ingest_current_value"]


def assert_no_value_in_plaintext(stack: HarnessStack, result: UpResult) -> None:
    raw = stack.state().raw
    for name, output in result.outputs.items():
        if output.secret:
            assert output.value not in raw, f"{name} is in the checkpoint in plaintext"


def test_the_first_up_creates_one_key_per_resource_and_exports_the_values_as_secrets(
    stack: HarnessStack, openai_client: AdminApiKeysClient, capy_client: CapyApiKeysClient
) -> None:
    result = stack.up(EXAMPLE)

    assert result.ok, result
    assert sorted(result.steps) == sorted(("create", stack.urn(type_, name)) for name, type_ in TYPES.items())
    assert_exported(result, rotated=False)
    assert_no_value_in_plaintext(stack, result)
    keys = {key.name: key for key in openai_client.list()}
    assert set(keys) == {"CI deployer", "Release bot", "Backend service"}
    assert keys["CI deployer"].expires_at == keys["CI deployer"].created_at + 90 * DAY
    assert keys["Release bot"].expires_at is None
    assert keys["Backend service"].expires_at == keys["Backend service"].created_at + 90 * DAY
    assert [key.name for key in capy_client.list(CAPY_ORG) if not key.is_gone] == ["Ingest"]
    outputs = result.outputs
    assert outputs["deployer_expires_at"].value == keys["CI deployer"].expires_at
    assert outputs["service_current_id"].value == keys["Backend service"].id
    assert outputs["service_next_rotation_at"].value == keys["Backend service"].created_at + 30 * DAY


def test_a_second_up_changes_nothing_while_no_period_has_passed(
    stack: HarnessStack, emulator: RunningEmulator
) -> None:
    first = stack.up(EXAMPLE).assert_ok()
    emulator.control.clear_requests()

    second = stack.up(EXAMPLE)

    assert second.ok, second
    assert sorted(second.steps) == sorted(("same", urn) for _, urn in first.steps)
    assert mutating_requests(emulator) == []
    assert_exported(second, rotated=False)
    assert values(second) == values(first)


def test_a_refreshing_second_up_changes_nothing_either(
    stack: HarnessStack, emulator: RunningEmulator
) -> None:
    """What the scheduled pipeline runs between two rotations: ``pulumi up --refresh``."""
    first = stack.up(EXAMPLE).assert_ok()
    emulator.control.clear_requests()

    second = stack.up(EXAMPLE, refresh=True)

    assert second.ok, second
    assert {op for op, _ in second.steps} == {"refresh", "same"}, second.steps
    assert mutating_requests(emulator) == []
    assert_exported(second, rotated=False)
    assert values(second) == values(first)


def test_a_manual_rotation_keeps_the_old_current_as_previous_and_the_next_retires_it(
    stack: HarnessStack,
    emulator: RunningEmulator,
    openai_client: AdminApiKeysClient,
    capy_client: CapyApiKeysClient,
) -> None:
    first = stack.up(EXAMPLE).assert_ok()
    stack.set_config(f"{PROJECT}:manualRotation", "2")

    second = stack.up(EXAMPLE)

    assert second.ok, second
    for pair in ("service", "ingest"):
        assert second.ops(pair) == ["update"], second.steps
    for key in ("deployer", "release"):
        assert second.ops(key) == ["same"], second.steps
    assert_exported(second, rotated=True)
    assert_no_value_in_plaintext(stack, second)
    for pair in ("service", "ingest"):
        assert second.outputs[f"{pair}_previous_id"].value == first.outputs[f"{pair}_current_id"].value
        assert second.outputs[f"{pair}_previous_value"].value == first.outputs[f"{pair}_current_value"].value
        assert second.outputs[f"{pair}_current_value"].value != first.outputs[f"{pair}_current_value"].value
    assert len(live_service_keys(openai_client)) == 2
    assert len(live_ingest_keys(capy_client)) == 2

    stack.set_config(f"{PROJECT}:manualRotation", "3")
    emulator.control.clear_requests()
    third = stack.up(EXAMPLE)

    assert third.ok, third
    assert_exported(third, rotated=True)
    retired = first.outputs["service_current_id"].value
    kept = second.outputs["service_current_id"].value
    assert third.outputs["service_previous_id"].value == kept
    assert live_service_keys(openai_client) == {kept, third.outputs["service_current_id"].value}
    assert retired not in live_service_keys(openai_client)
    assert live_ingest_keys(capy_client) == {
        second.outputs["ingest_current_id"].value,
        third.outputs["ingest_current_id"].value,
    }
    # The old previous key goes before the new one is made: never more than two keys.
    openai_writes = [
        method
        for method, path in mutating_requests(emulator)
        if retired in path or path.endswith("admin_api_keys")
    ]
    assert openai_writes == ["DELETE", "POST"], mutating_requests(emulator)


def test_a_new_deployment_trigger_replaces_the_release_key_alone_the_new_one_first(
    stack: HarnessStack, emulator: RunningEmulator, openai_client: AdminApiKeysClient
) -> None:
    first = stack.up(EXAMPLE).assert_ok()
    stack.set_config(f"{PROJECT}:deployment", "v2")
    emulator.control.clear_requests()

    second = stack.up(EXAMPLE)

    assert second.ok, second
    assert second.ops("release") == ["create-replacement", "replace", "delete-replaced"], second.steps
    for name in ("deployer", "service", "ingest"):
        assert second.ops(name) == ["same"], second.steps
    assert [method for method, _ in mutating_requests(emulator)] == ["POST", "DELETE"]
    new_release = second.outputs["release_id"].value
    assert new_release != first.outputs["release_id"].value
    assert second.outputs["release_key"].secret
    assert {key.id for key in openai_client.list() if key.name == "Release bot"} == {new_release}


def values(result: UpResult) -> dict[str, object]:
    return {name: output.value for name, output in result.outputs.items()}


def live_service_keys(client: AdminApiKeysClient) -> set[str]:
    return {key.id for key in client.list() if key.name == "Backend service"}


def live_ingest_keys(client: CapyApiKeysClient) -> set[str]:
    return {key.id for key in client.list(CAPY_ORG) if key.name == "Ingest" and not key.is_gone}
