"""The client's create against the emulator: a lost answer never leaves a key behind."""

from __future__ import annotations

import pytest

from pulumi_apikeys.core.reconcile import KeyLedger
from pulumi_apikeys.emulator import FaultPlan
from pulumi_apikeys.errors import ApiConnectionError, ApiTimeoutError, AuthenticationError, ServerError
from pulumi_apikeys.openai.client import AdminApiKeysClient
from pulumi_apikeys.settings import RetryPolicy

QUICK = RetryPolicy(max_retries=2, timeout=5.0, backoff_initial=0.01, backoff_max=0.05)
KEYS = "/v1/organization/admin_api_keys"


@pytest.fixture
def client(emulator):
    return AdminApiKeysClient(
        admin_key=emulator.endpoint("openai").credential,
        base_url=emulator.endpoint("openai").base_url,
        policy=QUICK,
    )


def api_calls(emulator):
    return [(r.method, r.path) for r in emulator.control.requests()]


@pytest.mark.parametrize("fault", ["commit_then_drop", "server_error", "bad_gateway", "unavailable"])
def test_a_create_after_an_ambiguous_failure_ends_with_exactly_one_key(client, emulator, fault):
    emulator.control.set_faults(FaultPlan(script=[fault], methods=["POST"]))
    created = client.create(name="deployer")
    assert [k.id for k in client.list()] == [created.id]


def test_the_key_a_lost_answer_made_is_deleted_before_the_next_attempt(client, emulator):
    emulator.control.set_faults(FaultPlan(script=["commit_then_drop"], methods=["POST"]))
    client.create(name="deployer")
    calls = api_calls(emulator)
    assert [m for m, _ in calls] == ["POST", "GET", "DELETE", "POST"]


def test_a_create_whose_answer_never_comes_is_reconciled_after_the_timeout(emulator):
    impatient = RetryPolicy(max_retries=1, timeout=0.3, backoff_initial=0.01)
    client = AdminApiKeysClient(
        admin_key=emulator.endpoint("openai").credential,
        base_url=emulator.endpoint("openai").base_url,
        policy=impatient,
    )
    emulator.control.set_faults(FaultPlan(script=["commit_then_hang"], methods=["POST"], hang_seconds=5))
    created = client.create(name="deployer")
    assert [k.id for k in client.list()] == [created.id]


def test_when_every_attempt_is_lost_no_key_is_left_and_the_error_says_so(client, emulator):
    emulator.control.set_faults(FaultPlan(rates={"commit_then_drop": 1.0}, methods=["POST"]))
    with pytest.raises(ApiConnectionError, match=r"gave up after 3 attempt\(s\), and no key was left behind"):
        client.create(name="deployer")
    emulator.control.clear_faults()
    assert list(client.list()) == []


def test_a_definite_refusal_is_not_retried_and_not_searched_for(emulator):
    wrong = AdminApiKeysClient(
        admin_key="sk-admin-wrong", base_url=emulator.endpoint("openai").base_url, policy=QUICK
    )
    with pytest.raises(AuthenticationError):
        wrong.create(name="deployer")
    assert [m for m, _ in api_calls(emulator)] == ["POST"]


def test_a_key_the_ledger_holds_is_never_deleted_even_inside_the_window(client, emulator):
    ledger = KeyLedger()
    older = client.send_create(name="deployer")  # seconds ago: inside the clock-skew window
    ledger.hold(older.id)
    emulator.control.set_faults(FaultPlan(script=["commit_then_drop"], methods=["POST"]))
    holding = AdminApiKeysClient(
        admin_key=emulator.endpoint("openai").credential,
        base_url=emulator.endpoint("openai").base_url,
        policy=QUICK,
        ledger=ledger,
    )
    newer = holding.create(name="deployer")
    assert sorted(k.id for k in client.list()) == sorted([older.id, newer.id])


def test_a_key_with_another_lifetime_is_not_mistaken_for_the_lost_one(client, emulator):
    other = client.send_create(name="deployer", expires_in_seconds=3600)
    emulator.control.set_faults(FaultPlan(script=["commit_then_drop"], methods=["POST"]))
    mine = client.create(name="deployer", expires_in_seconds=86400)
    assert sorted(k.id for k in client.list()) == sorted([other.id, mine.id])


def test_a_key_of_another_name_is_never_touched(client, emulator):
    other = client.send_create(name="reports")
    emulator.control.set_faults(FaultPlan(script=["commit_then_drop"], methods=["POST"]))
    mine = client.create(name="deployer")
    assert sorted(k.id for k in client.list()) == sorted([other.id, mine.id])


def test_a_failed_search_names_the_problem_instead_of_hiding_the_orphan(client, emulator):
    # The create's answer is lost, then every list fails: the key may exist and we must say so.
    emulator.control.set_faults(
        FaultPlan(script=["commit_then_drop", "server_error", "server_error", "server_error"])
    )
    with pytest.raises(Exception, match="the search for it failed too") as raised:
        client.create(name="deployer")
    assert "delete it" in str(raised.value)


def test_a_spent_time_budget_stops_new_attempts(emulator):
    # One attempt may take 0.3 s and the whole call 0.5 s: the second attempt may start, a third not.
    policy = RetryPolicy(max_retries=10, timeout=0.3, total_timeout=0.5, backoff_initial=0.01)
    client = AdminApiKeysClient(
        admin_key=emulator.endpoint("openai").credential,
        base_url=emulator.endpoint("openai").base_url,
        policy=policy,
    )
    emulator.control.set_faults(FaultPlan(rates={"commit_then_hang": 1.0}, methods=["POST"], hang_seconds=5))
    with pytest.raises((ApiTimeoutError, ServerError)):
        client.create(name="deployer")
    emulator.control.clear_faults()
    posts = [m for m, _ in api_calls(emulator) if m == "POST"]
    assert 1 <= len(posts) <= 2
    assert list(client.list()) == []
