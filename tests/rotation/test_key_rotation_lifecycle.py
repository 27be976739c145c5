"""Key rotation through whole Pulumi lifecycles, in real time, for every key resource on both faces.

Real programs, the engine-faithful harness and the emulator, as in
``tests/resources/test_every_key_resource.py``. The periods are short (a second or two) and every
test that needs time to pass waits for the event itself: it polls the clock until it is past the
moment the key becomes due, read from the key's own ``created_at`` or ``expires_at``. A test that
must see no rotation uses a period of an hour, which no run can reach. The rules themselves, with
the clock moved, are in ``test_key_rotation_rules.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from pulumi_apikeys.core import rotation
from pulumi_apikeys.emulator import RunningEmulator
from pulumi_apikeys.emulator.request_log import RecordedRequest
from tests.backends import ResourceUnderTest, every_face, stack_config
from tests.harness import HarnessStack, Secret
from tests.harness.state import FAST_KDF_ITERATIONS, ResourceState
from tests.rotation.key_helpers import Expiring, StartEmulator, expiring

# Every resource on both faces: the dynamic provider, and the provider plugin through its Python SDK.
EVERY_FACE = every_face()
EVERY_KEY_RESOURCE = pytest.mark.parametrize("subject", EVERY_FACE, ids=lambda subject: subject.id)
# The resources whose keys can expire: by a declared lifetime, or by the organization's policy.
EXPIRING = [subject for subject in EVERY_FACE if expiring(subject, 1) is not None]
EVERY_EXPIRING_KEY_RESOURCE = pytest.mark.parametrize("subject", EXPIRING, ids=lambda subject: subject.id)

LONG_PERIOD = 3600
"""A period no test run lasts: a key under it is never due during the test."""
SHORT_PERIOD = 1
"""A period a test waits out."""
RENEWAL_LIFETIME, RENEW_BEFORE = 120, 118
"""A key due for renewal two seconds after its creation, and expiring long after the test is done."""


def new_stack(path: Path, subject: ResourceUnderTest, emulator: RunningEmulator) -> HarnessStack:
    """A fresh stack whose config points the resource's provider at ``emulator``."""
    return HarnessStack(
        path,
        project="apikeys-test",
        stack="dev",
        config={
            key: value if isinstance(value, Secret) else str(value)
            for key, value in stack_config(subject.settings, emulator).items()
        },
        kdf_iterations=FAST_KDF_ITERATIONS,
        plugins=subject.plugins,
    )


@pytest.fixture
def stack(tmp_path: Path, emulator: RunningEmulator, subject: ResourceUnderTest) -> HarnessStack:
    """A fresh stack whose config points the resource's provider at the (reset) emulator."""
    return new_stack(tmp_path / "stack", subject, emulator)


def program(subject: ResourceUnderTest, **inputs: object) -> str:
    """One key ``ci`` named ``CI`` declared with ``inputs`` besides, exporting its value and id."""
    return subject.one_key(extra="".join(f", {name}={value!r}" for name, value in inputs.items()))


def moment(key: ResourceState, subject: ResourceUnderTest, output: str) -> int:
    """A timestamp output of the key (``created_at``, ``expires_at``) as Unix seconds."""
    seconds = rotation.unix_seconds(key.outputs[subject.shown(output)])
    assert seconds is not None, key.outputs
    return seconds


def wait_until_past(deadline: int) -> None:
    """Returns once the clock is past ``deadline``: waits for the event, not for a guessed time."""
    while (left := deadline - time.time()) >= 0:
        time.sleep(left + 0.05)


def create_before_delete(stack: HarnessStack, subject: ResourceUnderTest) -> list[tuple[str, str]]:
    """The steps of a replacement of ``ci`` that creates the new key before it deletes the old."""
    urn = stack.urn(subject.token, "ci")
    return [("create-replacement", urn), ("replace", urn), ("delete-replaced", urn)]


def changes(emulator: RunningEmulator) -> list[RecordedRequest]:
    """The requests that changed something (no lookups), in the order they arrived."""
    return sorted((r for r in emulator.control.requests() if r.method != "GET"), key=lambda r: r.seq)


def value_of(key: ResourceState) -> str:
    """The key's value: its one secret output but the dynamic face's ``__provider`` (``value``, a
    service account's ``api_key_value``)."""
    (value,) = [v for name, v in key.outputs.items() if isinstance(v, Secret) and name != "__provider"]
    assert isinstance(value.value, str)
    return value.value


# ------------------------------------------------------------------------------------ age


@EVERY_KEY_RESOURCE
def test_a_key_younger_than_its_period_stays_the_same(
    subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator
) -> None:
    declared = program(subject, rotate_after_seconds=LONG_PERIOD)
    stack.up(declared).assert_ok()
    emulator.control.clear_requests()

    result = stack.up(declared)

    assert result.ok, result
    assert result.steps == [("same", stack.urn(subject.token, "ci"))]
    assert emulator.control.requests() == []


@EVERY_KEY_RESOURCE
def test_a_key_older_than_its_period_is_replaced_by_a_new_one_before_it_is_deleted(
    subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator
) -> None:
    declared = program(subject, rotate_after_seconds=SHORT_PERIOD)
    first = stack.up(declared).assert_ok()
    old = stack.state().resource("ci")
    created = moment(old, subject, rotation.CREATED_AT)
    wait_until_past(created + SHORT_PERIOD + 1)
    emulator.control.clear_requests()

    result = stack.up(declared)

    assert result.ok, result
    assert result.steps == create_before_delete(stack, subject)
    post, delete = changes(emulator)
    assert (post.method, delete.method, delete.path) == ("POST", "DELETE", subject.item_path(old.id))
    new = stack.state().resource("ci")
    assert new.id == post.key_id != old.id
    assert subject.live_keys(emulator) == {new.id: "CI"}
    # The stack's dependants get the new value in the same up, and still as a secret.
    assert result.outputs["ci_key"].secret
    assert result.outputs["ci_key"].value == value_of(new) != first.outputs["ci_key"].value


@EVERY_KEY_RESOURCE
def test_a_preview_past_the_period_plans_the_replacement_says_why_and_changes_nothing(
    subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator
) -> None:
    declared = program(subject, rotate_after_seconds=SHORT_PERIOD)
    stack.up(declared).assert_ok()
    before = stack.state()
    old = before.resource("ci")
    created = moment(old, subject, rotation.CREATED_AT)
    wait_until_past(created + SHORT_PERIOD + 1)
    emulator.control.clear_requests()

    result = stack.preview(declared)

    assert result.ok, result
    assert "replace" in result.ops("ci")
    reason = (
        f"{subject.resource.import_subject(old.id, subject.other_inputs)} is replaced: "
        f"the key was created at {rotation.shown_time(created)} and "
        f"{subject.shown(rotation.ROTATE_AFTER)} is {SHORT_PERIOD}: due since "
        f"{rotation.shown_time(created + SHORT_PERIOD)}."
    )
    # A warning: on the dynamic provider's stderr, or in the plugin's Log to the engine.
    [line] = [line for line in subject.provider_output(result).splitlines() if reason in line]
    if subject.face == "plugin":  # a dynamic provider answers no detailed diff, nor a log severity
        assert line.startswith("warning: ")
        assert result.detailed_diff("ci") == {subject.shown(rotation.ROTATE_AFTER): "update-replace"}
    assert emulator.control.requests() == []
    assert stack.state().raw == before.raw


# ------------------------------------------------------------------------------- expiry


def expiring_stack(
    tmp_path: Path,
    subject: ResourceUnderTest,
    emulator: RunningEmulator,
    emulator_factory: StartEmulator,
    lifetime: int,
) -> tuple[HarnessStack, RunningEmulator, Expiring]:
    """A stack whose key expires ``lifetime`` seconds after its creation, the emulator holding it,
    and what the program declares for it."""
    how = expiring(subject, lifetime)
    assert how is not None
    running = how.emulator(emulator, emulator_factory)
    return new_stack(tmp_path / "stack", subject, running), running, how


@EVERY_EXPIRING_KEY_RESOURCE
def test_a_key_in_its_renewal_window_is_replaced_before_it_expires(
    subject: ResourceUnderTest, tmp_path: Path, emulator: RunningEmulator, emulator_factory: StartEmulator
) -> None:
    stack, running, how = expiring_stack(tmp_path, subject, emulator, emulator_factory, RENEWAL_LIFETIME)
    declared = program(subject, **how.inputs, renew_before_seconds=RENEW_BEFORE)
    stack.up(declared).assert_ok()
    old = stack.state().resource("ci")
    expires = moment(old, subject, rotation.EXPIRES_AT)
    wait_until_past(expires - RENEW_BEFORE + 1)
    running.control.clear_requests()

    result = stack.up(declared)

    assert result.ok, result
    assert result.steps == create_before_delete(stack, subject)
    assert [r.method for r in changes(running)] == ["POST", "DELETE"]
    assert (
        f"is replaced: the key expires at {rotation.shown_time(expires)} and "
        f"{subject.shown(rotation.RENEW_BEFORE)} is {RENEW_BEFORE}: due since "
        f"{rotation.shown_time(expires - RENEW_BEFORE)}."
    ) in subject.provider_output(result)
    new = stack.state().resource("ci")
    assert moment(new, subject, rotation.EXPIRES_AT) > expires
    assert subject.live_keys(running) == {new.id: "CI"}


@EVERY_EXPIRING_KEY_RESOURCE
def test_an_expired_key_is_replaced_on_the_next_up(
    subject: ResourceUnderTest, tmp_path: Path, emulator: RunningEmulator, emulator_factory: StartEmulator
) -> None:
    stack, running, how = expiring_stack(tmp_path, subject, emulator, emulator_factory, SHORT_PERIOD)
    declared = program(subject, **how.inputs)
    stack.up(declared).assert_ok()
    old = stack.state().resource("ci")
    expires = moment(old, subject, rotation.EXPIRES_AT)
    wait_until_past(expires + 1)
    running.control.clear_requests()

    result = stack.up(declared)

    assert result.ok, result
    assert result.steps == create_before_delete(stack, subject)
    assert [(r.method, r.path) for r in changes(running)] == [
        ("POST", subject.collection_path),
        ("DELETE", subject.item_path(old.id)),
    ]
    assert f"is replaced: the key expired at {rotation.shown_time(expires)}." in subject.provider_output(
        result
    )
    new = stack.state().resource("ci")
    assert new.id != old.id
    assert result.outputs["ci_key"].value == value_of(new)


@pytest.mark.parametrize(
    "subject", [s for s in EXPIRING if s.face == "plugin"], ids=lambda subject: subject.id
)
def test_the_plugin_shows_an_expired_keys_expiry_as_changing_not_removed(
    subject: ResourceUnderTest, tmp_path: Path, emulator: RunningEmulator, emulator_factory: StartEmulator
) -> None:
    stack, _running, how = expiring_stack(tmp_path, subject, emulator, emulator_factory, SHORT_PERIOD)
    declared = program(subject, **how.inputs)
    stack.up(declared).assert_ok()
    wait_until_past(moment(stack.state().resource("ci"), subject, rotation.EXPIRES_AT) + 1)

    result = stack.preview(declared)

    assert result.ok, result
    # The new key has an expiry too: "- expiresAt" (delete-replace) would say it lost it.
    assert result.detailed_diff("ci") == {subject.shown(rotation.EXPIRES_AT): "update-replace"}


@EVERY_EXPIRING_KEY_RESOURCE
def test_an_expired_key_is_dropped_on_refresh(
    subject: ResourceUnderTest, tmp_path: Path, emulator: RunningEmulator, emulator_factory: StartEmulator
) -> None:
    stack, _running, how = expiring_stack(tmp_path, subject, emulator, emulator_factory, SHORT_PERIOD)
    stack.up(program(subject, **how.inputs)).assert_ok()
    wait_until_past(moment(stack.state().resource("ci"), subject, rotation.EXPIRES_AT) + 1)

    result = stack.refresh()

    assert result.ok, result
    assert [(s.op, s.detail) for s in result.journal if s.urn.endswith("::ci")] == [("refresh", "delete")]
    assert stack.state().managed == []


# ------------------------------------------------------------------------------- triggers


@EVERY_KEY_RESOURCE
def test_a_changed_trigger_replaces_the_key_and_the_diff_shows_it(
    subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator
) -> None:
    stack.up(program(subject, rotation_triggers={"deployment": "v1"})).assert_ok()
    old = stack.state().resource("ci")
    emulator.control.clear_requests()

    result = stack.up(program(subject, rotation_triggers={"deployment": "v2"}))

    assert result.ok, result
    assert result.steps == create_before_delete(stack, subject)
    assert [r.method for r in changes(emulator)] == ["POST", "DELETE"]
    triggers = subject.shown(rotation.ROTATION_TRIGGERS)
    if subject.face == "plugin":  # a dynamic provider answers no detailed diff: the CLI diffs the inputs
        assert result.detailed_diff("ci") == {triggers: "update-replace"}
    new = stack.state().resource("ci")
    assert new.id != old.id
    assert new.outputs[triggers] == {"deployment": "v2"}  # not a secret: a diff shows it as it is


@EVERY_KEY_RESOURCE
def test_the_same_triggers_leave_the_key_the_same(
    subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator
) -> None:
    stack.up(program(subject, rotation_triggers={"deployment": "v1", "region": "eu"})).assert_ok()
    emulator.control.clear_requests()

    result = stack.up(program(subject, rotation_triggers={"region": "eu", "deployment": "v1"}))

    assert result.ok, result
    assert result.steps == [("same", stack.urn(subject.token, "ci"))]
    assert emulator.control.requests() == []


# ------------------------------------------------------------------------------- settings


@EVERY_KEY_RESOURCE
def test_a_period_change_alone_updates_the_state_and_keeps_the_key(
    subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator
) -> None:
    first = stack.up(program(subject, rotate_after_seconds=LONG_PERIOD)).assert_ok()
    old = stack.state().resource("ci")
    emulator.control.clear_requests()

    result = stack.up(program(subject, rotate_after_seconds=2 * LONG_PERIOD))

    assert result.ok, result
    assert result.steps == [("update", stack.urn(subject.token, "ci"))]
    assert emulator.control.requests() == []
    new = stack.state().resource("ci")
    assert new.id == old.id
    assert new.outputs[subject.shown(rotation.ROTATE_AFTER)] == 2 * LONG_PERIOD
    assert result.outputs["ci_key"] == first.outputs["ci_key"]


# ------------------------------------------------------------------------------ bad input


@dataclass(frozen=True)
class BadInput:
    """Inputs ``check`` refuses, and each problem: the property it names, and why, as a face
    spells its properties (``shown``)."""

    inputs: dict[str, object]
    problems: Callable[[Callable[[str], str]], list[tuple[str, str]]]


def periods_refused(rotate_after: int, renew_before: int) -> BadInput:
    def problems(shown: Callable[[str], str]) -> list[tuple[str, str]]:
        return [
            (name, f"{shown(name)} must be from 1 to {rotation.PERIOD_MAX_SECONDS} seconds, not {value}")
            for name, value in ((rotation.ROTATE_AFTER, rotate_after), (rotation.RENEW_BEFORE, renew_before))
        ]

    return BadInput({rotation.ROTATE_AFTER: rotate_after, rotation.RENEW_BEFORE: renew_before}, problems)


def trigger_refused(value: object, what: str) -> BadInput:
    def problems(shown: Callable[[str], str]) -> list[tuple[str, str]]:
        triggers = shown(rotation.ROTATION_TRIGGERS)
        reason = f"{triggers}['deployment'] must be a string, not {what}: convert it, e.g. str(...)"
        return [(rotation.ROTATION_TRIGGERS, reason)]

    return BadInput({rotation.ROTATION_TRIGGERS: {"deployment": value}}, problems)


def renewal_as_long_as(lifetime: str, seconds: int) -> BadInput:
    """``renew_before_seconds`` equal to the declared lifetime: the key would be due at once."""

    def problems(shown: Callable[[str], str]) -> list[tuple[str, str]]:
        renew = shown(rotation.RENEW_BEFORE)
        reason = (
            f"{renew} ({seconds}) must be shorter than {shown(lifetime)} ({seconds}): the key would be "
            "due for renewal as soon as it is created"
        )
        return [(rotation.RENEW_BEFORE, reason)]

    return BadInput({lifetime: seconds, rotation.RENEW_BEFORE: seconds}, problems)


def bad_inputs(subject: ResourceUnderTest) -> dict[str, BadInput]:
    """The rows of one resource: those every key resource shares, then its lifetime's if it declares one."""
    rows = {"a trigger value that is a number": trigger_refused(42, "a number")}
    renews = rotation.RENEW_BEFORE in subject.resource.inputs  # a service account has no renewal window
    if renews:
        rows = {
            "zero periods": periods_refused(0, 0),
            "negative periods": periods_refused(-60, -1),
            **rows,
        }
    lifetime = subject.resource.lifetime_input
    if lifetime is not None and renews:
        rows[f"renew_before_seconds as long as {lifetime}"] = renewal_as_long_as(lifetime, LONG_PERIOD)
    return rows


BAD_INPUT_ROWS = [
    pytest.param(subject, bad, id=f"{subject.id} {row}")
    for subject in EVERY_FACE
    for row, bad in bad_inputs(subject).items()
]


@pytest.mark.parametrize(("subject", "bad"), BAD_INPUT_ROWS)
def test_bad_rotation_input_fails_the_check_naming_the_property_and_creates_nothing(
    subject: ResourceUnderTest, bad: BadInput, stack: HarnessStack, emulator: RunningEmulator
) -> None:
    result = stack.up(program(subject, **bad.inputs))

    assert not result.ok
    lines = result.error_text.splitlines()
    for prop, reason in bad.problems(subject.shown):
        [line] = [line for line in lines if line.endswith(f"has a problem: {reason}")]
        assert line.startswith(f"{subject.token} resource 'ci': property {subject.shown(prop)} value ")
    assert emulator.control.requests() == []
    assert stack.state().managed == []
