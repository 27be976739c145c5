"""The reconciling create on its own, with a scripted API: which keys it deletes, and when it stops."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from pulumi_apikeys._http import time_budget
from pulumi_apikeys.core.reconcile import (
    CreateAttempt,
    KeyLedger,
    RecentKey,
    create_reconciled,
    is_ambiguous,
)
from pulumi_apikeys.errors import (
    ApiConnectionError,
    ApiStatusError,
    ApiTimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    OrphanedKeyError,
    RateLimitedError,
    ServerError,
    UnreadableResponseError,
)

NOW = 1_800_000_000.0
CALL = "vendor.keys.create"


@dataclass
class ScriptedApi:
    """Keys by id with their creation time; each create follows the next scripted outcome."""

    outcomes: list[str] = field(default_factory=list)
    keys: dict[str, float] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    list_error: Exception | None = None
    delete_error: Exception | None = None
    clock: float = NOW
    made: int = 0

    def create(self) -> str:
        outcome = self.outcomes.pop(0) if self.outcomes else "ok"
        if outcome in ("ok", "lost"):
            self.made += 1
            key_id = f"key_{self.made}"
            self.keys[key_id] = self.clock
            if outcome == "ok":
                return key_id
            raise ApiConnectionError(CALL, "no response from the API (RemoteProtocolError)")
        if outcome == "500":
            raise ServerError(CALL, "boom", status=500)
        if outcome == "401":
            raise AuthenticationError(CALL, "Incorrect API key provided.", status=401)
        raise AssertionError(outcome)

    def recent(self, since: float) -> list[RecentKey]:
        if self.list_error is not None:
            raise self.list_error
        return [RecentKey(k, at, matches=True) for k, at in self.keys.items() if at >= since]

    def delete(self, key_id: str) -> None:
        if self.delete_error is not None:
            raise self.delete_error
        del self.keys[key_id]
        self.deleted.append(key_id)

    def attempt(self) -> CreateAttempt[str]:
        return CreateAttempt("vendor key named 'k'", self.create, lambda k: k, self.recent, self.delete)


def run(api: ScriptedApi, *, attempts: int = 3, ledger: KeyLedger | None = None, skew: float = 60.0) -> str:
    return create_reconciled(
        api.attempt(),
        attempts=attempts,
        cleanup_seconds=5,
        ledger=ledger or KeyLedger(),
        skew=skew,
        clock=lambda: api.clock,
    )


@pytest.mark.parametrize(
    "error",
    [
        ApiConnectionError(CALL, "dropped"),
        ApiTimeoutError(CALL, "timed out"),
        ServerError(CALL, "boom", status=502),
        UnreadableResponseError(CALL, "not JSON", status=200),
        ApiStatusError(CALL, "timeout", status=408),
    ],
)
def test_failures_that_may_have_created_the_key_are_ambiguous(error):
    assert is_ambiguous(error)


@pytest.mark.parametrize(
    "error",
    [
        BadRequestError(CALL, "bad", status=400),
        AuthenticationError(CALL, "no", status=401),
        NotFoundError(CALL, "no", status=404),
        ConflictError(CALL, "no", status=409),
        RateLimitedError(CALL, "slow down", status=429),
    ],
)
def test_refusals_are_not_ambiguous(error):
    assert not is_ambiguous(error)


def test_a_lost_answer_is_followed_by_deleting_its_key_and_one_more_create():
    api = ScriptedApi(outcomes=["lost", "ok"])
    key_id = run(api)
    assert api.deleted == ["key_1"]
    assert list(api.keys) == [key_id] == ["key_2"]


def test_a_500_that_created_nothing_deletes_nothing():
    api = ScriptedApi(outcomes=["500", "ok"])
    assert run(api) == "key_1"
    assert api.deleted == []


def test_a_refusal_is_raised_at_once_without_a_search():
    api = ScriptedApi(outcomes=["401"], list_error=AssertionError("must not list"))
    with pytest.raises(AuthenticationError):
        run(api)


def test_after_the_last_attempt_the_error_says_no_key_was_left():
    api = ScriptedApi(outcomes=["lost", "lost", "lost"])
    with pytest.raises(
        ApiConnectionError, match=r"gave up after 3 attempt\(s\).*3 key\(s\) made by the lost"
    ):
        run(api)
    assert api.keys == {}


def test_a_key_created_before_the_window_is_kept():
    api = ScriptedApi(outcomes=["lost", "ok"], keys={"key_old": NOW - 61})
    run(api)
    assert "key_old" in api.keys


def test_a_key_created_inside_the_skew_allowance_counts_as_ours():
    # Documented limit: a same-named key made by someone else in the window looks like our orphan.
    api = ScriptedApi(outcomes=["lost", "ok"], keys={"key_recent": NOW - 59})
    run(api)
    assert "key_recent" in api.deleted


def test_a_key_the_ledger_holds_is_never_deleted():
    ledger = KeyLedger()
    ledger.hold("key_held")
    api = ScriptedApi(outcomes=["lost", "ok"], keys={"key_held": NOW})
    run(api, ledger=ledger)
    assert "key_held" in api.keys


def test_a_created_key_goes_into_the_ledger():
    ledger = KeyLedger()
    key_id = run(ScriptedApi(), ledger=ledger)
    assert ledger.holds(key_id)


def test_a_key_that_does_not_match_the_request_is_kept():
    api = ScriptedApi(outcomes=["lost", "ok"])
    original = api.recent
    api.recent = lambda since: [RecentKey(k.id, k.created_at, matches=False) for k in original(since)]
    run(api)
    assert api.deleted == []


def test_a_failed_search_raises_orphaned_key_error_without_suspects():
    api = ScriptedApi(outcomes=["lost"], list_error=ServerError("vendor.keys.list", "down", status=503))
    with pytest.raises(OrphanedKeyError, match="the search for it failed too") as raised:
        run(api)
    assert raised.value.suspects is None


def test_a_failed_delete_names_the_key_left_behind():
    api = ScriptedApi(outcomes=["lost"], delete_error=ServerError("vendor.keys.delete", "down", status=503))
    with pytest.raises(OrphanedKeyError, match="Delete these keys by hand: key_1") as raised:
        run(api)
    assert raised.value.suspects == ["key_1"]


def test_no_new_attempt_starts_once_the_time_budget_is_spent():
    api = ScriptedApi(outcomes=["500", "ok"])
    with time_budget(-1), pytest.raises(ServerError, match=r"gave up after 1 attempt\(s\)"):
        run(api)


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Waits for another thread to reach a state (polled: the gate has no event for it)."""
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.001)


def test_creates_of_one_name_are_sent_at_once():
    ledger, api = KeyLedger(), ScriptedApi()
    both_sending = threading.Barrier(2, timeout=10)
    create = api.create

    def create_when_both_send() -> str:
        both_sending.wait()  # breaks (and fails the test) unless the other create is sending too
        return create()

    api.create = create_when_both_send
    results: list[str] = []
    workers = [threading.Thread(target=lambda: results.append(run(api, ledger=ledger))) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(10)
    assert sorted(results) == ["key_1", "key_2"]


def test_a_cleanup_waits_for_the_creates_in_flight_and_spares_the_keys_they_record():
    ledger, api = KeyLedger(), ScriptedApi(outcomes=["ok", "lost", "ok"])
    gate = ledger.create_gate(api.attempt().scope)
    first_made, release_first = threading.Event(), threading.Event()
    create = api.create

    def create_then_hold_the_first() -> str:
        made = create()
        if made == "key_1":  # made, not yet answered: in flight while the other create loses its key
            first_made.set()
            assert release_first.wait(10)
        return made

    api.create = create_then_hold_the_first
    results: list[str] = []
    first = threading.Thread(target=lambda: results.append(run(api, ledger=ledger)))
    first.start()
    assert first_made.wait(10)
    second = threading.Thread(target=lambda: results.append(run(api, ledger=ledger)))
    second.start()
    wait_until(lambda: gate.waiting() == (0, 1), "the lost create's cleanup waits for the gate")
    release_first.set()
    first.join(10)
    second.join(10)

    assert api.deleted == ["key_2"]
    assert sorted(results) == ["key_1", "key_3"]


def test_no_create_is_sent_while_a_cleanup_lists_and_deletes():
    ledger, api = KeyLedger(), ScriptedApi(outcomes=["lost", "ok", "ok"])
    gate = ledger.create_gate(api.attempt().scope)
    listing, release_listing = threading.Event(), threading.Event()
    recent, create = api.recent, api.create
    sent_during_cleanup: list[bool] = []

    def recent_held(since: float) -> list[RecentKey]:
        listing.set()
        assert release_listing.wait(10)
        return recent(since)

    def create_noting_cleanup() -> str:
        sent_during_cleanup.append(listing.is_set() and not release_listing.is_set())
        return create()

    api.recent, api.create = recent_held, create_noting_cleanup
    results: list[str] = []
    lost = threading.Thread(target=lambda: results.append(run(api, ledger=ledger)))
    lost.start()
    assert listing.wait(10)
    other = threading.Thread(target=lambda: results.append(run(api, ledger=ledger)))
    other.start()
    wait_until(lambda: gate.waiting() == (1, 0), "the other create waits for the cleanup")
    release_listing.set()
    lost.join(10)
    other.join(10)

    assert sent_during_cleanup == [False, False, False]
    assert api.deleted == ["key_1"]
    assert sorted(results) == ["key_2", "key_3"]


def test_attempts_are_separated_by_the_pause_it_is_given():
    api = ScriptedApi(outcomes=["500", "lost", "ok"])
    pauses: list[int] = []
    create_reconciled(
        api.attempt(),
        attempts=3,
        cleanup_seconds=5,
        ledger=KeyLedger(),
        clock=lambda: api.clock,
        pause=pauses.append,
    )
    assert pauses == [1, 2]
