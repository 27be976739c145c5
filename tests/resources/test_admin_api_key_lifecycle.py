"""``AdminApiKey`` through whole Pulumi lifecycles: real programs, the SDK's provider server, the emulator.

Each test asserts what the engine did (steps), what reached the API (the emulator's request log), what
the checkpoint holds and what the stack exports.
"""

from __future__ import annotations

import json
import textwrap

from pulumi_apikeys.emulator import RunningEmulator
from pulumi_apikeys.emulator.faults import FaultPlan
from pulumi_apikeys.emulator.request_log import RecordedRequest
from pulumi_apikeys.openai.client import AdminApiKeysClient
from tests.harness import HarnessStack, Secret

ADMIN_API_KEY = "pulumi-python:dynamic/openai:AdminApiKey"
KEYS_PATH = "/v1/organization/admin_api_keys"


def key_program(body: str) -> str:
    """A program's source: the imports, then ``body``."""
    return "import pulumi\nfrom pulumi_apikeys.openai import AdminApiKey\n" + textwrap.dedent(body)


def deployer_program(*, name: str = "CI deployer", extra: str = "") -> str:
    """One key, ``deployer``, exporting its value."""
    return key_program(
        f"""
        deployer = AdminApiKey("deployer", name={name!r}{extra})
        pulumi.export("deployer_key", deployer.value)
        """
    )


def api_requests(emulator: RunningEmulator) -> list[tuple[str, str]]:
    """``(method, path)`` of every API request since the last clear."""
    return [(r.method, r.path) for r in emulator.control.requests()]


def only(requests: list[RecordedRequest], method: str) -> RecordedRequest:
    found = [r for r in requests if r.method == method]
    assert len(found) == 1, requests
    return found[0]


def test_create_posts_once_and_keeps_the_value_secret(harness_stack: HarnessStack, emulator: RunningEmulator):
    result = harness_stack.up(deployer_program())

    assert result.ok, result
    assert result.steps == [("create", harness_stack.urn(ADMIN_API_KEY, "deployer"))]
    post = only(emulator.control.requests(), "POST")
    assert api_requests(emulator) == [("POST", KEYS_PATH)]
    state = harness_stack.state()
    deployer = state.resource("deployer")
    assert deployer.id == post.key_id
    assert isinstance(deployer.outputs["value"], Secret)
    value = deployer.outputs["value"].value
    assert value.startswith("sk-admin-")
    # Stored as Pulumi stores secrets: an envelope around ciphertext, the plaintext nowhere in the file.
    raw_deployer = next(
        r for r in json.loads(state.raw)["checkpoint"]["latest"]["resources"] if r.get("id") == post.key_id
    )
    assert set(raw_deployer["outputs"]["value"]) == {"4dabf18193072939515e22adb298388d", "ciphertext"}
    assert value not in state.raw
    assert emulator.admin_key not in state.raw
    assert result.outputs["deployer_key"].secret
    assert result.outputs["deployer_key"].value == value
    assert state.outputs["deployer_key"].secret


def test_an_unchanged_program_is_same_and_calls_no_api(
    harness_stack: HarnessStack, emulator: RunningEmulator
):
    harness_stack.up(deployer_program()).assert_ok()
    before = harness_stack.state().resource("deployer")
    emulator.control.clear_requests()

    result = harness_stack.up(deployer_program())

    assert result.ok, result
    assert result.steps == [("same", harness_stack.urn(ADMIN_API_KEY, "deployer"))]
    assert api_requests(emulator) == []
    assert harness_stack.state().resource("deployer").outputs == before.outputs
    assert result.outputs["deployer_key"].secret


def test_a_preview_makes_no_mutating_call(harness_stack: HarnessStack, emulator: RunningEmulator):
    harness_stack.up(deployer_program()).assert_ok()
    state_before = harness_stack.state().raw
    emulator.control.clear_requests()

    result = harness_stack.preview(deployer_program(name="CI deployer (renamed)"))

    assert result.ok, result
    assert "replace" in result.ops("deployer")  # the rename is planned...
    assert api_requests(emulator) == []  # ...but nothing reaches the API
    assert harness_stack.state().raw == state_before


def test_a_rename_replaces_the_key_creating_the_new_one_before_deleting_the_old(
    harness_stack: HarnessStack, emulator: RunningEmulator
):
    harness_stack.up(deployer_program()).assert_ok()
    old_id = harness_stack.state().resource("deployer").id
    emulator.control.clear_requests()

    result = harness_stack.up(deployer_program(name="CI deployer v2"))

    assert result.ok, result
    urn = harness_stack.urn(ADMIN_API_KEY, "deployer")
    assert result.steps == [("create-replacement", urn), ("replace", urn), ("delete-replaced", urn)]
    requests = emulator.control.requests()
    post, delete = only(requests, "POST"), only(requests, "DELETE")
    assert post.seq < delete.seq
    assert delete.path == f"{KEYS_PATH}/{old_id}"
    assert harness_stack.state().resource("deployer").id == post.key_id


def test_a_rename_with_delete_before_replace_deletes_the_old_key_first(
    harness_stack: HarnessStack, emulator: RunningEmulator
):
    dbr = ", opts=pulumi.ResourceOptions(delete_before_replace=True)"
    harness_stack.up(deployer_program(extra=dbr)).assert_ok()
    old_id = harness_stack.state().resource("deployer").id
    emulator.control.clear_requests()

    result = harness_stack.up(deployer_program(name="CI deployer v2", extra=dbr))

    assert result.ok, result
    urn = harness_stack.urn(ADMIN_API_KEY, "deployer")
    assert result.steps == [("delete-replaced", urn), ("replace", urn), ("create-replacement", urn)]
    requests = emulator.control.requests()
    delete, post = only(requests, "DELETE"), only(requests, "POST")
    assert delete.seq < post.seq
    assert delete.path == f"{KEYS_PATH}/{old_id}"


def test_changing_expires_in_seconds_replaces_the_key(harness_stack: HarnessStack, emulator: RunningEmulator):
    harness_stack.up(deployer_program(extra=", expires_in_seconds=86400")).assert_ok()
    old_id = harness_stack.state().resource("deployer").id
    emulator.control.clear_requests()

    result = harness_stack.up(deployer_program(extra=", expires_in_seconds=2 * 86400"))

    assert result.ok, result
    assert result.ops("deployer") == ["create-replacement", "replace", "delete-replaced"]
    assert api_requests(emulator) == [("POST", KEYS_PATH), ("DELETE", f"{KEYS_PATH}/{old_id}")]
    assert harness_stack.state().resource("deployer").outputs["expires_in_seconds"] == 2 * 86400


def test_a_key_deleted_out_of_band_leaves_the_state_on_refresh_and_comes_back_on_up(
    harness_stack: HarnessStack, emulator: RunningEmulator, api_client: AdminApiKeysClient
):
    harness_stack.up(deployer_program()).assert_ok()
    gone_id = harness_stack.state().resource("deployer").id
    api_client.delete(gone_id)
    emulator.control.clear_requests()

    refreshed = harness_stack.refresh()
    state_after_refresh = harness_stack.state()
    recreated = harness_stack.up(deployer_program())

    assert refreshed.ok, refreshed
    assert [(s.op, s.detail) for s in refreshed.journal] == [("refresh", "delete")]
    assert [r.name for r in state_after_refresh.managed] == []
    assert recreated.ok, recreated
    assert recreated.steps == [("create", harness_stack.urn(ADMIN_API_KEY, "deployer"))]
    assert api_requests(emulator) == [("GET", f"{KEYS_PATH}/{gone_id}"), ("POST", KEYS_PATH)]
    assert harness_stack.state().resource("deployer").id != gone_id


def test_import_adopts_an_existing_key_without_posting_and_then_stays_same(
    harness_stack: HarnessStack, emulator: RunningEmulator, api_client: AdminApiKeysClient
):
    existing = api_client.create(name="Legacy")
    emulator.control.clear_requests()
    adopt = key_program(
        f"""
        legacy = AdminApiKey("legacy", name="Legacy", opts=pulumi.ResourceOptions(import_={existing.id!r}))
        pulumi.export("legacy_value", legacy.value)
        """
    )

    adopted = harness_stack.up(adopt)
    adoption_requests = api_requests(emulator)
    adopted_state = harness_stack.state().resource("legacy")
    emulator.control.clear_requests()
    later = harness_stack.up(key_program('AdminApiKey("legacy", name="Legacy")'))

    assert adopted.ok, adopted
    urn = harness_stack.urn(ADMIN_API_KEY, "legacy")
    # The resource turned import_ into an input, so the engine runs a plain create (no import step).
    assert adopted.steps == [("create", urn)]
    assert adoption_requests == [("GET", f"{KEYS_PATH}/{existing.id}")]  # read once, no POST
    assert adopted_state.id == existing.id
    assert adopted_state.outputs.get("value") is None  # the API never shows an existing key's value
    assert adopted.outputs.get("legacy_value") is None
    assert later.ok, later
    assert later.steps == [("same", urn)]
    assert api_requests(emulator) == []
    assert [k.id for k in api_client.list()] == [existing.id]


def test_destroy_deletes_every_key_and_empties_the_state(
    harness_stack: HarnessStack, emulator: RunningEmulator, api_client: AdminApiKeysClient
):
    program = key_program(
        """
        AdminApiKey("deployer", name="CI deployer")
        AdminApiKey("auditor", name="Auditor")
        """
    )
    harness_stack.up(program).assert_ok()
    ids = {harness_stack.state().resource(name).id for name in ("deployer", "auditor")}
    emulator.control.clear_requests()

    result = harness_stack.destroy()

    assert result.ok, result
    assert sorted(op for op, _ in result.steps) == ["delete", "delete"]
    assert {(m, p) for m, p in api_requests(emulator)} == {("DELETE", f"{KEYS_PATH}/{i}") for i in ids}
    assert list(api_client.list()) == []
    assert harness_stack.state().resources == []


def test_two_keys_created_at_once_through_the_worker_threads_do_not_interfere(
    harness_stack: HarnessStack, emulator: RunningEmulator
):
    latency_ms = 500
    emulator.control.set_faults(FaultPlan(latency_ms=latency_ms))
    program = key_program(
        """
        first = AdminApiKey("first", name="First")
        second = AdminApiKey("second", name="Second")
        pulumi.export("first_key", first.value)
        pulumi.export("second_key", second.value)
        """
    )

    result = harness_stack.up(program)

    assert result.ok, result
    creates = result.calls_to("Create")
    assert len(creates) == 2
    assert creates[1].started < creates[0].ended  # both in flight at once
    posts = [r for r in emulator.control.requests() if r.method == "POST"]
    assert len(posts) == 2
    assert abs((posts[1].time - posts[0].time).total_seconds()) < latency_ms / 1000
    state = harness_stack.state()
    first, second = state.resource("first"), state.resource("second")
    assert {first.id, second.id} == {p.key_id for p in posts}
    assert (first.outputs["name"], second.outputs["name"]) == ("First", "Second")
    assert first.outputs["value"] != second.outputs["value"]
    assert result.outputs["first_key"].value == first.outputs["value"].value
    assert result.outputs["second_key"].value == second.outputs["value"].value


def test_a_type_token_change_with_an_alias_keeps_the_key(
    harness_stack: HarnessStack, emulator: RunningEmulator
):
    old_token = "pulumi-python:dynamic/legacy:AdminKey"
    before = key_program(
        """
        class LegacyAdminKey(AdminApiKey, module="legacy", name="AdminKey"):
            pass

        LegacyAdminKey("deployer", name="CI deployer")
        """
    )
    harness_stack.up(before).assert_ok()
    key_id = harness_stack.state().resource("deployer").id
    emulator.control.clear_requests()
    after = key_program(
        f"""
        AdminApiKey("deployer", name="CI deployer",
                    opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(type_={old_token!r})]))
        """
    )

    result = harness_stack.up(after)

    assert result.ok, result
    new_urn = harness_stack.urn(ADMIN_API_KEY, "deployer")
    assert result.steps == [("same", new_urn)]
    assert api_requests(emulator) == []
    state = harness_stack.state()
    assert [r.urn for r in state.managed] == [new_urn]
    assert state.resource("deployer").id == key_id
