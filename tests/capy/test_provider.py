"""The capy ApiKey provider's methods, called directly, against the emulator over real HTTP.

The engine-level behaviour (which method runs when, secrets, state) is specified by the harness
scenarios in ``tests/resources/test_capy_api_key_lifecycle.py``; these pin down what each method
does on its own.
"""

from __future__ import annotations

import base64
import pickle
import threading
from datetime import datetime
from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime.rpc import UNKNOWN

from pulumi_apikeys.capy.client import CapyApiKeysClient
from pulumi_apikeys.capy.declaration import API_KEY
from pulumi_apikeys.capy.provider import ApiKeyProvider
from pulumi_apikeys.errors import AdoptionError, ConfigurationError

ORG = "org_test"
KEYS_PATH = f"/v1/organizations/{ORG}/api-keys"


def configured(config: dict[str, object]) -> ApiKeyProvider:
    provider = ApiKeyProvider()
    provider.configure(ConfigureRequest(Config(config, "project")))
    return provider


def declared(**overrides: Any) -> dict[str, Any]:
    props: dict[str, Any] = {"organization_id": ORG, "name": "CI", "scopes": ["keys:read"]}
    props.update(overrides)
    return props


@pytest.fixture(autouse=True)
def no_env_credentials(monkeypatch):
    monkeypatch.delenv("CAPY_API_KEY", raising=False)
    monkeypatch.delenv("CAPY_BASE_URL", raising=False)


@pytest.fixture
def provider(emulator):
    return configured(
        {
            "apikeys:capyApiKey": emulator.endpoint("capy").credential,
            "apikeys:capyBaseUrl": emulator.endpoint("capy").base_url,
        }
    )


@pytest.fixture
def api(emulator):
    return CapyApiKeysClient(
        api_key=emulator.endpoint("capy").credential, base_url=emulator.endpoint("capy").base_url
    )


def calls(emulator):
    return [(r.method, r.path) for r in emulator.control.requests()]


def check(news: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    result = ApiKeyProvider().check({}, news)
    return result.inputs, [(f.property, f.reason) for f in result.failures]


# ------------------------------------------------------------------------------------------ check


def test_check_passes_valid_inputs_with_the_scopes_as_a_sorted_set():
    inputs, failures = check(declared(scopes=["write", "keys:read", "write"]))
    assert failures == []
    assert inputs == declared(scopes=["keys:read", "write"])


def test_check_keeps_an_adoption_id():
    inputs, failures = check(declared(adopt_id="ak_0123abc"))
    assert failures == []
    assert inputs["adopt_id"] == "ak_0123abc"


@pytest.mark.parametrize(
    ("overrides", "failure"),
    [
        (
            {"organization_id": None},
            ("organization_id", "organization_id is required: give an id such as 'org_abc'"),
        ),
        (
            {"organization_id": 7},
            ("organization_id", "organization_id must be a string such as 'org_abc', not a number"),
        ),
        (
            {"organization_id": "  "},
            (
                "organization_id",
                "organization_id must not be empty or only whitespace; expected an id such as 'org_abc'",
            ),
        ),
        (
            {"organization_id": "org\x00x"},
            (
                "organization_id",
                "organization_id must not contain control characters such as newlines or tabs",
            ),
        ),
        *[
            (
                {"organization_id": bad},
                (
                    "organization_id",
                    "organization_id must not contain '/', '?', '#' or '..' (it is part of the API's URL "
                    f"path), not {bad!r}",
                ),
            )
            for bad in ("org/x", "org?x=1", "org#x", "..", "org_..")
        ],
        (
            {"organization_id": "o" * 257},
            ("organization_id", "organization_id must be at most 256 characters, not 257"),
        ),
        ({"name": None}, ("name", "name is required: give the key a non-empty name")),
        ({"name": " "}, ("name", "name must not be empty or only whitespace")),
        ({"name": "a\nb"}, ("name", "name must not contain control characters such as newlines or tabs")),
        ({"scopes": None}, ("scopes", "scopes is required: give at least one scope, e.g. ['keys:read']")),
        (
            {"scopes": "keys:read"},
            ("scopes", "scopes must be a list of strings, e.g. ['keys:read'], not a string"),
        ),
        ({"scopes": []}, ("scopes", "scopes must not be empty: give at least one scope, e.g. ['keys:read']")),
        ({"scopes": ["ok", 3]}, ("scopes", "scopes[1] must be a string, not a number")),
        ({"scopes": [" "]}, ("scopes", "scopes[0] must not be empty or only whitespace")),
        (
            {"scopes": ["a\tb"]},
            ("scopes", "scopes[0] must not contain control characters such as newlines or tabs"),
        ),
        ({"scopes": ["s" * 257]}, ("scopes", "scopes[0] must be at most 256 characters, not 257")),
        (
            {"adopt_id": "../ak_1"},
            (
                "adopt_id",
                "the id to import must look like 'ak_abc' (letters, digits, '_' and '-'), not '../ak_1'",
            ),
        ),
    ],
)
def test_check_names_each_wrong_property(overrides, failure):
    inputs, failures = check(declared(**overrides))
    assert failures == [failure]
    assert failure[0] not in inputs


def test_check_reports_every_wrong_property_at_once():
    _, failures = check({"scopes": []})
    assert [prop for prop, _ in failures] == ["organization_id", "name", "scopes"]


def test_check_lets_unknown_values_through():
    inputs, failures = check(declared(organization_id=UNKNOWN, name=UNKNOWN, scopes=["b", UNKNOWN, "a"]))
    assert failures == []
    assert inputs["organization_id"] == UNKNOWN
    assert inputs["scopes"] == ["b", UNKNOWN, "a"]
    assert check(declared(scopes=UNKNOWN))[0]["scopes"] == UNKNOWN


# ------------------------------------------------------------------------------------------- diff


@pytest.mark.parametrize(
    "scopes",
    [["keys:read", "write"], ["write", "keys:read"], ["write", "keys:read", "write"]],
)
def test_diff_compares_scopes_as_a_set(provider, scopes):
    olds = declared(scopes=["keys:read", "write"], last_used_at="2030-01-01T00:00:00+00:00", __provider="old")
    result = provider.diff("ak_1", olds, declared(scopes=scopes, __provider="new"))
    assert result.changes is False
    assert result.replaces == []


@pytest.mark.parametrize(
    ("news", "replaces"),
    [
        (declared(scopes=["keys:read", "write"]), ["scopes"]),
        (declared(scopes=["write"]), ["scopes"]),
        (declared(name="CI v2"), ["name"]),
        (declared(organization_id="org_other"), ["organization_id"]),
        (
            declared(organization_id="org_other", name="x", scopes=["y"]),
            ["organization_id", "name", "scopes"],
        ),
        (declared(name=UNKNOWN), ["name"]),
        (declared(scopes=UNKNOWN), ["scopes"]),
        (declared(scopes=["keys:read", UNKNOWN]), ["scopes"]),
    ],
)
def test_diff_replaces_on_any_change_of_a_declared_input(provider, news, replaces):
    result = provider.diff("ak_1", declared(), news)
    assert result.changes is True
    assert result.replaces == replaces


def test_diff_ignores_dropping_the_import_option_after_adoption(provider):
    assert provider.diff("ak_1", declared(value=None), declared()).changes is False


# ----------------------------------------------------------------------------------------- create


def test_create_makes_one_post_and_returns_every_output(provider, emulator):
    result = provider.create(declared(scopes=["write", "keys:read", "write"]))
    assert calls(emulator) == [("POST", KEYS_PATH)]
    assert result.id.startswith("ak_")
    assert set(result.outs) == set(API_KEY.outputs)
    assert result.outs["scopes"] == ["keys:read", "write"]
    assert result.outs["organization_id"] == ORG
    assert result.outs["is_active"] is True
    assert result.outs["revoked_at"] is None
    assert datetime.fromisoformat(result.outs["created_at"]).tzinfo is not None
    assert result.outs["value"].startswith(result.outs["key_prefix"])


def test_create_returns_the_value_that_authenticates(provider, emulator):
    value = provider.create(declared()).outs["value"]
    list(CapyApiKeysClient(api_key=value, base_url=emulator.endpoint("capy").base_url).list(ORG))


def test_adopting_an_existing_key_makes_no_post_and_leaves_the_value_unknown(provider, emulator, api):
    existing = api.create(organization_id=ORG, name="Legacy", scopes=["b", "a"]).api_key
    emulator.control.clear_requests()
    result = provider.create(declared(name="Legacy", scopes=["a", "b", "a"], adopt_id=existing.id))
    assert calls(emulator) == [("GET", KEYS_PATH)]
    assert result.id == existing.id
    assert result.outs["value"] is None
    assert result.outs["key_prefix"] == existing.key_prefix


def test_adopting_a_key_under_another_name_fails_saying_what_to_declare(provider, api):
    existing = api.create(organization_id=ORG, name="Legacy", scopes=["a"]).api_key
    with pytest.raises(AdoptionError) as caught:
        provider.create(declared(name="Renamed", scopes=["a"], adopt_id=existing.id))
    assert str(caught.value) == (
        f"Cannot import capy API key {existing.id!r} of organization {ORG!r}: its name is 'Legacy' but "
        "the program declares name='Renamed'. Declare the key's current name to import it "
        "(a different name would replace the key)."
    )


def test_adopting_a_key_with_other_scopes_fails_saying_what_to_declare(provider, api):
    existing = api.create(organization_id=ORG, name="Legacy", scopes=["b", "a"]).api_key
    with pytest.raises(AdoptionError) as caught:
        provider.create(declared(name="Legacy", scopes=["a"], adopt_id=existing.id))
    assert "its scopes are ['a', 'b'] but the program declares scopes=['a']" in str(caught.value)
    assert "Declare the key's current scopes to import it" in str(caught.value)


def test_adopting_a_missing_key_fails_naming_it(provider):
    with pytest.raises(
        AdoptionError, match="'ak_missing' of organization 'org_test': the organization has no key"
    ):
        provider.create(declared(adopt_id="ak_missing"))


def test_adopting_a_revoked_key_fails_saying_it_is_revoked(provider, api):
    existing = api.create(organization_id=ORG, name="CI", scopes=["keys:read"]).api_key
    api.revoke(ORG, existing.id)
    with pytest.raises(AdoptionError, match=f"{existing.id}.*the key is revoked"):
        provider.create(declared(adopt_id=existing.id))


def test_adopting_a_key_of_another_organization_fails(provider, api):
    existing = api.create(organization_id="org_elsewhere", name="CI", scopes=["keys:read"]).api_key
    with pytest.raises(AdoptionError, match="the organization has no key with that id"):
        provider.create(declared(adopt_id=existing.id))


# ------------------------------------------------------------------------------------------- read


def test_read_carries_the_value_over_and_returns_the_declared_inputs(provider, emulator):
    created = provider.create(declared(scopes=["b", "a"]))
    emulator.control.clear_requests()
    result = provider.read(created.id, dict(created.outs))
    assert calls(emulator) == [("GET", KEYS_PATH)]
    assert result.id == created.id
    assert result.outs == created.outs
    assert result.inputs == declared(scopes=["a", "b"])


def test_read_of_a_revoked_key_returns_a_blank_id(provider, api):
    created = provider.create(declared())
    api.revoke(ORG, created.id)
    result = provider.read(created.id, dict(created.outs))
    assert result.id is None
    assert result.outs == {}


def test_read_of_an_absent_key_returns_a_blank_id(provider):
    created = provider.create(declared())
    outs = dict(created.outs)
    result = provider.read("ak_not_there", outs)
    assert (result.id, result.outs) == (None, {})


def test_read_with_only_the_inputs_serves_a_get(provider, api):
    existing = api.create(organization_id=ORG, name="Shared", scopes=["keys:read"]).api_key
    result = provider.read(existing.id, {"__provider": "serialized", "organization_id": ORG})
    assert result.id == existing.id
    assert result.outs["name"] == "Shared"
    assert result.outs["value"] is None


def test_a_get_of_a_missing_key_fails_naming_it(provider):
    with pytest.raises(AdoptionError, match="the organization 'org_test' has no capy API key 'ak_missing'"):
        provider.read("ak_missing", {"__provider": "serialized", "organization_id": ORG})


def test_a_get_of_a_revoked_key_fails_saying_so(provider, api):
    existing = api.create(organization_id=ORG, name="Shared", scopes=["keys:read"]).api_key
    api.revoke(ORG, existing.id)
    with pytest.raises(AdoptionError, match="has only a revoked capy API key"):
        provider.read(existing.id, {"__provider": "serialized", "organization_id": ORG})


# ---------------------------------------------------------------------------------- update, delete


def test_update_returns_complete_unchanged_outputs(provider):
    created = provider.create(declared(scopes=["b", "a"]))
    result = provider.update(created.id, dict(created.outs), declared(scopes=["a", "b", "a"]))
    assert result.outs == created.outs


def test_delete_revokes_the_key(provider, emulator, api):
    created = provider.create(declared())
    provider.delete(created.id, dict(created.outs))
    assert calls(emulator)[-1] == ("DELETE", f"{KEYS_PATH}/{created.id}")
    [key] = api.list(ORG)
    assert key.is_gone


@pytest.mark.parametrize("gone", ["revoked", "absent"])
def test_delete_of_a_key_already_gone_succeeds(provider, api, gone):
    created = provider.create(declared())
    key_id = created.id
    if gone == "revoked":
        api.revoke(ORG, key_id)
    else:
        key_id = "ak_never_existed"
    provider.delete(key_id, dict(created.outs))


# ---------------------------------------------------------------------------------- configuration


def test_the_environment_is_the_fallback_for_credential_and_base_url(emulator, monkeypatch):
    monkeypatch.setenv("CAPY_API_KEY", emulator.endpoint("capy").credential)
    monkeypatch.setenv("CAPY_BASE_URL", emulator.endpoint("capy").base_url)
    assert configured({}).create(declared()).id.startswith("ak_")


def test_a_missing_base_url_says_there_is_no_default_and_both_ways_to_set_it(emulator):
    provider = configured({"apikeys:capyApiKey": emulator.endpoint("capy").credential})
    with pytest.raises(ConfigurationError) as caught:
        provider.create(declared())
    message = str(caught.value)
    assert "there is no public default" in message
    assert "pulumi config set apikeys:capyBaseUrl <url>" in message
    assert "CAPY_BASE_URL" in message


def test_a_missing_credential_fails_saying_how_to_set_it(emulator):
    provider = configured({"apikeys:capyBaseUrl": emulator.endpoint("capy").base_url})
    with pytest.raises(ConfigurationError) as caught:
        provider.create(declared())
    assert "pulumi config set --secret apikeys:capyApiKey" in str(caught.value)
    assert "CAPY_API_KEY" in str(caught.value)


def test_a_refused_credential_names_the_stack_config_that_holds_it(emulator):
    provider = configured(
        {"apikeys:capyApiKey": "capy_live_wrong", "apikeys:capyBaseUrl": emulator.endpoint("capy").base_url}
    )
    with pytest.raises(Exception, match="apikeys:capyApiKey") as caught:
        provider.create(declared())
    assert "capy_live_wrong" not in str(caught.value)


def test_check_and_diff_need_no_credential():
    provider = configured({})
    assert provider.check({}, declared()).failures == []
    assert provider.diff("ak_1", declared(), declared()).changes is False


def test_the_pickled_provider_holds_no_credential_and_is_the_same_for_every_resource(emulator):
    fresh = serialize_provider(ApiKeyProvider())
    used = configured(
        {
            "apikeys:capyApiKey": emulator.endpoint("capy").credential,
            "apikeys:capyBaseUrl": emulator.endpoint("capy").base_url,
        }
    )
    used.create(declared())
    serialized = serialize_provider(used)
    assert serialized == fresh
    assert len(fresh) <= 128
    raw = base64.b64decode(serialized)
    assert emulator.endpoint("capy").credential.encode() not in raw
    assert emulator.endpoint("capy").base_url.encode() not in raw
    assert pickle.loads(raw).__dict__ == {}


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
