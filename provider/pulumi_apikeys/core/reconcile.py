"""Creates that end with exactly one recorded key or none, even when the API's answer is lost.

A create is the one call that must not be repeated blindly: the API has no idempotency key, and a
key whose create answer was lost exists with a value nobody will ever see again. So the HTTP layer
sends a create once (repeating it only when the request provably never arrived, or was refused
with 429), and ``create_reconciled`` decides what happens after an *ambiguous* failure: no answer,
a timeout, 408, any 5xx, or a 2xx answer that cannot be read.

The algorithm, for a key named N:

1. Creates of N in one process run at once; only cleaning up after a lost answer (step 4) is
   exclusive. The name's ``CreateGate`` (scoped to the backend and organization) counts the creates
   in flight from their request until their key is recorded, and a cleanup waits for that count to
   fall to zero (and holds new creates back) before it lists: so a key that another create is
   about to record can never look like an orphan.
2. Note the time T and send the create.
3. An answer: record the new id in the ``KeyLedger`` (the ids this process knows are in use), and
   return it. A definite refusal (400, 401, 403, 404, 409, 422, a 429 after retries) created
   nothing: raise it unchanged.
4. An ambiguous failure: once no other create of N is in flight, list the keys named N created
   at or after ``T - skew`` (``skew`` allows for the API's clock running behind ours) that also
   match what was asked (lifetime, scopes) and that the ledger does not hold. Delete each one: it
   can only be a lost key (ours, or another create's of N that lost its answer too), whose value
   is gone.
5. Try again from 2 while the attempt budget (``maxRetries``) and the operation's time budget last;
   then raise the last failure, saying that no key was left behind.
6. If listing or deleting fails, raise an error that names every key it could not rule out, so the
   user can delete it by hand: the one path that may leave a key behind, and it says so.

What it cannot know:

- A key named N made by someone else (another stack, a person, another ``pulumi up``) within the
  window is indistinguishable from our orphan and is deleted. Names unique to a stack rule this out.
- If the API's clock is behind ours by more than ``skew``, the orphan appears older than the
  window and is left behind; if the API commits a lost create only after our listing ran (a request
  stuck in its queue), the listing cannot see it either.
- A process killed between sending a create and reading its answer runs no cleanup at all: the
  engine then reports the create as pending, and the backend's ``list`` shows the key.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Generic, TypeVar

from pulumi_apikeys._budget import backoff_delay, budget_left, time_budget
from pulumi_apikeys.errors import (
    ApiConnectionError,
    ApiError,
    ApiStatusError,
    OrphanedKeyError,
    ServerError,
    UnreadableResponseError,
)
from pulumi_apikeys.settings import RetryPolicy

__all__ = [
    "CLOCK_SKEW_SECONDS",
    "LEDGER",
    "CreateAttempt",
    "CreateGate",
    "KeyLedger",
    "RecentKey",
    "create_reconciled",
    "create_with_policy",
    "is_ambiguous",
]

_log = logging.getLogger("pulumi_apikeys.core.reconcile")

CLOCK_SKEW_SECONDS = 60.0
"""How far behind ours the API's clock may run before a lost key escapes the search window.

Servers on NTP agree within a second; a minute is generous without widening much the window in
which someone else's same-named key could be mistaken for ours."""

CreatedT = TypeVar("CreatedT")


@dataclass(frozen=True)
class RecentKey:
    """A key as the reconciling search sees it: enough to decide whether it is our lost create."""

    id: str
    created_at: float
    """Unix seconds, by the API's clock."""
    matches: bool
    """Whether the key is what the create asked for (name, lifetime, scopes)."""


class CreateGate:
    """Creates of one name share it; a cleanup after a lost answer has it alone.

    A shared/exclusive lock that prefers the exclusive side: once a cleanup waits, new creates wait
    behind it, so a stream of creates cannot starve it. Creates hold it from sending their request
    until their key is in the ledger; a cleanup holds it while it lists and deletes.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition(threading.Lock())
        self._creating = 0
        self._cleaning = False
        self._cleaners_waiting = 0
        self._creators_waiting = 0

    @contextmanager
    def creating(self) -> Iterator[None]:
        """Held by one create, from its request until its key is recorded (or it failed)."""
        with self._changed:
            self._creators_waiting += 1
            try:
                while self._cleaning or self._cleaners_waiting:
                    self._changed.wait()
            finally:
                self._creators_waiting -= 1
            self._creating += 1
        try:
            yield
        finally:
            with self._changed:
                self._creating -= 1
                self._changed.notify_all()

    @contextmanager
    def cleaning(self) -> Iterator[None]:
        """Held by one cleanup alone: no create of the name is in flight meanwhile."""
        with self._changed:
            self._cleaners_waiting += 1
            try:
                while self._cleaning or self._creating:
                    self._changed.wait()
            finally:
                self._cleaners_waiting -= 1
            self._cleaning = True
        try:
            yield
        finally:
            with self._changed:
                self._cleaning = False
                self._changed.notify_all()

    def waiting(self) -> tuple[int, int]:
        """How many creates, and how many cleanups, wait for it now (for tests and figures)."""
        with self._changed:
            return self._creators_waiting, self._cleaners_waiting


class KeyLedger:
    """The key ids this process knows are in use, and one ``CreateGate`` per key name.

    "Known in use" means: created by this process, adopted, or named by state in any request the
    engine sent (read, diff, update, delete). Reconciliation never deletes a key the ledger holds.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: set[str] = set()
        self._gates: dict[str, CreateGate] = {}

    def hold(self, key_id: str | None) -> None:
        """Records that ``key_id`` is in use (``None`` and empty ids are ignored)."""
        if key_id:
            with self._lock:
                self._held.add(key_id)

    def holds(self, key_id: str) -> bool:
        """Whether ``key_id`` is known to be in use."""
        with self._lock:
            return key_id in self._held

    def create_gate(self, scope: str) -> CreateGate:
        """The gate of creates of keys named within ``scope`` (backend, organization, name)."""
        with self._lock:
            return self._gates.setdefault(scope, CreateGate())


LEDGER = KeyLedger()
"""The process's ledger: the provider server runs every resource of a stack in one process."""


@dataclass(frozen=True)
class CreateAttempt(Generic[CreatedT]):
    """What ``create_reconciled`` needs of a backend to create one key and clean up after it.

    ``create`` sends one create and returns the answer; ``created_id`` reads the new key's id from
    it; ``recent`` lists the keys with the requested name created at or after the given unix time
    (newest first is cheapest); ``delete`` deletes (or revokes) one key, a key already gone included.
    """

    scope: str
    """Backend, organization and name, e.g. ``"acme/CI deployer"``: the unit a cleanup excludes."""
    create: Callable[[], CreatedT]
    created_id: Callable[[CreatedT], str]
    recent: Callable[[float], Iterable[RecentKey]]
    delete: Callable[[str], object]


def is_ambiguous(error: ApiError) -> bool:
    """Whether a failed create may nonetheless have created the key."""
    if isinstance(error, ApiConnectionError | ServerError | UnreadableResponseError):
        return True
    return isinstance(error, ApiStatusError) and error.status == 408


def create_reconciled(
    attempt: CreateAttempt[CreatedT],
    *,
    attempts: int,
    cleanup_seconds: float,
    ledger: KeyLedger = LEDGER,
    skew: float = CLOCK_SKEW_SECONDS,
    clock: Callable[[], float] = time.time,
    pause: Callable[[int], None] = lambda attempt_number: None,
) -> CreatedT:
    """Creates one key with at most ``attempts`` creates, deleting any a lost answer left behind.

    Run inside the operation's ``time_budget``: no new attempt starts once it is spent. Each
    cleanup gets a budget of its own (``cleanup_seconds``) so that a spent budget never prevents
    removing a key. ``pause(n)`` waits before attempt ``n + 1`` (a backoff, so that a failing
    API is not hammered). See the module docstring for the algorithm and its limits.
    """
    removed: list[str] = []
    gate = ledger.create_gate(attempt.scope)
    for number in range(1, attempts + 1):
        try:
            with gate.creating():
                started = clock()
                created = attempt.create()
                # Recorded before the gate is left: a cleanup waiting on it must find it held.
                ledger.hold(attempt.created_id(created))
                return created
        except ApiError as error:
            if not is_ambiguous(error):
                raise
            with gate.cleaning():
                removed_now = _clean_up(attempt, started - skew, ledger, cleanup_seconds, error)
            removed += removed_now
            left = budget_left()
            out_of_time = left is not None and left <= 0
            _log.info(
                "%s: create attempt %d had no usable answer (%s); deleted %d lost key(s)",
                attempt.scope,
                number,
                error.message,
                len(removed_now),
            )
            if number == attempts or out_of_time:
                raise type(error)(
                    error.call,
                    f"{error.message}; gave up after {number} attempt(s), and no key was left behind "
                    f"({len(removed)} key(s) made by the lost attempts were deleted)",
                    status=error.status,
                    request_id=error.request_id,
                ) from None
            pause(number)
    raise AssertionError("unreachable: attempts must be at least 1")  # pragma: no cover


def create_with_policy(attempt: CreateAttempt[CreatedT], policy: RetryPolicy, ledger: KeyLedger) -> CreatedT:
    """``create_reconciled`` as a client runs it: ``max_retries + 1`` attempts with its backoff
    between them, all within one ``total_timeout`` (plus one more for a final cleanup)."""
    with time_budget(policy.total_timeout):
        return create_reconciled(
            attempt,
            attempts=policy.max_retries + 1,
            cleanup_seconds=policy.total_timeout,
            ledger=ledger,
            pause=lambda number: time.sleep(backoff_delay(policy, number)),
        )


def _clean_up(
    attempt: CreateAttempt[CreatedT],
    since: float,
    ledger: KeyLedger,
    seconds: float,
    cause: ApiError,
) -> list[str]:
    """Deletes the keys a lost create may have made; the ids deleted."""
    with time_budget(seconds):
        try:
            suspects = [
                key.id
                for key in attempt.recent(since)
                if key.matches and key.created_at >= since and not ledger.holds(key.id)
            ]
        except ApiError as error:
            raise OrphanedKeyError(
                f"{cause.call} failed ({cause.message}) and the key may have been created, but the "
                f"search for it failed too ({error}). Check for a key of this name ({attempt.scope}) "
                "created in the last minutes and delete it: its value can never be recovered.",
                None,
            ) from None
        deleted: list[str] = []
        for key_id in suspects:
            try:
                attempt.delete(key_id)
            except ApiError as error:
                left = [k for k in suspects if k not in deleted]
                raise OrphanedKeyError(
                    f"{cause.call} failed ({cause.message}) after creating a key whose value was lost, "
                    f"and deleting it failed ({error}). Delete these keys by hand: {', '.join(left)}.",
                    left,
                ) from None
            deleted.append(key_id)
        return deleted
