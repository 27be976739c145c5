"""``examples/openai-admin-keys`` itself, run by the harness against the emulator.

The real CLI runs it in ``tests/integration`` (where ``pulumi`` is installed) and in ``make demo``;
this keeps the example honest everywhere else.
"""

from __future__ import annotations

from pathlib import Path

from pulumi_apikeys.openai.client import AdminApiKeysClient
from tests.harness import HarnessStack

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "openai-admin-keys" / "__main__.py"


def test_the_example_creates_two_keys_one_expiring(
    harness_stack: HarnessStack, api_client: AdminApiKeysClient
):
    result = harness_stack.up(EXAMPLE)

    assert result.ok, result
    keys = {key.name: key for key in api_client.list()}
    assert set(keys) == {"CI deployer", "Nightly reports"}
    assert keys["CI deployer"].expires_at == keys["CI deployer"].created_at + 90 * 86400
    assert keys["Nightly reports"].expires_at is None


def test_the_example_exports_the_values_as_secrets_and_the_ids_in_the_clear(harness_stack: HarnessStack):
    outputs = harness_stack.up(EXAMPLE).outputs

    assert outputs["deployer_key"].secret
    assert outputs["reports_key"].secret
    assert outputs["deployer_key"].value.startswith("sk-admin-")
    assert not outputs["deployer_id"].secret
    assert outputs["deployer_redacted_value"].value.endswith(outputs["deployer_key"].value[-3:])


def test_destroying_the_example_leaves_no_key(harness_stack: HarnessStack, api_client: AdminApiKeysClient):
    harness_stack.up(EXAMPLE).assert_ok()

    harness_stack.destroy().assert_ok()

    assert list(api_client.list()) == []
