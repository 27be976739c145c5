"""Keys survive an emulator restart when it has a state file."""

from __future__ import annotations

from pathlib import Path

import httpx

from pulumi_apikeys.emulator import EmulatorConfig

from .helpers import KEYS, bearer


def test_keys_survive_a_restart_and_still_authenticate(emulator_factory, tmp_path: Path) -> None:
    config = EmulatorConfig(port=0, state_file=tmp_path / "emulator-state.json")
    first = emulator_factory(config)
    with httpx.Client(base_url=first.base_url, headers=bearer(first.admin_key), trust_env=False) as api:
        created = api.post(KEYS, json={"name": "survivor"}).json()
    first.stop()

    second = emulator_factory(config)
    with httpx.Client(base_url=second.base_url, trust_env=False) as api:
        listed = api.get(KEYS, headers=bearer(created["value"]))

    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["data"]] == [created["id"]]


def test_the_state_file_never_holds_a_key_value(emulator_factory, tmp_path: Path) -> None:
    state_file = tmp_path / "emulator-state.json"
    running = emulator_factory(EmulatorConfig(port=0, state_file=state_file))
    with httpx.Client(base_url=running.base_url, headers=bearer(running.admin_key), trust_env=False) as api:
        values = [api.post(KEYS, json={"name": f"k{index}"}).json()["value"] for index in range(3)]
        api.get(KEYS, headers=bearer(values[0]))  # a use rewrites the file too

    text = state_file.read_text()

    assert all(value not in text for value in values)
    assert running.admin_key not in text
