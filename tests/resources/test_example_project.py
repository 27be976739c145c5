"""``examples/openai-admin-keys`` and ``examples/capy-project-keys``, run by the harness against the emulator.

The real CLI runs it in ``tests/integration`` (where ``pulumi`` is installed) and in ``make demo``;
this keeps the example honest everywhere else.
"""

from __future__ import annotations

from pathlib import Path

from pulumi_apikeys.capy.client import CapyApiKeysClient
from pulumi_apikeys.openai.client import AdminApiKeysClient
from tests.harness import HarnessStack

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE = EXAMPLES / "openai-admin-keys" / "__main__.py"
CAPY_EXAMPLE = EXAMPLES / "capy-project-keys" / "__main__.py"
CAPY_ORG = "org_demo"


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


def test_the_capy_example_creates_two_keys_in_the_demo_organization(
    capy_stack: HarnessStack, capy_client: CapyApiKeysClient
):
    result = capy_stack.up(CAPY_EXAMPLE)

    assert result.ok, result
    keys = {key.name: key for key in capy_client.list(CAPY_ORG)}
    assert set(keys) == {"CI deployer", "Dashboards"}
    assert keys["CI deployer"].scopes == ["deploy", "keys:read"]
    assert keys["Dashboards"].scopes == ["keys:read"]
    assert result.outputs["organization_id"].value == CAPY_ORG


def test_the_capy_example_exports_the_values_as_secrets_and_the_ids_in_the_clear(capy_stack: HarnessStack):
    outputs = capy_stack.up(CAPY_EXAMPLE).outputs

    assert outputs["deployer_key"].secret
    assert outputs["dashboards_key"].secret
    assert outputs["deployer_key"].value.startswith(outputs["deployer_key_prefix"].value)
    assert not outputs["deployer_id"].secret
    assert not outputs["deployer_key_prefix"].secret
    assert outputs["deployer_scopes"].value == ["deploy", "keys:read"]


def test_the_capy_example_takes_its_organization_and_scopes_from_config(
    capy_stack: HarnessStack, capy_client: CapyApiKeysClient
):
    capy_stack.set_config("apikeys-test:organizationId", "org_other")
    capy_stack.set_config("apikeys-test:deployerScopes", '["deploy"]')

    capy_stack.up(CAPY_EXAMPLE).assert_ok()

    assert list(capy_client.list(CAPY_ORG)) == []
    assert {key.name: key.scopes for key in capy_client.list("org_other")} == {
        "CI deployer": ["deploy"],
        "Dashboards": ["keys:read"],
    }


def test_destroying_the_capy_example_revokes_both_keys(
    capy_stack: HarnessStack, capy_client: CapyApiKeysClient
):
    capy_stack.up(CAPY_EXAMPLE).assert_ok()

    capy_stack.destroy().assert_ok()

    keys = list(capy_client.list(CAPY_ORG))
    assert len(keys) == 2
    assert all(key.is_gone for key in keys)
