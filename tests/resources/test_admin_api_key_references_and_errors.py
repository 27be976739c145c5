"""``AdminApiKey.get`` and what a user sees when a program or its configuration is wrong."""

from __future__ import annotations

from pathlib import Path

from pulumi_apikeys.emulator import RunningEmulator
from pulumi_apikeys.openai.client import AdminApiKeysClient
from tests.harness import HarnessStack
from tests.harness.state import FAST_KDF_ITERATIONS

PROLOGUE = "import pulumi\nfrom pulumi_apikeys.openai import AdminApiKey\n"


def test_get_reads_an_existing_key_and_destroy_leaves_it_alone(
    harness_stack: HarnessStack, emulator: RunningEmulator, api_client: AdminApiKeysClient
):
    existing = api_client.create(name="Shared")
    program = (
        PROLOGUE
        + f'shared = AdminApiKey.get("shared", {existing.id!r})\npulumi.export("name", shared.name)\n'
    )

    read = harness_stack.up(program)
    destroyed = harness_stack.destroy()

    assert read.ok, read
    assert read.outputs["name"].value == "Shared"
    assert destroyed.ok, destroyed
    assert [key.id for key in api_client.list()] == [existing.id]
    # Only the setup's own create changed anything: the get created nothing and destroy deleted nothing.
    assert [r.method for r in emulator.control.requests() if r.method != "GET"] == ["POST"]


def test_get_of_a_missing_key_fails_naming_it(harness_stack: HarnessStack):
    result = harness_stack.up(PROLOGUE + 'AdminApiKey.get("shared", "key_missing")\n')

    assert not result.ok
    assert "the organization has no Admin API key 'key_missing'" in result.error_text


def test_bad_input_fails_before_any_api_call_naming_the_property(
    harness_stack: HarnessStack, emulator: RunningEmulator
):
    result = harness_stack.up(PROLOGUE + 'AdminApiKey("deployer", name=" ", expires_in_seconds=0)\n')

    assert not result.ok
    assert "name must not be empty or only whitespace" in result.error_text
    assert "expires_in_seconds must be from 1 to 31536000 seconds, not 0" in result.error_text
    assert emulator.control.requests() == []


def test_an_import_whose_name_differs_fails_and_creates_nothing(
    harness_stack: HarnessStack, emulator: RunningEmulator, api_client: AdminApiKeysClient
):
    existing = api_client.create(name="Legacy")
    program = PROLOGUE + (
        f'AdminApiKey("legacy", name="Other", opts=pulumi.ResourceOptions(import_={existing.id!r}))\n'
    )

    result = harness_stack.up(program)

    assert not result.ok
    assert "its name is 'Legacy' but the program declares name='Other'" in result.error_text
    assert [key.id for key in api_client.list()] == [existing.id]
    assert harness_stack.state().managed == []


def test_a_missing_admin_key_fails_saying_both_ways_to_set_it(tmp_path: Path, emulator: RunningEmulator):
    stack = HarnessStack(
        tmp_path / "stack",
        project="apikeys-test",
        config={"apikeys:openaiBaseUrl": emulator.base_url},
        kdf_iterations=FAST_KDF_ITERATIONS,
    )

    result = stack.up(PROLOGUE + 'AdminApiKey("deployer", name="CI deployer")\n')

    assert not result.ok
    assert "pulumi config set --secret apikeys:openaiAdminKey <value>" in result.error_text
    assert "OPENAI_ADMIN_KEY" in result.error_text
    assert emulator.control.requests() == []
