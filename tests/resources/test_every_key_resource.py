"""What every key resource does through whole Pulumi lifecycles, run once over each registered one.

Real programs, the SDK's provider server and the emulator, as in the backends' own scenario files
(which keep what only their backend does). Each test asserts what the engine did (steps), what
reached the API (the emulator's request log), what the checkpoint holds and what the stack exports.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pulumi_apikeys.emulator import RunningEmulator
from pulumi_apikeys.emulator.request_log import RecordedRequest
from tests.backends import ResourceUnderTest, every_face
from tests.harness import HarnessStack, Secret
from tests.harness.state import FAST_KDF_ITERATIONS

# Every resource on both faces: the dynamic provider, and the provider plugin through its Python SDK.
EVERY_KEY_RESOURCE = pytest.mark.parametrize("subject", every_face(), ids=lambda subject: subject.id)
# How Pulumi stores a secret in the checkpoint: this signature key beside the ciphertext.
SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"


def api_requests(emulator: RunningEmulator) -> list[tuple[str, str]]:
    """``(method, path)`` of every API request since the last clear."""
    return [(r.method, r.path) for r in emulator.control.requests()]


def only(requests: list[RecordedRequest], method: str) -> RecordedRequest:
    found = [r for r in requests if r.method == method]
    assert len(found) == 1, requests
    return found[0]


@EVERY_KEY_RESOURCE
def test_create_posts_once_and_keeps_the_value_secret(
    subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator
):
    result = stack.up(subject.one_key())

    assert result.ok, result
    assert result.steps == [("create", stack.urn(subject.token, "ci"))]
    post = only(emulator.control.requests(), "POST")
    assert api_requests(emulator) == [("POST", subject.collection_path)]
    state = stack.state()
    ci = state.resource("ci")
    assert ci.id == post.key_id
    assert isinstance(ci.outputs[subject.value_key], Secret)
    value = ci.outputs[subject.value_key].value
    assert value.startswith(subject.value_prefix)
    # Stored as Pulumi stores secrets: an envelope around ciphertext, the plaintext nowhere in the file.
    raw_ci = next(
        r for r in json.loads(state.raw)["checkpoint"]["latest"]["resources"] if r.get("id") == ci.id
    )
    assert set(raw_ci["outputs"][subject.value_key]) == {SECRET_SIGNATURE, "ciphertext"}
    assert value not in state.raw
    assert emulator.endpoint(subject.backend).credential not in state.raw
    assert result.outputs["ci_key"].secret
    assert result.outputs["ci_key"].value == value
    assert not result.outputs["ci_id"].secret
    assert state.outputs["ci_key"].secret


@EVERY_KEY_RESOURCE
def test_an_unchanged_program_is_same_and_calls_no_api(
    subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator
):
    stack.up(subject.one_key()).assert_ok()
    before = stack.state().resource("ci")
    emulator.control.clear_requests()

    result = stack.up(subject.one_key())

    assert result.ok, result
    assert result.steps == [("same", stack.urn(subject.token, "ci"))]
    assert api_requests(emulator) == []
    assert stack.state().resource("ci").outputs == before.outputs
    assert result.outputs["ci_key"].secret


@EVERY_KEY_RESOURCE
def test_a_preview_makes_no_mutating_call(
    subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator
):
    stack.up(subject.one_key()).assert_ok()
    state_before = stack.state().raw
    emulator.control.clear_requests()

    result = stack.preview(subject.one_key(key_name="CI (renamed)"))

    assert result.ok, result
    assert "replace" in result.ops("ci")  # the rename is planned...
    assert api_requests(emulator) == []  # ...but nothing reaches the API
    assert stack.state().raw == state_before


@EVERY_KEY_RESOURCE
def test_a_rename_replaces_the_key_creating_the_new_one_before_deleting_the_old(
    subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator
):
    stack.up(subject.one_key()).assert_ok()
    old_id = stack.state().resource("ci").id
    emulator.control.clear_requests()

    result = stack.up(subject.one_key(key_name="CI v2"))

    assert result.ok, result
    urn = stack.urn(subject.token, "ci")
    assert result.steps == [("create-replacement", urn), ("replace", urn), ("delete-replaced", urn)]
    requests = emulator.control.requests()
    post, delete = only(requests, "POST"), only(requests, "DELETE")
    assert post.seq < delete.seq
    assert delete.path == subject.item_path(old_id)
    new = stack.state().resource("ci")
    assert new.id == post.key_id
    assert subject.live_keys(emulator) == {new.id: "CI v2"}
    assert result.outputs["ci_key"].value == new.outputs[subject.value_key].value


@EVERY_KEY_RESOURCE
def test_a_rename_with_delete_before_replace_deletes_the_old_key_first(
    subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator
):
    dbr = ", opts=pulumi.ResourceOptions(delete_before_replace=True)"
    stack.up(subject.one_key(extra=dbr)).assert_ok()
    old_id = stack.state().resource("ci").id
    emulator.control.clear_requests()

    result = stack.up(subject.one_key(key_name="CI v2", extra=dbr))

    assert result.ok, result
    urn = stack.urn(subject.token, "ci")
    assert result.steps == [("delete-replaced", urn), ("replace", urn), ("create-replacement", urn)]
    requests = emulator.control.requests()
    delete, post = only(requests, "DELETE"), only(requests, "POST")
    assert delete.seq < post.seq
    assert delete.path == subject.item_path(old_id)


@EVERY_KEY_RESOURCE
def test_a_key_deleted_out_of_band_leaves_the_state_on_refresh_and_comes_back_on_up(
    subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator
):
    stack.up(subject.one_key()).assert_ok()
    gone_id = stack.state().resource("ci").id
    subject.delete_out_of_band(emulator, gone_id)
    emulator.control.clear_requests()

    refreshed = stack.refresh()
    state_after_refresh = stack.state()
    recreated = stack.up(subject.one_key())

    assert refreshed.ok, refreshed
    assert [(s.op, s.detail) for s in refreshed.journal] == [("refresh", "delete")]
    assert [r.name for r in state_after_refresh.managed] == []
    assert recreated.ok, recreated
    assert recreated.steps == [("create", stack.urn(subject.token, "ci"))]
    assert api_requests(emulator) == [*subject.lookup_requests(gone_id), ("POST", subject.collection_path)]
    new_id = stack.state().resource("ci").id
    assert new_id != gone_id
    assert subject.live_keys(emulator) == {new_id: "CI"}


@EVERY_KEY_RESOURCE
def test_import_adopts_an_existing_key_without_posting_and_then_stays_same(
    subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator
):
    existing = subject.create_out_of_band(emulator, "Legacy")
    emulator.control.clear_requests()
    import_id = subject.import_id(existing)
    adopt = subject.program(
        f"""
        legacy = {subject.key("legacy", "Legacy", f", opts=pulumi.ResourceOptions(import_={import_id!r})")}
        pulumi.export("legacy_value", legacy.{subject.value_attribute})
        """
    )

    adopted = stack.up(adopt)
    adoption_requests = api_requests(emulator)
    adopted_state = stack.state().resource("legacy")
    emulator.control.clear_requests()
    later = stack.up(subject.program(subject.key("legacy", "Legacy")))

    assert adopted.ok, adopted
    urn = stack.urn(subject.token, "legacy")
    # The dynamic resource turns import_ into an input, so the engine runs a plain create; the plugin
    # is imported by the engine itself (ImportStep: a Read of the id alone).
    assert adopted.steps == [("create" if subject.face == "dynamic" else "import", urn)]
    assert adoption_requests == subject.lookup_requests(existing)  # found once, no POST
    assert adopted_state.id == existing
    assert adopted_state.outputs.get(subject.value_key) is None  # the API never shows an existing key's value
    assert adopted.outputs.get("legacy_value") is None
    assert later.ok, later
    assert later.steps == [("same", urn)]
    assert api_requests(emulator) == []
    assert subject.live_keys(emulator) == {existing: "Legacy"}


@EVERY_KEY_RESOURCE
def test_an_import_whose_name_differs_fails_and_creates_nothing(
    subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator
):
    existing = subject.create_out_of_band(emulator, "Legacy")
    emulator.control.clear_requests()
    import_id = subject.import_id(existing)
    program = subject.program(
        subject.key("legacy", "Other", f", opts=pulumi.ResourceOptions(import_={import_id!r})") + "\n"
    )

    result = stack.up(program)

    assert not result.ok
    if subject.face == "dynamic":
        assert "its name is 'Legacy' but the program declares name='Other'" in result.error_text
    else:  # the engine's own refusal: the imported key would have to be replaced
        assert (
            "previously-imported resources that still specify an ID may not be replaced" in result.error_text
        )
    assert api_requests(emulator) == subject.lookup_requests(existing)
    assert subject.live_keys(emulator) == {existing: "Legacy"}
    assert stack.state().managed == []


@EVERY_KEY_RESOURCE
def test_get_reads_an_existing_key_and_destroy_leaves_it_alone(
    subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator
):
    existing = subject.create_out_of_band(emulator, "Shared")
    program = subject.program(
        f"""
        shared = {subject.get("shared", existing)}
        pulumi.export("name", shared.name)
        """
    )

    read = stack.up(program)
    destroyed = stack.destroy()

    assert read.ok, read
    assert read.steps == [("read", stack.urn(subject.token, "shared"))]
    assert read.outputs["name"].value == "Shared"
    assert destroyed.ok, destroyed
    assert subject.live_keys(emulator) == {existing: "Shared"}
    # Only the setup's own create changed anything: the get created nothing and destroy deleted nothing.
    assert [r.method for r in emulator.control.requests() if r.method != "GET"] == ["POST"]


@EVERY_KEY_RESOURCE
def test_get_of_a_missing_key_fails_naming_it(subject: ResourceUnderTest, stack: HarnessStack):
    result = stack.up(subject.program(subject.get("shared", subject.missing_id) + "\n"))

    assert not result.ok
    assert subject.get_missing_message in result.error_text


@EVERY_KEY_RESOURCE
def test_destroy_deletes_every_key_and_empties_the_state(
    subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator
):
    program = subject.program(
        f"""
        {subject.key("ci", "CI")}
        {subject.key("deployer", "Deployer")}
        """
    )
    stack.up(program).assert_ok()
    ids = {stack.state().resource(name).id for name in ("ci", "deployer")}
    emulator.control.clear_requests()

    result = stack.destroy()

    assert result.ok, result
    assert sorted(op for op, _ in result.steps) == ["delete", "delete"]
    assert set(api_requests(emulator)) == {("DELETE", subject.item_path(i)) for i in ids}
    assert subject.live_keys(emulator) == {}
    assert stack.state().resources == []


@EVERY_KEY_RESOURCE
def test_a_missing_credential_fails_saying_both_ways_to_set_it(
    subject: ResourceUnderTest, tmp_path: Path, emulator: RunningEmulator
):
    backend = subject.settings
    stack = HarnessStack(
        tmp_path / "stack",
        project="apikeys-test",
        config={backend.base_url.config_key: emulator.endpoint(backend.name).base_url},
        kdf_iterations=FAST_KDF_ITERATIONS,
        plugins=subject.plugins,
    )

    result = stack.up(subject.one_key())

    assert not result.ok
    assert f"No {backend.credential.what} is configured" in result.error_text
    assert f"pulumi config set --secret {backend.credential.config_key} <value>" in result.error_text
    assert backend.credential.env_var in result.error_text
    assert emulator.control.requests() == []
