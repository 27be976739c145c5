"""The rotating pair's rules, with the clock moved: when it rotates, in which order, what state says.

Each rule runs through the pair's lifecycle (``PairLifecycle``, no Pulumi engine) over every
built-in key resource, against the in-process emulator. time-machine stops the process's clock at
``START`` and moves it: the emulator stamps ``created_at``, ``expires_at`` and ``last_used_at`` by
it and the lifecycle decides by it, so a period passes in an instant and no test waits. The
emulator's request log shows what reached the API, in order. The scenarios through the engine, on
both faces and in real time, are in ``test_pair_lifecycle.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import pytest
import time_machine

from pulumi_apikeys.core import rotation
from pulumi_apikeys.core.declaration import ADOPT_ID
from pulumi_apikeys.core.lifecycle import Diff
from pulumi_apikeys.core.reconcile import LEDGER, KeyLedger
from pulumi_apikeys.core.rotating_pair import PairLifecycle, rotating_pair
from pulumi_apikeys.emulator import FaultPlan, RunningEmulator
from pulumi_apikeys.errors import ApiError, PartialUpdateError
from tests.backends import ResourceUnderTest
from tests.rotation.conftest import START, START_SECONDS
from tests.rotation.key_helpers import StartEmulator, expiring
from tests.rotation.pair_helpers import authenticates, builtin_subjects, live_counts, pair_lifecycle

PERIOD = 3600
"""Each pair's ``rotate_after_seconds``, unless a test says otherwise."""
ROTATE_AFTER = rotation.ROTATE_AFTER
TRIGGERS = rotation.ROTATION_TRIGGERS
NO_RETRIES = {"apikeys:maxRetries": "0"}
"""A create that fails is not tried again: the failure ends the operation."""

SUBJECTS = [s for s in builtin_subjects("dynamic") if s.resource.pair]
"""The built-in key resources; the lifecycle is the same on both faces."""


def pair_id(subject: ResourceUnderTest) -> str:
    pair = rotating_pair(subject.resource)
    return f"{pair.module}:{pair.name}"


EVERY_PAIR = pytest.mark.parametrize("subject", SUBJECTS, ids=pair_id)
PLACED_PAIRS = [s for s in SUBJECTS if s.resource.placement]
"""The pairs whose keys live somewhere a program names (an organization)."""
EXPIRING_PAIRS = [s for s in SUBJECTS if expiring(s, 2 * PERIOD) is not None]


def at(seconds: int) -> str:
    """The moment ``seconds`` after ``START`` as the reasons show it."""
    return rotation.shown_time(START_SECONDS + seconds)


def key_changes(subject: ResourceUnderTest) -> dict[str, Any]:
    """For each input that says what the keys are (not where they live), a different value of it."""
    pair = rotating_pair(subject.resource)
    declared = subject.inputs("CI")
    changes: dict[str, Any] = {}
    for name in (*pair.key_inputs, TRIGGERS):
        if name in pair.key.placement:
            continue
        prop = pair.property_named(name)
        old = declared.get(name)
        if prop.compare == "set":
            changes[name] = [*list(old or ()), "keys:write"]
        elif prop.type == "string":
            changes[name] = f"{old} v2"
        elif prop.type == "integer":  # a lifetime: it must cover two periods
            changes[name] = 4 * PERIOD
        elif prop.type == "object":
            changes[name] = {"deployment": "v2"}
    return changes


KEY_CHANGES = [
    pytest.param(subject, name, value, id=f"{pair_id(subject)}-{name}")
    for subject in SUBJECTS
    for name, value in key_changes(subject).items()
]


@dataclass
class Pair:
    """A pair made through the lifecycle, and what its program declares; ``up`` runs what an
    ``up`` of the program would (diff, then the update it plans)."""

    subject: ResourceUnderTest
    lifecycle: PairLifecycle[Any, Any]
    emulator: RunningEmulator
    declared: dict[str, Any]
    id: str
    outputs: dict[str, Any]
    history: list[tuple[str | None, str | None]] = field(default_factory=list)
    """``(id, value)`` of every key that was current, in order."""

    def news(self, **changes: Any) -> dict[str, Any]:
        """The checked inputs of the program changed so (a ``None`` leaves an input out)."""
        declared = {k: v for k, v in {**self.declared, **changes}.items() if v is not None}
        checked = self.lifecycle.check(declared)
        assert checked.problems == [], checked.problems
        return checked.inputs

    def diff(self, **changes: Any) -> Diff:
        """The next ``up``'s diff of the program changed so."""
        return self.lifecycle.diff(self.id, self.outputs, self.news(**changes))

    def update(self, **changes: Any) -> dict[str, Any]:
        """The update an ``up`` runs for a planned change: the program is changed so from now on."""
        news = self.news(**changes)
        self.outputs = self.lifecycle.update(self.id, self.outputs, news)
        self.declared = {k: v for k, v in {**self.declared, **changes}.items() if v is not None}
        self._remember()
        return self.outputs

    def up(self, **changes: Any) -> Diff:
        """Diff, then update if anything changes (a replacement is the engine's, not run here)."""
        diff = self.diff(**changes)
        assert not diff.replaces, diff
        if diff.changes:
            self.update(**changes)
        return diff

    def read(self) -> None:
        """A refresh: state becomes what the read returns."""
        refreshed = self.lifecycle.read(self.id, self.outputs)
        assert refreshed is not None
        assert refreshed.id == self.id
        self.outputs = refreshed.outputs

    @property
    def current(self) -> tuple[str | None, str | None]:
        return self.outputs["current_id"], self.outputs["current_value"]

    @property
    def previous(self) -> tuple[str | None, str | None]:
        return self.outputs["previous_id"], self.outputs["previous_value"]

    def named(self) -> set[str]:
        """The key ids state names."""
        return {k for k in (self.outputs["current_id"], self.outputs["previous_id"]) if k}

    def live(self) -> dict[str, str]:
        """``{id: name}`` of the keys that exist and work."""
        return self.subject.live_keys(self.emulator)

    def requests(self) -> list[tuple[str, str]]:
        """``(method, path)`` of every API request since the last clear."""
        return [(r.method, r.path) for r in self.emulator.control.requests()]

    def clear_requests(self) -> None:
        self.emulator.control.clear_requests()

    def delete_out_of_band(self, key_id: str | None) -> None:
        """Deletes (revokes) the key with this id by the client, outside Pulumi."""
        assert key_id is not None
        self.subject.delete_out_of_band(self.emulator, key_id)

    def delete_path(self, key_id: str | None) -> tuple[str, str]:
        assert key_id is not None
        return ("DELETE", self.subject.item_path(key_id))

    @property
    def create_request(self) -> tuple[str, str]:
        return ("POST", self.subject.collection_path)

    def _remember(self) -> None:
        current = self.current
        if current[0] is not None and (not self.history or self.history[-1][0] != current[0]):
            self.history.append(current)


class MakePair(Protocol):
    def __call__(
        self,
        inputs: Mapping[str, Any] | None = None,
        *,
        lifetime: int | None = None,
        settings: Mapping[str, str] | None = None,
        ledger: KeyLedger = ...,
    ) -> Pair: ...


@pytest.fixture
def make_pair(
    subject: ResourceUnderTest,
    emulator: RunningEmulator,
    emulator_factory: StartEmulator,
    clock: time_machine.Traveller,
) -> MakePair:
    """Creates a pair of ``subject``'s keys named ``CI`` now, rotating every ``PERIOD``, as the
    program declares it with ``inputs``; the request log is cleared after the create.

    ``lifetime``: each key expires that many seconds after its creation, declared or by the
    organization's policy, whichever the resource has. ``settings``: more stack config.
    """

    def make(
        inputs: Mapping[str, Any] | None = None,
        *,
        lifetime: int | None = None,
        settings: Mapping[str, str] | None = None,
        ledger: KeyLedger = LEDGER,
    ) -> Pair:
        inputs = dict(inputs or {})
        running = emulator
        if lifetime is not None:
            how = expiring(subject, lifetime)
            assert how is not None, f"{subject.id} has no keys that expire"
            inputs = {**how.inputs, **inputs}
            running = how.emulator(emulator, emulator_factory)
        lifecycle = pair_lifecycle(subject, running, ledger=ledger, settings=settings)
        declared = {**subject.inputs("CI"), ROTATE_AFTER: PERIOD, **inputs}
        checked = lifecycle.check(declared)
        assert checked.problems == [], checked.problems
        made = lifecycle.create(
            {**checked.inputs, **({ADOPT_ID: inputs[ADOPT_ID]} if ADOPT_ID in inputs else {})}
        )
        pair = Pair(subject, lifecycle, running, declared, made.id, made.outputs)
        pair._remember()
        running.control.clear_requests()
        return pair

    return make


def rotated_pair(
    make_pair: MakePair,
    clock: time_machine.Traveller,
    *,
    lifetime: int | None = None,
    settings: Mapping[str, str] | None = None,
) -> Pair:
    """A pair that has rotated once on schedule: a current key and a previous one."""
    pair = make_pair(lifetime=lifetime, settings=settings)
    clock.shift(PERIOD)
    assert pair.up().changes
    pair.clear_requests()
    return pair


# ------------------------------------------------------------------------------------ create


@EVERY_PAIR
def test_a_new_pair_is_one_current_key_and_no_previous(
    subject: ResourceUnderTest, emulator: RunningEmulator
) -> None:
    lifecycle = pair_lifecycle(subject, emulator)
    inputs = lifecycle.check({**subject.inputs("CI"), ROTATE_AFTER: PERIOD}).inputs

    with time_machine.travel(START, tick=False):
        made = lifecycle.create(inputs)

    assert [(r.method, r.path) for r in emulator.control.requests()] == [("POST", subject.collection_path)]
    assert subject.live_keys(emulator) == {made.id: "CI"}
    outputs = made.outputs
    assert outputs["current_id"] == made.id  # the pair's id is the id of the key it started with
    assert subject.value_is_of(emulator, made.id, outputs["current_value"])
    assert (outputs["previous_id"], outputs["previous_value"]) == (None, None)


@EVERY_PAIR
def test_a_new_pairs_period_starts_with_its_key(make_pair: MakePair) -> None:
    pair = make_pair()

    assert pair.outputs["rotated_at"] == START_SECONDS
    assert pair.outputs["next_rotation_at"] == START_SECONDS + PERIOD


# ------------------------------------------------------------------------------------ schedule


@EVERY_PAIR
def test_a_pair_is_not_due_a_second_before_its_period_ends_and_deciding_asks_the_api_nothing(
    make_pair: MakePair, clock: time_machine.Traveller
) -> None:
    pair = make_pair()
    clock.shift(PERIOD - 1)

    diff = pair.diff()

    assert not diff.changes
    assert diff.reasons == []
    assert pair.requests() == []


@EVERY_PAIR
def test_a_pair_is_due_once_its_period_has_passed_naming_when_it_became_due(
    make_pair: MakePair, clock: time_machine.Traveller
) -> None:
    pair = make_pair()
    clock.shift(PERIOD)

    diff = pair.diff()

    assert diff.replaces == []  # a rotation is an update of the pair, never a replacement
    assert diff.updates == [ROTATE_AFTER]
    (reason,) = diff.reasons
    # Named by its keys' name: its id is the first key's, retired after two rotations.
    assert reason.startswith(f"{rotating_pair(pair.subject.resource).name} 'CI' rotates: ")
    assert f"made current at {at(0)} and {ROTATE_AFTER} is {PERIOD}: due since {at(PERIOD)}" in reason


@EVERY_PAIR
def test_the_first_rotation_retires_nothing_creates_one_key_and_keeps_the_first_as_previous(
    make_pair: MakePair, clock: time_machine.Traveller
) -> None:
    pair = make_pair()
    first = pair.current
    clock.shift(PERIOD)

    diff = pair.up()

    assert "No key is retired" in diff.reasons[0]
    assert pair.requests() == [pair.create_request]
    assert pair.previous == first
    assert pair.current[0] not in (None, first[0])
    assert pair.live() == {first[0]: "CI", pair.current[0]: "CI"}


@EVERY_PAIR
def test_a_rotation_deletes_the_old_previous_then_creates_and_calls_nothing_else(
    make_pair: MakePair, clock: time_machine.Traveller
) -> None:
    pair = rotated_pair(make_pair, clock)
    old_previous = pair.previous[0]
    clock.shift(PERIOD)
    assert pair.diff().changes
    pair.clear_requests()  # the diff may look the retiring key up (its last use): not the rotation

    pair.update()

    assert pair.requests() == [pair.delete_path(old_previous), pair.create_request]


@EVERY_PAIR
def test_after_every_rotation_previous_is_the_last_current_and_two_keys_live(
    make_pair: MakePair, clock: time_machine.Traveller
) -> None:
    pair = make_pair()
    for _ in range(4):
        last_current = pair.current
        clock.shift(PERIOD)

        pair.up()

        assert pair.previous == last_current
        assert pair.current[0] not in (None, last_current[0])
        assert set(pair.live()) == pair.named() == {pair.current[0], last_current[0]}


@EVERY_PAIR
def test_over_many_rotations_no_instant_has_fewer_than_one_or_more_than_two_keys(
    make_pair: MakePair, clock: time_machine.Traveller
) -> None:
    pair = make_pair()
    for _ in range(4):
        clock.shift(PERIOD)
        pair.up()

    counts = live_counts(pair.subject, pair.emulator.control.requests(), initial={pair.id})
    assert len(counts) == 1 + 3 * 2  # a create, then a delete and a create per rotation
    assert all(1 <= count <= 2 for count in counts), counts


@EVERY_PAIR
def test_both_values_of_a_rotated_pair_work_as_credentials(
    make_pair: MakePair, clock: time_machine.Traveller
) -> None:
    pair = rotated_pair(make_pair, clock)

    current, previous = pair.current[1], pair.previous[1]

    assert current is not None
    assert previous is not None
    assert authenticates(pair.subject, pair.emulator, current)
    assert authenticates(pair.subject, pair.emulator, previous)


@EVERY_PAIR
def test_a_rotation_starts_the_next_period_from_the_new_key(
    make_pair: MakePair, clock: time_machine.Traveller
) -> None:
    pair = make_pair()
    clock.shift(PERIOD + 25)  # an `up` that comes late

    pair.up()

    assert pair.outputs["rotated_at"] == START_SECONDS + PERIOD + 25
    assert pair.outputs["next_rotation_at"] == START_SECONDS + 2 * PERIOD + 25


@EVERY_PAIR
def test_a_pair_due_long_ago_rotates_once_not_once_per_missed_period(
    make_pair: MakePair, clock: time_machine.Traveller
) -> None:
    pair = make_pair()
    clock.shift(5 * PERIOD)

    pair.up()
    again = pair.diff()

    assert pair.requests() == [pair.create_request]
    assert not again.changes


# ------------------------------------------------------------------------------------ changes


@pytest.mark.parametrize(("subject", "name", "value"), KEY_CHANGES)
def test_a_change_of_what_the_keys_are_rotates_the_same_safe_way_at_once(
    make_pair: MakePair, clock: time_machine.Traveller, name: str, value: Any
) -> None:
    pair = rotated_pair(make_pair, clock)
    last_current, old_previous = pair.current, pair.previous[0]
    clock.shift(1)  # long before the schedule would rotate it

    diff = pair.diff(**{name: value})
    pair.clear_requests()
    pair.update(**{name: value})

    assert diff.replaces == []
    assert name in diff.updates
    assert f"rotates: {name} changed" in diff.reasons[0]
    assert pair.requests() == [pair.delete_path(old_previous), pair.create_request]
    assert pair.previous == last_current
    assert set(pair.live()) == {pair.current[0], last_current[0]}


@pytest.mark.parametrize(("subject", "name", "value"), KEY_CHANGES)
def test_the_key_a_change_makes_is_what_the_program_now_declares(
    make_pair: MakePair, clock: time_machine.Traveller, name: str, value: Any
) -> None:
    pair = make_pair()

    pair.up(**{name: value})

    resource = pair.subject.resource
    current = pair.current[0]
    assert current is not None
    found = resource.lookup(pair.lifecycle.client(), current, pair.outputs)
    assert found.live is not None
    seen = pair.lifecycle.keys.outputs(found.live, pair.outputs, None)
    news = pair.news()
    for prop in resource.declared_inputs:
        if prop.name in news and not prop.stored_only:  # what the API itself reports of the key
            assert seen[prop.name] == prop.normalized(news[prop.name]), prop.name
    assert pair.outputs[name] == pair.lifecycle.resource.property_named(name).normalized(value)


@EVERY_PAIR
def test_a_new_period_alone_is_recorded_in_state_and_calls_no_api(
    make_pair: MakePair, clock: time_machine.Traveller
) -> None:
    pair = rotated_pair(make_pair, clock)
    before = dict(pair.outputs)
    clock.shift(60)

    diff = pair.diff(**{ROTATE_AFTER: 2 * PERIOD})
    pair.update(**{ROTATE_AFTER: 2 * PERIOD})

    assert diff.updates == [ROTATE_AFTER]
    assert diff.replaces == []
    assert diff.reasons == []  # nothing rotates
    assert pair.requests() == []
    assert pair.current == (before["current_id"], before["current_value"])
    assert pair.previous == (before["previous_id"], before["previous_value"])
    assert pair.outputs["rotated_at"] == before["rotated_at"]
    assert pair.outputs["next_rotation_at"] == before["rotated_at"] + 2 * PERIOD
    assert pair.outputs[ROTATE_AFTER] == 2 * PERIOD


@EVERY_PAIR
def test_a_new_period_shorter_than_the_current_keys_age_rotates(
    make_pair: MakePair, clock: time_machine.Traveller
) -> None:
    pair = make_pair()
    clock.shift(PERIOD // 2)

    diff = pair.diff(**{ROTATE_AFTER: PERIOD // 4})

    assert diff.updates == [ROTATE_AFTER]
    assert f"due since {at(PERIOD // 4)}" in diff.reasons[0]


@pytest.mark.parametrize("subject", PLACED_PAIRS, ids=pair_id)
def test_a_change_of_where_the_keys_live_replaces_the_pair(
    make_pair: MakePair, clock: time_machine.Traveller
) -> None:
    pair = rotated_pair(make_pair, clock)
    (placement, *_) = pair.subject.resource.placement

    diff = pair.diff(**{placement: "org_elsewhere"})

    assert diff.replaces == [placement]
    assert pair.requests() == []


@EVERY_PAIR
def test_the_same_triggers_in_any_order_are_no_change(
    make_pair: MakePair, clock: time_machine.Traveller
) -> None:
    pair = make_pair({TRIGGERS: {"a": "1", "b": "2"}})

    diff = pair.diff(**{TRIGGERS: {"b": "2", "a": "1"}})

    assert not diff.changes


# ------------------------------------------------------------------------------------ preview


@EVERY_PAIR
def test_the_reason_for_a_rotation_names_the_key_it_retires_and_when_that_was_last_used(
    make_pair: MakePair, clock: time_machine.Traveller
) -> None:
    pair = rotated_pair(make_pair, clock)
    (previous, previous_value), current = pair.previous, pair.current[0]
    clock.shift(100)
    assert previous_value is not None
    assert authenticates(pair.subject, pair.emulator, previous_value)  # a consumer not yet moved on
    clock.shift(PERIOD)

    (reason,) = pair.diff().reasons

    assert (
        f"It retires the previous key {previous} (last used {at(PERIOD + 100)}), creates a new current "
        f"key, and keeps {current} as the previous key."
    ) in reason


@EVERY_PAIR
def test_the_reason_for_a_rotation_says_so_when_the_key_it_retires_was_never_used(
    make_pair: MakePair, clock: time_machine.Traveller
) -> None:
    pair = rotated_pair(make_pair, clock)
    clock.shift(PERIOD)

    (reason,) = pair.diff().reasons

    assert f"It retires the previous key {pair.previous[0]} (never used)" in reason


@EVERY_PAIR
def test_a_preview_of_a_rotation_calls_no_api_and_plans_the_current_key_as_previous(
    make_pair: MakePair, clock: time_machine.Traveller
) -> None:
    pair = rotated_pair(make_pair, clock)
    unknown = object()
    clock.shift(PERIOD)

    planned = pair.lifecycle.planned_update(pair.id, pair.outputs, pair.news(), unknown=unknown)

    assert pair.requests() == []
    assert (planned["previous_id"], planned["previous_value"]) == pair.current
    for name in ("current_id", "current_value", "rotated_at", "next_rotation_at"):
        assert planned[name] is unknown, name
    assert len(pair.live()) == 2


# ------------------------------------------------------------------------------------ refresh


@EVERY_PAIR
@pytest.mark.parametrize("slot", ["current", "previous"])
def test_a_refresh_empties_the_slot_of_a_key_deleted_or_revoked_out_of_band(
    make_pair: MakePair, clock: time_machine.Traveller, slot: str
) -> None:
    pair = rotated_pair(make_pair, clock)
    other = "previous" if slot == "current" else "current"
    gone, kept = pair.outputs[f"{slot}_id"], getattr(pair, other)
    pair.delete_out_of_band(gone)

    pair.read()

    assert (pair.outputs[f"{slot}_id"], pair.outputs[f"{slot}_value"]) == (None, None)
    assert getattr(pair, other) == kept


@EVERY_PAIR
def test_a_refresh_of_a_pair_whose_keys_all_work_changes_nothing(
    make_pair: MakePair, clock: time_machine.Traveller
) -> None:
    pair = rotated_pair(make_pair, clock)
    before = dict(pair.outputs)

    pair.read()

    assert pair.outputs == before


@EVERY_PAIR
def test_a_refresh_records_when_the_previous_key_was_last_used(
    make_pair: MakePair, clock: time_machine.Traveller
) -> None:
    pair = rotated_pair(make_pair, clock)
    previous_value = pair.previous[1]
    assert previous_value is not None
    clock.shift(100)
    assert authenticates(pair.subject, pair.emulator, previous_value)

    pair.read()

    assert pair.outputs["previous_last_used_at"] == START_SECONDS + PERIOD + 100


@pytest.mark.parametrize("subject", EXPIRING_PAIRS, ids=pair_id)
def test_a_refresh_empties_the_slot_of_a_previous_key_that_expired(
    make_pair: MakePair, clock: time_machine.Traveller
) -> None:
    pair = rotated_pair(make_pair, clock, lifetime=2 * PERIOD)  # the first key expires at START + 2P
    current = pair.current
    clock.shift(PERIOD - 1)
    pair.read()
    still = pair.previous[0]
    clock.shift(1)

    pair.read()

    assert still is not None  # it refreshes until its last second
    assert pair.previous == (None, None)
    assert pair.current == current


@pytest.mark.parametrize("subject", EXPIRING_PAIRS, ids=pair_id)
def test_a_refresh_empties_the_slot_of_a_current_key_that_expired(
    make_pair: MakePair, clock: time_machine.Traveller
) -> None:
    pair = make_pair(lifetime=2 * PERIOD)
    clock.shift(2 * PERIOD)  # no `up` for two periods

    pair.read()

    assert pair.current == (None, None)


@EVERY_PAIR
def test_an_emptied_current_is_refilled_by_the_next_up_with_a_new_key_and_previous_untouched(
    make_pair: MakePair, clock: time_machine.Traveller
) -> None:
    pair = rotated_pair(make_pair, clock)
    gone, previous = pair.current[0], pair.previous
    pair.delete_out_of_band(gone)
    pair.read()
    pair.clear_requests()

    diff = pair.up()

    assert "its current key is gone" in diff.reasons[0]
    assert pair.requests() == [pair.create_request]  # nothing is retired
    assert pair.previous == previous
    assert pair.current[0] not in (None, gone, previous[0])
    assert set(pair.live()) == pair.named()


@EVERY_PAIR
def test_an_emptied_previous_stays_empty_until_the_next_scheduled_rotation(
    make_pair: MakePair, clock: time_machine.Traveller
) -> None:
    pair = rotated_pair(make_pair, clock)
    current = pair.current
    pair.delete_out_of_band(pair.previous[0])
    pair.read()
    pair.clear_requests()

    before_due = pair.diff()
    clock.shift(PERIOD)
    pair.up()

    assert not before_due.changes
    assert pair.requests() == [pair.create_request]  # no previous left to retire
    assert pair.previous == current


# ------------------------------------------------------------------------------------ import


@EVERY_PAIR
def test_pulumi_import_adopts_the_existing_key_as_current_without_creating_any(
    subject: ResourceUnderTest, emulator: RunningEmulator, clock: time_machine.Traveller
) -> None:
    existing = subject.create_out_of_band(emulator, "Legacy")
    emulator.control.clear_requests()

    imported = pair_lifecycle(subject, emulator).import_read(subject.plugin_import_id(existing))

    assert [(r.method, r.path) for r in emulator.control.requests()] == subject.lookup_requests(existing)
    assert imported.id == existing
    assert imported.outputs["current_id"] == existing
    assert imported.outputs["current_value"] is None  # the API shows a value only when it creates one
    assert imported.outputs["previous_id"] is None
    assert imported.outputs["rotated_at"] == START_SECONDS
    assert imported.inputs["name"] == "Legacy"


@EVERY_PAIR
def test_import_adopts_the_existing_key_as_current_and_the_pair_rotates_from_it(
    make_pair: MakePair, subject: ResourceUnderTest, emulator: RunningEmulator, clock: time_machine.Traveller
) -> None:
    existing = subject.create_out_of_band(emulator, "CI")

    pair = make_pair({ADOPT_ID: existing})
    adopted = pair.current
    clock.shift(PERIOD)
    pair.up()

    assert adopted == (existing, None)
    assert pair.id == existing
    assert pair.previous == (existing, None)
    assert set(pair.live()) == {existing, pair.current[0]}


# ------------------------------------------------------------------------------------ delete


@EVERY_PAIR
def test_delete_deletes_both_keys_the_previous_first(
    make_pair: MakePair, clock: time_machine.Traveller
) -> None:
    pair = rotated_pair(make_pair, clock)

    pair.lifecycle.delete(pair.id, pair.outputs)

    assert pair.requests() == [pair.delete_path(pair.previous[0]), pair.delete_path(pair.current[0])]
    assert pair.live() == {}


@EVERY_PAIR
def test_delete_of_a_pair_whose_keys_are_already_gone_succeeds(
    make_pair: MakePair, clock: time_machine.Traveller
) -> None:
    pair = rotated_pair(make_pair, clock)
    for key_id in pair.named():
        pair.delete_out_of_band(key_id)

    pair.lifecycle.delete(pair.id, pair.outputs)

    assert pair.live() == {}


# ------------------------------------------------------------------------------------ failures


def fail_the_next_create(pair: Pair) -> None:
    """The API answers the next create with a 500, and creates nothing."""
    pair.emulator.control.set_faults(FaultPlan(script=["server_error"], methods=["POST"]))


@EVERY_PAIR
def test_a_rotation_whose_create_fails_after_retiring_the_previous_says_so_with_the_state_of_the_live_keys(
    make_pair: MakePair, clock: time_machine.Traveller
) -> None:
    pair = rotated_pair(make_pair, clock, settings=NO_RETRIES)
    current, retired = pair.current, pair.previous[0]
    clock.shift(PERIOD)
    fail_the_next_create(pair)

    with pytest.raises(PartialUpdateError) as stopped:
        pair.update()

    state = stopped.value.outputs
    assert (state["current_id"], state["current_value"]) == current
    assert (state["previous_id"], state["previous_value"]) == (None, None)
    assert set(pair.live()) == {current[0]}  # exactly the keys state names
    assert f"the rotation stopped after deleting the previous key {retired}" in str(stopped.value)
    assert f"The current key {current[0]} still works" in str(stopped.value)
    assert "the next `pulumi up` finishes the rotation" in str(stopped.value)


@EVERY_PAIR
def test_an_interrupted_rotation_recorded_as_it_stopped_is_finished_by_the_next_up(
    make_pair: MakePair, clock: time_machine.Traveller
) -> None:
    """The plugin face: the engine records the state the partial failure carries."""
    pair = rotated_pair(make_pair, clock, settings=NO_RETRIES)
    current = pair.current
    clock.shift(PERIOD)
    fail_the_next_create(pair)
    with pytest.raises(PartialUpdateError) as stopped:
        pair.update()
    pair.outputs = stopped.value.outputs
    pair.clear_requests()

    diff = pair.up()

    assert diff.changes
    assert pair.requests() == [pair.create_request]  # the previous was retired already
    assert pair.previous == current
    assert set(pair.live()) == pair.named() == {current[0], pair.current[0]}


@EVERY_PAIR
def test_an_interrupted_rotation_whose_state_still_names_the_retired_key_is_finished_by_the_next_up(
    make_pair: MakePair, clock: time_machine.Traveller
) -> None:
    """The dynamic face: the engine keeps the old state, whose previous key no longer exists."""
    pair = rotated_pair(make_pair, clock, settings=NO_RETRIES)
    current, retired = pair.current, pair.previous[0]
    clock.shift(PERIOD)
    fail_the_next_create(pair)
    with pytest.raises(PartialUpdateError):
        pair.update()

    diff = pair.diff()  # of the old outputs
    pair.clear_requests()
    pair.update()

    assert diff.changes
    # Deleting the key already gone counts as done; then the rotation goes on.
    assert pair.requests() == [pair.delete_path(retired), pair.create_request]
    assert pair.previous == current
    assert set(pair.live()) == pair.named() == {current[0], pair.current[0]}


@EVERY_PAIR
def test_a_refresh_after_an_interrupted_rotation_empties_the_slot_of_the_retired_key(
    make_pair: MakePair, clock: time_machine.Traveller
) -> None:
    pair = rotated_pair(make_pair, clock, settings=NO_RETRIES)
    current = pair.current
    clock.shift(PERIOD)
    fail_the_next_create(pair)
    with pytest.raises(PartialUpdateError):
        pair.update()

    pair.read()  # of the old outputs

    assert pair.previous == (None, None)
    assert pair.current == current


@EVERY_PAIR
def test_a_first_rotation_whose_create_fails_changed_nothing_and_raises_the_apis_error(
    make_pair: MakePair, clock: time_machine.Traveller
) -> None:
    pair = make_pair(settings=NO_RETRIES)
    clock.shift(PERIOD)
    fail_the_next_create(pair)

    with pytest.raises(ApiError) as failed:
        pair.update()

    assert not isinstance(failed.value, PartialUpdateError)  # the state the engine holds is exact
    assert set(pair.live()) == {pair.id}


@EVERY_PAIR
def test_a_lost_create_answer_in_a_rotation_is_reconciled_and_never_deletes_the_current_key(
    make_pair: MakePair,
    subject: ResourceUnderTest,
    emulator: RunningEmulator,
    clock: time_machine.Traveller,
) -> None:
    # The current key has the very name the rotation creates, and is only seconds old: just what a
    # lost create's orphan looks like. It was adopted by another provider process (a ledger of its
    # own), so this one knows it only from the state the engine sends.
    existing, _value = subject.create_with_value(emulator, "CI")
    pair = make_pair({ADOPT_ID: existing, ROTATE_AFTER: 20}, ledger=KeyLedger())
    pair.lifecycle = pair_lifecycle(subject, emulator)  # the next `up`: another process, the process's ledger
    clock.shift(30)
    emulator.control.set_faults(FaultPlan(script=["commit_then_drop"], methods=["POST"]))

    pair.up()

    posts = [r for r in emulator.control.requests() if r.method == "POST"]
    orphan = posts[0].key_id
    assert posts[0].fault == "commit_then_drop"
    assert orphan is not None
    assert pair.previous == (existing, None)
    assert pair.current[0] not in (None, existing, orphan)
    assert pair.delete_path(existing) not in pair.requests()
    assert set(pair.live()) == {existing, pair.current[0]}  # the orphan deleted, the current kept


# ------------------------------------------------------------------------------------ check


@EVERY_PAIR
@pytest.mark.parametrize("period", [0, -1, 1.5, True, "3600"])
def test_a_period_that_is_not_a_positive_whole_number_of_seconds_fails_check_naming_it(
    subject: ResourceUnderTest, emulator: RunningEmulator, period: object
) -> None:
    checked = pair_lifecycle(subject, emulator).check({**subject.inputs("CI"), ROTATE_AFTER: period})

    assert [p.property for p in checked.problems] == [ROTATE_AFTER]


@EVERY_PAIR
def test_a_pair_without_a_period_fails_check_naming_it(
    subject: ResourceUnderTest, emulator: RunningEmulator
) -> None:
    checked = pair_lifecycle(subject, emulator).check(subject.inputs("CI"))

    assert [p.property for p in checked.problems] == [ROTATE_AFTER]


@pytest.mark.parametrize("subject", [s for s in SUBJECTS if s.resource.lifetime_input], ids=pair_id)
def test_a_declared_lifetime_must_cover_two_periods(
    subject: ResourceUnderTest, emulator: RunningEmulator
) -> None:
    lifecycle = pair_lifecycle(subject, emulator)
    lifetime = subject.resource.lifetime_input
    assert lifetime is not None

    short = lifecycle.check({**subject.inputs("CI"), ROTATE_AFTER: 100, lifetime: 199})
    enough = lifecycle.check({**subject.inputs("CI"), ROTATE_AFTER: 100, lifetime: 200})

    assert [p.property for p in short.problems] == [lifetime]
    assert f"{lifetime} (199) must be at least 2 x {ROTATE_AFTER} (200)" in short.problems[0].reason
    assert enough.problems == []


@EVERY_PAIR
def test_triggers_that_are_not_strings_fail_check_naming_them(
    subject: ResourceUnderTest, emulator: RunningEmulator
) -> None:
    checked = pair_lifecycle(subject, emulator).check(
        {**subject.inputs("CI"), ROTATE_AFTER: PERIOD, TRIGGERS: {"deployment": 42}}
    )

    assert [p.property for p in checked.problems] == [TRIGGERS]
    assert f"{TRIGGERS}['deployment'] must be a string" in checked.problems[0].reason


@EVERY_PAIR
def test_a_period_as_the_faces_hand_it_over_a_whole_float_makes_the_pair_due(
    make_pair: MakePair, clock: time_machine.Traveller
) -> None:
    pair = make_pair()
    clock.shift(PERIOD)

    news = {**pair.news(), ROTATE_AFTER: float(PERIOD)}  # numbers cross gRPC as floats

    diff = pair.lifecycle.diff(pair.id, pair.outputs, news)
    pair.outputs = pair.lifecycle.update(pair.id, pair.outputs, news)

    assert diff.updates == [ROTATE_AFTER]
    assert pair.outputs["next_rotation_at"] == START_SECONDS + 2 * PERIOD
