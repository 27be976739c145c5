"""The capy emulator's key lifetime (option ``key_lifetime_seconds``): an organization policy under
which every key created expires that long after its creation, and stops authenticating then.

The clock is moved with time-machine, which the in-process emulator shares: a key is an hour old
in an instant, and nothing waits on the real clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
import time_machine
from click.testing import CliRunner
from pydantic import ValidationError

from pulumi_apikeys.capy.emulator_service import SERVICE
from pulumi_apikeys.capy.models import ApiKey, ApiKeyCreated, ApiKeyList, CapyErrorBody
from pulumi_apikeys.cli import main
from pulumi_apikeys.emulator import EmulatorConfig, RunningEmulator
from pulumi_apikeys.emulator import command as emulator_cli
from tests.emulator.helpers import bearer

ORG = "org_1"
KEYS_PATH = f"/v1/organizations/{ORG}/api-keys"
LIFETIME = 3600
START = datetime(2026, 12, 2, 5, 0, 0, tzinfo=timezone.utc)

StartEmulator = Callable[[EmulatorConfig], RunningEmulator]


def with_lifetime(start: StartEmulator, seconds: int | None, **config: Any) -> RunningEmulator:
    """An emulator whose capy organizations give every key ``seconds`` of life (``None``: forever)."""
    capy = {} if seconds is None else {"key_lifetime_seconds": seconds}
    return start(EmulatorConfig(port=0, services={"capy": capy}, **config))


def client_of(running: RunningEmulator, credential: str | None = None) -> httpx.Client:
    """A client of the capy API, presenting ``credential`` (the configured key unless given)."""
    return httpx.Client(
        base_url=running.endpoint("capy").base_url,
        headers=bearer(credential or running.endpoint("capy").credential),
        trust_env=False,
        timeout=10,
    )


def create_key(running: RunningEmulator, name: str = "ci") -> ApiKeyCreated:
    with client_of(running) as capy:
        response = capy.post(KEYS_PATH, json={"name": name, "scopes": ["read"]})
    assert response.status_code == 200, response.text
    return ApiKeyCreated.model_validate(response.json())


def list_with(running: RunningEmulator, credential: str) -> httpx.Response:
    with client_of(running, credential) as capy:
        return capy.get(KEYS_PATH)


def listed(running: RunningEmulator) -> list[ApiKey]:
    with client_of(running) as capy:
        return ApiKeyList.model_validate(capy.get(KEYS_PATH).json()).api_keys


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    """The process's clock, stopped at ``START`` (the in-process emulator reads it too)."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_under_a_lifetime_a_key_expires_that_long_after_its_creation(
    emulator_factory: StartEmulator, clock: time_machine.Traveller
) -> None:
    running = with_lifetime(emulator_factory, LIFETIME)

    created = create_key(running).api_key

    assert created.created_at == START
    assert created.expires_at == START + timedelta(seconds=LIFETIME)
    [shown] = listed(running)
    assert shown.expires_at == created.expires_at


def test_without_a_lifetime_a_key_never_expires(
    emulator_factory: StartEmulator, clock: time_machine.Traveller
) -> None:
    running = with_lifetime(emulator_factory, None)
    created = create_key(running)
    clock.shift(timedelta(days=3650))

    assert created.api_key.expires_at is None
    assert list_with(running, created.plaintext_api_key.get_secret_value()).status_code == 200


def test_a_key_authenticates_until_its_last_second(
    emulator_factory: StartEmulator, clock: time_machine.Traveller
) -> None:
    running = with_lifetime(emulator_factory, LIFETIME)
    secret = create_key(running).plaintext_api_key.get_secret_value()
    clock.shift(LIFETIME - 1)

    response = list_with(running, secret)

    assert response.status_code == 200
    [key] = ApiKeyList.model_validate(response.json()).api_keys
    assert key.last_used_at == START + timedelta(seconds=LIFETIME - 1)


def test_an_expired_key_is_a_401_saying_so_without_echoing_it(
    emulator_factory: StartEmulator, clock: time_machine.Traveller
) -> None:
    running = with_lifetime(emulator_factory, LIFETIME)
    secret = create_key(running).plaintext_api_key.get_secret_value()
    clock.shift(LIFETIME)

    response = list_with(running, secret)

    assert response.status_code == 401
    assert CapyErrorBody.model_validate(response.json()).error == "This API key has expired."
    assert secret not in response.text
    assert listed(running)[0].last_used_at is None  # a refused key was not used


def test_an_expired_key_stays_listed_as_it_was_and_can_still_be_revoked(
    emulator_factory: StartEmulator, clock: time_machine.Traveller
) -> None:
    running = with_lifetime(emulator_factory, LIFETIME)
    created = create_key(running).api_key
    clock.shift(LIFETIME + 60)

    [still_listed] = listed(running)
    with client_of(running) as capy:
        revoked = capy.delete(f"{KEYS_PATH}/{created.id}")

    assert still_listed == created  # only a revocation makes a key inactive
    assert (revoked.status_code, revoked.json()) == (200, {"revoked": True})
    assert listed(running)[0].is_gone


def test_the_configured_key_never_expires(
    emulator_factory: StartEmulator, clock: time_machine.Traveller
) -> None:
    running = with_lifetime(emulator_factory, 1)
    clock.shift(timedelta(days=365))

    assert list_with(running, running.endpoint("capy").credential).status_code == 200


def test_a_key_keeps_its_expiry_across_a_restart(
    emulator_factory: StartEmulator, clock: time_machine.Traveller, tmp_path: Path
) -> None:
    state_file = tmp_path / "emulator-state.json"
    first = with_lifetime(emulator_factory, LIFETIME, state_file=state_file)
    created = create_key(first)
    first.stop()

    # A restart without the policy: the key keeps the expiry it was created with.
    second = with_lifetime(emulator_factory, None, state_file=state_file)
    clock.shift(LIFETIME)

    assert [key.expires_at for key in listed(second)] == [created.api_key.expires_at]
    assert list_with(second, created.plaintext_api_key.get_secret_value()).status_code == 401


@pytest.mark.parametrize("seconds", [0, -1])
def test_a_lifetime_that_is_not_positive_is_refused(emulator_factory: StartEmulator, seconds: int) -> None:
    refusal = r"key_lifetime_seconds\n  Input should be greater than or equal to 1"
    with pytest.raises(ValidationError, match=refusal):
        with_lifetime(emulator_factory, seconds)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[EmulatorConfig]:
    """The configs the emulator command would have served (``run_forever`` replaced), in order."""
    configs: list[EmulatorConfig] = []
    monkeypatch.setattr(emulator_cli, "run_forever", lambda config, on_ready: configs.append(config))
    return configs


def test_the_lifetime_has_a_flag_named_for_capy(served: list[EmulatorConfig]) -> None:
    result = CliRunner().invoke(main, ["emulator", "--capy-key-lifetime-seconds", "90"])

    assert result.exit_code == 0, result.output
    [config] = served
    assert SERVICE.validate_options(config.services["capy"]).key_lifetime_seconds == 90


@pytest.mark.parametrize(("value", "problem"), [("0", "greater than or equal to 1"), ("soon", "integer")])
def test_a_lifetime_flag_the_service_refuses_is_a_usage_error_naming_it(
    served: list[EmulatorConfig], value: str, problem: str
) -> None:
    result = CliRunner().invoke(main, ["emulator", "--capy-key-lifetime-seconds", value])

    assert result.exit_code == 2
    assert "--capy-key-lifetime-seconds" in result.output
    assert problem in result.output
    assert served == []
