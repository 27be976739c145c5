"""The request log's connection and timing fields: which connection a request came on, and when it ended."""

from __future__ import annotations

import contextlib
import re
from datetime import timedelta

import httpx

from pulumi_apikeys.emulator import FaultPlan, RunningEmulator

from .helpers import KEYS, bearer


def _client(emulator: RunningEmulator) -> httpx.Client:
    endpoint = emulator.endpoint("openai")
    return httpx.Client(
        base_url=endpoint.base_url, headers=bearer(endpoint.credential), trust_env=False, timeout=10
    )


def test_two_requests_on_one_client_share_one_connection(emulator: RunningEmulator) -> None:
    with _client(emulator) as client:
        client.get(KEYS)
        client.post(KEYS, json={"name": "k"})

    first, second = emulator.control.requests()

    assert first.client is not None
    assert re.fullmatch(r"127\.0\.0\.1:\d+", first.client)
    assert second.client == first.client


def test_two_clients_give_two_connections(emulator: RunningEmulator) -> None:
    with _client(emulator) as one, _client(emulator) as other:
        one.get(KEYS)
        other.get(KEYS)

    first, second = emulator.control.requests()

    assert first.client is not None
    assert second.client is not None
    assert first.client != second.client


def test_a_request_is_finished_after_its_added_latency(emulator: RunningEmulator) -> None:
    emulator.control.set_faults(FaultPlan(latency_ms=50))
    with _client(emulator) as client:
        client.get(KEYS)

    (entry,) = emulator.control.requests()

    assert entry.finished is not None
    assert entry.finished - entry.time >= timedelta(milliseconds=50)


def test_a_dropped_request_is_finished_too(emulator: RunningEmulator) -> None:
    emulator.control.set_faults(FaultPlan(script=["drop"]))
    with _client(emulator) as client, contextlib.suppress(httpx.TransportError):
        client.get(KEYS)

    (entry,) = emulator.control.requests()

    assert (entry.status, entry.fault) == (None, "drop")
    assert entry.finished is not None
    assert entry.finished >= entry.time
