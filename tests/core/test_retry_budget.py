"""The retry budget users set: apikeys:maxRetries, requestTimeout, totalTimeout, maxRequestsPerMinute
(or APIKEYS_*)."""

from __future__ import annotations

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from pulumi_apikeys.core.retry_budget import RETRY_SETTINGS, retry_policy
from pulumi_apikeys.core.stack_config import StackConfig
from pulumi_apikeys.errors import ConfigurationError
from pulumi_apikeys.openai.provider import AdminApiKeyProvider

ENV = (
    "APIKEYS_MAX_RETRIES",
    "APIKEYS_REQUEST_TIMEOUT",
    "APIKEYS_TOTAL_TIMEOUT",
    "APIKEYS_MAX_REQUESTS_PER_MINUTE",
)

# The official SDK 3.54: 2 retries, 600 s per attempt (openai/_constants.py).
SDK_MAX_RETRIES = 2
SDK_TIMEOUT = 600.0
SDK_WORST_CASE = 3 * SDK_TIMEOUT + 2 * 120.0


@pytest.fixture(autouse=True)
def no_env(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


def from_stack(values: dict[str, object]) -> StackConfig:
    return StackConfig.read(Config(values, "project").get, RETRY_SETTINGS)


def test_the_defaults_are_at_least_as_patient_as_the_official_sdk():
    policy = retry_policy(from_stack({}))
    assert policy.max_retries >= SDK_MAX_RETRIES
    assert policy.timeout >= SDK_TIMEOUT
    assert policy.total_timeout >= SDK_WORST_CASE


def test_stack_config_sets_the_budget():
    policy = retry_policy(
        from_stack({"apikeys:maxRetries": "5", "apikeys:requestTimeout": "2.5", "apikeys:totalTimeout": "30"})
    )
    assert (policy.max_retries, policy.timeout, policy.total_timeout) == (5, 2.5, 30.0)


def test_no_request_rate_is_imposed_until_the_user_or_the_api_asks():
    assert retry_policy(from_stack({})).max_requests_per_minute is None


def test_max_requests_per_minute_comes_from_the_stack_then_the_environment(monkeypatch):
    monkeypatch.setenv("APIKEYS_MAX_REQUESTS_PER_MINUTE", "6")
    assert retry_policy(from_stack({})).min_interval == 10.0
    assert retry_policy(from_stack({"apikeys:maxRequestsPerMinute": "7.5"})).max_requests_per_minute == 7.5


def test_the_environment_sets_what_the_stack_does_not(monkeypatch):
    monkeypatch.setenv("APIKEYS_MAX_RETRIES", "0")
    monkeypatch.setenv("APIKEYS_REQUEST_TIMEOUT", "9")
    policy = retry_policy(from_stack({"apikeys:requestTimeout": "4"}))
    assert (policy.max_retries, policy.timeout) == (0, 4.0)


RETRIES = "apikeys:maxRetries (or APIKEYS_MAX_RETRIES) must be a whole number from 0 to 20, not {!r}."
SECONDS = "{} must be a number of seconds above 0 and at most 86400, not {!r}."
REQUEST = "apikeys:requestTimeout (or APIKEYS_REQUEST_TIMEOUT)"
TOTAL = "apikeys:totalTimeout (or APIKEYS_TOTAL_TIMEOUT)"
RATE = (
    "apikeys:maxRequestsPerMinute (or APIKEYS_MAX_REQUESTS_PER_MINUTE) must be a number of requests "
    "above 0 and at most 60000, not {!r}."
)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"apikeys:maxRetries": "many"}, RETRIES.format("many")),
        ({"apikeys:maxRetries": "-1"}, RETRIES.format("-1")),
        ({"apikeys:maxRetries": "2.5"}, RETRIES.format("2.5")),
        ({"apikeys:maxRetries": "21"}, RETRIES.format("21")),
        ({"apikeys:requestTimeout": "0"}, SECONDS.format(REQUEST, "0")),
        ({"apikeys:requestTimeout": "nan"}, SECONDS.format(REQUEST, "nan")),
        ({"apikeys:totalTimeout": "inf"}, SECONDS.format(TOTAL, "inf")),
        ({"apikeys:totalTimeout": "30s"}, SECONDS.format(TOTAL, "30s")),
        ({"apikeys:maxRequestsPerMinute": "0"}, RATE.format("0")),
        ({"apikeys:maxRequestsPerMinute": "-6"}, RATE.format("-6")),
        ({"apikeys:maxRequestsPerMinute": "six"}, RATE.format("six")),
        ({"apikeys:maxRequestsPerMinute": "nan"}, RATE.format("nan")),
        ({"apikeys:maxRequestsPerMinute": "1e9"}, RATE.format("1e9")),
    ],
)
def test_a_bad_value_is_refused_naming_both_places_to_fix_it(values, message):
    with pytest.raises(ConfigurationError) as raised:
        retry_policy(from_stack(values))
    assert str(raised.value) == message


def test_the_provider_builds_its_client_with_the_stack_budget(monkeypatch):
    provider = AdminApiKeyProvider()
    provider.configure(
        ConfigureRequest(
            Config(
                {
                    "apikeys:openaiAdminKey": "sk-admin-unit",
                    "apikeys:maxRetries": "7",
                    "apikeys:totalTimeout": "12",
                },
                "project",
            )
        )
    )
    policy = provider.client()._http.policy
    assert (policy.max_retries, policy.total_timeout) == (7, 12.0)
