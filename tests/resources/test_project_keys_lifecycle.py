"""What only the project resources do, on both faces: a project key updated in place, an account's
deletion taking its keys along, and a key whose owner lost access reported by the diff.

The shared tables (``test_every_key_resource`` and the others) cover the rest of their lifecycle.
"""

from __future__ import annotations

import pytest

from pulumi_apikeys.emulator import RunningEmulator
from tests.backends import ResourceUnderTest, every_face
from tests.backends.openai_projects import ACCOUNT, KEYS_PATH, PROJECT, client, store
from tests.harness import HarnessStack, Secret

KEYS = [s for s in every_face() if s.resource.name == "ProjectApiKey"]
ACCOUNTS = [s for s in every_face() if s.resource.name == "ProjectServiceAccount"]
EVERY_PROJECT_KEY = pytest.mark.parametrize("subject", KEYS, ids=lambda s: s.id)
EVERY_ACCOUNT = pytest.mark.parametrize("subject", ACCOUNTS, ids=lambda s: s.id)


def requests_of(emulator: RunningEmulator) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in emulator.control.requests()]


def key_program(subject: ResourceUnderTest, extra: str) -> str:
    return subject.program(f"ci = {subject.key('ci', 'CI', extra)}\npulumi.export('ci_key', ci.value)\n")


def stored(stack: HarnessStack, subject: ResourceUnderTest, name: str) -> object:
    value = stack.state().resource("ci").outputs.get(subject.shown(name))
    return value.value if isinstance(value, Secret) else value


@EVERY_PROJECT_KEY
def test_a_change_of_scopes_updates_the_same_key_with_one_request(
    subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator
):
    assert stack.up(key_program(subject, ", scopes=['api.model.read']")).ok
    key_id, value = stack.state().resource("ci").id, stored(stack, subject, "value")
    emulator.control.clear_requests()

    result = stack.up(key_program(subject, ", scopes=['api.model.read', 'api.responses.write']"))

    assert result.ok, result
    assert result.steps == [("update", stack.urn(subject.token, "ci"))]
    assert requests_of(emulator) == [("POST", f"{KEYS_PATH}/{key_id}")]
    assert stack.state().resource("ci").id == key_id
    assert stored(stack, subject, "value") == value
    assert stored(stack, subject, "scopes") == ["api.model.read", "api.responses.write"]
    assert store(emulator).key(PROJECT, key_id).scopes == ["api.model.read", "api.responses.write"]


@EVERY_PROJECT_KEY
def test_a_change_of_lifetime_updates_the_key_and_its_expiry(
    subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator
):
    assert stack.up(key_program(subject, ", expires_in_seconds=3600")).ok
    key_id = stack.state().resource("ci").id
    first_expiry = stored(stack, subject, "expires_at")
    emulator.control.clear_requests()

    result = stack.up(key_program(subject, ", expires_in_seconds=864000"))

    assert result.ok, result
    assert result.steps == [("update", stack.urn(subject.token, "ci"))]
    assert requests_of(emulator) == [("POST", f"{KEYS_PATH}/{key_id}")]
    expiry = stored(stack, subject, "expires_at")
    assert isinstance(expiry, int | float)
    assert isinstance(first_expiry, int | float)
    assert expiry >= first_expiry + 864000 - 3600
    assert expiry == store(emulator).key(PROJECT, key_id).expires_at


@EVERY_PROJECT_KEY
def test_scopes_given_in_another_order_change_nothing(
    subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator
):
    assert stack.up(key_program(subject, ", scopes=['b.read', 'a.read']")).ok
    emulator.control.clear_requests()

    result = stack.up(key_program(subject, ", scopes=['a.read', 'b.read', 'a.read']"))

    assert result.ok, result
    assert result.steps == [("same", stack.urn(subject.token, "ci"))]
    assert requests_of(emulator) == []


@EVERY_PROJECT_KEY
def test_removing_the_lifetime_replaces_the_key(
    subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator
):
    assert stack.up(key_program(subject, ", expires_in_seconds=3600")).ok
    old_id = stack.state().resource("ci").id

    result = stack.up(key_program(subject, ""))

    assert result.ok, result
    assert ("create-replacement", stack.urn(subject.token, "ci")) in result.steps
    new_id = stack.state().resource("ci").id
    assert new_id != old_id
    assert store(emulator).key(PROJECT, new_id).expires_at is None


@EVERY_PROJECT_KEY
def test_a_key_whose_owner_lost_access_is_reported_by_the_diff_and_kept(
    subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator
):
    program = key_program(subject, "")
    assert stack.up(program).ok
    store(emulator).set_owner_access(PROJECT, ACCOUNT, "inactive")
    assert stack.refresh().ok

    result = stack.up(program)

    assert result.ok, result
    assert result.steps == [("same", stack.urn(subject.token, "ci"))]
    assert stored(stack, subject, "owner_project_access") == "inactive"
    assert "no longer has access to project" in subject.provider_output(result)


@EVERY_ACCOUNT
def test_an_account_comes_with_its_key_whose_value_is_a_secret(
    subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator
):
    result = stack.up(subject.one_key())

    assert result.ok, result
    account = stack.state().resource("ci")
    key_id = stored(stack, subject, "api_key_id")
    assert isinstance(key_id, str)
    assert store(emulator).key(PROJECT, key_id).service_account_id == account.id
    assert isinstance(account.outputs[subject.shown("api_key_value")], Secret)
    assert result.outputs["ci_key"].secret


@EVERY_ACCOUNT
def test_destroying_an_account_deletes_the_keys_made_under_it(
    subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator
):
    # The key class from the module the account's comes from: the same face.
    module = subject.import_line.split(" import ")[0]
    program = subject.program(
        f"{module} import ProjectApiKey\n"
        f"app = {subject.key('app', 'app')}\n"
        f"extra = ProjectApiKey('extra', project_id={PROJECT!r}, service_account_id=app.id, name='extra')\n"
    )
    assert stack.up(program).ok
    account_id = stack.state().resource("app").id

    result = stack.destroy()

    assert result.ok, result
    assert [a.id for a in client(emulator).list_service_accounts(PROJECT) if a.id == account_id] == []
    assert [k.id for k in client(emulator).list_api_keys(PROJECT) if k.name in ("extra", "Secret Key")] == []


@EVERY_PROJECT_KEY
def test_a_refresh_after_its_account_was_deleted_drops_the_key(
    subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator
):
    other = client(emulator).create_service_account(PROJECT, name="short-lived")
    program = subject.program(
        f"ci = {subject.declare('ci', repr('CI')).replace(repr(ACCOUNT), repr(other.id))}\n"
    )
    assert stack.up(program).ok
    client(emulator).delete_service_account(PROJECT, other.id)  # its keys go with it

    result = stack.refresh()

    assert result.ok, result
    assert [r.name for r in stack.state().managed] == []
