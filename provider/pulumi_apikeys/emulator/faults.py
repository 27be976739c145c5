"""What can go wrong, and the decision of when it does.

A ``FaultPlan`` says which faults to inject (a script consumed in order, then per-request
probabilities) and which rate limit to enforce (a ``RateLimit`` token bucket per API and
credential); a ``FaultInjector`` holds the live plan, draws a fault for each API request and keeps
the buckets.
Applying a fault to the wire is the job of ``fault_layer``; this module knows nothing about ASGI.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "COMMIT_FAULTS",
    "FAULT_KINDS",
    "RESPONSE_FAULTS",
    "FaultInjector",
    "FaultKind",
    "FaultPlan",
    "RateLimit",
    "Throttle",
]

FaultKind = Literal[
    "rate_limit",
    "server_error",
    "bad_gateway",
    "unavailable",
    "drop",
    "commit_then_drop",
    "commit_then_hang",
    "not_json",
    "missing_fields",
    "wrong_types",
    "huge_body",
    "truncated_body",
]
"""The faults the emulator can inject.

- ``rate_limit``: 429 in the vendor's error format, with ``retry-after`` header(s).
- ``server_error``: 500; ``bad_gateway``: 502 with an HTML body, as a proxy sends it; ``unavailable``: 503.
- ``drop``: the connection is closed without a response and the request is not processed.
- ``commit_then_drop``: a create is processed (the key exists), then the connection is closed.
- ``commit_then_hang``: a create is processed, then no answer comes (the client's timeout fires).

Response faults: the request is processed (a create commits), then its 2xx answer is replaced or
damaged, whatever the vendor and method. An error answer passes through unchanged (see
``FaultInjector.draw``). The exact rules are in ``fault_layer``.

- ``not_json``: the answer's status with ``content-type: application/json`` and a body that is not JSON.
- ``missing_fields``: the real JSON with every ``id`` key and the first key of every object removed.
- ``wrong_types``: the real JSON with every string made a number and every number a string.
- ``huge_body``: a JSON body larger than the client's cap (``pulumi_apikeys._http.MAX_RESPONSE_BYTES``).
- ``truncated_body``: the real ``content-length``, half the body, then the connection is closed.
"""

FAULT_KINDS: tuple[FaultKind, ...] = get_args(FaultKind)
"""Every fault kind, in declaration order (the order rates are rolled in)."""

COMMIT_FAULTS: frozenset[FaultKind] = frozenset({"commit_then_drop", "commit_then_hang"})
"""Faults that only mean something for a create; drawn for any other request they are no-ops."""

RESPONSE_FAULTS: frozenset[FaultKind] = frozenset(
    {"not_json", "missing_fields", "wrong_types", "huge_body", "truncated_body"}
)
"""Faults that damage a 2xx answer after the request was processed; counted only once applied."""

# A create is recognised by its method alone (the only POST the Admin API keys API has), which
# keeps this module free of any one vendor's paths.
_CREATE_METHOD = "POST"


class RateLimit(BaseModel):
    """A token bucket per API and credential, as the real Admin API enforces one.

    The bucket holds ``burst`` tokens and refills continuously, the whole of it over
    ``window_seconds``; each API request takes a token, and a request that finds none is refused
    with 429 in the vendor's error format (and does not take one). The first backend's real API,
    measured by a peer: ``RateLimit(burst=7, window_seconds=60)``, with no retry header. Example,
    the same scaled down::

        FaultPlan(rate_limit=RateLimit(burst=7, window_seconds=6))
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    burst: int = Field(ge=1)
    """Requests the bucket lets through at once when full."""
    window_seconds: float = Field(gt=0)
    """Seconds in which an empty bucket refills completely (``burst`` tokens)."""
    retry_after: bool = False
    """Send ``retry-after`` (whole seconds until a token is back, rounded up) on the 429; the real
    API sends none."""

    @property
    def refill_per_second(self) -> float:
        """Tokens the bucket gains a second."""
        return self.burst / self.window_seconds

    def minimum_seconds(self, requests: int) -> float:
        """The least time ``requests`` requests take from a full bucket: ``(n - burst) x window / burst``."""
        return max(0, requests - self.burst) / self.refill_per_second


@dataclass(frozen=True)
class Throttle:
    """A request refused by the rate limit, and the wait until the bucket has a token again."""

    wait_seconds: float

    def headers(self, limit: RateLimit) -> dict[str, str]:
        """The headers the 429 carries: none, as the real API sends, unless the limit asks for one."""
        return {"retry-after": str(max(1, math.ceil(self.wait_seconds)))} if limit.retry_after else {}


class _Bucket:
    def __init__(self, limit: RateLimit, now: float) -> None:
        self.tokens = float(limit.burst)
        self.updated = now

    def take(self, limit: RateLimit, now: float) -> Throttle | None:
        self.tokens = min(float(limit.burst), self.tokens + (now - self.updated) * limit.refill_per_second)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return None
        return Throttle((1.0 - self.tokens) / limit.refill_per_second)


class FaultPlan(BaseModel):
    """Which faults to inject, and how.

    Example: fail the next create with a 429, then drop one request in ten::

        FaultPlan(script=["rate_limit"], rates={"drop": 0.1}, methods=["POST"], seed=7)
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    latency_ms: int = Field(default=0, ge=0)
    """Delay added before every API request (never before control requests)."""
    rates: dict[FaultKind, float] = Field(default_factory=dict)
    """Probability per matching API request of each fault; each in 0..1, together at most 1."""
    script: list[FaultKind] = Field(default_factory=list)
    """Faults injected in order, one per matching API request, before any rate is rolled."""
    methods: list[str] | None = None
    """Only requests with these HTTP methods are subject to ``rates`` and ``script``; ``None``: all."""
    retry_after_seconds: float | None = Field(default=1.0, ge=0)
    """Sent as ``retry-after`` on a 429 (as an integer when whole); ``None`` sends no header."""
    retry_after_ms: int | None = Field(default=None, ge=0)
    """Sent as ``retry-after-ms`` on a 429; ``None`` sends no header."""
    hang_seconds: float = Field(default=30.0, ge=0)
    """How long ``commit_then_hang`` withholds the answer (it ends early if the client gives up)."""
    seed: int | None = None
    """Seed of the random generator that rolls ``rates``, for reproducible runs."""
    rate_limit: RateLimit | None = None
    """The token bucket every API request must pass, per API and credential; ``None``: no limit.
    A new plan starts with full buckets."""
    first_attempts_only: bool = False
    """Fault only the first of identical requests (same method, path, query and body): a client's
    retry of a request goes through. With ``rates={"commit_then_drop": 1.0}`` every create's first
    attempt commits and loses its answer, and every retry succeeds."""
    max_faults_per_request: int | None = Field(default=None, ge=1)
    """At most this many faults among identical requests (same method, path, query and body); the
    next identical request goes through. With fewer than a client's attempts, every operation
    succeeds in the end however the rolls fall on concurrent requests: a fault test that must
    never fail by bad luck sets it."""
    gather: int | None = Field(default=None, ge=2)
    """Hold each API request of ``methods`` until this many are held at once, then let them all go
    on: proof that a client sends that many at the same time, without reading a clock. A request
    still held after ``gather_timeout_seconds`` is answered 503 instead."""
    gather_timeout_seconds: float = Field(default=30.0, gt=0)

    @field_validator("rates")
    @classmethod
    def _rates_are_probabilities(cls, rates: dict[FaultKind, float]) -> dict[FaultKind, float]:
        for kind, rate in rates.items():
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"rate of {kind} must be between 0 and 1, got {rate}")
        # One roll picks at most one fault per request, so the rates share a single unit interval.
        if sum(rates.values()) > 1.0 + 1e-9:
            raise ValueError("the rates add up to more than 1")
        return rates

    @field_validator("methods")
    @classmethod
    def _methods_upper_case(cls, methods: list[str] | None) -> list[str] | None:
        return None if methods is None else [method.upper() for method in methods]

    def retry_after_headers(self) -> dict[str, str]:
        """The ``retry-after`` / ``retry-after-ms`` headers a 429 carries under this plan."""
        headers: dict[str, str] = {}
        if self.retry_after_seconds is not None:
            seconds = self.retry_after_seconds
            headers["retry-after"] = str(int(seconds)) if seconds.is_integer() else str(seconds)
        if self.retry_after_ms is not None:
            headers["retry-after-ms"] = str(self.retry_after_ms)
        return headers


class FaultInjector:
    """The live fault plan: draws the fault for each API request, counts those injected, and keeps
    the rate limit's buckets.

    Thread-safe, so that a test thread may change the plan while the server thread draws.
    """

    def __init__(self, plan: FaultPlan | None = None, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._counts: dict[FaultKind, int] = {}
        self._throttled = 0
        self._plan = FaultPlan()
        self._script: deque[FaultKind] = deque()
        self._seen: set[str] = set()
        self._faulted: dict[str, int] = {}
        """Faults injected so far into the requests of each fingerprint (``max_faults_per_request``)."""
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._rng = random.Random()  # noqa: S311 - fault rolls need reproducibility, not secrecy
        self.replace(plan or FaultPlan())

    @property
    def plan(self) -> FaultPlan:
        """The current plan, its ``script`` holding only the faults not yet consumed."""
        with self._lock:
            return self._plan.model_copy(update={"script": list(self._script)})

    @property
    def counts(self) -> dict[FaultKind, int]:
        """How many faults of each kind were injected since the last ``reset``."""
        with self._lock:
            return dict(self._counts)

    @property
    def throttled(self) -> int:
        """How many requests the rate limit refused since the last ``reset``."""
        with self._lock:
            return self._throttled

    def replace(self, plan: FaultPlan) -> None:
        """Install a new plan: its script starts over and its seed (if any) re-seeds the rolls."""
        with self._lock:
            self._plan = plan
            self._script = deque(plan.script)
            self._seen = set()
            self._faulted = {}
            self._buckets = {}
            self._rng = random.Random(plan.seed)  # noqa: S311 - see __init__

    def reset(self) -> None:
        """Back to no faults at all, with the counts at zero."""
        self.replace(FaultPlan())
        with self._lock:
            self._counts.clear()
            self._throttled = 0

    def take_token(self, api: str, credential: str) -> Throttle | None:
        """Passes one request of ``api`` made with ``credential`` (a digest) through the rate limit.

        ``None``: admitted (or no limit in force); a ``Throttle``: refused, and counted.
        """
        with self._lock:
            limit = self._plan.rate_limit
            if limit is None:
                return None
            now = self._clock()
            bucket = self._buckets.setdefault((api, credential), _Bucket(limit, now))
            throttle = bucket.take(limit, now)
            if throttle is not None:
                self._throttled += 1
            return throttle

    def draw(self, method: str, fingerprint: str | None = None) -> FaultKind | None:
        """The fault to inject into a request with this HTTP method, or ``None``.

        ``fingerprint`` identifies the request's content, for ``first_attempts_only`` (a request
        seen before is never faulted) and ``max_faults_per_request`` (identical requests are
        faulted at most that often). Otherwise consumes the next scripted fault, else rolls the
        rates. A commit fault drawn for a request that is not a create is consumed but not injected
        (and not counted). A response fault is
        returned but not counted: whether it is injected depends on the answer (only a 2xx one is
        damaged), so the layer that applies it calls ``record`` once it has.
        """
        method = method.upper()
        with self._lock:
            plan = self._plan
            if plan.methods is not None and method not in plan.methods:
                return None
            if plan.first_attempts_only and fingerprint is not None:
                if fingerprint in self._seen:
                    return None
                self._seen.add(fingerprint)
            cap = plan.max_faults_per_request
            if cap is not None and fingerprint is not None and self._faulted.get(fingerprint, 0) >= cap:
                return None
            kind = self._script.popleft() if self._script else self._roll(plan)
            if kind is None or (kind in COMMIT_FAULTS and method != _CREATE_METHOD):
                return None
            if cap is not None and fingerprint is not None:
                self._faulted[fingerprint] = self._faulted.get(fingerprint, 0) + 1
            if kind not in RESPONSE_FAULTS:
                self._counts[kind] = self._counts.get(kind, 0) + 1
            return kind

    def record(self, kind: FaultKind) -> None:
        """Count a fault injected after ``draw`` returned it: a response fault that was applied."""
        with self._lock:
            self._counts[kind] = self._counts.get(kind, 0) + 1

    def _roll(self, plan: FaultPlan) -> FaultKind | None:
        if not plan.rates:
            return None
        # A single roll against cumulative rates: each fault gets exactly its own probability.
        roll = self._rng.random()
        threshold = 0.0
        for kind in FAULT_KINDS:
            threshold += plan.rates.get(kind, 0.0)
            if roll < threshold:
                return kind
        return None
