"""The harness's provider-plugin rules, proved on the toy plugin (one rule per test)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.harness import UNKNOWN, HarnessStack, Secret, StackOutput
from tests.harness.plugins import EngineFlags, PluginSource
from tests.harness.state import FAST_KDF_ITERATIONS
from tests.harness.toy_plugin import PLUGIN_DIR
from tests.harness.toy_plugin.sdk import toy_plugin_program
from tests.harness.toy_plugin.store import records, widget_ids, write_widget

WIDGET = "toy:index:Widget"
TOY_PROVIDER = "pulumi:providers:toy"
ONE_WIDGET = 'Widget("w", label="one")'


def _ops(store: Path, *kinds: str) -> list[dict[str, Any]]:
    return [r for r in records(store, "ops") if r["op"] in kinds]


def _external_widget(store: Path, widget_id: str, label: str) -> None:
    """A widget made outside Pulumi, as the toy plugin itself would have stored it."""
    inputs = {"label": label, "shape": "square", "size": 1}
    write_widget(store, widget_id, inputs, {**inputs, "serial": "made-elsewhere", "greeting": None})


# ------------------------------------------------------------------------------ default providers


@pytest.mark.parametrize(("version", "name"), [("0.1.0", "default_0_1_0"), ("", "default")])
def test_the_default_provider_is_named_for_the_requested_version(
    plugin_stack: HarnessStack, version: str, name: str
) -> None:
    result = plugin_stack.up(toy_plugin_program(f'Widget("w", label="one", version="{version}")'))

    assert result.ok, result
    provider_urn = plugin_stack.urn(TOY_PROVIDER, name)
    assert ("create", provider_urn) in [(s.op, s.urn) for s in result.journal]
    assert plugin_stack.state().resource("w").provider.startswith(provider_urn + "::")


def test_a_plugin_older_than_the_requested_version_is_used_with_the_engines_warning(
    plugin_stack: HarnessStack,
) -> None:
    result = plugin_stack.up(toy_plugin_program('Widget("w", label="one", version="0.2.0")'))

    assert result.ok, result
    assert (
        "warning: resource plugin toy is expected to have version >=0.2.0, but has 0.1.0; the wrong version "
        "may be on your path, or this may be a bug in the plugin"
    ) in result.diagnostics


def test_configure_sends_bare_names_with_secrets_kept_and_prefixed_plaintext_variables(
    plugin_stack: HarnessStack, plugin_store: Path
) -> None:
    plugin_stack.up(toy_plugin_program(ONE_WIDGET)).assert_ok()

    (configure,) = records(plugin_store, "configures")
    assert configure["args"] == {
        "apiToken": {"@secret": "token-value"},
        "greeting": "hello",
        "store": str(plugin_store),
        "version": "0.1.0",
    }
    assert configure["variables"] == {
        "toy:config:apiToken": "token-value",
        "toy:config:greeting": "hello",
        "toy:config:store": str(plugin_store),
    }
    assert (configure["accept_secrets"], configure["accept_resources"]) == (True, True)
    assert configure["urn"] == plugin_stack.urn(TOY_PROVIDER, "default_0_1_0")
    assert (configure["name"], configure["type"]) == ("default_0_1_0", TOY_PROVIDER)
    assert configure["id"] == plugin_stack.state().resources[1].id


def test_a_plugin_runs_in_the_program_directory_with_its_package_config_and_the_project(
    plugin_stack: HarnessStack, plugin_store: Path
) -> None:
    plugin_stack.up(toy_plugin_program(ONE_WIDGET)).assert_ok()

    (launch,) = records(plugin_store, "launches")
    assert launch["cwd"] == str(plugin_stack.program_dir)
    assert launch["pulumi_project"] == "plugged"
    assert json.loads(launch["pulumi_config"]) == {
        "apiToken": "token-value",
        "greeting": "hello",
        "store": str(plugin_store),
    }
    assert launch["argv"] == [launch["engine_address"]]


def test_engine_flags_come_before_the_engine_address(tmp_path: Path, plugin_store: Path) -> None:
    stack = HarnessStack(
        tmp_path / "flagged",
        project="plugged",
        config={"toy:store": str(plugin_store)},
        plugins={"toy": PluginSource.directory(PLUGIN_DIR)},
        engine_flags=EngineFlags(
            logflow=True, logtostderr=True, verbose=9, tracing="http://127.0.0.1:9/traces"
        ),
        kdf_iterations=FAST_KDF_ITERATIONS,
    )

    stack.up(toy_plugin_program(ONE_WIDGET)).assert_ok()

    (launch,) = records(plugin_store, "launches")
    address = launch["engine_address"]
    assert launch["argv"] == ["--logtostderr", "-v=9", "--tracing", "http://127.0.0.1:9/traces", address]
    assert (launch["logtostderr"], launch["verbose"], launch["tracing"]) == (
        True,
        9,
        "http://127.0.0.1:9/traces",
    )


def test_a_module_source_runs_the_plugin_with_python_dash_m(tmp_path: Path, plugin_store: Path) -> None:
    stack = HarnessStack(
        tmp_path / "module",
        project="plugged",
        config={"toy:store": str(plugin_store)},
        plugins={"toy": PluginSource.module("tests.harness.toy_plugin")},
        kdf_iterations=FAST_KDF_ITERATIONS,
    )

    result = stack.up(toy_plugin_program(ONE_WIDGET))

    assert result.ok, result
    assert len(records(plugin_store, "launches")) == 1
    assert stack.state().resource("w").id in widget_ids(plugin_store)


def test_handshake_unimplemented_falls_back_and_plugin_info_follows(plugin_stack: HarnessStack) -> None:
    result = plugin_stack.up(toy_plugin_program(ONE_WIDGET))

    assert result.ok, result
    methods = [c.method for c in result.calls]
    assert methods[:4] == ["Handshake", "GetPluginInfo", "CheckConfig", "Configure"]
    assert not result.calls[0].ok
    assert methods[-1] == "Cancel"  # host.Close lets the plugin shut down gracefully


def test_a_plugin_that_answers_handshake_gets_previews_whatever_configure_says(
    plugin_stack: HarnessStack, plugin_store: Path
) -> None:
    plugin_stack.set_config("toy:handshake", "true")
    plugin_stack.set_config("toy:supportsPreview", "false")

    result = plugin_stack.preview(toy_plugin_program(ONE_WIDGET))

    assert result.ok, result
    (handshake,) = records(plugin_store, "handshakes")
    assert handshake["root_directory"] == handshake["program_directory"] == str(PLUGIN_DIR)
    assert [c.urn for c in result.calls_to("Create")] == [plugin_stack.urn(WIDGET, "w")]


# ----------------------------------------------------------------------------------- diagnostics


def test_plugin_log_messages_become_diagnostics_and_debug_ones_are_dropped(
    plugin_stack: HarnessStack,
) -> None:
    result = plugin_stack.up(toy_plugin_program('Widget("w", label="one", log_message="careful now")'))

    assert result.ok, result
    assert "info: toy provider default_0_1_0 configured" in result.diagnostics
    assert "warning: careful now" in result.diagnostics
    assert not [line for line in result.diagnostics if line.startswith("debug:")]


def test_debug_diagnostics_and_plugin_output_are_kept_with_debug(tmp_path: Path, plugin_store: Path) -> None:
    stack = HarnessStack(
        tmp_path / "debug",
        project="plugged",
        config={"toy:store": str(plugin_store)},
        plugins={"toy": PluginSource.directory(PLUGIN_DIR)},
        debug=True,
        kdf_iterations=FAST_KDF_ITERATIONS,
    )

    result = stack.up(toy_plugin_program(ONE_WIDGET))

    assert result.ok, result
    assert "debug: toy provider default_0_1_0: configuration keys ['store', 'version']" in result.diagnostics
    assert "debug: toy plugin 0.1.0 starting" in result.diagnostics  # its stderr, hidden without --debug


# ------------------------------------------------------------------------------ explicit providers


EXPLICIT = """
    explicit = Provider("explicit", store=STORE, greeting="{greeting}")
    Widget("a", label="routed", opts=pulumi.ResourceOptions(provider=explicit))
    Widget("b", label="default")
    """


def test_resources_with_an_explicit_provider_go_to_its_own_plugin_instance(
    plugin_stack: HarnessStack, plugin_store: Path
) -> None:
    result = plugin_stack.up(toy_plugin_program(EXPLICIT.format(greeting="hi"), store=plugin_store))

    assert result.ok, result
    explicit_urn = plugin_stack.urn(TOY_PROVIDER, "explicit")
    state = plugin_stack.state()
    assert state.resource("a").provider.startswith(explicit_urn + "::")
    assert state.resource("a").outputs["providerName"] == "explicit"
    assert state.resource("b").outputs["providerName"] == "default_0_1_0"
    creates = {c.urn.rsplit("::", 1)[-1]: c.provider for c in result.calls_to("Create")}
    assert creates == {"a": explicit_urn, "b": plugin_stack.urn(TOY_PROVIDER, "default_0_1_0")}
    assert len(records(plugin_store, "launches")) == 2  # one plugin process per provider instance


def test_an_explicit_provider_is_same_when_unchanged_and_updated_in_place_when_changed(
    plugin_stack: HarnessStack, plugin_store: Path
) -> None:
    explicit_urn = plugin_stack.urn(TOY_PROVIDER, "explicit")
    plugin_stack.up(toy_plugin_program(EXPLICIT.format(greeting="hi"), store=plugin_store)).assert_ok()
    (first_id,) = [r.id for r in plugin_stack.state().resources if r.urn == explicit_urn]

    unchanged = plugin_stack.up()
    changed = plugin_stack.up(toy_plugin_program(EXPLICIT.format(greeting="bye"), store=plugin_store))

    assert ("same", explicit_urn) in [(s.op, s.urn) for s in unchanged.journal]
    assert ("update", explicit_urn) in [(s.op, s.urn) for s in changed.journal], changed
    explicit = [r for r in plugin_stack.state().resources if r.urn == explicit_urn]
    assert [r.id for r in explicit] == [first_id]  # updated in place: its resources keep their reference
    assert changed.ops("a") == ["same"]
    # A same step configures with the old inputs, an update with the new ones.
    greetings = [
        c["args"]["greeting"] for c in records(plugin_store, "configures") if c["name"] == "explicit"
    ]
    assert greetings == ["hi", "hi", "bye"]


def test_a_resource_dropped_with_its_provider_is_deleted_through_that_provider_from_the_checkpoint(
    plugin_stack: HarnessStack, plugin_store: Path
) -> None:
    plugin_stack.up(toy_plugin_program(EXPLICIT.format(greeting="hi"), store=plugin_store)).assert_ok()

    result = plugin_stack.up(toy_plugin_program('Widget("b", label="default")'))

    assert result.ok, result
    assert result.ops("a") == ["delete"]
    (delete,) = _ops(plugin_store, "delete")
    assert delete["provider"] == "explicit"
    assert records(plugin_store, "configures")[-1]["args"]["greeting"] == "hi"  # its stored inputs
    ops = [(s.op, s.urn.rsplit("::", 1)[-1]) for s in result.journal if "explicit" in s.urn]
    assert ops == [("delete", "explicit")]


def test_a_new_default_provider_version_moves_resources_without_replacing_them(
    plugin_stack: HarnessStack,
) -> None:
    plugin_stack.up(toy_plugin_program(ONE_WIDGET)).assert_ok()
    widget_id = plugin_stack.state().resource("w").id

    result = plugin_stack.up(toy_plugin_program('Widget("w", label="one", version="0.2.0")'))

    assert result.ok, result
    assert result.ops("w") == ["same"]
    ops = [(s.op, s.urn.rsplit("::", 1)[-1]) for s in result.journal if TOY_PROVIDER in s.urn]
    assert ops == [("create", "default_0_2_0"), ("delete", "default_0_1_0")]
    # providerChanged asks the new provider's DiffConfig whether the old config forces a replacement.
    assert [c.provider.rsplit("::", 1)[-1] for c in result.calls_to("DiffConfig")] == ["default_0_2_0"]
    assert plugin_stack.state().resource("w").id == widget_id


def test_refresh_loads_the_provider_from_the_checkpoint_with_its_stored_inputs(
    plugin_stack: HarnessStack, plugin_store: Path
) -> None:
    plugin_stack.up(toy_plugin_program(ONE_WIDGET)).assert_ok()
    plugin_stack.set_config("toy:greeting", "changed since")

    result = plugin_stack.refresh()

    assert result.ok, result
    assert [(s.op, s.detail) for s in result.journal] == [("refresh", "same")]
    assert records(plugin_store, "configures")[-1]["args"]["greeting"] == "hello"
    assert [c.method for c in result.calls if c.method not in ("Handshake", "GetPluginInfo", "Cancel")] == [
        "Configure",
        "Read",
        "Diff",
    ]


def test_destroy_deletes_through_the_provider_from_the_checkpoint_and_unloads_it(
    plugin_stack: HarnessStack, plugin_store: Path
) -> None:
    plugin_stack.up(toy_plugin_program(ONE_WIDGET)).assert_ok()
    plugin_stack.set_config("toy:greeting", "changed since")

    result = plugin_stack.destroy()

    assert result.ok, result
    deletes = [(s.op, s.urn.rsplit("::", 1)[-1]) for s in result.journal]
    # The widget first (it depends on its provider); the provider and the stack then form one antichain.
    assert deletes[0] == ("delete", "w")
    assert sorted(deletes[1:]) == [("delete", "default_0_1_0"), ("delete", "plugged-dev")]
    assert widget_ids(plugin_store) == set()
    assert records(plugin_store, "configures")[-1]["args"]["greeting"] == "hello"
    assert [c.method for c in result.calls_to("Delete")] == [
        "Delete"
    ]  # a provider's delete is no plugin call


# ------------------------------------------------------------------------------------- previews


def test_a_preview_with_supports_preview_sends_create_with_preview_and_uses_its_answer(
    plugin_stack: HarnessStack, plugin_store: Path
) -> None:
    program = """
        w = Widget("w", label="one")
        pulumi.export("label", w.label)
        pulumi.export("serial", w.serial)
        pulumi.export("provider", w.providerName)
        """

    result = plugin_stack.preview(toy_plugin_program(program))

    assert result.ok, result
    assert len(result.calls_to("Create")) == 1
    assert result.outputs["label"].value == "one"
    assert result.outputs["serial"].value == UNKNOWN
    assert result.outputs["provider"].value == "default_0_1_0"
    assert records(plugin_store, "configures")[0]["id"] == UNKNOWN  # a new provider has no ID in a preview
    assert plugin_stack.state().raw == ""
    assert widget_ids(plugin_store) == set()


def test_a_preview_without_supports_preview_echoes_the_inputs_without_calling_create(
    plugin_stack: HarnessStack,
) -> None:
    plugin_stack.set_config("toy:supportsPreview", "false")
    program = """
        w = Widget("w", label="one")
        pulumi.export("label", w.label)
        pulumi.export("provider", w.providerName)
        """

    result = plugin_stack.preview(toy_plugin_program(program))

    assert result.ok, result
    assert result.calls_to("Create") == []
    assert result.outputs["label"].value == "one"
    assert result.outputs["provider"].value == UNKNOWN


# ---------------------------------------------------------------------------------------- diffs


def test_an_update_records_the_plugins_detailed_diff(plugin_stack: HarnessStack) -> None:
    plugin_stack.up(toy_plugin_program(ONE_WIDGET)).assert_ok()

    result = plugin_stack.up(toy_plugin_program('Widget("w", label="two", size=2.0)'))

    assert result.ok, result
    assert result.ops("w") == ["update"]
    assert result.detailed_diff("w") == {"label": "update", "size": "update"}


def test_a_replace_kind_in_the_detailed_diff_alone_replaces(
    plugin_stack: HarnessStack, plugin_store: Path
) -> None:
    plugin_stack.up(toy_plugin_program(ONE_WIDGET)).assert_ok()
    old_id = plugin_stack.state().resource("w").id

    result = plugin_stack.up(toy_plugin_program('Widget("w", label="one", shape="circle")'))

    assert result.ok, result
    assert result.ops("w") == ["create-replacement", "replace", "delete-replaced"]
    assert result.detailed_diff("w") == {"shape": "update-replace"}
    assert widget_ids(plugin_store) == {plugin_stack.state().resource("w").id} != {old_id}


def test_replace_on_changes_turns_a_detailed_diff_update_into_a_replacement(
    plugin_stack: HarnessStack,
) -> None:
    def program(label: str) -> str:
        return toy_plugin_program(
            f'Widget("w", label="{label}", opts=pulumi.ResourceOptions(replace_on_changes=["label"]))'
        )

    plugin_stack.up(program("one")).assert_ok()

    result = plugin_stack.up(program("two"))

    assert result.ok, result
    assert result.ops("w") == ["create-replacement", "replace", "delete-replaced"]
    assert result.detailed_diff("w") == {"label": "update-replace"}


def test_a_plugin_that_refuses_secrets_gets_plaintext_and_the_engine_marks_them_again(
    plugin_stack: HarnessStack, plugin_store: Path
) -> None:
    plugin_stack.set_config("toy:acceptSecrets", "false")

    result = plugin_stack.up(
        toy_plugin_program('Widget("w", label="one", note=pulumi.Output.secret("psst"))')
    )

    assert result.ok, result
    widget = plugin_stack.state().resource("w")
    stored = json.loads((plugin_store / f"{widget.id}.json").read_text())
    assert stored["inputs"]["note"] == "psst"  # sent in plaintext
    assert widget.outputs["note"] == Secret("psst")  # annotateSecrets
    assert "psst" not in plugin_stack.state().raw


# -------------------------------------------------------------------------------------- invokes


def test_an_invoke_returns_the_default_providers_answer(plugin_stack: HarnessStack) -> None:
    result = plugin_stack.up(toy_plugin_program('pulumi.export("described", describe("the moon"))'))

    assert result.ok, result
    assert result.outputs["described"] == StackOutput(
        {"subject": "the moon", "greeting": "hello", "providerName": "default_0_1_0"}, secret=False
    )


def test_an_invoke_with_an_explicit_provider_goes_to_it(
    plugin_stack: HarnessStack, plugin_store: Path
) -> None:
    program = """
        explicit = Provider("explicit", store=STORE, greeting="hi")
        result = explicit.id.apply(
            lambda _: describe("x", opts=pulumi.InvokeOptions(provider=explicit))["providerName"]
        )
        pulumi.export("provider", result)
        """

    result = plugin_stack.up(toy_plugin_program(program, store=plugin_store))

    assert result.ok, result
    assert result.outputs["provider"].value == "explicit"


def test_invoke_failures_fail_the_program_with_the_sdks_message(plugin_stack: HarnessStack) -> None:
    result = plugin_stack.up(toy_plugin_program('describe("x", fail="no such subject")'))

    assert not result.ok
    assert "invoke of toy:index:describe failed: no such subject (fail)" in result.error_text


# -------------------------------------------------------------------------------------- imports


def test_pulumi_import_reads_the_id_alone_and_keeps_the_read_inputs(
    plugin_stack: HarnessStack, plugin_store: Path
) -> None:
    _external_widget(plugin_store, "widget-made-elsewhere", "outside")

    result = plugin_stack.import_(WIDGET, "adopted", "widget-made-elsewhere", protect=False)

    assert result.ok, result
    urn = plugin_stack.urn(WIDGET, "adopted")
    # The CLI's one-resource form sends no version: the default provider is plain "default".
    assert [(s.op, s.urn.rsplit("::", 1)[-1]) for s in result.journal] == [
        ("create", "plugged-dev"),
        ("create", "default"),
        ("import", "adopted"),
    ]
    (read,) = _ops(plugin_store, "read")
    assert (read["id"], read["sent_inputs"], read["sent_state"]) == ("widget-made-elsewhere", [], [])
    assert [c.method for c in result.calls if c.urn == urn] == ["Read", "Check"]
    adopted = plugin_stack.state().resource("adopted")
    assert adopted.id == "widget-made-elsewhere"
    assert adopted.inputs == {"label": "outside", "shape": "square", "size": 1}
    assert adopted.import_id == ""  # pulumi import has never set it
    assert adopted.parent == plugin_stack.urn("pulumi:pulumi:Stack", "plugged-dev")


def test_pulumi_import_from_a_file_keeps_the_existing_state(
    plugin_stack: HarnessStack, plugin_store: Path, tmp_path: Path
) -> None:
    plugin_stack.up(toy_plugin_program(ONE_WIDGET)).assert_ok()
    _external_widget(plugin_store, "widget-made-elsewhere", "outside")
    import_file = tmp_path / "resources.json"
    import_file.write_text(
        json.dumps(
            {
                "resources": [
                    {"type": WIDGET, "name": "adopted", "id": "widget-made-elsewhere", "version": "0.1.0"}
                ]
            }
        )
    )

    result = plugin_stack.import_(file=import_file, protect=False)

    assert result.ok, result
    assert [(s.op, s.urn.rsplit("::", 1)[-1]) for s in result.journal] == [
        ("same", "plugged-dev"),
        ("same", "default_0_1_0"),
        ("same", "w"),
        ("import", "adopted"),
    ]
    assert [r.name for r in plugin_stack.state().managed] == ["w", "adopted"]


def test_pulumi_import_of_a_missing_id_fails_with_the_engines_message(plugin_stack: HarnessStack) -> None:
    result = plugin_stack.import_(WIDGET, "ghost", "widget-nowhere", protect=False)

    assert not result.ok
    assert (
        f"{plugin_stack.urn(WIDGET, 'ghost')}: resource 'widget-nowhere' does not exist" in result.error_text
    )
    assert plugin_stack.state().managed == []


def test_pulumi_import_over_a_urn_already_in_the_state_fails(
    plugin_stack: HarnessStack, plugin_store: Path
) -> None:
    plugin_stack.up(toy_plugin_program(ONE_WIDGET)).assert_ok()
    _external_widget(plugin_store, "widget-made-elsewhere", "outside")

    result = plugin_stack.import_(WIDGET, "w", "widget-made-elsewhere", protect=False)

    urn = plugin_stack.urn(WIDGET, "w")
    assert not result.ok
    assert f"resource '{urn}' already exists" in result.error_text
    assert _ops(plugin_store, "read") == []


def test_pulumi_import_check_failures_are_warnings(plugin_stack: HarnessStack, plugin_store: Path) -> None:
    _external_widget(plugin_store, "widget-shouting", "LOUD")

    result = plugin_stack.import_(WIDGET, "loud", "widget-shouting", protect=False)

    assert result.ok, result
    assert (
        "warning: One or more imported inputs failed to validate. This is almost certainly a bug in the "
        "`toy` provider. The import will still proceed, but you will need to edit the generated code after "
        "copying it into your program."
    ) in result.diagnostics
    assert (
        f"warning: {WIDGET} resource 'loud': property label value {{LOUD}} has a problem: must be lowercase"
    ) in result.diagnostics


def test_an_import_option_reads_the_id_alone_and_takes_the_read_inputs(
    plugin_stack: HarnessStack, plugin_store: Path
) -> None:
    _external_widget(plugin_store, "widget-made-elsewhere", "outside")
    program = (
        'Widget("adopted", label="outside", opts=pulumi.ResourceOptions(import_="widget-made-elsewhere"))'
    )

    result = plugin_stack.up(toy_plugin_program(program))

    assert result.ok, result
    assert result.ops("adopted") == ["import"]  # no diff against the read inputs: no further step
    (read,) = _ops(plugin_store, "read")
    assert (read["sent_inputs"], read["sent_state"]) == ([], [])
    assert plugin_stack.state().resource("adopted").import_id == "widget-made-elsewhere"


# ---------------------------------------------------------------------------------- refusals


def test_a_package_without_a_plugin_fails_with_the_engines_missing_plugin_message(tmp_path: Path) -> None:
    stack = HarnessStack(tmp_path / "bare", project="plugged", kdf_iterations=FAST_KDF_ITERATIONS)

    result = stack.up(toy_plugin_program(ONE_WIDGET))

    assert not result.ok
    assert (
        "no resource plugin 'pulumi-resource-toy' found in the workspace at version v0.1.0 or on your $PATH"
    ) in result.error_text


def test_a_plugin_folder_without_pulumiplugin_yaml_fails_to_load(tmp_path: Path, plugin_store: Path) -> None:
    folder = tmp_path / "no-manifest"
    folder.mkdir()
    shutil.copy(PLUGIN_DIR / "__main__.py", folder / "__main__.py")
    stack = HarnessStack(
        tmp_path / "s",
        project="plugged",
        config={"toy:store": str(plugin_store)},
        plugins={"toy": PluginSource.directory(folder)},
        kdf_iterations=FAST_KDF_ITERATIONS,
    )

    result = stack.up(toy_plugin_program(ONE_WIDGET))

    assert not result.ok
    assert f"loading PulumiPlugin.yaml: open {folder / 'PulumiPlugin.yaml'}" in result.error_text


def test_the_bundled_dynamic_provider_takes_no_plugin_source(tmp_path: Path) -> None:
    stack = HarnessStack(
        tmp_path / "dyn",
        project="plugged",
        plugins={"pulumi-python": PluginSource.directory(PLUGIN_DIR)},
        kdf_iterations=FAST_KDF_ITERATIONS,
    )

    result = stack.up("import pulumi\n")

    assert not result.ok
    assert (
        "pulumi-python is the CLI's bundled dynamic provider: it takes no plugin source" in result.error_text
    )


@pytest.mark.parametrize(
    ("program", "refusal"),
    [
        (
            'Widget("w", label="one", '
            'opts=pulumi.ResourceOptions(custom_timeouts=pulumi.CustomTimeouts(create="1m")))',
            "the harness does not model customTimeouts",
        ),
        (
            'Widget("w", label="one", opts=pulumi.ResourceOptions(plugin_download_url="https://example.com"))',
            "the harness does not model pluginDownloadURL",
        ),
        (
            'Widget("w", label="one", opts=pulumi.ResourceOptions(protect=True))',
            "the harness does not model protect",
        ),
    ],
    ids=["custom-timeouts", "plugin-download-url", "protect"],
)
def test_resource_options_the_harness_does_not_model_are_refused(
    plugin_stack: HarnessStack, program: str, refusal: str
) -> None:
    result = plugin_stack.up(toy_plugin_program(program))

    assert not result.ok
    assert refusal in result.error_text


def test_pulumi_import_refuses_protect_the_clis_default(
    plugin_stack: HarnessStack, plugin_store: Path
) -> None:
    _external_widget(plugin_store, "widget-made-elsewhere", "outside")

    result = plugin_stack.import_(WIDGET, "adopted", "widget-made-elsewhere")

    assert not result.ok
    assert "the harness does not model protect: pass protect=False" in result.error_text
    assert plugin_stack.state().raw == ""


def test_an_import_file_with_supplied_outputs_is_refused(plugin_stack: HarnessStack) -> None:
    import_file = {"resources": [{"type": WIDGET, "name": "a", "id": "widget-1", "outputs": {"label": "x"}}]}

    result = plugin_stack.import_(file=import_file, protect=False)

    assert not result.ok
    assert "the harness does not model supplied outputs in an import file ('outputs')" in result.error_text


def test_an_import_file_without_an_id_fails_as_the_command_does(plugin_stack: HarnessStack) -> None:
    result = plugin_stack.import_(file={"resources": [{"type": WIDGET, "name": "a"}]}, protect=False)

    assert not result.ok
    assert "1 error occurred:\n\t* resource 'a' of type 'toy:index:Widget' has no ID" in result.error_text


# ----------------------------------------------------------------------------- partial failures


PARTIAL = 'Widget("w", label="two", partial_failure="stopped half-way")'


def _partially_updated(stack: HarnessStack) -> None:
    """A widget created, then updated (label one -> two) by an update that failed part-way."""
    stack.up(toy_plugin_program(ONE_WIDGET)).assert_ok()
    assert not stack.up(toy_plugin_program(PARTIAL)).ok


def test_a_partially_failed_update_fails_the_up_and_keeps_old_inputs_partial_outputs_and_init_errors(
    plugin_stack: HarnessStack,
) -> None:
    plugin_stack.up(toy_plugin_program(ONE_WIDGET)).assert_ok()
    widget_id = plugin_stack.state().resource("w").id

    result = plugin_stack.up(toy_plugin_program(PARTIAL))

    urn = plugin_stack.urn(WIDGET, "w")
    assert not result.ok
    assert f"{urn}: 1 error occurred:\n\t* stopped half-way\n" in result.error_text
    assert [(s.op, s.detail) for s in result.journal if s.urn == urn] == [("update", "failed")]
    widget = plugin_stack.state().resource("w")
    assert widget.id == widget_id
    assert widget.init_errors == ["stopped half-way"]
    # The outputs are the ones the error carried; the inputs stay the old ones (OnResourceStepPost).
    assert widget.outputs["label"] == "two"
    assert widget.outputs["initialized"] is False
    assert widget.inputs["label"] == "one"
    assert '"initErrors": [\n' in plugin_stack.state().raw


def test_a_resource_with_init_errors_is_updated_without_changes_and_a_successful_update_clears_them(
    plugin_stack: HarnessStack,
) -> None:
    _partially_updated(plugin_stack)

    retried = plugin_stack.up()
    settled = plugin_stack.up()

    assert retried.ok, retried
    assert retried.ops("w") == ["update"]
    assert retried.detailed_diff("w") == {}  # the plugin's Diff saw no change: the init errors did it
    assert retried.crud_calls == [("Check", "w"), ("Diff", "w"), ("Update", "w")]
    widget = plugin_stack.state().resource("w")
    assert widget.init_errors == []
    assert widget.inputs["label"] == "two"
    assert "initialized" not in widget.outputs
    assert "initErrors" not in plugin_stack.state().raw
    assert settled.ops("w") == ["same"]


def test_an_update_error_without_details_keeps_the_old_state_and_records_no_step(
    plugin_stack: HarnessStack,
) -> None:
    plugin_stack.up(toy_plugin_program(ONE_WIDGET)).assert_ok()
    before = plugin_stack.state().resource("w")

    result = plugin_stack.up(toy_plugin_program('Widget("w", label="two", fail_update="not today")'))

    assert not result.ok
    assert f"{plugin_stack.urn(WIDGET, 'w')}: Update failed:\n" in result.error_text
    assert "update refused: not today" in result.error_text
    assert result.ops("w") == []
    assert plugin_stack.state().resource("w") == before


def test_a_partially_failed_create_keeps_the_new_resource_with_its_new_inputs_and_init_errors(
    plugin_stack: HarnessStack, plugin_store: Path
) -> None:
    program = toy_plugin_program('Widget("w", label="one", partial_failure="made, not ready")')

    failed = plugin_stack.up(program)
    widget = plugin_stack.state().resource("w")
    retried = plugin_stack.up(program)

    assert not failed.ok
    assert "1 error occurred:\n\t* made, not ready\n" in failed.error_text
    assert [(s.op, s.detail) for s in failed.journal if s.urn == widget.urn] == [("create", "failed")]
    assert widget.id in widget_ids(plugin_store)
    assert widget.inputs["partialFailure"] == "made, not ready"  # a create keeps its new inputs
    assert (widget.outputs["initialized"], widget.init_errors) == (False, ["made, not ready"])
    assert retried.ok, retried
    assert retried.ops("w") == ["update"]
    assert plugin_stack.state().resource("w").init_errors == []


def test_replace_on_changes_naming_the_init_error_key_replaces_a_resource_with_init_errors(
    plugin_stack: HarnessStack, plugin_store: Path
) -> None:
    _partially_updated(plugin_stack)
    old_id = plugin_stack.state().resource("w").id

    result = plugin_stack.up(
        toy_plugin_program(
            'Widget("w", label="two", partial_failure="stopped half-way", '
            'opts=pulumi.ResourceOptions(replace_on_changes=["*"]))'
        )
    )

    assert result.ok, result
    assert result.ops("w") == ["create-replacement", "replace", "delete-replaced"]
    assert result.detailed_diff("w") == {"#initerror": "update-replace"}
    widget = plugin_stack.state().resource("w")
    assert widget.init_errors == []
    assert widget_ids(plugin_store) == {widget.id} != {old_id}


def test_a_refresh_whose_read_succeeds_clears_init_errors(plugin_stack: HarnessStack) -> None:
    _partially_updated(plugin_stack)

    refreshed = plugin_stack.refresh()
    after = plugin_stack.up()

    assert refreshed.ok, refreshed
    assert plugin_stack.state().resource("w").init_errors == []
    assert after.ops("w") == ["same"]


def test_a_preview_of_a_resource_with_init_errors_shows_the_update_and_saves_nothing(
    plugin_stack: HarnessStack,
) -> None:
    _partially_updated(plugin_stack)
    raw = plugin_stack.state().raw

    result = plugin_stack.preview()

    assert result.ok, result
    assert result.ops("w") == ["update"]
    assert plugin_stack.state().raw == raw
