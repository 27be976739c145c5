"""The Admin API keys client against the emulator, a real HTTP server on loopback."""

from __future__ import annotations

import time

import pytest

from pulumi_apikeys.emulator import EmulatorConfig, FaultPlan, start_emulator
from pulumi_apikeys.errors import (
    ApiConnectionError,
    ApiTimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    InvalidArgumentError,
    NotFoundError,
    RateLimitedError,
    ServerError,
)
from pulumi_apikeys.openai.client import AdminApiKeysClient
from pulumi_apikeys.settings import RetryPolicy

# Small waits keep the suite quick; the retry logic is the same at any scale.
QUICK = RetryPolicy(max_retries=2, timeout=5.0, backoff_initial=0.01, backoff_max=0.05)


@pytest.fixture
def client(emulator):
    return AdminApiKeysClient(
        admin_key=emulator.endpoint("openai").credential,
        base_url=emulator.endpoint("openai").base_url,
        policy=QUICK,
    )


def api_calls(emulator):
    """(method, path) of every API request the emulator saw, control calls excluded."""
    return [(r.method, r.path) for r in emulator.control.requests()]


def test_create_returns_the_key_with_its_value(client):
    created = client.create(name="CI deployer")
    assert created.name == "CI deployer"
    assert created.id.startswith("key_")
    assert created.value.get_secret_value().startswith("sk-admin-")
    assert created.redacted_value.startswith("sk-admin...")
    assert created.expires_at is None


def test_create_with_an_expiry_sets_expires_at(client):
    created = client.create(name="short-lived", expires_in_seconds=3600)
    assert created.expires_at == created.created_at + 3600


def test_retrieve_returns_the_key_without_its_value(client):
    created = client.create(name="k")
    key = client.retrieve(created.id)
    assert (key.id, key.name, key.redacted_value) == (created.id, "k", created.redacted_value)
    assert not hasattr(key, "value")


def test_the_created_value_authenticates_as_an_admin_key(client, emulator):
    created = client.create(name="k")
    as_new_key = AdminApiKeysClient(
        admin_key=created.value, base_url=emulator.endpoint("openai").base_url, policy=QUICK
    )
    assert as_new_key.retrieve(created.id).last_used_at is not None


def test_delete_removes_the_key(client):
    created = client.create(name="k")
    assert client.delete(created.id) is True
    with pytest.raises(NotFoundError):
        client.retrieve(created.id)


def test_delete_of_a_key_already_gone_reports_false_not_an_error(client):
    created = client.create(name="k")
    client.delete(created.id)
    assert client.delete(created.id) is False


def test_find_by_name_returns_every_key_with_exactly_that_name(client):
    first = client.create(name="dup")
    client.create(name="dup-not")
    second = client.create(name="dup")
    assert [k.id for k in client.find_by_name("dup")] == [first.id, second.id]


@pytest.fixture(scope="module")
def many_keys():
    """A separate emulator holding 250 keys, filled once for the pagination tests."""
    with start_emulator(EmulatorConfig(port=0)) as running:
        client = AdminApiKeysClient(
            admin_key=running.endpoint("openai").credential,
            base_url=running.endpoint("openai").base_url,
            policy=QUICK,
        )
        ids = [client.create(name=f"key-{i:03d}").id for i in range(250)]
        running.control.clear_requests()
        yield client, ids, running


@pytest.mark.parametrize("limit", [1, 20, 100])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_list_follows_the_cursor_through_every_page(many_keys, limit, order):
    client, ids, _running = many_keys
    expected = ids if order == "asc" else ids[::-1]
    assert [k.id for k in client.list(limit=limit, order=order)] == expected


def test_list_page_reports_the_cursor_fields(many_keys):
    client, ids, _running = many_keys
    page = client.list_page(limit=20)
    assert (page.first_id, page.last_id, page.has_more, len(page.data)) == (ids[0], ids[19], True, 20)
    rest = client.list_page(after=ids[239], limit=20)
    assert ([k.id for k in rest.data], rest.has_more) == (ids[240:], False)


def test_list_fetches_each_page_only_when_it_is_reached(many_keys):
    client, _ids, running = many_keys
    running.control.clear_requests()
    iterator = client.list(limit=100)
    next(iterator)
    assert len(running.control.requests()) == 1
    assert sum(1 for _ in iterator) == 249
    assert len(running.control.requests()) == 3


@pytest.mark.parametrize("limit", [0, 101, True, "20"])
def test_an_impossible_page_size_is_refused_before_any_request(client, emulator, limit):
    with pytest.raises(InvalidArgumentError, match="limit"):
        client.list_page(limit=limit)
    assert api_calls(emulator) == []


def test_a_wrong_admin_key_raises_authentication_error(emulator):
    client = AdminApiKeysClient(
        admin_key="sk-admin-wrong-key-123456", base_url=emulator.endpoint("openai").base_url, policy=QUICK
    )
    with pytest.raises(AuthenticationError) as caught:
        client.list_page()
    assert caught.value.status == 401
    assert caught.value.request_id
    assert "sk-admin-wrong-key-123456" not in str(caught.value)


def test_a_refused_admin_key_from_the_environment_names_the_variable_to_fix(emulator, monkeypatch):
    monkeypatch.setenv("OPENAI_ADMIN_KEY", "sk-admin-wrong-key-123456")
    client = AdminApiKeysClient(base_url=emulator.endpoint("openai").base_url, policy=QUICK)
    with pytest.raises(
        AuthenticationError, match="check the OpenAI admin key in the environment variable OPENAI_ADMIN_KEY"
    ):
        client.list_page()


def test_a_refused_admin_key_names_the_source_the_caller_gave(emulator):
    client = AdminApiKeysClient(
        admin_key="sk-admin-wrong",
        admin_key_source="the vault entry ci/openai",
        base_url=emulator.endpoint("openai").base_url,
    )
    with pytest.raises(
        AuthenticationError, match=r"The credential was refused: check the vault entry ci/openai\."
    ):
        client.list_page()


def test_retrieving_an_unknown_id_raises_not_found(client):
    with pytest.raises(NotFoundError) as caught:
        client.retrieve("key_doesnotexist")
    assert caught.value.call == "openai.admin_api_keys.retrieve"


def test_an_unknown_cursor_raises_bad_request(client):
    with pytest.raises(BadRequestError):
        client.list_page(after="key_neverseen")


def test_429s_do_not_use_up_the_retries(client, emulator):
    # QUICK allows 2 retries; the API acted on none of the three 429s, so they do not count.
    emulator.control.set_faults(FaultPlan(script=["rate_limit"] * 3, retry_after_ms=10))
    assert client.list_page().data == []
    assert len(api_calls(emulator)) == 4


def test_rate_limiting_that_outlasts_the_time_budget_raises_rate_limited(emulator):
    brief = RetryPolicy(max_retries=2, timeout=5.0, total_timeout=0.5)
    client = AdminApiKeysClient(
        admin_key=emulator.endpoint("openai").credential,
        base_url=emulator.endpoint("openai").base_url,
        policy=brief,
    )
    emulator.control.set_faults(FaultPlan(rates={"rate_limit": 1.0}, retry_after_ms=100))
    with pytest.raises(RateLimitedError, match="time budget") as caught:
        client.list_page()
    assert caught.value.retry_after == pytest.approx(0.1)
    assert len(api_calls(emulator)) >= 2


@pytest.mark.parametrize("fault", ["server_error", "bad_gateway", "unavailable"])
def test_a_server_error_that_persists_raises_server_error(client, emulator, fault):
    emulator.control.set_faults(FaultPlan(rates={fault: 1.0}))
    with pytest.raises(ServerError):
        client.list_page()
    assert len(api_calls(emulator)) == 3


def test_a_dropped_connection_on_every_attempt_raises_connection_error(client, emulator):
    emulator.control.set_faults(FaultPlan(rates={"drop": 1.0}))
    with pytest.raises(ApiConnectionError):
        client.list_page()


def test_a_server_slower_than_the_timeout_raises_timeout_error(emulator):
    impatient = RetryPolicy(max_retries=0, timeout=0.2)
    client = AdminApiKeysClient(
        admin_key=emulator.endpoint("openai").credential,
        base_url=emulator.endpoint("openai").base_url,
        policy=impatient,
    )
    emulator.control.set_faults(FaultPlan(latency_ms=1500))
    with pytest.raises(ApiTimeoutError):
        client.list_page()


def test_a_429_then_success_is_one_success_and_one_key(client, emulator):
    emulator.control.set_faults(FaultPlan(script=["rate_limit"], retry_after_ms=10))
    created = client.create(name="k")
    assert api_calls(emulator) == [("POST", "/v1/organization/admin_api_keys")] * 2
    assert [k.id for k in client.list()] == [created.id]


def test_the_servers_retry_after_is_waited_out(emulator):
    client = AdminApiKeysClient(
        admin_key=emulator.endpoint("openai").credential, base_url=emulator.endpoint("openai").base_url
    )
    emulator.control.set_faults(FaultPlan(script=["rate_limit"], retry_after_seconds=1))
    started = time.monotonic()
    client.list_page()
    assert time.monotonic() - started >= 1.0


def test_a_get_is_retried_after_a_dropped_connection(client, emulator):
    emulator.control.set_faults(FaultPlan(script=["drop"]))
    assert client.list_page().data == []
    assert len(api_calls(emulator)) == 2


def test_a_single_create_request_is_not_repeated_after_a_500(client, emulator):
    emulator.control.set_faults(FaultPlan(script=["server_error"]))
    with pytest.raises(ServerError):
        client.send_create(name="k")
    assert api_calls(emulator) == [("POST", "/v1/organization/admin_api_keys")]


def test_a_single_create_request_that_lost_its_answer_is_not_repeated(client, emulator):
    # The ambiguous case: the key exists, the caller cannot know it. Reconciling it is the job of
    # create(); a single request must never make a second key by itself.
    emulator.control.set_faults(FaultPlan(script=["commit_then_drop"]))
    with pytest.raises(ApiConnectionError):
        client.send_create(name="k")
    assert [k.name for k in client.list()] == ["k"]


def test_a_delete_is_retried_after_a_503(client, emulator):
    created = client.create(name="k")
    emulator.control.set_faults(FaultPlan(script=["unavailable"]))
    assert client.delete(created.id) is True


def test_credentials_and_base_url_come_from_the_environment(emulator, monkeypatch):
    monkeypatch.setenv("OPENAI_ADMIN_KEY", emulator.endpoint("openai").credential)
    monkeypatch.setenv("OPENAI_BASE_URL", emulator.endpoint("openai").base_url)
    assert AdminApiKeysClient(policy=QUICK).list_page().data == []


def test_the_default_base_url_is_openais(monkeypatch):
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    assert AdminApiKeysClient(admin_key="sk-admin-x").base_url == "https://api.openai.com/v1"


def test_a_missing_admin_key_names_the_variable(monkeypatch):
    monkeypatch.delenv("OPENAI_ADMIN_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="OPENAI_ADMIN_KEY"):
        AdminApiKeysClient()


def test_a_plain_http_base_url_to_a_remote_host_is_refused(emulator):
    with pytest.raises(ConfigurationError, match="cleartext"):
        AdminApiKeysClient(
            admin_key=emulator.endpoint("openai").credential, base_url="http://api.openai.com/v1"
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": ""}, "name must not be empty or only whitespace"),
        ({"name": "   "}, "name must not be empty or only whitespace"),
        ({"name": "k" * 257}, "name must be at most 256 characters, not 257"),
        ({"name": "a\tb"}, "name must not contain control characters"),
        ({"name": 7}, "name must be a string"),
        ({"name": "k", "expires_in_seconds": 0}, "expires_in_seconds must be from 1 to 31536000"),
        ({"name": "k", "expires_in_seconds": 31_536_001}, "expires_in_seconds must be from 1 to 31536000"),
        ({"name": "k", "expires_in_seconds": True}, "expires_in_seconds must be an integer"),
        ({"name": "k", "expires_in_seconds": 1.5}, "expires_in_seconds must be an integer"),
    ],
)
def test_bad_create_arguments_are_refused_before_any_request(client, emulator, kwargs, message):
    with pytest.raises(InvalidArgumentError, match=message):
        client.create(**kwargs)
    assert api_calls(emulator) == []


@pytest.mark.parametrize("key_id", ["", "..", "."])
def test_an_id_that_cannot_be_a_key_id_is_refused_before_any_request(client, emulator, key_id):
    with pytest.raises(InvalidArgumentError, match="key_id"):
        client.retrieve(key_id)
    assert api_calls(emulator) == []


@pytest.mark.parametrize("key_id", ["key_x/../../organization", "key_x?limit=1", "key_x#frag"])
def test_an_id_with_path_characters_stays_one_path_segment(client, emulator, key_id):
    with pytest.raises(NotFoundError):
        client.retrieve(key_id)
    [(_method, path)] = api_calls(emulator)
    assert path.startswith("/v1/organization/admin_api_keys/key_x")
    assert path.count("/") == 4
