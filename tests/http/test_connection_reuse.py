"""The process's one HTTP client keeps every connection it opens: a second wave reuses the first's."""

from __future__ import annotations

import threading

import pytest

from pulumi_apikeys import _http
from pulumi_apikeys._http import shared_http_client
from pulumi_apikeys.emulator import FaultPlan, RunningEmulator

IN_FLIGHT = 32
"""The shared client's connection limit: the most calls the plugin's threads can have in flight."""


def test_two_waves_of_as_many_calls_as_the_pool_allows_use_no_more_connections_than_one(
    emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(_http, "_shared", None)  # a fresh pool, whatever this process sent before
    client = shared_http_client()
    endpoint = emulator.endpoint("openai")
    # Each GET is held until all of a wave are held at once: the wave really is in flight together.
    emulator.control.set_faults(FaultPlan(gather=IN_FLIGHT, methods=["GET"]))
    between_waves = threading.Barrier(IN_FLIGHT, timeout=30)
    statuses: list[int] = []

    def two_calls() -> None:
        for _ in range(2):
            response = client.get(
                f"{endpoint.base_url}/organization/admin_api_keys",
                headers={"authorization": f"Bearer {endpoint.credential}"},
                timeout=30,
            )
            statuses.append(response.status_code)
            between_waves.wait()

    workers = [threading.Thread(target=two_calls) for _ in range(IN_FLIGHT)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    client.close()

    assert statuses == [200] * (2 * IN_FLIGHT)
    connections = {request.client for request in emulator.control.requests()}
    assert len(connections) == IN_FLIGHT
