"""``examples/openai-project-keys``, run by the harness against the emulator's default project."""

from __future__ import annotations

from pathlib import Path

from pulumi_apikeys import registry
from pulumi_apikeys.emulator import RunningEmulator
from pulumi_apikeys.openai_projects.client import owner_id
from tests.backends import stack_config
from tests.backends.openai_projects import PROJECT, client
from tests.harness import HarnessStack
from tests.harness.state import FAST_KDF_ITERATIONS

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "openai-project-keys" / "__main__.py"


def test_the_example_makes_an_account_a_rotating_pair_and_a_scoped_key_and_exports_secrets(
    tmp_path: Path, emulator: RunningEmulator
):
    stack = HarnessStack(
        tmp_path / "stack",
        project="openai-project-keys",
        stack="dev",
        config={
            **stack_config(registry.backend("openai_projects"), emulator),
            "openai-project-keys:projectId": PROJECT,
        },
        kdf_iterations=FAST_KDF_ITERATIONS,
    )

    result = stack.up(EXAMPLE)

    assert result.ok, result
    account = result.outputs["service_account_id"].value
    keys = [k for k in client(emulator).list_api_keys(PROJECT) if owner_id(k) == account]
    assert sorted(k.name for k in keys) == ["Secret Key", "billing-api dashboard", "billing-api runtime"]
    for name in ("runtime_key", "dashboard_key"):
        assert result.outputs[name].secret
        assert result.outputs[name].value.startswith("sk-svcacct-")
    assert not result.outputs["service_account_id"].secret
    assert stack.destroy().ok
    assert [a.id for a in client(emulator).list_service_accounts(PROJECT) if a.id == account] == []
