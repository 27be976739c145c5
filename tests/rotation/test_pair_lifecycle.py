"""The rotating pair through whole Pulumi lifecycles, on both faces, in real time.

Real programs declare ``Rotating<Key>`` (the dynamic provider, or the plugin through its generated
SDK); the harness runs them as the engine would, against the emulator. Each test asserts what the
engine did (steps), what reached the API (the emulator's request log, replayed to count the live
keys at every instant), what the checkpoint holds and what the stack exports.

Time is real here: a scenario that waits for a rotation polls the clock until the moment the stack
exported (``next_rotation_at``) has passed, with a period of a second. Everything else rotates by a
change of the program, which rotates at once. The rules, with the clock moved, are in
``test_pair_rules.py``.
"""

from __future__ import annotations

import time

import pytest

from pulumi_apikeys.core import rotation
from pulumi_apikeys.emulator import FaultPlan, RunningEmulator
from tests.harness import HarnessStack, UpResult
from tests.rotation.pair_helpers import PairUnderTest, authenticates, every_pair, live_counts, wait_until

EVERY_PAIR = pytest.mark.parametrize("pair", every_pair(), ids=lambda pair: pair.id)
DYNAMIC_PAIRS = pytest.mark.parametrize(
    "pair", [p for p in every_pair() if p.face == "dynamic"], ids=lambda pair: pair.id
)
PLUGIN_PAIRS = pytest.mark.parametrize(
    "pair", [p for p in every_pair() if p.face == "plugin"], ids=lambda pair: pair.id
)


def mutations(emulator: RunningEmulator) -> list[tuple[str, str]]:
    """``(method, path)`` of every create and delete since the last clear (lookups left out)."""
    return [(r.method, r.path) for r in emulator.control.requests() if r.method in ("POST", "DELETE")]


def creates(pair: PairUnderTest) -> tuple[str, str]:
    return ("POST", pair.key.collection_path)


def deletes(pair: PairUnderTest, key_id: str | None) -> tuple[str, str]:
    assert key_id is not None
    return ("DELETE", pair.key.item_path(key_id))


def up_ok(stack: HarnessStack, program: str) -> UpResult:
    return stack.up(program).assert_ok()


@EVERY_PAIR
def test_over_three_periods_previous_is_always_the_last_current_and_one_or_two_keys_live(
    pair: PairUnderTest, pair_stack: HarnessStack, emulator: RunningEmulator
) -> None:
    program = pair.one_pair(period=1)
    result = up_ok(pair_stack, program)
    first = pair.outputs(pair_stack.state())
    assert pair_stack.state().resource("pair").id == first["current_id"]
    assert first.get("previous_id") is None
    assert pair.secret_outputs_are_sealed(pair_stack.state()) == []
    assert result.outputs["current_value"].secret
    seen = [first["current_id"]]

    for _ in range(3):
        last = pair.outputs(pair_stack.state())
        wait_until(result.outputs["next_rotation_at"].value)

        result = pair_stack.up(program)

        assert result.ok, result
        assert result.steps == [("update", pair_stack.urn(pair.token, "pair"))]
        state = pair_stack.state()
        assert state.resource("pair").id == seen[0]  # the pair keeps the id of the key it started with
        now = pair.outputs(state)
        assert (now["previous_id"], now["previous_value"]) == (last["current_id"], last["current_value"])
        assert now["current_id"] not in seen
        seen.append(now["current_id"])
        assert pair.secret_outputs_are_sealed(state) == []
        assert result.outputs["current_value"].secret
        assert result.outputs["previous_value"].secret
        # A consumer that has not picked up the new value yet still gets in.
        assert authenticates(pair.key, emulator, now["previous_value"])

    counts = live_counts(pair.key, emulator.control.requests())
    assert counts == [1, 2, 1, 2, 1, 2]  # the create; a create; then a delete and a create, twice
    assert set(pair.key.live_keys(emulator)) == set(seen[-2:])


@EVERY_PAIR
def test_no_rotation_happens_before_the_period_ends(
    pair: PairUnderTest, pair_stack: HarnessStack, emulator: RunningEmulator
) -> None:
    up_ok(pair_stack, pair.one_pair(period=3600))
    before = pair_stack.state().resource("pair").outputs
    emulator.control.clear_requests()

    result = up_ok(pair_stack, pair.one_pair(period=3600))

    assert result.steps == [("same", pair_stack.urn(pair.token, "pair"))]
    assert emulator.control.requests() == []
    assert pair_stack.state().resource("pair").outputs == before


@EVERY_PAIR
def test_a_name_change_rotates_retiring_the_old_previous_before_creating(
    pair: PairUnderTest, pair_stack: HarnessStack, emulator: RunningEmulator
) -> None:
    up_ok(pair_stack, pair.one_pair("CI"))
    first = pair.outputs(pair_stack.state())
    emulator.control.clear_requests()
    first_rotation = up_ok(pair_stack, pair.one_pair("CI 2"))
    second = pair.outputs(pair_stack.state())
    first_mutations = mutations(emulator)
    emulator.control.clear_requests()

    second_rotation = up_ok(pair_stack, pair.one_pair("CI 3"))

    urn = pair_stack.urn(pair.token, "pair")
    assert first_rotation.steps == second_rotation.steps == [("update", urn)]  # never a replacement
    assert first_mutations == [creates(pair)]  # nothing to retire yet
    assert mutations(emulator) == [deletes(pair, first["current_id"]), creates(pair)]
    third = pair.outputs(pair_stack.state())
    assert (third["previous_id"], third["previous_value"]) == (second["current_id"], second["current_value"])
    assert pair.key.live_keys(emulator) == {third["current_id"]: "CI 3", second["current_id"]: "CI 2"}
    assert authenticates(pair.key, emulator, third["current_value"])
    assert authenticates(pair.key, emulator, third["previous_value"])


@EVERY_PAIR
def test_a_preview_names_the_key_the_rotation_retires_and_its_last_use_and_changes_nothing(
    pair: PairUnderTest, pair_stack: HarnessStack, emulator: RunningEmulator
) -> None:
    up_ok(pair_stack, pair.one_pair("CI"))
    up_ok(pair_stack, pair.one_pair("CI 2"))
    current, previous = pair.slots(pair_stack.state())
    before_use = int(time.time())
    assert authenticates(pair.key, emulator, pair.outputs(pair_stack.state())["previous_value"])
    after_use = int(time.time())
    state_before = pair_stack.state().raw
    emulator.control.clear_requests()

    result = pair_stack.preview(pair.one_pair("CI 3"))

    assert result.ok, result
    assert result.ops("pair") == ["update"]
    told = pair.provider_output(result)
    assert any(
        f"It retires the previous key {previous} (last used {rotation.shown_time(t)}), creates a new "
        f"current key, and keeps {current} as the previous key." in told
        for t in range(before_use, after_use + 1)
    ), told
    assert mutations(emulator) == []
    assert pair_stack.state().raw == state_before


@EVERY_PAIR
def test_a_refresh_after_the_current_key_is_deleted_out_of_band_empties_its_slot_and_up_refills_it(
    pair: PairUnderTest, pair_stack: HarnessStack, emulator: RunningEmulator
) -> None:
    up_ok(pair_stack, pair.one_pair("CI"))
    up_ok(pair_stack, pair.one_pair("CI 2"))
    gone, previous = pair.slots(pair_stack.state())
    assert gone is not None
    pair.key.delete_out_of_band(emulator, gone)

    refreshed = pair_stack.refresh()
    after_refresh = pair.slots(pair_stack.state())
    emulator.control.clear_requests()
    refilled = pair_stack.up(pair.one_pair("CI 2"))

    assert refreshed.ok, refreshed
    assert after_refresh == (None, previous)
    assert refilled.ok, refilled
    assert refilled.steps == [("update", pair_stack.urn(pair.token, "pair"))]
    assert mutations(emulator) == [creates(pair)]  # the previous key is left alone
    current, kept = pair.slots(pair_stack.state())
    assert kept == previous
    assert current not in (None, gone, previous)
    assert set(pair.key.live_keys(emulator)) == {current, previous}


@EVERY_PAIR
def test_import_adopts_an_existing_key_as_current_without_creating_one(
    pair: PairUnderTest, pair_stack: HarnessStack, emulator: RunningEmulator
) -> None:
    existing = pair.key.create_out_of_band(emulator, "Legacy")
    emulator.control.clear_requests()
    adopt = f", opts=pulumi.ResourceOptions(import_={pair.import_id(existing)!r})"

    adopted = pair_stack.up(pair.one_pair("Legacy", extra=adopt))
    adoption_mutations = mutations(emulator)
    state = pair_stack.state()
    emulator.control.clear_requests()
    later = pair_stack.up(pair.one_pair("Legacy"))

    assert adopted.ok, adopted
    urn = pair_stack.urn(pair.token, "pair")
    # The dynamic resource turns import_ into an input (a create that adopts); the engine imports a
    # plugin's resource itself.
    assert adopted.ops("pair")[0] == ("create" if pair.face == "dynamic" else "import")
    assert adoption_mutations == []
    assert state.resource("pair").id == existing
    outputs = pair.outputs(state)
    assert outputs["current_id"] == existing
    assert outputs.get("current_value") is None  # the API shows a value only when it creates the key
    assert outputs.get("previous_id") is None
    assert later.ok, later
    assert later.steps == [("same", urn)]
    assert mutations(emulator) == []
    assert pair.key.live_keys(emulator) == {existing: "Legacy"}


@PLUGIN_PAIRS
def test_pulumi_import_adopts_an_existing_key_as_current_and_the_program_then_takes_it_over(
    pair: PairUnderTest, pair_stack: HarnessStack, emulator: RunningEmulator
) -> None:
    existing = pair.key.create_out_of_band(emulator, "Legacy")
    emulator.control.clear_requests()

    imported = pair_stack.import_(pair.token, "pair", pair.import_id(existing), protect=False)
    state = pair_stack.state()
    taken_over = pair_stack.up(pair.one_pair("Legacy", period=3600))

    assert imported.ok, imported
    assert imported.steps == [("import", pair_stack.urn(pair.token, "pair"))]
    assert state.resource("pair").id == existing
    assert pair.slots(state) == (existing, None)
    assert taken_over.ok, taken_over
    outputs = pair.outputs(pair_stack.state())
    assert outputs["current_id"] == existing
    assert outputs["next_rotation_at"] == outputs["rotated_at"] + 3600  # the declared period, recorded
    assert mutations(emulator) == []
    assert pair.key.live_keys(emulator) == {existing: "Legacy"}


def interrupted_rotation(
    pair: PairUnderTest, stack: HarnessStack, emulator: RunningEmulator
) -> tuple[UpResult, str, str]:
    """A pair rotated once (``CI`` then ``CI 2``), then renamed ``CI 3`` while the API fails every
    create once, with no retries: the rotation retires the previous key, then stops. Returns the
    failed ``up``, the retired key's id and the current one's."""
    stack.set_config("apikeys:maxRetries", "0")
    up_ok(stack, pair.one_pair("CI"))
    up_ok(stack, pair.one_pair("CI 2"))
    current, retired = pair.slots(stack.state())
    assert current is not None
    assert retired is not None
    emulator.control.set_faults(FaultPlan(script=["server_error"], methods=["POST"]))
    failed = stack.up(pair.one_pair("CI 3"))
    emulator.control.clear_faults()
    return failed, retired, current


@EVERY_PAIR
def test_a_rotation_interrupted_after_retiring_the_previous_is_finished_by_the_next_up(
    pair: PairUnderTest, pair_stack: HarnessStack, emulator: RunningEmulator
) -> None:
    failed, retired, current = interrupted_rotation(pair, pair_stack, emulator)
    live_after_failure = set(pair.key.live_keys(emulator))
    state_after_failure = pair.slots(pair_stack.state())

    finished = pair_stack.up(pair.one_pair("CI 3"))

    assert not failed.ok
    assert f"the rotation stopped after deleting the previous key {retired}" in failed.error_text
    assert "the next `pulumi up` finishes the rotation" in failed.error_text
    assert live_after_failure == {current}  # the current key kept working throughout
    if pair.face == "plugin":
        # A partial failure: the engine records the state as the rotation left it, exactly the keys
        # that exist.
        assert state_after_failure == (current, None)
    else:
        # The SDK's dynamic provider has no partial failure: state keeps the old outputs, whose
        # previous key no longer exists.
        assert state_after_failure == (current, retired)
    assert finished.ok, finished
    new, previous = pair.slots(pair_stack.state())
    assert previous == current
    assert new not in (None, current, retired)
    assert pair.key.live_keys(emulator) == {new: "CI 3", current: "CI 2"}
    counts = live_counts(pair.key, emulator.control.requests())
    assert counts[0] == 1
    assert all(1 <= count <= 2 for count in counts), counts


@DYNAMIC_PAIRS
def test_a_refresh_after_an_interrupted_rotation_empties_the_slot_of_the_retired_key(
    pair: PairUnderTest, pair_stack: HarnessStack, emulator: RunningEmulator
) -> None:
    failed, _retired, current = interrupted_rotation(pair, pair_stack, emulator)

    refreshed = pair_stack.refresh()
    after_refresh = pair.slots(pair_stack.state())
    finished = pair_stack.up(pair.one_pair("CI 3"))

    assert not failed.ok
    assert refreshed.ok, refreshed
    assert after_refresh == (current, None)
    assert finished.ok, finished
    new, previous = pair.slots(pair_stack.state())
    assert previous == current
    assert pair.key.live_keys(emulator) == {new: "CI 3", current: "CI 2"}


def bad_inputs(pair: PairUnderTest) -> dict[str, tuple[str, str, str, str]]:
    """Each bad declaration: ``(period source, extra arguments, property named, reason)``, the
    property and the reason spelled as the face spells them."""
    period, triggers = pair.shown(rotation.ROTATE_AFTER), pair.shown(rotation.ROTATION_TRIGGERS)
    cases = {
        "zero period": ("0", "", period, f"{period} must be from 1 to 3153600000 seconds, not 0"),
        "negative period": ("-60", "", period, f"{period} must be from 1 to 3153600000 seconds, not -60"),
        "trigger not a string": (
            "3600",
            ', rotation_triggers={"deployment": 42}',
            triggers,
            f"{triggers}['deployment'] must be a string, not a number",
        ),
    }
    lifetime_input = pair.key.resource.lifetime_input
    if lifetime_input is not None:
        lifetime = pair.shown(lifetime_input)
        cases["lifetime under two periods"] = (
            "100",
            f", {lifetime_input}=199",
            lifetime,
            f"{lifetime} (199) must be at least 2 x {period} (200)",
        )
    return cases


BAD_INPUT = [
    pytest.param(pair, *case, id=f"{pair.id}-{name}")
    for pair in every_pair()
    for name, case in bad_inputs(pair).items()
]


@pytest.mark.parametrize(("pair", "period", "extra", "prop", "reason"), BAD_INPUT)
def test_bad_input_fails_check_naming_the_property_and_creates_nothing(
    pair: PairUnderTest,
    pair_stack: HarnessStack,
    emulator: RunningEmulator,
    period: str,
    extra: str,
    prop: str,
    reason: str,
) -> None:
    program = pair.program(pair.declare("pair", "'CI'", period, extra) + "\n")

    result = pair_stack.up(program)

    assert not result.ok
    assert f"{pair.token} resource 'pair': property {prop} value " in result.error_text
    assert reason in result.error_text
    assert emulator.control.requests() == []
    assert pair_stack.state().managed == []
