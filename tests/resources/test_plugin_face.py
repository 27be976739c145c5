"""What only the provider plugin face does, through the harness: real programs on the generated Python
SDK (``pulumi_apikeys_native``), the plugin process the engine starts, and the emulator.

The shared tables run every lifecycle scenario on both faces; this file holds the plugin's own:
explicit providers, lookup functions, ``pulumi import`` (one key, and the file our command line
writes), a detailed diff, both launches, and one program using both faces.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pulumi_apikeys.cli import main
from pulumi_apikeys.emulator import RunningEmulator
from tests.backends import PLUGIN_DIR, PLUGINS, ResourceUnderTest, every_face, stack_config
from tests.harness import HarnessStack, Secret
from tests.harness.plugins import PluginSource
from tests.harness.state import FAST_KDF_ITERATIONS

OPENAI, CAPY = (s for s in every_face() if s.face == "plugin" and s.backend in ("openai", "capy"))
TOKEN = "apikeys:openai:AdminApiKey"


@pytest.fixture
def plugin_stack(tmp_path: Path, emulator: RunningEmulator) -> HarnessStack:
    """A stack configured for both built-in backends, with the plugin as a project package."""
    return HarnessStack(
        tmp_path / "stack",
        project="apikeys-test",
        config={**stack_config(OPENAI.settings, emulator), **stack_config(CAPY.settings, emulator)},
        kdf_iterations=FAST_KDF_ITERATIONS,
        plugins=PLUGINS,
    )


def test_one_program_may_use_both_faces(plugin_stack: HarnessStack, emulator: RunningEmulator):
    program = """
        import pulumi
        from pulumi_apikeys.openai import AdminApiKey as DynamicKey
        from pulumi_apikeys_native.openai import AdminApiKey as PluginKey

        DynamicKey("old", name="Old face")
        PluginKey("new", name="New face")
        """

    result = plugin_stack.up(_dedent(program))

    assert result.ok, result
    state = plugin_stack.state()
    assert state.resource("old").type == "pulumi-python:dynamic/openai:AdminApiKey"
    assert state.resource("new").type == TOKEN
    assert sorted(OPENAI.live_keys(emulator).values()) == ["New face", "Old face"]


def test_an_explicit_provider_takes_the_credential_as_a_secret_argument(
    tmp_path: Path, emulator: RunningEmulator
):
    endpoint = emulator.endpoint("openai")
    stack = HarnessStack(
        tmp_path / "stack",
        project="apikeys-test",
        # Only the program's own config: the default provider would have no credential at all.
        config={
            "apikeys-test:adminKey": Secret(endpoint.credential),
            "apikeys-test:baseUrl": endpoint.base_url,
        },
        kdf_iterations=FAST_KDF_ITERATIONS,
        plugins=PLUGINS,
    )
    program = """
        import pulumi
        import pulumi_apikeys_native as apikeys
        from pulumi_apikeys_native.openai import AdminApiKey

        config = pulumi.Config()
        org = apikeys.Provider(
            "org",
            openai_admin_key=config.require_secret("adminKey"),
            openai_base_url=config.require("baseUrl"),
        )
        AdminApiKey("ci", name="CI", opts=pulumi.ResourceOptions(provider=org))
        """

    result = stack.up(_dedent(program))

    assert result.ok, result
    state = stack.state()
    (provider,) = [r for r in state.resources if r.type == "pulumi:providers:apikeys"]
    assert isinstance(provider.inputs["openaiAdminKey"], Secret)
    assert endpoint.credential not in state.raw
    assert state.resource("ci").provider.startswith(provider.urn)
    assert list(OPENAI.live_keys(emulator).values()) == ["CI"]


def test_a_lookup_function_returns_the_keys_records_without_values(
    plugin_stack: HarnessStack, emulator: RunningEmulator
):
    wanted = OPENAI.create_out_of_band(emulator, "deployer")
    OPENAI.create_out_of_band(emulator, "reader")
    program = """
        import pulumi
        from pulumi_apikeys_native.openai import get_admin_api_keys

        found = get_admin_api_keys(name="deployer")
        pulumi.export("ids", [key.id for key in found.keys])
        pulumi.export("prefixes", [key.redacted_value for key in found.keys])
        """

    result = plugin_stack.up(_dedent(program))

    assert result.ok, result
    assert result.outputs["ids"].value == [wanted]
    assert result.outputs["prefixes"].value[0].startswith("sk-admin")
    assert [c.method for c in result.calls if c.method == "Invoke"] == ["Invoke"]


def test_pulumi_import_of_one_key_keeps_no_value_and_the_program_then_stays_same(
    plugin_stack: HarnessStack, emulator: RunningEmulator
):
    existing = OPENAI.create_out_of_band(emulator, "Legacy")

    imported = plugin_stack.import_(TOKEN, "legacy", existing, protect=False)
    adopted = plugin_stack.state().resource("legacy")
    emulator.control.clear_requests()
    later = plugin_stack.up(OPENAI.program(OPENAI.key("legacy", "Legacy")))

    assert imported.ok, imported
    assert imported.steps == [("import", plugin_stack.urn(TOKEN, "legacy"))]
    assert adopted.id == existing
    assert adopted.inputs == {"name": "Legacy"}
    assert "value" not in adopted.outputs  # the API shows a key's value once, at creation
    assert later.ok, later
    assert later.steps == [("same", plugin_stack.urn(TOKEN, "legacy"))]
    assert emulator.control.requests() == []


def test_pulumi_import_of_a_missing_id_fails_naming_it(plugin_stack: HarnessStack):
    result = plugin_stack.import_(TOKEN, "legacy", "key_nosuch", protect=False)

    assert not result.ok
    missing = "Cannot import Admin API key 'key_nosuch': the organization has no key with that id."
    assert missing in result.error_text
    assert plugin_stack.state().managed == []


@pytest.mark.parametrize("subject", [OPENAI, CAPY], ids=lambda s: s.id)
def test_pulumi_import_file_takes_what_import_file_writes_and_destroy_then_deletes_them(
    subject: ResourceUnderTest, plugin_stack: HarnessStack, emulator: RunningEmulator, tmp_path: Path
):
    ids = {subject.create_out_of_band(emulator, name) for name in ("CI deployer", "CI deployer", "Reader")}
    endpoint = emulator.endpoint(subject.backend)
    backend = subject.settings
    env = {backend.credential.env_var: endpoint.credential, backend.base_url.env_var: endpoint.base_url}
    file = tmp_path / "import.json"
    args = [subject.backend, "import-file", "--output", str(file)]
    if "organization_id" in subject.other_inputs:
        args += ["--organization", subject.other_inputs["organization_id"]]
    written = CliRunner().invoke(main, args, env=env)

    imported = plugin_stack.import_(file=file, protect=False)
    names = {r.name: r.id for r in plugin_stack.state().managed}
    destroyed = plugin_stack.destroy()

    assert written.exit_code == 0, written.output
    assert imported.ok, imported
    written_ids = {r["name"]: r["id"].rsplit("/", 1)[-1] for r in json.loads(file.read_text())["resources"]}
    assert names == written_ids
    assert set(names) == {"ci-deployer", "ci-deployer-2", "reader"}
    assert set(names.values()) == ids
    assert destroyed.ok, destroyed
    assert subject.live_keys(emulator) == {}


def test_a_rename_shows_the_changed_property_in_the_detailed_diff(plugin_stack: HarnessStack):
    plugin_stack.up(OPENAI.one_key()).assert_ok()

    result = plugin_stack.preview(OPENAI.one_key(key_name="CI v2"))

    assert result.ok, result
    (step,) = [s for s in result.journal if s.op == "replace"]
    assert step.detailed_diff == {"name": "update-replace"}


def test_the_plugin_started_as_a_module_serves_a_program(tmp_path: Path, emulator: RunningEmulator):
    stack = HarnessStack(
        tmp_path / "stack",
        project="apikeys-test",
        config=stack_config(OPENAI.settings, emulator),
        kdf_iterations=FAST_KDF_ITERATIONS,
        plugins={"apikeys": PluginSource.module("pulumi_apikeys.plugin")},
    )

    result = stack.up(OPENAI.one_key())

    assert result.ok, result
    assert result.outputs["ci_key"].secret
    assert PLUGIN_DIR.is_dir()


def _dedent(source: str) -> str:
    import textwrap

    return textwrap.dedent(source).lstrip()
