"""A client of the emulator's control API, for tests and scripts (plain httpx, no retries)."""

from __future__ import annotations

from typing import Any

import httpx

from pulumi_apikeys.emulator.control_models import RECORDED_REQUESTS, EmulatorHealth
from pulumi_apikeys.emulator.faults import FaultPlan
from pulumi_apikeys.emulator.request_log import RecordedRequest

__all__ = ["EmulatorControl"]


class EmulatorControl:
    """Drives one emulator through ``/_emulator/``.

    Example::

        control = EmulatorControl("http://127.0.0.1:8787")
        control.set_faults(FaultPlan(script=["rate_limit"]))
    """

    def __init__(self, root_url: str, *, timeout: float = 10.0) -> None:
        self.root_url = root_url.rstrip("/")
        self.timeout = timeout

    def set_faults(self, plan: FaultPlan) -> FaultPlan:
        """Replace the fault plan; returns the plan now in force."""
        response = self._call("PUT", "/faults", json=plan.model_dump(mode="json"))
        return FaultPlan.model_validate(response.json())

    def faults(self) -> FaultPlan:
        """The plan in force, its script holding only the faults still to come."""
        return FaultPlan.model_validate(self._call("GET", "/faults").json())

    def clear_faults(self) -> None:
        """No more faults and no latency."""
        self.set_faults(FaultPlan())

    def requests(self) -> list[RecordedRequest]:
        """The API requests the emulator has seen since the last clear or reset, oldest first."""
        return RECORDED_REQUESTS.validate_python(self._call("GET", "/requests").json())

    def clear_requests(self) -> None:
        """Empty the request log."""
        self._call("DELETE", "/requests")

    def reset(self) -> None:
        """Drop every key, fault and log entry."""
        self._call("POST", "/reset")

    def health(self) -> EmulatorHealth:
        """Liveness, with counts of each service's keys, logged requests and injected faults."""
        return EmulatorHealth.model_validate(self._call("GET", "/health").json())

    def _call(self, method: str, path: str, *, json: Any = None) -> httpx.Response:
        # trust_env=False: a proxy configured in the environment must not sit between us and loopback.
        with httpx.Client(timeout=self.timeout, trust_env=False) as client:
            response = client.request(method, f"{self.root_url}/_emulator{path}", json=json)
        response.raise_for_status()
        return response
