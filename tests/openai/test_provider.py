"""The AdminApiKey provider's methods, called directly, against the emulator over real HTTP.

The engine-level behaviour (which method runs when, secrets, state) is specified by the harness
scenarios in ``tests/resources``; these pin down what each method does on its own.
"""

from __future__ import annotations

import base64
import threading

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime.rpc import UNKNOWN

from pulumi_apikeys.errors import AdoptionError, ConfigurationError
from pulumi_apikeys.openai.client import AdminApiKeysClient
from pulumi_apikeys.openai.declaration import ADMIN_API_KEY
from pulumi_apikeys.openai.provider import AdminApiKeyProvider


def emulator_config(emulator) -> dict[str, object]:
    return {
        "apikeys:openaiAdminKey": emulator.endpoint("openai").credential,
        "apikeys:openaiBaseUrl": emulator.endpoint("openai").base_url,
    }


def configured(config: dict[str, object]) -> AdminApiKeyProvider:
    provider = AdminApiKeyProvider()
    provider.configure(ConfigureRequest(Config(config, "project")))
    return provider


@pytest.fixture(autouse=True)
def no_env_credentials(monkeypatch):
    monkeypatch.delenv("OPENAI_ADMIN_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


@pytest.fixture
def provider(emulator):
    return configured(
        {
            "apikeys:openaiAdminKey": emulator.endpoint("openai").credential,
            "apikeys:openaiBaseUrl": emulator.endpoint("openai").base_url,
        }
    )


@pytest.fixture
def api(emulator):
    return AdminApiKeysClient(
        admin_key=emulator.endpoint("openai").credential, base_url=emulator.endpoint("openai").base_url
    )


def calls(emulator):
    return [(r.method, r.path) for r in emulator.control.requests()]


def test_create_makes_one_post_and_returns_every_output(provider, emulator):
    result = provider.create({"name": "CI deployer", "expires_in_seconds": 3600})
    assert calls(emulator) == [("POST", "/v1/organization/admin_api_keys")]
    assert result.id.startswith("key_")
    assert set(result.outs) == set(ADMIN_API_KEY.outputs)
    assert result.outs["name"] == "CI deployer"
    assert result.outs["expires_in_seconds"] == 3600
    assert result.outs["expires_at"] == result.outs["created_at"] + 3600


def test_create_takes_a_lifetime_as_the_float_the_engine_sends(provider):
    result = provider.create({"name": "k", "expires_in_seconds": 3600.0})
    assert result.outs["expires_at"] == result.outs["created_at"] + 3600
    assert result.outs["expires_in_seconds"] == 3600


def test_create_returns_the_value_that_authenticates_as_the_new_key(provider, emulator):
    value = provider.create({"name": "k"}).outs["value"]
    AdminApiKeysClient(admin_key=value, base_url=emulator.endpoint("openai").base_url).list_page()


def test_adopting_an_existing_key_makes_no_post_and_leaves_the_value_unknown(provider, emulator, api):
    existing = api.create(name="Legacy")
    emulator.control.clear_requests()
    result = provider.create({"name": "Legacy", "adopt_id": existing.id})
    assert calls(emulator) == [("GET", f"/v1/organization/admin_api_keys/{existing.id}")]
    assert result.id == existing.id
    assert result.outs["value"] is None
    assert result.outs["redacted_value"] == existing.redacted_value


def test_adopting_a_key_under_another_name_fails_saying_both_names(provider, api):
    existing = api.create(name="Legacy")
    with pytest.raises(AdoptionError) as caught:
        provider.create({"name": "Renamed", "adopt_id": existing.id})
    assert str(caught.value) == (
        f"Cannot import Admin API key {existing.id!r}: its name is 'Legacy' but the program declares "
        "name='Renamed'. Declare the key's current name to import it "
        "(a different name would replace the key)."
    )


def test_adopting_a_missing_key_fails_saying_there_is_none(provider):
    with pytest.raises(AdoptionError, match="the organization has no key with that id"):
        provider.create({"name": "k", "adopt_id": "key_missing"})


def test_diff_of_unchanged_inputs_is_no_change(provider):
    olds = {"name": "k", "expires_in_seconds": 60, "last_used_at": 1, "__provider": "old"}
    result = provider.diff("key_1", olds, {"name": "k", "expires_in_seconds": 60.0, "__provider": "new"})
    assert result.changes is False
    assert result.replaces == []


@pytest.mark.parametrize(
    ("news", "replaces"),
    [
        ({"name": "renamed", "expires_in_seconds": 60}, ["name"]),
        ({"name": "k"}, ["expires_in_seconds"]),
        ({"name": "k", "expires_in_seconds": 61}, ["expires_in_seconds"]),
        ({"name": UNKNOWN, "expires_in_seconds": 60}, ["name"]),
    ],
)
def test_diff_replaces_on_a_change_of_a_declared_input(provider, news, replaces):
    result = provider.diff("key_1", {"name": "k", "expires_in_seconds": 60}, news)
    assert result.changes is True
    assert result.replaces == replaces


def test_diff_ignores_dropping_the_import_option_after_adoption(provider):
    result = provider.diff("key_1", {"name": "k", "value": None}, {"name": "k"})
    assert result.changes is False


def test_read_carries_the_value_over_and_returns_the_declared_inputs(provider):
    created = provider.create({"name": "k", "expires_in_seconds": 600})
    result = provider.read(created.id, dict(created.outs))
    assert result.id == created.id
    assert result.outs == created.outs
    assert result.inputs == {"name": "k", "expires_in_seconds": 600}


def test_read_of_a_key_deleted_out_of_band_returns_a_blank_id(provider, api):
    created = provider.create({"name": "k"})
    api.delete(created.id)
    result = provider.read(created.id, dict(created.outs))
    assert result.id is None
    assert result.outs == {}


def test_read_with_only_the_inputs_serves_a_get(provider, api):
    existing = api.create(name="Shared")
    result = provider.read(existing.id, {"__provider": "serialized"})
    assert result.outs["name"] == "Shared"
    assert result.outs["value"] is None


def test_a_get_of_a_missing_key_fails_naming_it(provider):
    with pytest.raises(AdoptionError, match="no Admin API key 'key_missing'"):
        provider.read("key_missing", {"__provider": "serialized"})


def test_update_returns_complete_unchanged_outputs(provider):
    created = provider.create({"name": "k", "expires_in_seconds": 60})
    result = provider.update(created.id, dict(created.outs), {"name": "k", "expires_in_seconds": 60.0})
    assert result.outs == created.outs
    assert type(result.outs["expires_in_seconds"]) is int


def test_delete_deletes_the_key(provider, emulator, api):
    created = provider.create({"name": "k"})
    provider.delete(created.id, dict(created.outs))
    assert calls(emulator)[-1] == ("DELETE", f"/v1/organization/admin_api_keys/{created.id}")
    assert [key.id for key in api.list()] == []


def test_delete_of_a_key_already_gone_succeeds(provider, api):
    created = provider.create({"name": "k"})
    api.delete(created.id)
    provider.delete(created.id, dict(created.outs))


def test_the_environment_is_the_fallback_for_credential_and_base_url(emulator, monkeypatch):
    monkeypatch.setenv("OPENAI_ADMIN_KEY", emulator.endpoint("openai").credential)
    monkeypatch.setenv("OPENAI_BASE_URL", emulator.endpoint("openai").base_url)
    assert configured({}).create({"name": "k"}).id.startswith("key_")


def test_a_missing_credential_fails_the_first_call_saying_how_to_set_it(emulator):
    provider = configured({"apikeys:openaiBaseUrl": emulator.endpoint("openai").base_url})
    with pytest.raises(ConfigurationError) as caught:
        provider.create({"name": "k"})
    assert "pulumi config set --secret apikeys:openaiAdminKey" in str(caught.value)
    assert "OPENAI_ADMIN_KEY" in str(caught.value)


def test_check_and_diff_need_no_credential():
    provider = configured({})
    assert provider.check({}, {"name": "k"}).failures == []
    assert provider.diff("key_1", {"name": "k"}, {"name": "k"}).changes is False


def test_the_serialized_provider_is_small_and_the_same_for_every_resource(emulator):
    fresh = serialize_provider(AdminApiKeyProvider())
    used = configured(
        {
            "apikeys:openaiAdminKey": emulator.endpoint("openai").credential,
            "apikeys:openaiBaseUrl": emulator.endpoint("openai").base_url,
        }
    )
    used.create({"name": "k"})
    assert serialize_provider(used) == fresh
    assert len(fresh) <= 128
    assert emulator.endpoint("openai").credential.encode() not in base64.b64decode(fresh)


def test_threads_share_one_client(provider):
    clients = []

    def use() -> None:
        clients.append(provider.client())

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(client) for client in clients}) == 1
