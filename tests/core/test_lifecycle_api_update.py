"""An input the API updates in place (``Property.updates``): one call of the update hook, the key kept."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from pulumi_apikeys.core import checks
from pulumi_apikeys.core.declaration import KeyResource, Lookup, NewKey, Property, value_output
from pulumi_apikeys.core.lifecycle import KeyLifecycle
from pulumi_apikeys.core.reconcile import KeyLedger
from pulumi_apikeys.core.rotation import rotation_inputs
from pulumi_apikeys.core.stack_config import StackConfig

UNKNOWN = object()


@dataclass
class Key:
    id: str
    name: str
    scopes: list[str]
    expires_at: int | None
    created_at: int = 1_800_000_000


@dataclass
class FakeApi:
    """Keys by id, and every call made."""

    keys: dict[str, Key] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    def create(self, inputs: Mapping[str, Any]) -> NewKey[Key]:
        self.calls.append("create")
        key = Key(f"key_{len(self.keys) + 1}", inputs["name"], sorted(inputs.get("scopes") or []), None)
        self.keys[key.id] = key
        return NewKey(key, "sk-value")

    def update(self, key_id: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> Key:
        self.calls.append(f"update {key_id}")
        key = self.keys[key_id]
        key.scopes = sorted(news.get("scopes") or [])
        lifetime = news.get("expires_in_seconds")
        key.expires_at = None if lifetime is None else key.created_at + int(lifetime)
        return key


def _outputs(key: Key, declared: Mapping[str, Any], value: str | None) -> dict[str, Any]:
    return {
        "name": key.name,
        "scopes": key.scopes,
        "expires_in_seconds": declared.get("expires_in_seconds"),
        "value": value,
        "created_at": key.created_at,
        "expires_at": key.expires_at,
    }


def declaration(api: FakeApi) -> KeyResource[FakeApi, Key]:
    return KeyResource(
        module="fake",
        name="ScopedKey",
        description="A key whose scopes and lifetime the API updates in place.",
        properties=(
            Property(
                "name", "string", "Name.", input=True, required=True, replaces=True, check=checks.name()
            ),
            Property(
                "scopes",
                "array",
                "Scopes.",
                input=True,
                updates=True,
                compare="set",
                items="string",
                check=checks.string_set(what="scope", example="api.model.read"),
            ),
            Property(
                "expires_in_seconds",
                "integer",
                "Lifetime.",
                input=True,
                updates=True,
                stored_only=True,
                check=checks.whole_number(minimum=1, maximum=10**8, unit="seconds"),
            ),
            *rotation_inputs(),
            value_output(),
            Property("created_at", "integer", "Created.", required=True),
            Property("expires_at", "integer", "Expires."),
        ),
        settings=(),
        make_client=lambda config, policy: api,
        create=lambda client, inputs: client.create(inputs),
        lookup=lambda client, key_id, inputs: Lookup(client.keys.get(key_id)),
        delete=lambda client, key_id, inputs: client.keys.pop(key_id, None),
        outputs_of=_outputs,
        key_id=lambda key: key.id,
        import_subject=lambda key_id, inputs: f"key {key_id!r}",
        get_missing=lambda key_id, inputs, gone: f"no key {key_id!r}",
        adopt_matches=("name",),
        lifetime_input="expires_in_seconds",
        update=lambda client, key_id, olds, news: client.update(key_id, olds, news),
    )


def lifecycle(api: FakeApi) -> KeyLifecycle[FakeApi, Key]:
    return KeyLifecycle(
        declaration(api), StackConfig({}), is_unknown=lambda v: v is UNKNOWN, ledger=KeyLedger()
    )


def created(api: FakeApi, **inputs: Any) -> tuple[str, dict[str, Any]]:
    state = lifecycle(api).create({"name": "app", **inputs})
    api.calls.clear()
    return state.id, state.outputs


def test_a_change_of_an_input_the_api_updates_is_an_update_not_a_replacement():
    api = FakeApi()
    key_id, olds = created(api, scopes=["read"])

    diff = lifecycle(api).diff(key_id, olds, {"name": "app", "scopes": ["read", "write"]})

    assert (diff.replaces, diff.updates) == ([], ["scopes"])


def test_the_update_is_one_call_of_the_hook_and_keeps_the_id_and_the_value():
    api = FakeApi()
    key_id, olds = created(api, scopes=["read"])

    outputs = lifecycle(api).update(key_id, olds, {"name": "app", "scopes": ["write", "read"]})

    assert api.calls == [f"update {key_id}"]
    assert outputs["scopes"] == ["read", "write"]
    assert outputs["value"] == "sk-value"
    assert list(api.keys) == [key_id]


def test_a_new_lifetime_is_sent_and_the_outputs_show_the_expiry_the_api_set():
    api = FakeApi()
    key_id, olds = created(api)

    outputs = lifecycle(api).update(key_id, olds, {"name": "app", "expires_in_seconds": 3600})

    assert api.calls == [f"update {key_id}"]
    assert (outputs["expires_in_seconds"], outputs["expires_at"]) == (3600, 1_800_003_600)


def test_a_change_of_a_rotation_setting_alone_makes_no_api_call():
    api = FakeApi()
    key_id, olds = created(api, scopes=["read"])

    outputs = lifecycle(api).update(
        key_id, olds, {"name": "app", "scopes": ["read"], "rotate_after_seconds": 60}
    )

    assert api.calls == []
    assert outputs["rotate_after_seconds"] == 60


def test_a_preview_of_the_update_calls_no_api_and_leaves_the_new_expiry_unknown():
    api = FakeApi()
    key_id, olds = created(api, scopes=["read"])

    planned = lifecycle(api).planned_update(
        key_id, olds, {"name": "app", "scopes": ["write"], "expires_in_seconds": 60}, unknown=UNKNOWN
    )

    assert api.calls == []
    assert planned["scopes"] == ["write"]
    assert planned["expires_at"] is UNKNOWN
    assert planned["value"] == "sk-value"


def test_a_declaration_with_inputs_the_api_updates_needs_an_update_hook():
    with pytest.raises(ValueError, match="no update hook"):
        dataclasses.replace(declaration(FakeApi()), update=None)


def test_an_input_that_replaces_cannot_also_update():
    resource = declaration(FakeApi())
    broken = tuple(
        dataclasses.replace(p, replaces=True) if p.name == "scopes" else p for p in resource.properties
    )
    with pytest.raises(ValueError, match="scopes: only an input that does not replace can update"):
        dataclasses.replace(resource, properties=broken)
