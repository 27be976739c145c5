"""Where credentials and base URLs come from, and which ones are refused."""

from __future__ import annotations

import pytest

from pulumi_apikeys.errors import ConfigurationError
from pulumi_apikeys.settings import (
    RetryPolicy,
    checked_base_url,
    is_loopback_host,
    resolve_base_url,
    resolve_credential,
)


@pytest.mark.parametrize(
    "url",
    [
        "https://api.openai.com/v1",
        "http://127.0.0.1:8787/v1",
        "http://127.8.9.10/v1",
        "http://localhost:8787/v1",
        "http://[::1]:8787/v1",
    ],
)
def test_https_and_loopback_http_base_urls_are_accepted(url):
    assert checked_base_url(url, what="OpenAI") == url


def test_a_trailing_slash_is_dropped():
    assert checked_base_url("https://api.openai.com/v1/", what="OpenAI") == "https://api.openai.com/v1"


@pytest.mark.parametrize(
    "url", ["http://api.openai.com/v1", "http://10.0.0.5/v1", "http://localhost.evil.test/v1"]
)
def test_plain_http_to_a_host_that_is_not_loopback_is_refused(url):
    with pytest.raises(ConfigurationError, match="cleartext"):
        checked_base_url(url, what="OpenAI")


@pytest.mark.parametrize(
    "url", ["api.openai.com/v1", "ftp://api.openai.com/v1", "https://", "http://[::1/v1"]
)
def test_a_malformed_base_url_is_refused(url):
    with pytest.raises(ConfigurationError, match="OpenAI base URL"):
        checked_base_url(url, what="OpenAI")


@pytest.mark.parametrize(
    "url",
    ["https://user:pw@api.openai.com/v1", "https://api.openai.com/v1?x=1", "https://api.openai.com/v1#f"],
)
def test_user_info_query_and_fragment_are_refused_without_echoing_them(url):
    with pytest.raises(ConfigurationError) as caught:
        checked_base_url(url, what="OpenAI")
    assert "pw" not in str(caught.value)


def test_the_explicit_base_url_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("X_BASE_URL", "https://env.example.test/v1")
    assert resolve_base_url("https://explicit.test/v1", env_var="X_BASE_URL", default=None, what="X") == (
        "https://explicit.test/v1"
    )


def test_the_environment_wins_over_the_default(monkeypatch):
    monkeypatch.setenv("X_BASE_URL", "https://env.example.test/v1")
    assert resolve_base_url(None, env_var="X_BASE_URL", default="https://d.test", what="X") == (
        "https://env.example.test/v1"
    )


def test_with_no_base_url_and_no_default_the_error_names_the_variable(monkeypatch):
    monkeypatch.delenv("X_BASE_URL", raising=False)
    with pytest.raises(ConfigurationError, match="X_BASE_URL"):
        resolve_base_url(None, env_var="X_BASE_URL", default=None, what="X")


def test_the_credential_falls_back_to_the_environment(monkeypatch):
    monkeypatch.setenv("X_KEY", "sk-admin-from-env")
    assert resolve_credential(None, env_var="X_KEY", what="X key").get_secret_value() == "sk-admin-from-env"


def test_a_missing_credential_says_how_to_set_it(monkeypatch):
    monkeypatch.delenv("X_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="pass it explicitly or set the X_KEY variable"):
        resolve_credential(None, env_var="X_KEY", what="X key")


@pytest.mark.parametrize("value", ["", "   ", "sk-admin-abc\n", "sk admin"])
def test_a_blank_or_whitespace_laden_credential_is_refused_without_echoing_it(value):
    with pytest.raises(ConfigurationError) as caught:
        resolve_credential(value, env_var="X_KEY", what="X key")
    assert "sk-admin-abc" not in str(caught.value)


@pytest.mark.parametrize("kwargs", [{"max_retries": -1}, {"timeout": 0}, {"total_timeout": -5}])
def test_a_retry_policy_with_impossible_numbers_is_refused(kwargs):
    with pytest.raises(ConfigurationError):
        RetryPolicy(**kwargs)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("::ffff:127.0.0.1", True),
        ("localhost", True),
        ("10.1.2.3", False),
        ("192.168.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("localhost.evil.test", False),
        ("testclient", False),
        (None, False),
    ],
)
def test_only_loopback_hosts_count_as_loopback(host, expected):
    assert is_loopback_host(host) is expected
