"""The capy API keys client against the emulator, a real HTTP server on loopback."""

from __future__ import annotations

import contextlib

import httpx
import pytest

from pulumi_apikeys.capy.client import CapyApiKeysClient
from pulumi_apikeys.emulator import EmulatorConfig, FaultPlan, start_emulator
from pulumi_apikeys.errors import (
    AuthenticationError,
    ConfigurationError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    UnreadableResponseError,
)
from pulumi_apikeys.settings import RetryPolicy

# Small waits keep the suite quick; the retry logic is the same at any scale.
QUICK = RetryPolicy(max_retries=2, timeout=5.0, backoff_initial=0.01, backoff_max=0.05)
ORG = "org_emulated"


@pytest.fixture
def client(emulator):
    return CapyApiKeysClient(
        api_key=emulator.endpoint("capy").credential,
        base_url=emulator.endpoint("capy").base_url,
        policy=QUICK,
    )


def api_calls(emulator):
    """(method, path) of every API request the emulator saw, control calls excluded."""
    return [(r.method, r.path) for r in emulator.control.requests()]


def test_create_returns_the_key_with_its_secret(client):
    created = client.create(organization_id=ORG, name="CI deployer", scopes=["keys:read"])
    key = created.api_key
    secret = created.plaintext_api_key.get_secret_value()
    assert (key.name, key.organization_id, key.scopes, key.is_active) == (
        "CI deployer",
        ORG,
        ["keys:read"],
        True,
    )
    assert key.id.startswith("ak_")
    assert secret.startswith("capy_live_")
    assert secret.startswith(key.key_prefix)
    assert key.created_at.tzinfo is not None
    assert key.revoked_at is None


def test_create_sends_the_scopes_once_each_sorted(client, emulator):
    created = client.create(organization_id=ORG, name="k", scopes=["write", "read", "write"])
    assert created.api_key.scopes == ["read", "write"]


def test_a_key_lives_from_create_through_list_and_find_to_revoke(client):
    created = client.create(organization_id=ORG, name="lifecycle", scopes=["read"]).api_key

    assert [key.id for key in client.list(ORG)] == [created.id]
    assert client.find(ORG, created.id) == created
    assert client.revoke(ORG, created.id) is True

    revoked = client.find(ORG, created.id)
    assert revoked is not None
    assert revoked.is_gone
    assert (revoked.is_active, revoked.revoked_at is not None) == (False, True)


def test_a_revoked_key_stays_listed(client):
    created = client.create(organization_id=ORG, name="k", scopes=["read"]).api_key
    client.revoke(ORG, created.id)
    assert [(key.id, key.is_gone) for key in client.list(ORG)] == [(created.id, True)]


def test_revoking_twice_reports_false_the_second_time_without_retrying(client, emulator):
    created = client.create(organization_id=ORG, name="k", scopes=["read"]).api_key
    assert client.revoke(ORG, created.id) is True
    emulator.control.clear_requests()

    assert client.revoke(ORG, created.id) is False
    assert [method for method, _path in api_calls(emulator)] == ["DELETE"]


def test_revoking_an_unknown_key_reports_false(client):
    assert client.revoke(ORG, "ak_doesnotexist") is False


def test_revoking_another_organizations_key_reports_false_and_leaves_it(client):
    created = client.create(organization_id="org_a", name="k", scopes=["read"]).api_key
    assert client.revoke("org_b", created.id) is False
    found = client.find("org_a", created.id)
    assert found is not None
    assert not found.is_gone


def test_find_of_an_unknown_id_is_none(client):
    client.create(organization_id=ORG, name="k", scopes=["read"])
    assert client.find(ORG, "ak_nope") is None


def test_find_by_name_returns_every_key_with_exactly_that_name(client):
    first = client.create(organization_id=ORG, name="dup", scopes=["read"]).api_key
    client.create(organization_id=ORG, name="dup-not", scopes=["read"])
    second = client.create(organization_id=ORG, name="dup", scopes=["read"]).api_key
    assert [key.id for key in client.find_by_name(ORG, "dup")] == [first.id, second.id]


def test_an_organization_lists_only_its_own_keys(client):
    mine = client.create(organization_id="org_a", name="k", scopes=["read"]).api_key
    client.create(organization_id="org_b", name="k", scopes=["read"])
    assert [key.id for key in client.list("org_a")] == [mine.id]


def test_a_created_key_authenticates_for_its_own_organization(client, emulator):
    created = client.create(organization_id=ORG, name="k", scopes=["read"])
    as_new_key = CapyApiKeysClient(
        api_key=created.plaintext_api_key, base_url=emulator.endpoint("capy").base_url, policy=QUICK
    )
    [listed] = as_new_key.list(ORG)
    assert listed.last_used_at is not None


def test_a_created_key_used_on_another_organization_is_permission_denied(client, emulator):
    created = client.create(organization_id=ORG, name="k", scopes=["read"])
    as_new_key = CapyApiKeysClient(
        api_key=created.plaintext_api_key, base_url=emulator.endpoint("capy").base_url, policy=QUICK
    )
    with pytest.raises(PermissionDeniedError):
        list(as_new_key.list("org_other"))


def test_a_revoked_key_no_longer_authenticates(client, emulator):
    created = client.create(organization_id=ORG, name="k", scopes=["read"])
    client.revoke(ORG, created.api_key.id)
    as_revoked = CapyApiKeysClient(
        api_key=created.plaintext_api_key, base_url=emulator.endpoint("capy").base_url, policy=QUICK
    )
    with pytest.raises(AuthenticationError):
        list(as_revoked.list(ORG))


def test_a_wrong_credential_raises_authentication_error_without_echoing_it(emulator):
    client = CapyApiKeysClient(
        api_key="capy_live_wrong-key-123456", base_url=emulator.endpoint("capy").base_url, policy=QUICK
    )
    with pytest.raises(AuthenticationError) as caught:
        list(client.list(ORG))
    assert (caught.value.status, caught.value.call) == (401, "capy.api_keys.list")
    assert caught.value.message.startswith("Invalid API key.")  # capy's {"error": ...} body, read
    assert "capy_live_wrong-key-123456" not in str(caught.value)


@pytest.mark.parametrize(
    "organization_id", ["org_x/../../organization", "org_x?cursor=1", "org_x#frag", "org_x/.."]
)
def test_an_organization_id_with_path_characters_stays_one_path_segment(client, emulator, organization_id):
    with contextlib.suppress(NotFoundError):
        list(client.list(organization_id))
    [(_method, path)] = api_calls(emulator)
    assert path.startswith("/v1/organizations/org_x%")
    assert path.endswith("/api-keys")
    assert path.count("/") == 4


@pytest.mark.parametrize("key_id", ["ak_x/../../../org_y/api-keys", "ak_x?cursor=1", "ak_x#frag", "ak_x/.."])
def test_a_key_id_with_path_characters_stays_one_path_segment(client, emulator, key_id):
    victim = client.create(organization_id=ORG, name="k", scopes=["read"]).api_key
    emulator.control.clear_requests()

    assert client.revoke(ORG, key_id) is False

    [(_method, path)] = api_calls(emulator)
    assert path.startswith(f"/v1/organizations/{ORG}/api-keys/ak_x%")
    assert path.count("/") == 5
    found = client.find(ORG, victim.id)
    assert found is not None
    assert not found.is_gone


@pytest.mark.parametrize("value", ["", "..", "."])
def test_an_id_that_cannot_be_a_path_segment_is_refused_before_any_request(client, emulator, value):
    with pytest.raises(InvalidArgumentError, match="organization_id"):
        list(client.list(value))
    with pytest.raises(InvalidArgumentError, match="key_id"):
        client.revoke(ORG, value)
    assert api_calls(emulator) == []


@pytest.fixture(scope="module")
def many_keys():
    """A separate emulator with pages of 7 keys, holding 20 keys, filled once for the pagination tests."""
    with start_emulator(EmulatorConfig(port=0, services={"capy": {"page_size": 7}})) as running:
        client = CapyApiKeysClient(
            api_key=running.endpoint("capy").credential,
            base_url=running.endpoint("capy").base_url,
            policy=QUICK,
        )
        ids = [
            client.create(organization_id=ORG, name=f"key-{i:02d}", scopes=["read"]).api_key.id
            for i in range(20)
        ]
        client.create(organization_id="org_other", name="elsewhere", scopes=["read"])
        yield client, ids, running


def test_list_follows_the_cursor_through_every_page(many_keys):
    client, ids, running = many_keys
    running.control.clear_requests()

    assert [key.id for key in client.list(ORG)] == ids
    assert [request.query.get("cursor") for request in running.control.requests()] == [None, ids[6], ids[13]]


def test_list_fetches_each_page_only_when_it_is_reached(many_keys):
    client, _ids, running = many_keys
    running.control.clear_requests()
    iterator = client.list(ORG)
    next(iterator)
    assert len(running.control.requests()) == 1
    assert sum(1 for _ in iterator) == 19
    assert len(running.control.requests()) == 3


def scripted_client(pages: list[dict[str, object]]) -> tuple[CapyApiKeysClient, list[httpx.Request]]:
    """A client of a fake server answering the list call with ``pages`` in turn (the last repeats)."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=pages[min(len(seen), len(pages)) - 1])

    client = CapyApiKeysClient(
        api_key="capy_live_test",
        base_url="https://capy.example.test",
        policy=QUICK,
        http_client=httpx.Client(transport=httpx.MockTransport(answer)),
    )
    return client, seen


def test_a_cursor_that_repeats_is_refused_rather_than_followed_forever():
    client, seen = scripted_client([{"api_keys": [], "next_cursor": "c1"}])
    with pytest.raises(UnreadableResponseError, match="c1"):
        list(client.list(ORG))
    assert len(seen) == 2


def test_a_cursor_cycle_is_refused():
    client, seen = scripted_client(
        [
            {"api_keys": [], "next_cursor": "c1"},
            {"api_keys": [], "next_cursor": "c2"},
            {"api_keys": [], "next_cursor": "c1"},
        ]
    )
    with pytest.raises(UnreadableResponseError, match="pagination did not advance"):
        list(client.list(ORG))
    assert [request.url.params.get("cursor") for request in seen] == [None, "c1", "c2"]


def test_a_missing_base_url_says_there_is_no_default(monkeypatch):
    monkeypatch.delenv("CAPY_BASE_URL", raising=False)
    with pytest.raises(ConfigurationError, match=r"no public default.*CAPY_BASE_URL"):
        CapyApiKeysClient(api_key="capy_live_x")


def test_a_missing_credential_names_the_variable(monkeypatch):
    monkeypatch.delenv("CAPY_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match=r"No capy API key is configured.*CAPY_API_KEY"):
        CapyApiKeysClient(base_url="https://capy.example.test")


def test_a_refused_credential_from_the_environment_names_the_variable(emulator, monkeypatch):
    monkeypatch.setenv("CAPY_API_KEY", "capy_live_wrong-key-123456")
    client = CapyApiKeysClient(base_url=emulator.endpoint("capy").base_url, policy=QUICK)
    with pytest.raises(AuthenticationError, match="CAPY_API_KEY"):
        list(client.list(ORG))


def test_credentials_and_base_url_come_from_the_environment(emulator, monkeypatch):
    monkeypatch.setenv("CAPY_API_KEY", emulator.endpoint("capy").credential)
    monkeypatch.setenv("CAPY_BASE_URL", emulator.endpoint("capy").base_url)
    assert list(CapyApiKeysClient(policy=QUICK).list(ORG)) == []


def test_a_plain_http_base_url_to_a_remote_host_is_refused():
    with pytest.raises(ConfigurationError, match="cleartext"):
        CapyApiKeysClient(api_key="capy_live_x", base_url="http://capy.example.com")


def test_a_429_then_success_is_one_success_and_one_key(client, emulator):
    emulator.control.set_faults(FaultPlan(script=["rate_limit"], retry_after_ms=10))
    created = client.create(organization_id=ORG, name="k", scopes=["read"])
    assert api_calls(emulator) == [("POST", f"/v1/organizations/{ORG}/api-keys")] * 2
    assert [key.id for key in client.list(ORG)] == [created.api_key.id]


def test_429s_do_not_use_up_the_retries(client, emulator):
    # QUICK allows 2 retries; the API acted on none of the three 429s, so they do not count.
    emulator.control.set_faults(FaultPlan(script=["rate_limit"] * 3, retry_after_ms=10))
    assert list(client.list(ORG)) == []
    assert len(api_calls(emulator)) == 4


def test_rate_limiting_that_outlasts_the_time_budget_raises_rate_limited(emulator):
    brief = RetryPolicy(max_retries=2, timeout=5.0, total_timeout=0.5)
    client = CapyApiKeysClient(
        api_key=emulator.endpoint("capy").credential,
        base_url=emulator.endpoint("capy").base_url,
        policy=brief,
    )
    emulator.control.set_faults(FaultPlan(rates={"rate_limit": 1.0}, retry_after_ms=100))
    with pytest.raises(RateLimitedError) as caught:
        list(client.list(ORG))
    assert caught.value.message.startswith(
        "Rate limit reached for requests. Please try again later.; gave up"
    )
    assert len(api_calls(emulator)) >= 2


def test_a_single_create_request_is_not_repeated_after_a_500(client, emulator):
    emulator.control.set_faults(FaultPlan(script=["server_error"]))
    with pytest.raises(ServerError):
        client.send_create(organization_id=ORG, name="k", scopes=["read"])
    assert api_calls(emulator) == [("POST", f"/v1/organizations/{ORG}/api-keys")]


@pytest.mark.parametrize("fault", ["commit_then_drop", "server_error", "not_json", "truncated_body"])
def test_a_create_after_an_ambiguous_failure_ends_with_exactly_one_live_key(client, emulator, fault):
    emulator.control.set_faults(FaultPlan(script=[fault], methods=["POST"]))
    created = client.create(organization_id=ORG, name="k", scopes=["read"])
    live = [key.id for key in client.list(ORG) if not key.is_gone]
    assert live == [created.api_key.id]


def test_the_key_a_lost_answer_made_is_revoked_before_the_next_attempt(client, emulator):
    emulator.control.set_faults(FaultPlan(script=["commit_then_drop"], methods=["POST"]))
    client.create(organization_id=ORG, name="k", scopes=["read"])
    assert [method for method, _ in api_calls(emulator)] == ["POST", "GET", "DELETE", "POST"]


def test_a_key_with_other_scopes_is_not_mistaken_for_the_lost_one(client, emulator):
    other = client.send_create(organization_id=ORG, name="k", scopes=["write"]).api_key
    emulator.control.set_faults(FaultPlan(script=["commit_then_drop"], methods=["POST"]))
    mine = client.create(organization_id=ORG, name="k", scopes=["read"]).api_key
    live = sorted(key.id for key in client.list(ORG) if not key.is_gone)
    assert live == sorted([other.id, mine.id])


def test_a_revoke_is_retried_after_a_503(client, emulator):
    created = client.create(organization_id=ORG, name="k", scopes=["read"]).api_key
    emulator.control.set_faults(FaultPlan(script=["unavailable"]))
    assert client.revoke(ORG, created.id) is True


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": ""}, "name must not be empty or only whitespace"),
        ({"name": "k" * 257}, "name must be at most 256 characters, not 257"),
        ({"name": "a\nb"}, "name must not contain control characters"),
        ({"name": 7}, "name must be a string"),
        ({"scopes": []}, "scopes must not be empty"),
        ({"scopes": "read"}, "scopes must be a list of strings, not str"),
        ({"scopes": None}, "scopes must be a list of strings, not NoneType"),
        ({"scopes": ["read", 3]}, "every scope must be a string, not int"),
        ({"scopes": ["read", "  "]}, "a scope must not be empty or only whitespace"),
        ({"scopes": ["re\tad"]}, "a scope must not contain control characters"),
        ({"organization_id": ""}, "organization_id must be a non-empty string"),
    ],
)
def test_bad_create_arguments_are_refused_before_any_request(client, emulator, kwargs, message):
    arguments = {"organization_id": ORG, "name": "k", "scopes": ["read"]} | kwargs
    with pytest.raises(InvalidArgumentError, match=message):
        client.create(**arguments)
    assert api_calls(emulator) == []
