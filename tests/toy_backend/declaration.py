"""``ToyKey`` declared once: one replacing input, a secret value, two computed outputs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_apikeys.core import checks
from pulumi_apikeys.core.declaration import (
    KeyResource,
    Lookup,
    NewKey,
    Property,
    adoption_input,
    value_output,
)
from pulumi_apikeys.core.rotation import rotation_inputs
from pulumi_apikeys.core.stack_config import Setting, StackConfig
from pulumi_apikeys.settings import RetryPolicy
from tests.toy_backend.client import ToyKeysClient
from tests.toy_backend.models import ToyKey

API_KEY = Setting("toyApiKey", "TOY_API_KEY", "toy API key", secret=True)
BASE_URL = Setting("toyBaseUrl", "TOY_BASE_URL", "toy base URL")


def _client(config: StackConfig, policy: RetryPolicy) -> ToyKeysClient:
    return ToyKeysClient(
        api_key=config.require_secret(API_KEY),
        api_key_source=config.source(API_KEY),
        base_url=config.get(BASE_URL),
        policy=policy,
    )


def _create(client: ToyKeysClient, inputs: Mapping[str, Any]) -> NewKey[ToyKey]:
    created = client.create(name=inputs["name"])
    return NewKey(created, created.secret.get_secret_value())


def _outputs(key: ToyKey, _declared: Mapping[str, Any], value: str | None) -> dict[str, Any]:
    return {"name": key.name, "prefix": key.prefix, "value": value, "created_at": key.created_at}


TOY_KEY: KeyResource[ToyKeysClient, ToyKey] = KeyResource(
    module="toy",
    name="ToyKey",
    description="A key of the toy vendor; a new name replaces it.",
    properties=(
        Property(
            "name", "string", "The key's name.", input=True, required=True, replaces=True, check=checks.name()
        ),
        *rotation_inputs(),
        adoption_input(example="toy_abc"),
        Property("prefix", "string", "The secret's first characters.", required=True),
        value_output(),
        Property("created_at", "integer", "Unix seconds when the key was created.", required=True),
    ),
    settings=(API_KEY, BASE_URL),
    make_client=_client,
    create=_create,
    lookup=lambda client, key_id, _inputs: Lookup(client.find(key_id)),
    delete=lambda client, key_id, _inputs: client.delete(key_id),
    outputs_of=_outputs,
    key_id=lambda key: key.id,
    import_subject=lambda key_id, _inputs: f"toy key {key_id!r}",
    get_missing=lambda key_id, _inputs, _gone: f"ToyKey.get: there is no toy key {key_id!r}.",
    adopt_matches=("name",),
)
