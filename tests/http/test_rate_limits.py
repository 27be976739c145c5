"""How the shared HTTP layer rides out a rate limit: 429s paced, retried within the time budget."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from pulumi_apikeys._http import ApiHttpClient, time_budget
from pulumi_apikeys._pacing import PROBE_INITIAL_SECONDS
from pulumi_apikeys.errors import RateLimitedError, ServerError
from pulumi_apikeys.openai.client import openai_error_message

from .fake_api import Thing, ok, status


def get(api, **policy):
    return api.client(**policy).request("test.get", "GET", "/things/1", model=Thing)


def test_429s_are_retried_past_max_retries(fake_api):
    api = fake_api(status(429), status(429), status(429), ok)
    assert get(api, max_retries=0).id == "thing_1"
    assert len(api.requests) == 4


def test_429s_do_not_use_up_the_retries_other_failures_need(fake_api):
    api = fake_api(status(429), status(500), status(429), status(500))
    with pytest.raises(ServerError):
        get(api, max_retries=1)
    assert len(api.requests) == 4  # two 500s: the first retried, the second the last straw


def test_the_pacer_waits_between_429s_without_a_retry_header(fake_api):
    api = fake_api(status(429), status(429), ok)
    get(api)
    assert api.sleeps == [PROBE_INITIAL_SECONDS, 2 * PROBE_INITIAL_SECONDS]


def test_rate_limiting_that_outlasts_the_total_timeout_raises_rate_limited(fake_api):
    api = fake_api(status(429, message="slow down"))
    with pytest.raises(RateLimitedError, match="slow down; gave up: the API is rate limiting") as caught:
        get(api, total_timeout=100)
    assert caught.value.status == 429
    assert caught.value.request_id == "req_123"
    assert sum(api.sleeps) <= 100  # no wait was begun that would end past the budget


def test_rate_limiting_that_outlasts_the_operations_budget_raises_rate_limited(fake_api):
    api = fake_api(status(429))
    with time_budget(20), pytest.raises(RateLimitedError, match="time budget"):
        get(api)
    assert sum(api.sleeps) <= 20


def test_a_long_throttle_is_told_on_stderr(fake_api):
    api = fake_api(*[status(429)] * 5, ok)
    get(api)
    assert api.notices[0] == (
        "pulumi-apikeys: fake: the API is rate limiting requests (HTTP 429); pacing them from now on"
    )
    assert any("waiting 16.0 s for the next slot" in line for line in api.notices)


def test_max_requests_per_minute_spaces_requests_from_the_first(fake_api):
    api = fake_api(ok)
    client = api.client(max_requests_per_minute=30)
    for _ in range(3):
        client.request("test.get", "GET", "/things/1", model=Thing)
    assert api.sleeps == pytest.approx([2.0, 2.0])


def test_clients_of_one_api_and_credential_share_a_pacer():
    def client(key: str) -> ApiHttpClient:
        return ApiHttpClient(
            base_url="https://api.example.test/v1",
            credential=SecretStr(key),
            error_message=openai_error_message,
        )

    assert client("k1")._pacer is client("k1")._pacer
    assert client("k1")._pacer is not client("k2")._pacer
