"""The example program through the real Pulumi CLI (Automation API) against the emulator.

Create, rename (a replacement: a new key, the old one deleted) and destroy, with the stack set up by
the demo's own functions: a file backend in ``tmp_path``, the passphrase secrets provider, the admin
key as secret config; and the demo command end to end, its YAML example (the provider plugin)
included. Skipped where the ``pulumi`` CLI is not on PATH. The provider plugin's own examples are
in ``test_plugin_examples.py``.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest
from click.testing import CliRunner
from pulumi import automation as auto

from pulumi_apikeys.cli import demo, main
from pulumi_apikeys.openai.client import AdminApiKeysClient
from pulumi_apikeys.openai.demo import PROJECT_NAME
from tests.integration.state import exported_state, stored_text

pytestmark = [
    pytest.mark.skipif(
        shutil.which("pulumi") is None,
        reason="the Pulumi CLI is not on PATH: these tests drive the real engine; install it with "
        "`curl -fsSL https://get.pulumi.com | sh` (see https://www.pulumi.com/docs/install/)",
    ),
    pytest.mark.timeout(900),  # each `pulumi up` starts the engine, the program and the provider
]

# A full key value: "sk-admin-" and a long random tail (the redacted form is "sk-admin..." + 3 chars).
KEY_VALUE = re.compile(r"sk-admin-[A-Za-z0-9_-]{20,}")
# A full capy key value: "capy_live_" and a long random tail (the key prefix shows two of its characters).
CAPY_KEY_VALUE = re.compile(r"capy_live_[A-Za-z0-9_-]{20,}")


@pytest.fixture
def stack(emulator, tmp_path) -> auto.Stack:
    return demo.open_stack(
        command=auto.PulumiCommand(),
        example_dir=demo.find_example_dir(),
        workdir=tmp_path / "work",
        endpoints=demo.Endpoints.of(emulator),
    )


@pytest.fixture
def api(emulator) -> AdminApiKeysClient:
    return AdminApiKeysClient(
        base_url=emulator.endpoint("openai").base_url, admin_key=emulator.endpoint("openai").credential
    )


def keys_by_id(api: AdminApiKeysClient) -> dict[str, str | None]:
    return {key.id: key.name for key in api.list()}


def test_create_rename_destroy(stack, api, emulator, tmp_path) -> None:
    created = stack.up(show_secrets=False)

    outputs = created.outputs
    deployer_id, reports_id = outputs["deployer_id"].value, outputs["reports_id"].value
    assert keys_by_id(api) == {deployer_id: "CI deployer", reports_id: "Nightly reports"}
    assert outputs["deployer_key"].secret
    assert outputs["reports_key"].secret
    assert not outputs["deployer_id"].secret
    value = outputs["deployer_key"].value
    assert KEY_VALUE.fullmatch(value)
    assert outputs["deployer_redacted_value"].value == "sk-admin..." + value[-3:]
    assert isinstance(outputs["deployer_expires_at"].value, int)
    # The value is stored encrypted, and the admin key too: neither appears in the state or config.
    # (Not stack.export_stack(): it exports with --show-secrets, the secrets decrypted.)
    state = json.dumps(exported_state(stack)) + stored_text(tmp_path / "work" / "state")
    assert value not in state
    assert emulator.endpoint("openai").credential not in state
    assert (
        emulator.endpoint("openai").credential
        not in (tmp_path / "work" / f"Pulumi.{demo.STACK_NAME}.yaml").read_text()
    )
    # The value is a working admin key.
    assert deployer_id in keys_by_id(
        AdminApiKeysClient(base_url=emulator.endpoint("openai").base_url, admin_key=value)
    )

    stack.set_config(f"{PROJECT_NAME}:deployerName", auto.ConfigValue(value="CI deployer v2"))
    renamed = stack.up(show_secrets=False)

    new_id = renamed.outputs["deployer_id"].value
    assert new_id != deployer_id
    assert renamed.outputs["reports_id"].value == reports_id
    assert keys_by_id(api) == {new_id: "CI deployer v2", reports_id: "Nightly reports"}
    assert renamed.summary.resource_changes is not None
    assert renamed.summary.resource_changes.get("replace") == 1
    assert renamed.outputs["deployer_key"].secret

    unchanged = stack.up(show_secrets=False)

    assert unchanged.summary.resource_changes is not None
    assert set(unchanged.summary.resource_changes) == {"same"}

    stack.destroy()

    assert keys_by_id(api) == {}
    assert stack.outputs() == {}


@pytest.mark.timeout(1200)  # three stacks, and `pulumi install` of the plugin for the YAML one
def test_the_demo_command_runs_every_example_end_to_end(tmp_path, plugin_install_lock) -> None:
    with plugin_install_lock():  # the YAML example's `pulumi install` makes the plugin's venv
        result = CliRunner().invoke(main, ["demo", "--workdir", str(tmp_path / "demo")])

    assert result.exit_code == 0, result.output
    assert "deployer_key" in result.output
    assert "dashboards_key" in result.output
    assert "deployerKey" in result.output  # the YAML example's, through the provider plugin
    assert "[secret]" in result.output
    assert not KEY_VALUE.search(result.output)  # no key value printed, anywhere
    assert not CAPY_KEY_VALUE.search(result.output)
    assert "The emulator holds 7 live keys:" in result.output
    assert "The emulator holds no live keys.\n    (2 revoked capy keys stay listed" in result.output
