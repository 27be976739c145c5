"""What only capy's ``ApiKey`` does through whole Pulumi lifecycles (scopes as a set, revoked keys that
stay listed, no public base URL); what every key resource does is in ``test_every_key_resource.py``.

Each test asserts what the engine did (steps), what reached the API (the emulator's request log), what
the checkpoint holds and what the stack exports.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from pulumi_apikeys.capy.client import CapyApiKeysClient
from pulumi_apikeys.emulator import RunningEmulator
from pulumi_apikeys.emulator.request_log import RecordedRequest
from tests.harness import HarnessStack, Secret
from tests.harness.state import FAST_KDF_ITERATIONS

API_KEY = "pulumi-python:dynamic/capy:ApiKey"
ORG = "org_acme"
KEYS_PATH = f"/v1/organizations/{ORG}/api-keys"
# How Pulumi stores a secret in the checkpoint: this signature key beside the ciphertext.
SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"


def key_program(body: str) -> str:
    """A program's source: the imports, then ``body``."""
    return "import pulumi\nfrom pulumi_apikeys.capy import ApiKey\n" + textwrap.dedent(body)


def ci_program(*, scopes: list[str] | None = None, extra: str = "") -> str:
    """One key, ``ci``, exporting its value and id."""
    return key_program(
        f"""
        ci = ApiKey("ci", organization_id={ORG!r}, name="CI", scopes={scopes or ["keys:read"]!r}{extra})
        pulumi.export("ci_key", ci.value)
        pulumi.export("ci_id", ci.id)
        """
    )


def api_requests(emulator: RunningEmulator) -> list[tuple[str, str]]:
    """``(method, path)`` of every API request since the last clear."""
    return [(r.method, r.path) for r in emulator.control.requests()]


def only(requests: list[RecordedRequest], method: str) -> RecordedRequest:
    found = [r for r in requests if r.method == method]
    assert len(found) == 1, requests
    return found[0]


def live_keys(client: CapyApiKeysClient) -> dict[str, str]:
    """``{id: name}`` of the organization's keys that are neither revoked nor inactive."""
    return {key.id: key.name for key in client.list(ORG) if not key.is_gone}


def test_scopes_are_a_sorted_set_and_reordered_or_repeated_are_the_same_key(
    capy_stack: HarnessStack, emulator: RunningEmulator
):
    capy_stack.up(ci_program(scopes=["write", "keys:read", "write"])).assert_ok()
    before = capy_stack.state().resource("ci")
    emulator.control.clear_requests()

    reordered = capy_stack.up(ci_program(scopes=["write", "keys:read"]))
    repeated = capy_stack.up(ci_program(scopes=["write", "keys:read", "write", "keys:read"]))

    assert before.outputs["scopes"] == ["keys:read", "write"]
    assert before.inputs["scopes"] == ["keys:read", "write"]
    assert before.outputs["organization_id"] == ORG
    assert before.outputs["is_active"] is True
    assert before.outputs["value"].value.startswith(before.outputs["key_prefix"])
    urn = capy_stack.urn(API_KEY, "ci")
    assert reordered.ok, reordered
    assert reordered.steps == [("same", urn)]
    assert repeated.ok, repeated
    assert repeated.steps == [("same", urn)]
    assert api_requests(emulator) == []
    after = capy_stack.state().resource("ci")
    assert after.id == before.id
    assert after.outputs["scopes"] == ["keys:read", "write"]


def test_a_scope_added_replaces_the_key_creating_the_new_one_before_revoking_the_old(
    capy_stack: HarnessStack, emulator: RunningEmulator, capy_client: CapyApiKeysClient
):
    capy_stack.up(ci_program(scopes=["keys:read"])).assert_ok()
    old_id = capy_stack.state().resource("ci").id
    emulator.control.clear_requests()

    result = capy_stack.up(ci_program(scopes=["keys:read", "write"]))

    assert result.ok, result
    urn = capy_stack.urn(API_KEY, "ci")
    assert result.steps == [("create-replacement", urn), ("replace", urn), ("delete-replaced", urn)]
    requests = emulator.control.requests()
    post, delete = only(requests, "POST"), only(requests, "DELETE")
    assert post.seq < delete.seq
    assert delete.path == f"{KEYS_PATH}/{old_id}"
    new = capy_stack.state().resource("ci")
    assert new.id == post.key_id
    assert new.outputs["scopes"] == ["keys:read", "write"]
    assert live_keys(capy_client) == {new.id: "CI"}
    old = next(key for key in capy_client.list(ORG) if key.id == old_id)
    assert old.revoked_at is not None  # revoked, and still listed, as the API keeps revoked keys
    assert result.outputs["ci_key"].value == new.outputs["value"].value


def test_an_import_declaring_the_scopes_in_another_order_adopts_the_key_and_stays_same(
    capy_stack: HarnessStack, emulator: RunningEmulator, capy_client: CapyApiKeysClient
):
    existing = capy_client.create(organization_id=ORG, name="Legacy", scopes=["write", "keys:read"]).api_key
    emulator.control.clear_requests()
    adopt = key_program(
        f"""
        legacy = ApiKey("legacy", organization_id={ORG!r}, name="Legacy", scopes=["keys:read", "write"],
                        opts=pulumi.ResourceOptions(import_={existing.id!r}))
        pulumi.export("legacy_value", legacy.value)
        """
    )

    adopted = capy_stack.up(adopt)
    adoption_requests = api_requests(emulator)
    adopted_state = capy_stack.state().resource("legacy")
    emulator.control.clear_requests()
    later = capy_stack.up(
        key_program(
            f'ApiKey("legacy", organization_id={ORG!r}, name="Legacy", scopes=["write", "keys:read"])'
        )
    )

    assert adopted.ok, adopted
    urn = capy_stack.urn(API_KEY, "legacy")
    # The resource turned import_ into an input, so the engine runs a plain create (no import step).
    assert adopted.steps == [("create", urn)]
    assert adoption_requests == [("GET", KEYS_PATH)]  # listed once to find it, no POST
    assert adopted_state.id == existing.id
    assert adopted_state.outputs.get("value") is None  # the API never shows an existing key's secret
    assert adopted_state.outputs["key_prefix"] == existing.key_prefix
    assert adopted.outputs.get("legacy_value") is None
    assert later.ok, later
    assert later.steps == [("same", urn)]
    assert api_requests(emulator) == []
    assert live_keys(capy_client) == {existing.id: "Legacy"}


def test_an_import_whose_scopes_differ_fails_and_creates_nothing(
    capy_stack: HarnessStack, emulator: RunningEmulator, capy_client: CapyApiKeysClient
):
    existing = capy_client.create(organization_id=ORG, name="Legacy", scopes=["keys:read"]).api_key
    program = key_program(
        f'ApiKey("legacy", organization_id={ORG!r}, name="Legacy", scopes=["admin"], '
        f"opts=pulumi.ResourceOptions(import_={existing.id!r}))\n"
    )

    result = capy_stack.up(program)

    assert not result.ok
    assert "its scopes are ['keys:read'] but the program declares scopes=['admin']" in result.error_text
    assert [r.method for r in emulator.control.requests()] == [
        "POST",
        "GET",
    ]  # the setup's create, the lookup
    assert live_keys(capy_client) == {existing.id: "Legacy"}
    assert capy_stack.state().managed == []


def test_get_reads_an_existing_keys_scopes_and_destroy_leaves_it_alone(
    capy_stack: HarnessStack, emulator: RunningEmulator, capy_client: CapyApiKeysClient
):
    existing = capy_client.create(organization_id=ORG, name="Shared", scopes=["keys:read"]).api_key
    program = key_program(
        f"""
        shared = ApiKey.get("shared", {existing.id!r}, organization_id={ORG!r})
        pulumi.export("name", shared.name)
        pulumi.export("scopes", shared.scopes)
        """
    )

    read = capy_stack.up(program)
    destroyed = capy_stack.destroy()

    assert read.ok, read
    assert read.steps == [("read", capy_stack.urn(API_KEY, "shared"))]
    assert read.outputs["name"].value == "Shared"
    assert read.outputs["scopes"].value == ["keys:read"]
    assert destroyed.ok, destroyed
    assert live_keys(capy_client) == {existing.id: "Shared"}
    # Only the setup's own create changed anything: the get created nothing and destroy revoked nothing.
    assert [r.method for r in emulator.control.requests() if r.method != "GET"] == ["POST"]


def test_destroy_revokes_every_key_which_stays_listed_as_revoked(
    capy_stack: HarnessStack, emulator: RunningEmulator, capy_client: CapyApiKeysClient
):
    program = key_program(
        f"""
        ApiKey("ci", organization_id={ORG!r}, name="CI", scopes=["keys:read"])
        ApiKey("deployer", organization_id={ORG!r}, name="Deployer", scopes=["deploy"])
        """
    )
    capy_stack.up(program).assert_ok()
    ids = {capy_stack.state().resource(name).id for name in ("ci", "deployer")}
    emulator.control.clear_requests()

    result = capy_stack.destroy()

    assert result.ok, result
    assert sorted(op for op, _ in result.steps) == ["delete", "delete"]
    assert set(api_requests(emulator)) == {("DELETE", f"{KEYS_PATH}/{i}") for i in ids}
    assert live_keys(capy_client) == {}
    assert {key.id for key in capy_client.list(ORG) if key.is_gone} == ids  # revoked, still listed
    assert capy_stack.state().resources == []


def test_an_openai_key_and_a_capy_key_live_in_one_program(
    tmp_path: Path, emulator: RunningEmulator, capy_client: CapyApiKeysClient
):
    stack = HarnessStack(
        tmp_path / "both",
        project="apikeys-test",
        config={
            "apikeys:openaiBaseUrl": emulator.endpoint("openai").base_url,
            "apikeys:openaiAdminKey": Secret(emulator.endpoint("openai").credential),
            "apikeys:capyBaseUrl": emulator.endpoint("capy").base_url,
            "apikeys:capyApiKey": Secret(emulator.endpoint("capy").credential),
        },
        kdf_iterations=FAST_KDF_ITERATIONS,
    )
    program = key_program(
        f"""
        from pulumi_apikeys.openai import AdminApiKey

        admin = AdminApiKey("admin", name="CI deployer")
        ci = ApiKey("ci", organization_id={ORG!r}, name="CI", scopes=["keys:read"])
        pulumi.export("admin_key", admin.value)
        pulumi.export("ci_key", ci.value)
        """
    )

    result = stack.up(program)

    assert result.ok, result
    assert sorted(api_requests(emulator)) == [
        ("POST", "/v1/organization/admin_api_keys"),
        ("POST", KEYS_PATH),
    ]
    assert result.outputs["admin_key"].value.startswith("sk-admin-")
    assert result.outputs["ci_key"].value.startswith("capy_live_")
    assert result.outputs["admin_key"].secret
    assert result.outputs["ci_key"].secret
    assert stack.destroy().ok
    assert live_keys(capy_client) == {}


def test_a_missing_base_url_fails_saying_both_ways_to_set_it(tmp_path: Path, emulator: RunningEmulator):
    stack = HarnessStack(
        tmp_path / "stack",
        project="apikeys-test",
        config={"apikeys:capyApiKey": Secret(emulator.endpoint("capy").credential)},
        kdf_iterations=FAST_KDF_ITERATIONS,
    )

    result = stack.up(ci_program())

    assert not result.ok
    assert "there is no public default" in result.error_text
    assert "pulumi config set apikeys:capyBaseUrl <url>" in result.error_text
    assert "CAPY_BASE_URL" in result.error_text
    assert emulator.control.requests() == []
