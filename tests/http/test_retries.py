"""When the shared HTTP layer repeats a request, and how long it waits."""

from __future__ import annotations

import email.utils
import time

import httpx
import pytest

from pulumi_apikeys._http import time_budget
from pulumi_apikeys.errors import (
    ApiConnectionError,
    ApiTimeoutError,
    NotFoundError,
    RateLimitedError,
    ServerError,
)

from .fake_api import Thing, ok, raises, status


def get(api, **policy):
    return api.client(**policy).request("test.get", "GET", "/things/1", model=Thing)


def post(api, **policy):
    return api.client(**policy).request("test.create", "POST", "/things", model=Thing, json={"name": "x"})


@pytest.mark.parametrize("code", [408, 409, 429, 500, 502, 503])
def test_get_is_retried_after_a_retryable_status(fake_api, code):
    api = fake_api(status(code), ok)
    assert get(api).id == "thing_1"
    assert len(api.requests) == 2


@pytest.mark.parametrize("error", [httpx.RemoteProtocolError, httpx.ReadError, httpx.ReadTimeout])
def test_get_is_retried_after_a_lost_response(fake_api, error):
    api = fake_api(raises(error), ok)
    assert get(api).id == "thing_1"
    assert len(api.requests) == 2


def test_get_is_not_retried_after_404(fake_api):
    api = fake_api(status(404))
    with pytest.raises(NotFoundError):
        get(api)
    assert len(api.requests) == 1


@pytest.mark.parametrize("code", [408, 409, 500, 502, 503])
def test_post_is_not_repeated_after_a_status_that_leaves_its_outcome_unknown(fake_api, code):
    api = fake_api(status(code), ok)
    with pytest.raises(Exception, match=f"HTTP {code}"):
        post(api)
    assert len(api.requests) == 1


@pytest.mark.parametrize(
    ("error", "raised"),
    [
        (httpx.RemoteProtocolError, ApiConnectionError),
        (httpx.ReadError, ApiConnectionError),
        (httpx.WriteError, ApiConnectionError),
        (httpx.ReadTimeout, ApiTimeoutError),
    ],
)
def test_post_is_not_repeated_after_the_response_was_lost(fake_api, error, raised):
    api = fake_api(raises(error), ok)
    with pytest.raises(raised):
        post(api)
    assert len(api.requests) == 1


@pytest.mark.parametrize("error", [httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout])
def test_post_is_repeated_when_the_request_provably_never_left(fake_api, error):
    api = fake_api(raises(error), ok)
    assert post(api).id == "thing_1"
    assert len(api.requests) == 2


def test_post_is_repeated_after_429(fake_api):
    api = fake_api(status(429), ok)
    assert post(api).id == "thing_1"
    assert len(api.requests) == 2


def test_retry_after_seconds_is_the_wait(fake_api):
    api = fake_api(status(429, headers={"retry-after": "2"}), ok)
    get(api)
    assert api.sleeps == [2.0]


def test_retry_after_ms_takes_precedence_over_retry_after(fake_api):
    api = fake_api(status(429, headers={"retry-after-ms": "250", "retry-after": "9"}), ok)
    get(api)
    assert api.sleeps == [0.25]


def test_retry_after_as_an_http_date_is_honoured(fake_api):
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    api = fake_api(status(503, headers={"retry-after": when}), ok)
    get(api)
    assert 25 <= api.sleeps[0] <= 31


def test_a_retry_after_longer_than_the_maximum_fails_at_once_with_the_wait(fake_api):
    api = fake_api(status(429, headers={"retry-after": "600"}), ok)
    with pytest.raises(RateLimitedError) as caught:
        get(api)
    assert caught.value.retry_after == 600
    assert len(api.requests) == 1


def test_a_wait_past_the_total_timeout_is_not_started(fake_api):
    api = fake_api(status(429, headers={"retry-after": "30"}), ok)
    with pytest.raises(RateLimitedError):
        get(api, total_timeout=10)
    assert api.sleeps == []


def test_a_wait_past_the_operations_time_budget_is_not_started(fake_api):
    api = fake_api(status(429, headers={"retry-after": "30"}), ok)
    with time_budget(10), pytest.raises(RateLimitedError):
        get(api)
    assert api.sleeps == []


def test_a_call_made_after_the_time_budget_is_spent_is_not_sent(fake_api):
    api = fake_api(ok)
    with time_budget(0), pytest.raises(ApiTimeoutError, match="time budget is spent"):
        get(api)
    assert api.requests == []


def test_a_budget_opened_inside_another_replaces_it_until_it_closes(fake_api):
    api = fake_api(ok, ok)
    with time_budget(0):
        with time_budget(60):
            assert get(api).id == "thing_1"
        with pytest.raises(ApiTimeoutError):
            get(api)
    assert get(api).id == "thing_1"


def test_x_should_retry_false_is_obeyed(fake_api):
    api = fake_api(status(503, headers={"x-should-retry": "false"}), ok)
    with pytest.raises(ServerError):
        get(api)
    assert len(api.requests) == 1


def test_x_should_retry_true_retries_an_idempotent_request(fake_api):
    api = fake_api(status(400, headers={"x-should-retry": "true"}), ok)
    assert get(api).id == "thing_1"


def test_x_should_retry_true_does_not_make_a_post_repeatable(fake_api):
    api = fake_api(status(500, headers={"x-should-retry": "true"}), ok)
    with pytest.raises(ServerError):
        post(api)
    assert len(api.requests) == 1


def test_gives_up_after_max_retries_with_the_last_error(fake_api):
    api = fake_api(status(500, message="still broken"))
    with pytest.raises(ServerError, match="still broken"):
        get(api, max_retries=2)
    assert len(api.requests) == 3


def test_max_retries_zero_sends_once(fake_api):
    api = fake_api(status(500), ok)
    with pytest.raises(ServerError):
        get(api, max_retries=0)
    assert len(api.requests) == 1


def test_backoff_doubles_with_downward_jitter_and_is_capped(fake_api):
    api = fake_api(status(500))
    with pytest.raises(ServerError):
        get(api, max_retries=6, backoff_initial=0.5, backoff_max=4.0)
    expected_caps = [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert len(api.sleeps) == len(expected_caps)
    for slept, cap in zip(api.sleeps, expected_caps, strict=True):
        assert 0.75 * cap <= slept <= cap
