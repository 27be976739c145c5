"""Starting and stopping emulators served over real sockets."""

from __future__ import annotations

import re
import threading
import time

import httpx
import pytest

from pulumi_apikeys.emulator import EmulatorConfig, FaultPlan, start_emulator

from .helpers import KEYS, bearer


def test_port_zero_binds_a_free_port_and_reports_it(emulator_factory) -> None:
    running = emulator_factory(EmulatorConfig(port=0))

    assert running.port > 0
    assert re.fullmatch(rf"http://127\.0\.0\.1:{running.port}/v1", running.endpoint("openai").base_url)
    assert running.root_url == f"http://127.0.0.1:{running.port}"


def test_a_port_in_use_fails_to_start(emulator_factory) -> None:
    running = emulator_factory(EmulatorConfig(port=0))

    with pytest.raises(OSError, match="in use"):
        start_emulator(EmulatorConfig(port=running.port))


def test_stop_stops_serving_and_is_idempotent(emulator_factory) -> None:
    running = emulator_factory(EmulatorConfig(port=0))

    running.stop()
    running.stop()

    assert not running.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(running.endpoint("openai").base_url + KEYS, trust_env=False)


def test_the_context_manager_stops_the_emulator() -> None:
    with start_emulator(EmulatorConfig(port=0)) as running:
        assert running.running

    assert not running.running


def test_stop_lets_go_of_a_hanging_request_without_answering_it(emulator_factory) -> None:
    running = emulator_factory(EmulatorConfig(port=0, faults=FaultPlan(script=["commit_then_hang"])))
    outcome: list[BaseException | httpx.Response] = []

    def create() -> None:
        try:
            outcome.append(
                httpx.post(
                    running.endpoint("openai").base_url + KEYS,
                    json={"name": "k"},
                    headers=bearer(running.endpoint("openai").credential),
                    timeout=60,
                    trust_env=False,
                )
            )
        except httpx.HTTPError as exc:
            outcome.append(exc)

    client = threading.Thread(target=create)
    client.start()
    while not running.app.emulator.log.records() or running.app.emulator.log.records()[0].key_id is None:
        time.sleep(0.01)  # until the create has committed and the hang begun

    running.stop()
    client.join()

    assert isinstance(outcome[0], (httpx.RemoteProtocolError, httpx.ReadError))
