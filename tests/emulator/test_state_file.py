"""Keys survive an emulator restart when it has a state file: one section per backend name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_apikeys.emulator import EmulatorConfig, RunningEmulator
from pulumi_apikeys.emulator.app import build_app
from pulumi_apikeys.errors import ConfigurationError

from .helpers import KEYS, bearer

CAPY_KEYS = "/v1/organizations/org_1/api-keys"


def test_keys_survive_a_restart_and_still_authenticate(emulator_factory, tmp_path: Path) -> None:
    config = EmulatorConfig(port=0, state_file=tmp_path / "emulator-state.json")
    first = emulator_factory(config)
    with httpx.Client(
        base_url=first.endpoint("openai").base_url,
        headers=bearer(first.endpoint("openai").credential),
        trust_env=False,
    ) as api:
        created = api.post(KEYS, json={"name": "survivor"}).json()
    first.stop()

    second = emulator_factory(config)
    with httpx.Client(base_url=second.endpoint("openai").base_url, trust_env=False) as api:
        listed = api.get(KEYS, headers=bearer(created["value"]))

    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["data"]] == [created["id"]]


def test_the_state_file_never_holds_a_key_value(emulator_factory, tmp_path: Path) -> None:
    state_file = tmp_path / "emulator-state.json"
    running = emulator_factory(EmulatorConfig(port=0, state_file=state_file))
    with httpx.Client(
        base_url=running.endpoint("openai").base_url,
        headers=bearer(running.endpoint("openai").credential),
        trust_env=False,
    ) as api:
        values = [api.post(KEYS, json={"name": f"k{index}"}).json()["value"] for index in range(3)]
        api.get(KEYS, headers=bearer(values[0]))  # a use rewrites the file too

    text = state_file.read_text()

    assert all(value not in text for value in values)
    assert running.endpoint("openai").credential not in text


def create_a_key_of_each_kind(running: RunningEmulator) -> dict[str, Any]:
    """Creates an OpenAI key and a capy key named ``c``; returns the OpenAI create response's body."""
    openai, capy = running.endpoint("openai"), running.endpoint("capy")
    with httpx.Client(trust_env=False) as api:
        created: dict[str, Any] = api.post(
            openai.base_url + KEYS, json={"name": "o"}, headers=bearer(openai.credential)
        ).json()
        api.post(
            capy.base_url + CAPY_KEYS, json={"name": "c", "scopes": ["r"]}, headers=bearer(capy.credential)
        )
    return created


def test_the_state_file_holds_one_section_per_backend_name(emulator_factory, tmp_path: Path) -> None:
    state_file = tmp_path / "emulator-state.json"
    created = create_a_key_of_each_kind(emulator_factory(EmulatorConfig(port=0, state_file=state_file)))

    document = json.loads(state_file.read_text())

    assert [key["id"] for key in document["openai"]["keys"]] == [created["id"]]
    assert [stored["key"]["name"] for stored in document["capy"]["keys"]] == ["c"]
    assert not {"version", "next_seq", "keys", "tombstones", "capy_keys"} & document.keys()


def test_a_state_file_in_the_flat_layout_of_before_sections_still_loads(
    emulator_factory, tmp_path: Path
) -> None:
    state_file = tmp_path / "emulator-state.json"
    config = EmulatorConfig(port=0, state_file=state_file)
    first = emulator_factory(config)
    kept = create_a_key_of_each_kind(first)
    first.stop()
    sections = json.loads(state_file.read_text())
    state_file.write_text(json.dumps({**sections["openai"], "capy_keys": sections["capy"]["keys"]}))

    second = emulator_factory(config)
    openai, capy = second.endpoint("openai"), second.endpoint("capy")
    with httpx.Client(trust_env=False) as api:
        openai_keys = api.get(openai.base_url + KEYS, headers=bearer(kept["value"])).json()["data"]
        capy_keys = api.get(capy.base_url + CAPY_KEYS, headers=bearer(capy.credential)).json()["api_keys"]

    assert [key["id"] for key in openai_keys] == [kept["id"]]
    assert [key["name"] for key in capy_keys] == ["c"]
    assert {"openai", "capy"} <= json.loads(state_file.read_text()).keys()  # the use rewrote it in sections


def test_a_section_no_service_reads_is_kept_when_the_file_is_saved(emulator_factory, tmp_path: Path) -> None:
    state_file = tmp_path / "emulator-state.json"
    state_file.write_text(json.dumps({"retired-vendor": {"keys": ["kept as it was"]}}))
    running = emulator_factory(EmulatorConfig(port=0, state_file=state_file))
    openai = running.endpoint("openai")

    httpx.post(openai.base_url + KEYS, json={"name": "o"}, headers=bearer(openai.credential), trust_env=False)

    assert json.loads(state_file.read_text())["retired-vendor"] == {"keys": ["kept as it was"]}


def test_an_unusable_section_is_named_in_the_error(tmp_path: Path) -> None:
    state_file = tmp_path / "emulator-state.json"
    state_file.write_text(json.dumps({"openai": {"next_seq": "soon"}}))

    with pytest.raises(ConfigurationError, match=r"emulator-state\.json is not usable: openai\.next_seq"):
        build_app(EmulatorConfig(state_file=state_file))
