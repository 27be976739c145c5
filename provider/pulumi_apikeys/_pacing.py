"""Pacing every request to one API with one credential, process-wide, at the rate the API allows.

A provider process runs several operations at once (the dynamic provider server has 4 worker
threads). When the API answers 429 without saying how long to wait (some vendors' admin APIs do just
that), retrying each request on its own backoff is hopeless: every thread keeps hammering an empty
bucket. So all requests to one ``(base URL, credential)`` pass through one ``Pacer``, which learns
the rate the API allows and spaces them at it. The idea is the AWS SDKs' *adaptive* retry mode (a
client-side bucket whose rate is measured and cut on each throttle); what differs:

- **Nothing is paced until the API first throttles** (or the user set ``maxRequestsPerMinute``): an
  API that never says 429 costs one lock per request.
- **The rate is measured, not guessed.** A 429 means the server's bucket was empty when it saw the
  request. Between two such moments, everything the bucket refilled was admitted, so the rate is
  *requests admitted / time between the two 429s*, exactly, whatever the bucket's size or window.
  The first measurement needs a success after a 429: the pacer probes with doubling waits
  (``PROBE_INITIAL_SECONDS``, then twice as long, ...), and after the first success drains what
  the bucket refilled meanwhile (back to back, one at a time) until the next 429 closes the
  measurement.
- **While throttled, no burst certain to be refused is ever sent**: until the first measurement one
  request is in flight at a time (each answer decides the next send), then requests are spaced at
  the measured interval. Each success shortens the interval by ``GROWTH`` (probing upwards, so a
  limit that was raised is found); each 429 measures again. The oldest of the last
  ``MEASURE_SPAN`` 429s anchors the measurement, so the rate follows a limit that changes (another
  process starting to use the same credential).
- **A ``retry-after`` wins**: the server said when; every thread waits that long (and the
  measurement goes on, so what follows the wait is paced, not sent as a burst).
- **FIFO**: requests are served in the order they asked, so no operation starves past its budget.

``PaceModel`` is the arithmetic over plain times (tested on a fake clock); ``Pacer`` adds the lock,
the queue and the waiting; ``pacer_for`` hands out the process's one pacer per API and credential.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "GROWTH",
    "MEASURE_SPAN",
    "NOTICE_EVERY_SECONDS",
    "PROBE_INITIAL_SECONDS",
    "PROBE_MAX_SECONDS",
    "PaceModel",
    "PaceTimeout",
    "Pacer",
    "Permit",
    "forget_pacers",
    "pacer_for",
    "send_notices_to",
]

_log = logging.getLogger("pulumi_apikeys.pacing")

PROBE_INITIAL_SECONDS = 1.0
"""The first wait after a 429 that no earlier 429 helps to explain; doubled on each further 429."""
PROBE_MAX_SECONDS = 60.0
"""Probing waits stop doubling here: the slowest documented refill is a minute."""
GROWTH = 0.05
"""How much shorter the interval gets after each success while throttled (probing upwards)."""
MEASURE_SPAN = 8
"""How many recent 429s the measurement may reach back over."""
RECOVERED_INTERVAL_SECONDS = 0.02
"""An interval probed down to this (50 requests a second) means the API no longer throttles us."""
IDLE_INTERVALS = 2.0
"""Idling this many measured intervals past a free slot starts the measurement afresh."""
STUCK_SECONDS = 30.0
"""A request in flight longer than this no longer holds the others back (it may hang for minutes)."""
NOTICE_EVERY_SECONDS = 10.0
"""At most one line on stderr per pacer this often, so a long throttle is visible but not noisy."""
LONG_WAIT_SECONDS = 2.0
"""A wait at least this long is announced on stderr (subject to ``NOTICE_EVERY_SECONDS``)."""


@dataclass(frozen=True)
class Permit:
    """Leave to send one request: when it went, and which lesson of the pacer it was sent under."""

    sent_at: float
    generation: int


class PaceTimeout(Exception):
    """The pacer's next slot lies past the caller's deadline; ``wait`` is how far off it was."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"the next request slot is {wait:.1f} s away")
        self.wait = wait


class PaceModel:
    """The pacing arithmetic over plain times (seconds on any monotonic clock); not thread-safe.

    ``wait(now)`` says how long the next request must wait; ``send(now, floor)`` takes the slot;
    ``succeeded``/``throttled``/``failed`` report how the request ended. ``floor`` is the user's
    minimum interval (``60 / maxRequestsPerMinute``), 0 when unset.
    """

    def __init__(self) -> None:
        self.throttled = False
        """Whether the API has throttled us and not yet been probed back to full speed."""
        self.interval = 0.0
        """The seconds between requests while throttled: the last measurement, shortened by each
        success since; 0 until the first measurement."""
        self.measured = 0.0
        """The interval the last measurement found (seconds a token takes to refill); 0 if none."""
        self._probe = PROBE_INITIAL_SECONDS
        self._marks: deque[tuple[float, int]] = deque(maxlen=MEASURE_SPAN)
        self._admitted = 0
        self._next_send = float("-inf")
        self._in_flight_since: float | None = None
        self._generation = 0

    @property
    def rate_per_minute(self) -> float | None:
        """The measured rate, requests a minute; ``None`` when not measured (or not throttled)."""
        return 60.0 / self.measured if self.throttled and self.measured > 0 else None

    def wait(self, now: float) -> float:
        """Seconds until the next request may go; ``inf`` while the one in flight holds it (throttled)."""
        if self._in_flight_since is not None:
            held_until = self._in_flight_since + STUCK_SECONDS
            if now < held_until:
                return float("inf")
        return max(0.0, self._next_send - now)

    def holder_deadline(self) -> float | None:
        """When the request in flight stops holding the others back, if one does."""
        return None if self._in_flight_since is None else self._in_flight_since + STUCK_SECONDS

    def send(self, now: float, floor: float = 0.0) -> Permit:
        """Take the slot at ``now`` (``wait(now)`` must be 0)."""
        spacing = max(self.interval if self.throttled else 0.0, floor)
        if self.measured and now - self._next_send > IDLE_INTERVALS * self.measured:
            # Nothing was sent for a while though we could have: the bucket may have filled up,
            # and what it refilled past full was never admitted, so a measurement reaching back
            # over the gap would come out too slow.
            self._marks.clear()
        self._next_send = now + spacing
        if self.throttled and self.interval == 0.0:
            # Probing or draining: each answer decides the next send, so one at a time.
            self._in_flight_since = now
        return Permit(now, self._generation)

    def succeeded(self, permit: Permit, now: float, floor: float = 0.0) -> None:
        """The API acted on the request (any answer but 429): it took one of the bucket's tokens."""
        self._release(permit)
        if not self.throttled:
            return
        if self._marks and permit.sent_at >= self._marks[0][0]:
            self._admitted += 1
        if self.interval == 0.0:
            # Not measured yet: what the bucket refilled while we probed is there to take, now.
            self._next_send = permit.sent_at + floor
            return
        self.interval *= 1.0 - GROWTH
        if self.interval < RECOVERED_INTERVAL_SECONDS:
            _log.debug("pacing: interval probed down to %.3f s; no longer throttled", self.interval)
            self._forget()
        self._next_send = permit.sent_at + max(self.interval, floor)

    def throttled_by(self, permit: Permit, now: float, server_wait: float | None) -> float:
        """The API refused the request with 429; returns how long the next request will wait."""
        self._release(permit)
        told = server_wait if server_wait is not None and server_wait > 0 else None
        if permit.generation != self._generation:
            # Sent before the last lesson was drawn (it was in flight then): nothing new to learn,
            # but a wait the server asked for still holds everyone.
            if told is not None:
                self._next_send = max(self._next_send, now + told)
            return max(0.0, self._next_send - now)
        self._generation += 1
        if not self.throttled:
            self.throttled = True
            self.interval = self.measured = 0.0
            self._admitted = 0
            self._marks.clear()
            self._probe = PROBE_INITIAL_SECONDS
        oldest = self._marks[0] if self._marks else None
        self._marks.append((permit.sent_at, self._admitted))
        if oldest is not None and self._admitted > oldest[1] and permit.sent_at > oldest[0]:
            # Empty bucket at both 429s: it refilled exactly what was admitted in between.
            self.interval = self.measured = (permit.sent_at - oldest[0]) / (self._admitted - oldest[1])
            wait = self.interval
        elif oldest is None and self.measured:
            wait = self.interval  # a new measurement begins; pace as measured before meanwhile
        elif told is not None:
            wait = told  # no probing: the server says when
        else:
            wait = self._probe
            self._probe = min(self._probe * 2.0, PROBE_MAX_SECONDS)
        if told is not None:
            # The server said when: believe it, for every thread. The measurement goes on all the
            # same, so that what follows the wait is paced instead of sent as a burst.
            wait = told
        self._next_send = now + wait
        return wait

    def failed(self, permit: Permit) -> None:
        """No answer, or one that says nothing about the rate: free the slot, learn nothing."""
        self._release(permit)

    def _release(self, permit: Permit) -> None:
        if self._in_flight_since is not None and permit.sent_at >= self._in_flight_since:
            self._in_flight_since = None

    def _forget(self) -> None:
        self.throttled = False
        self.interval = self.measured = 0.0
        self._marks.clear()
        self._admitted = 0
        self._probe = PROBE_INITIAL_SECONDS
        self._generation += 1


Notice = Callable[[str], None]

_notice_sink: Notice | None = None


def send_notices_to(sink: Notice | None) -> None:
    """Where every pacer of this process sends its notices: ``None`` for stderr (the dynamic
    provider), the engine's ``Log`` for the plugin, whose stderr the engine hides."""
    global _notice_sink
    _notice_sink = sink


def _stderr_notice(line: str) -> None:
    if _notice_sink is not None:
        _notice_sink(line)
        return
    # The engine shows every line a dynamic provider writes to stderr in `pulumi up`'s output.
    print(line, file=sys.stderr, flush=True)


class Pacer:
    """The pacing of one API and credential, shared by every thread of the process.

    ::

        permit = pacer.acquire(deadline=time.monotonic() + 60)   # may wait; FIFO
        try:
            response = send()
        except TransportError:
            pacer.failed(permit)
            raise
        if response.status_code == 429:
            pacer.throttled_by(permit, server_wait=None)
        else:
            pacer.succeeded(permit)

    ``sleep`` replaces waiting on the pacer's condition (for single-threaded tests on a fake clock).
    """

    def __init__(
        self,
        name: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] | None = None,
        notice: Notice = _stderr_notice,
    ) -> None:
        self.name = name
        self._model = PaceModel()
        self._clock = clock
        self._sleep = sleep
        self._notice = notice
        self._cond = threading.Condition()
        self._queue: deque[object] = deque()
        self._last_notice = float("-inf")

    @property
    def waiting(self) -> int:
        """How many requests are queued for their turn right now."""
        with self._cond:
            return len(self._queue)

    @property
    def model(self) -> PaceModel:
        """The arithmetic behind this pacer: not thread-safe on its own (tests read and set it)."""
        return self._model

    def acquire(self, *, deadline: float | None = None, floor: float = 0.0) -> Permit:
        """Waits for this request's turn and slot; ``PaceTimeout`` if that falls past ``deadline``."""
        ticket = object()
        with self._cond:
            self._queue.append(ticket)
            try:
                while True:
                    now = self._clock()
                    if self._queue[0] is ticket:
                        wait = self._model.wait(now)
                        if wait <= 0:
                            return self._model.send(now, floor)
                        if wait != float("inf") and deadline is not None and now + wait > deadline:
                            raise PaceTimeout(wait)
                        if wait != float("inf"):
                            _log.debug("pacing %s: waiting %.2f s for the next slot", self.name, wait)
                            self._announce_wait(now, wait)
                        holder = self._model.holder_deadline()
                        timeout = wait if wait != float("inf") else (holder - now if holder else None)
                    else:
                        timeout = None
                    if deadline is not None:
                        if now >= deadline:
                            raise PaceTimeout(float("inf"))
                        timeout = deadline - now if timeout is None else min(timeout, deadline - now)
                    self._wait(timeout)
            finally:
                self._queue.remove(ticket)
                self._cond.notify_all()

    def succeeded(self, permit: Permit, *, floor: float = 0.0) -> None:
        """The request got an answer the API acted on."""
        with self._cond:
            self._model.succeeded(permit, self._clock(), floor)
            self._cond.notify_all()

    def throttled_by(self, permit: Permit, *, server_wait: float | None) -> None:
        """The request was refused with 429 (``server_wait``: the API's retry-after, if it sent one)."""
        with self._cond:
            now = self._clock()
            was_throttled = self._model.throttled
            wait = self._model.throttled_by(permit, now, server_wait)
            rate = self._model.rate_per_minute
            _log.debug(
                "pacing %s: 429 (%s); next request in %.2f s; %s",
                self.name,
                f"retry-after {server_wait:.2f} s" if server_wait else "no retry-after",
                wait,
                f"measured rate {rate:.1f}/min" if rate else "rate not measured yet",
            )
            if not was_throttled and self._model.throttled:
                self._say(now, "the API is rate limiting requests (HTTP 429); pacing them from now on")
            self._cond.notify_all()

    def failed(self, permit: Permit) -> None:
        """The request got no answer, or one that tells nothing about the rate."""
        with self._cond:
            self._model.failed(permit)
            self._cond.notify_all()

    def _wait(self, timeout: float | None) -> None:
        if self._sleep is None:
            self._cond.wait(timeout)
            return
        # Fake-clock tests: the injected sleep advances their clock; nothing else runs meanwhile.
        self._cond.release()
        try:
            self._sleep(timeout if timeout is not None else 0.0)
        finally:
            self._cond.acquire()

    def _announce_wait(self, now: float, wait: float) -> None:
        if wait < LONG_WAIT_SECONDS:
            return
        rate = self._model.rate_per_minute
        pace = f"about {rate:.1f} requests a minute" if rate else "a rate still being measured"
        self._say(now, f"the API is rate limiting requests; waiting {wait:.1f} s for the next slot ({pace})")

    def _say(self, now: float, message: str) -> None:
        if now - self._last_notice < NOTICE_EVERY_SECONDS:
            return
        self._last_notice = now
        self._notice(f"pulumi-apikeys: {self.name}: {message}")


_registry_lock = threading.Lock()
_registry: dict[tuple[str, str], Pacer] = {}


def pacer_for(base_url: str, credential: str) -> Pacer:
    """The process's pacer for this API base URL and credential (the credential is kept as a hash)."""
    digest = hashlib.sha256(credential.encode()).hexdigest()
    with _registry_lock:
        pacer = _registry.get((base_url, digest))
        if pacer is None:
            pacer = _registry[(base_url, digest)] = Pacer(base_url)
        return pacer


def forget_pacers() -> None:
    """Drop every pacer and what it learned (a test starting afresh)."""
    with _registry_lock:
        _registry.clear()
