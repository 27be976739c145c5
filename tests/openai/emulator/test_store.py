"""The key store on its own: what it keeps, what it forgets, and its state file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pulumi_apikeys.emulator.key_hash import value_sha256
from pulumi_apikeys.emulator.state_file import StateFile, StateSection
from pulumi_apikeys.errors import ConfigurationError, UnknownCursorError
from pulumi_apikeys.openai.emulator_service import OpenAIEmulatorOptions
from pulumi_apikeys.openai.emulator_store import KeyStore

OWNER = OpenAIEmulatorOptions().owner()


def section_of(path: Path) -> StateSection:
    """The store's section of the state file at ``path``, as the emulator hands it over."""
    return StateFile(path).section("openai")


class FakeClock:
    def __init__(self, now: float = 1_750_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_created_key_keeps_the_hash_of_its_value_not_the_value() -> None:
    store = KeyStore(OWNER)

    key, value = store.create("k")

    assert key.value_sha256 == value_sha256(value)
    assert value not in key.model_dump_json()


def test_key_values_are_random_and_prefixed() -> None:
    store = KeyStore(OWNER)

    values = {store.create("k")[1] for _ in range(3)}

    assert len(values) == 3
    assert all(value.startswith("sk-admin-") for value in values)


def test_a_key_past_its_lifetime_no_longer_authenticates() -> None:
    clock = FakeClock()
    store = KeyStore(OWNER, clock=clock)
    _, value = store.create("k", expires_in_seconds=60)

    clock.now += 60

    assert store.authenticate(value) is None


def test_a_key_within_its_lifetime_authenticates_and_is_marked_used() -> None:
    clock = FakeClock()
    store = KeyStore(OWNER, clock=clock)
    key, value = store.create("k", expires_in_seconds=60)

    clock.now += 59
    used = store.authenticate(value)

    assert used is not None
    assert used.id == key.id
    assert used.last_used_at == int(clock.now)


def test_marking_a_key_used_keeps_its_place_in_the_order() -> None:
    store = KeyStore(OWNER)
    first, first_value = store.create("first")
    second, _ = store.create("second")

    store.authenticate(first_value)

    assert [key.id for key in store.page(after=None, limit=10, order="asc").keys] == [first.id, second.id]


def test_paging_after_an_id_never_held_raises() -> None:
    with pytest.raises(UnknownCursorError):
        KeyStore(OWNER).page(after="key_nope", limit=10, order="asc")


def test_reset_forgets_keys_and_tombstones() -> None:
    store = KeyStore(OWNER)
    key, _ = store.create("k")
    store.delete(key.id)

    store.reset()

    assert len(store) == 0
    with pytest.raises(UnknownCursorError):
        store.page(after=key.id, limit=10, order="asc")


def test_the_state_file_round_trips_keys_and_tombstones(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    store = KeyStore(OWNER, section_of(state_file))
    kept, value = store.create("kept")
    deleted, _ = store.create("deleted")
    last, _ = store.create("last")
    store.delete(deleted.id)

    reloaded = KeyStore(OWNER, section_of(state_file))

    assert reloaded.get(kept.id) == kept
    assert reloaded.authenticate(value) is not None
    assert [key.id for key in reloaded.page(after=deleted.id, limit=10, order="asc").keys] == [last.id]


def test_keys_created_after_a_reload_sort_after_the_loaded_ones(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    old, _ = KeyStore(OWNER, section_of(state_file)).create("old")

    new, _ = KeyStore(OWNER, section_of(state_file)).create("new")

    assert new.seq > old.seq


def test_the_state_file_holds_no_key_value(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    store = KeyStore(OWNER, section_of(state_file))
    _, value = store.create("k")
    store.authenticate(value)

    text = state_file.read_text()

    assert value not in text
    assert value[len("sk-admin-") :] not in text
    json.loads(text)  # and it is plain JSON


def test_saving_leaves_no_temporary_file_behind(tmp_path: Path) -> None:
    store = KeyStore(OWNER, section_of(tmp_path / "state.json"))

    store.create("k")
    store.create("k2")

    assert [path.name for path in tmp_path.iterdir()] == ["state.json"]


def test_a_missing_state_file_directory_is_created(tmp_path: Path) -> None:
    state_file = tmp_path / "nested" / "dir" / "state.json"

    KeyStore(OWNER, section_of(state_file)).create("k")

    assert state_file.exists()


def test_an_unreadable_state_file_is_a_configuration_error(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    state_file.write_text("{not json")

    with pytest.raises(ConfigurationError, match=r"state\.json"):
        KeyStore(OWNER, section_of(state_file))
