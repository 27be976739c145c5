"""When a key is due for replacement, with the clock moved: its age, its expiry, its triggers.

Each rule runs through the lifecycle of every registered key resource (``KeyLifecycle``, no Pulumi
engine) against the in-process emulator. time-machine stops the process's clock at ``START`` and
moves it: the emulator stamps ``created_at`` (and ``expires_at``) by it, the lifecycle decides by
it, so a key is a day old in an instant and no test waits. The real-time scenarios through the
engine are in ``test_key_rotation_lifecycle.py``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

import pytest
import time_machine

from pulumi_apikeys.core import rotation
from pulumi_apikeys.core.checks import IsUnknown
from pulumi_apikeys.core.declaration import Property
from pulumi_apikeys.core.lifecycle import Diff, KeyLifecycle, KeyState
from pulumi_apikeys.emulator import RunningEmulator
from tests.backends import ResourceUnderTest, under_test
from tests.rotation.conftest import START, START_SECONDS
from tests.rotation.key_helpers import StartEmulator, expiring, lifecycle_of, never_unknown

HOUR = 3600
DAY = 86400
ROTATE_AFTER = rotation.ROTATE_AFTER
RENEW_BEFORE = rotation.RENEW_BEFORE
TRIGGERS = rotation.ROTATION_TRIGGERS
UNKNOWN = object()
"""A value not known yet, as a preview sees an output of another resource."""

EVERY_KEY_RESOURCE = pytest.mark.parametrize("subject", under_test(), ids=lambda subject: subject.id)
# The resources whose keys can expire: by a declared lifetime, or by the organization's policy.
EXPIRING_KEY_RESOURCES = [subject for subject in under_test() if expiring(subject, HOUR) is not None]
EVERY_EXPIRING_KEY_RESOURCE = pytest.mark.parametrize(
    "subject", EXPIRING_KEY_RESOURCES, ids=lambda subject: subject.id
)


def at(seconds: int) -> str:
    """The moment ``seconds`` after ``START`` as the reasons show it."""
    return rotation.shown_time(START_SECONDS + seconds)


def is_unknown(value: object) -> bool:
    return value is UNKNOWN


def wire_spelling(prop: Property) -> str:
    return prop.wire_name


@dataclass(frozen=True)
class Key:
    """A key created through the lifecycle, and what its program declared."""

    subject: ResourceUnderTest
    keys: KeyLifecycle[Any, Any]
    state: KeyState
    declared: dict[str, Any]
    emulator: RunningEmulator
    """The emulator that holds it."""

    def news(self, **changes: Any) -> dict[str, Any]:
        """The checked inputs of the program changed so (a ``None`` leaves an input out)."""
        checked = self.keys.check({**self.declared, **changes})
        assert checked.problems == []
        return checked.inputs

    def diff(self, **changes: Any) -> Diff:
        """The next ``up``'s diff of the program changed so."""
        return self.keys.diff(self.state.id, self.state.outputs, self.news(**changes))

    @property
    def subject_text(self) -> str:
        """How the reasons name this key."""
        return self.subject.resource.import_subject(self.state.id, self.state.outputs)


class MakeKey(Protocol):
    def __call__(self, *, lifetime: int | None = None, unknowns: IsUnknown = ..., **inputs: Any) -> Key: ...


@pytest.fixture
def make_key(
    subject: ResourceUnderTest,
    emulator: RunningEmulator,
    emulator_factory: StartEmulator,
    clock: time_machine.Traveller,
) -> MakeKey:
    """Creates one key of ``subject`` now (``START``), as the program declares it with ``inputs``.

    ``lifetime``: the key expires that many seconds after creation, declared or by the
    organization's policy, whichever the resource has.
    """

    def make(*, lifetime: int | None = None, unknowns: IsUnknown = never_unknown, **inputs: Any) -> Key:
        running = emulator
        if lifetime is not None:
            how = expiring(subject, lifetime)
            assert how is not None, f"{subject.id} has no keys that expire"
            inputs = {**how.inputs, **inputs}
            running = how.emulator(emulator, emulator_factory)
        keys = lifecycle_of(subject, running, is_unknown=unknowns)
        declared = {**subject.inputs("CI"), **inputs}
        checked = keys.check(declared)
        assert checked.problems == []
        return Key(subject, keys, keys.create(checked.inputs), declared, running)

    return make


# ------------------------------------------------------------------------------------ age


@EVERY_KEY_RESOURCE
def test_a_key_younger_than_rotate_after_seconds_is_not_due(
    subject: ResourceUnderTest, make_key: MakeKey, clock: time_machine.Traveller
) -> None:
    key = make_key(rotate_after_seconds=HOUR)
    clock.shift(HOUR - 1)

    assert key.diff() == Diff()


@EVERY_KEY_RESOURCE
def test_a_key_as_old_as_rotate_after_seconds_is_replaced_saying_created_at_and_due_since(
    subject: ResourceUnderTest, make_key: MakeKey, clock: time_machine.Traveller
) -> None:
    key = make_key(rotate_after_seconds=HOUR)
    clock.shift(HOUR)

    diff = key.diff()

    assert (diff.replaces, diff.updates) == ([ROTATE_AFTER], [])
    assert diff.reasons == [
        f"{key.subject_text} is replaced: the key was created at {at(0)} and rotate_after_seconds "
        f"is 3600: due since {at(HOUR)}."
    ]


@EVERY_KEY_RESOURCE
def test_a_key_long_past_its_period_is_still_due_since_the_period_ended(
    subject: ResourceUnderTest, make_key: MakeKey, clock: time_machine.Traveller
) -> None:
    key = make_key(rotate_after_seconds=HOUR)
    clock.shift(30 * DAY)

    [reason] = key.diff().reasons

    assert reason.endswith(f"due since {at(HOUR)}.")


@EVERY_KEY_RESOURCE
def test_the_reason_for_a_rotation_is_logged_as_a_warning(
    subject: ResourceUnderTest,
    make_key: MakeKey,
    clock: time_machine.Traveller,
    caplog: pytest.LogCaptureFixture,
) -> None:
    key = make_key(rotate_after_seconds=HOUR)
    clock.shift(HOUR)

    with caplog.at_level(logging.WARNING, logger="pulumi_apikeys.rotation"):
        diff = key.diff()

    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [
        ("pulumi_apikeys.rotation", logging.WARNING, diff.reasons[0])
    ]


@EVERY_KEY_RESOURCE
def test_the_reason_spells_the_period_as_the_face_does(
    subject: ResourceUnderTest, make_key: MakeKey, clock: time_machine.Traveller
) -> None:
    key = make_key(rotate_after_seconds=HOUR)
    clock.shift(HOUR)

    diff = key.keys.diff(key.state.id, key.state.outputs, key.news(), key_of=wire_spelling)

    assert diff.replaces == [ROTATE_AFTER]  # the face maps the declared name onto its own
    assert "and rotateAfterSeconds is 3600: due since" in diff.reasons[0]


@EVERY_KEY_RESOURCE
def test_deciding_that_a_key_is_due_asks_the_api_nothing(
    subject: ResourceUnderTest, make_key: MakeKey, clock: time_machine.Traveller, emulator: RunningEmulator
) -> None:
    key = make_key(rotate_after_seconds=HOUR)
    clock.shift(HOUR)
    emulator.control.clear_requests()

    assert key.diff().replaces == [ROTATE_AFTER]
    assert emulator.control.requests() == []


@EVERY_KEY_RESOURCE
def test_a_key_without_rotation_settings_or_expiry_is_never_due(
    subject: ResourceUnderTest, make_key: MakeKey, clock: time_machine.Traveller
) -> None:
    key = make_key()
    clock.shift(10 * 365 * DAY)

    assert key.diff() == Diff()


@EVERY_KEY_RESOURCE
def test_shortening_the_period_of_a_key_now_older_than_it_replaces_the_key(
    subject: ResourceUnderTest, make_key: MakeKey, clock: time_machine.Traveller
) -> None:
    key = make_key(rotate_after_seconds=10 * HOUR)
    clock.shift(2 * HOUR)

    diff = key.diff(rotate_after_seconds=HOUR)

    # Not an update as well: the replacement records the new setting with the new key.
    assert (diff.replaces, diff.updates) == ([ROTATE_AFTER], [])
    assert diff.reasons[0].endswith(f"due since {at(HOUR)}.")


# ------------------------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("subject", "setting", "before", "after"),
    [
        pytest.param(subject, setting, before, after, id=f"{case}-{subject.id}")
        for subject in under_test()
        for case, setting, before, after in [
            ("changed", ROTATE_AFTER, HOUR, 2 * HOUR),
            ("set", ROTATE_AFTER, None, 2 * HOUR),
            ("unset", ROTATE_AFTER, HOUR, None),
            ("renew_before_seconds-changed", RENEW_BEFORE, 600, 60),
        ]
        if setting in subject.resource.inputs  # a service account has no renewal window
    ],
)
def test_a_period_change_alone_is_an_update_in_place(
    subject: ResourceUnderTest, make_key: MakeKey, setting: str, before: int | None, after: int | None
) -> None:
    declared: dict[str, Any] = {setting: before}
    key = make_key(**declared)

    assert key.diff(**{setting: after}) == Diff(updates=[setting])


@EVERY_KEY_RESOURCE
def test_the_update_of_a_period_records_it_with_the_same_key_and_calls_no_api(
    subject: ResourceUnderTest, make_key: MakeKey, emulator: RunningEmulator
) -> None:
    key = make_key(rotate_after_seconds=HOUR)
    emulator.control.clear_requests()

    outputs = key.keys.update(key.state.id, key.state.outputs, key.news(rotate_after_seconds=2 * HOUR))

    assert emulator.control.requests() == []
    assert outputs == {**key.state.outputs, ROTATE_AFTER: 2 * HOUR}


@EVERY_KEY_RESOURCE
def test_an_updated_period_counts_from_the_keys_creation(
    subject: ResourceUnderTest, make_key: MakeKey, clock: time_machine.Traveller
) -> None:
    key = make_key(rotate_after_seconds=HOUR)
    news = key.news(rotate_after_seconds=2 * HOUR)
    outputs = key.keys.update(key.state.id, key.state.outputs, news)
    clock.shift(2 * HOUR - 1)
    not_yet = key.keys.diff(key.state.id, outputs, news)
    clock.shift(1)

    due = key.keys.diff(key.state.id, outputs, news)

    assert not_yet == Diff()
    assert due.replaces == [ROTATE_AFTER]
    assert due.reasons[0].endswith(f"due since {at(2 * HOUR)}.")


# ------------------------------------------------------------------------------- triggers


@EVERY_KEY_RESOURCE
@pytest.mark.parametrize(
    ("before", "after"),
    [
        ({"deployment": "v1"}, {"deployment": "v2"}),
        (None, {"deployment": "v1"}),
        ({"deployment": "v1"}, None),
        ({"deployment": "v1"}, {"deployment": "v1", "region": "eu"}),
    ],
    ids=["changed", "added", "removed", "another"],
)
def test_a_trigger_change_replaces_the_key_at_once(
    subject: ResourceUnderTest,
    make_key: MakeKey,
    before: dict[str, str] | None,
    after: dict[str, str] | None,
) -> None:
    key = make_key(rotation_triggers=before)

    # Not a due key: no reason to log, the diff shows the change itself.
    assert key.diff(rotation_triggers=after) == Diff(replaces=[TRIGGERS])


@EVERY_KEY_RESOURCE
def test_the_same_triggers_in_any_order_are_no_change(subject: ResourceUnderTest, make_key: MakeKey) -> None:
    key = make_key(rotation_triggers={"deployment": "v1", "region": "eu"})

    assert key.diff(rotation_triggers={"region": "eu", "deployment": "v1"}) == Diff()


# ------------------------------------------------------------------------------- preview


@EVERY_KEY_RESOURCE
def test_a_rotation_period_not_known_yet_plans_no_replacement(
    subject: ResourceUnderTest, make_key: MakeKey, clock: time_machine.Traveller
) -> None:
    key = make_key(unknowns=is_unknown, rotate_after_seconds=60)
    clock.shift(30 * DAY)

    diff = key.diff(rotate_after_seconds=UNKNOWN)

    # It may change, so it may be updated; whether the key is due is decided once it is known.
    assert diff == Diff(updates=[ROTATE_AFTER])


@EVERY_KEY_RESOURCE
def test_triggers_not_known_yet_plan_a_replacement_as_any_replacing_input_does(
    subject: ResourceUnderTest, make_key: MakeKey
) -> None:
    key = make_key(unknowns=is_unknown, rotation_triggers={"deployment": "v1"})

    assert key.diff(rotation_triggers=UNKNOWN) == Diff(replaces=[TRIGGERS])


# ------------------------------------------------------------------------------- expiry


@EVERY_EXPIRING_KEY_RESOURCE
def test_a_key_before_its_renewal_window_is_not_due(
    subject: ResourceUnderTest, make_key: MakeKey, clock: time_machine.Traveller
) -> None:
    key = make_key(lifetime=HOUR, renew_before_seconds=600)
    clock.shift(HOUR - 601)

    assert key.diff() == Diff()


@EVERY_EXPIRING_KEY_RESOURCE
def test_a_key_in_its_renewal_window_is_replaced_saying_expires_at_and_due_since(
    subject: ResourceUnderTest, make_key: MakeKey, clock: time_machine.Traveller
) -> None:
    key = make_key(lifetime=HOUR, renew_before_seconds=600)
    clock.shift(HOUR - 600)

    diff = key.diff()

    assert (diff.replaces, diff.updates) == ([RENEW_BEFORE], [])
    assert diff.reasons == [
        f"{key.subject_text} is replaced: the key expires at {at(HOUR)} and renew_before_seconds "
        f"is 600: due since {at(HOUR - 600)}."
    ]


@EVERY_EXPIRING_KEY_RESOURCE
def test_a_renewal_period_not_known_yet_plans_no_replacement(
    subject: ResourceUnderTest, make_key: MakeKey, clock: time_machine.Traveller
) -> None:
    key = make_key(lifetime=HOUR, unknowns=is_unknown, renew_before_seconds=600)
    clock.shift(HOUR - 300)  # in the window of the known period

    assert key.diff(renew_before_seconds=UNKNOWN) == Diff(updates=[RENEW_BEFORE])


@EVERY_EXPIRING_KEY_RESOURCE
def test_an_expired_key_is_replaced_without_any_rotation_setting(
    subject: ResourceUnderTest, make_key: MakeKey, clock: time_machine.Traveller
) -> None:
    key = make_key(lifetime=HOUR)
    clock.shift(HOUR)

    diff = key.diff()

    assert (diff.replaces, diff.updates) == ([rotation.EXPIRES_AT], [])
    assert diff.reasons == [f"{key.subject_text} is replaced: the key expired at {at(HOUR)}."]


@EVERY_EXPIRING_KEY_RESOURCE
def test_an_expired_key_is_replaced_even_while_its_periods_are_not_known(
    subject: ResourceUnderTest, make_key: MakeKey, clock: time_machine.Traveller
) -> None:
    key = make_key(lifetime=HOUR, unknowns=is_unknown, rotate_after_seconds=2 * HOUR)
    clock.shift(HOUR)

    assert key.diff(rotate_after_seconds=UNKNOWN).replaces == [rotation.EXPIRES_AT]


@EVERY_EXPIRING_KEY_RESOURCE
def test_of_several_causes_the_earliest_is_named(
    subject: ResourceUnderTest, make_key: MakeKey, clock: time_machine.Traveller
) -> None:
    key = make_key(lifetime=HOUR, rotate_after_seconds=600, renew_before_seconds=1200)
    clock.shift(HOUR + 60)  # expired, in its renewal window, and past its period

    diff = key.diff()

    assert diff.replaces == [ROTATE_AFTER]
    assert diff.reasons[0].endswith(f"due since {at(600)}.")


@EVERY_EXPIRING_KEY_RESOURCE
def test_a_key_refreshes_until_its_last_second(
    subject: ResourceUnderTest, make_key: MakeKey, clock: time_machine.Traveller
) -> None:
    key = make_key(lifetime=HOUR)
    clock.shift(HOUR - 1)

    refreshed = key.keys.read(key.state.id, key.state.outputs)

    assert refreshed is not None
    assert refreshed.id == key.state.id


@EVERY_EXPIRING_KEY_RESOURCE
def test_an_expired_key_is_dropped_on_refresh(
    subject: ResourceUnderTest, make_key: MakeKey, clock: time_machine.Traveller
) -> None:
    key = make_key(lifetime=HOUR)
    clock.shift(HOUR)

    assert key.keys.read(key.state.id, key.state.outputs) is None


@EVERY_EXPIRING_KEY_RESOURCE
def test_an_expired_key_can_still_be_deleted(
    subject: ResourceUnderTest, make_key: MakeKey, clock: time_machine.Traveller
) -> None:
    key = make_key(lifetime=HOUR)
    clock.shift(HOUR)

    key.keys.delete(key.state.id, key.state.outputs)  # a replacement's last step: no error

    assert key.state.id not in subject.live_keys(key.emulator)


# --------------------------------------------------------------------------------- checks


@pytest.mark.parametrize(
    ("subject", "setting"),
    [
        pytest.param(subject, setting, id=f"{setting}-{subject.id}")
        for subject in under_test()
        for setting in (ROTATE_AFTER, RENEW_BEFORE)
        if setting in subject.resource.inputs
    ],
)
@pytest.mark.parametrize(
    ("given", "kept"),
    [(1, 1), (HOUR, HOUR), (3600.0, 3600), (rotation.PERIOD_MAX_SECONDS, rotation.PERIOD_MAX_SECONDS)],
    ids=["one", "an-hour", "a-whole-float", "a-century"],
)
def test_any_positive_whole_number_of_seconds_is_a_period(
    subject: ResourceUnderTest, emulator: RunningEmulator, setting: str, given: float, kept: int
) -> None:
    checked = lifecycle_of(subject, emulator).check({**subject.inputs("CI"), setting: given})

    assert checked.problems == []
    assert checked.inputs[setting] == kept
    assert type(checked.inputs[setting]) is int


# ------------------------------------------------------------------------- the rule itself


def test_unix_seconds_reads_numbers_and_iso_text_with_a_z() -> None:
    assert rotation.unix_seconds(START_SECONDS) == START_SECONDS
    assert rotation.unix_seconds(START_SECONDS + 0.9) == START_SECONDS
    # Python 3.10's fromisoformat refuses a trailing Z; capy's timestamps may carry one.
    assert rotation.unix_seconds("2026-12-02T05:00:00Z") == START_SECONDS
    assert rotation.unix_seconds("2026-12-02T05:00:00+00:00") == START_SECONDS
    assert rotation.unix_seconds("2026-12-02T06:00:00+01:00") == START_SECONDS
    assert rotation.unix_seconds("2026-12-02T05:00:00.250000Z") == START_SECONDS
    assert rotation.unix_seconds(START.isoformat()) == START_SECONDS


def test_unix_seconds_reads_a_timestamp_without_a_zone_as_utc() -> None:
    assert rotation.unix_seconds("2026-12-02T05:00:00") == START_SECONDS


@pytest.mark.parametrize("value", [None, True, False, "", "yesterday", float("inf"), float("nan"), [1]])
def test_unix_seconds_of_anything_else_is_none(value: object) -> None:
    assert rotation.unix_seconds(value) is None


def test_shown_time_is_utc_to_the_second_with_a_z() -> None:
    assert rotation.shown_time(START_SECONDS + 61) == "2026-12-02T05:01:01Z"


def due_at(seconds: int, outputs: dict[str, Any], inputs: dict[str, Any]) -> rotation.Due | None:
    return rotation.key_due(outputs, inputs, at=START_SECONDS + seconds, is_unknown=is_unknown)


@pytest.mark.parametrize(
    "created_at",
    [START_SECONDS, "2026-12-02T05:00:00Z", "2026-12-02T05:00:00+00:00"],
    ids=["unix", "z", "utc"],
)
def test_key_due_reads_created_at_in_either_form(created_at: object) -> None:
    due = due_at(HOUR, {"created_at": created_at}, {ROTATE_AFTER: HOUR})

    assert due == rotation.Due(
        ROTATE_AFTER,
        START_SECONDS + HOUR,
        f"the key was created at {at(0)} and rotate_after_seconds is 3600: due since {at(HOUR)}",
    )


def test_key_due_hands_renewal_over_to_expiry_at_the_moment_of_expiry() -> None:
    outputs = {"created_at": START_SECONDS, "expires_at": START_SECONDS + HOUR}
    inputs = {RENEW_BEFORE: 600}

    before = due_at(HOUR - 1, outputs, inputs)
    after = due_at(HOUR, outputs, inputs)

    assert before is not None
    assert (before.property, before.since) == (RENEW_BEFORE, START_SECONDS + HOUR - 600)
    assert after is not None
    assert (after.property, after.since) == (rotation.EXPIRES_AT, START_SECONDS + HOUR)


def test_key_due_ignores_a_period_that_is_unknown_or_not_a_number() -> None:
    outputs = {"created_at": START_SECONDS}

    for period in (UNKNOWN, True, "60", None):
        assert due_at(DAY, outputs, {ROTATE_AFTER: period, RENEW_BEFORE: period}) is None


def test_key_due_without_created_at_decides_nothing_by_age() -> None:
    assert due_at(DAY, {}, {ROTATE_AFTER: 60}) is None


def test_key_due_spells_the_period_as_shown_says() -> None:
    due = rotation.key_due(
        {"created_at": START_SECONDS},
        {ROTATE_AFTER: 60},
        at=START_SECONDS + 60,
        is_unknown=is_unknown,
        shown=lambda name: name.upper(),
    )

    assert due is not None
    assert "ROTATE_AFTER_SECONDS is 60" in due.reason


def test_the_expiring_resources_are_the_built_in_ones_whose_keys_can_expire() -> None:
    # Guards the expiry scenarios against silently running over nothing.
    assert {subject.id for subject in EXPIRING_KEY_RESOURCES} >= {"openai:AdminApiKey", "capy:ApiKey"}


@pytest.mark.parametrize("subject", EXPIRING_KEY_RESOURCES, ids=lambda subject: subject.id)
def test_an_expiring_key_really_has_an_expires_at(
    subject: ResourceUnderTest, make_key: MakeKey, clock: time_machine.Traveller
) -> None:
    key = make_key(lifetime=HOUR)

    assert rotation.unix_seconds(key.state.outputs[rotation.EXPIRES_AT]) == START_SECONDS + HOUR
    assert rotation.unix_seconds(key.state.outputs[rotation.CREATED_AT]) == START_SECONDS
