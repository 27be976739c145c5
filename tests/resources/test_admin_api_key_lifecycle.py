"""What only ``AdminApiKey`` does through whole Pulumi lifecycles (what every key resource does is
specified once, in ``test_every_key_resource.py``): real programs, the SDK's provider server, the emulator.

Each test asserts what the engine did (steps), what reached the API (the emulator's request log), what
the checkpoint holds and what the stack exports.
"""

from __future__ import annotations

import textwrap

from pulumi_apikeys.emulator import RunningEmulator
from pulumi_apikeys.emulator.faults import FaultPlan
from pulumi_apikeys.emulator.request_log import RecordedRequest
from tests.harness import HarnessStack

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


def test_changing_expires_in_seconds_replaces_the_key(harness_stack: HarnessStack, emulator: RunningEmulator):
    harness_stack.up(deployer_program(extra=", expires_in_seconds=86400")).assert_ok()
    old_id = harness_stack.state().resource("deployer").id
    emulator.control.clear_requests()

    result = harness_stack.up(deployer_program(extra=", expires_in_seconds=2 * 86400"))

    assert result.ok, result
    assert result.ops("deployer") == ["create-replacement", "replace", "delete-replaced"]
    assert api_requests(emulator) == [("POST", KEYS_PATH), ("DELETE", f"{KEYS_PATH}/{old_id}")]
    assert harness_stack.state().resource("deployer").outputs["expires_in_seconds"] == 2 * 86400


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
