"""capy's ``ApiKey`` declared once: its properties, settings and the hooks onto the API.

The API has no "retrieve one key" call, so lookup lists the organization's keys and finds the one
by id; a key that is revoked or inactive counts as gone, as one absent does. Create is one POST,
except a create whose answer is lost, which the client reconciles (``core.reconcile``) before it
tries again; delete is one DELETE (a revoke).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pulumi_apikeys.core import checks
from pulumi_apikeys.core.declaration import (
    KeyResource,
    Listing,
    Lookup,
    NewKey,
    Property,
    adoption_input,
    value_output,
)
from pulumi_apikeys.core.rotation import rotation_inputs
from pulumi_apikeys.core.stack_config import Setting, StackConfig
from pulumi_apikeys.errors import AdoptionError, ConfigurationError
from pulumi_apikeys.settings import RetryPolicy

if TYPE_CHECKING:
    # The client and the models are imported when the client is first made: a check or a diff
    # never needs them, nor httpx or pydantic.
    from pulumi_apikeys.capy.client import CapyApiKeysClient
    from pulumi_apikeys.capy.models import ApiKey

__all__ = ["API_KEY", "API_KEY_ENV", "API_KEY_TYPE", "BASE_URL", "BASE_URL_ENV", "CAPY_API_KEY"]

API_KEY_ENV = "CAPY_API_KEY"
BASE_URL_ENV = "CAPY_BASE_URL"

CAPY_API_KEY = Setting("capyApiKey", API_KEY_ENV, "capy API key", secret=True)
BASE_URL = Setting("capyBaseUrl", BASE_URL_ENV, "capy base URL")

_ORG = "organization_id"
_NAME = "name"
_SCOPES = "scopes"


def _client(config: StackConfig, policy: RetryPolicy) -> CapyApiKeysClient:
    """The client for the configured API (stack config first, then environment)."""
    base_url = config.get(BASE_URL)
    if base_url is None:
        # The client would say "no public default" too, but only this knows about the stack config.
        raise ConfigurationError(
            f"No {BASE_URL.what} is configured, and there is no public default: set it in the stack "
            f"with `pulumi config set {BASE_URL.config_key} <url>` or in the environment as "
            f"{BASE_URL.env_var} (the origin the /v1/organizations/... paths hang off)."
        )
    from pulumi_apikeys.capy.client import CapyApiKeysClient

    return CapyApiKeysClient(
        api_key=config.require_secret(CAPY_API_KEY),
        api_key_source=config.source(CAPY_API_KEY),
        base_url=base_url,
        policy=policy,
    )


def _create(client: CapyApiKeysClient, inputs: Mapping[str, Any]) -> NewKey[ApiKey]:
    created = client.create(organization_id=inputs[_ORG], name=inputs[_NAME], scopes=inputs[_SCOPES])
    return NewKey(created.api_key, created.plaintext_api_key.get_secret_value())


def _lookup(client: CapyApiKeysClient, key_id: str, inputs: Mapping[str, Any]) -> Lookup[ApiKey]:
    org = inputs.get(_ORG)
    if not isinstance(org, str) or not org:
        # Only a get can lack it (ApiKey.get requires it, but a hand-made registration may not).
        raise AdoptionError(f"ApiKey.get: the organization_id of capy API key {key_id!r} is required.")
    key = client.find(org, key_id)
    if key is not None and key.is_gone:
        return Lookup(key, gone_reason="the key is revoked (or inactive) and can no longer be used.")
    return Lookup(key)


def _delete(client: CapyApiKeysClient, key_id: str, inputs: Mapping[str, Any]) -> bool:
    return client.revoke(inputs[_ORG], key_id)


def _get_missing(key_id: str, inputs: Mapping[str, Any], gone: bool) -> str:
    state = "has only a revoked capy API key" if gone else "has no capy API key"
    return f"ApiKey.get: the organization {inputs.get(_ORG)!r} {state} {key_id!r}."


def _parse_import_id(import_id: str) -> tuple[str, dict[str, Any]]:
    """``<organization_id>/<key id>``: a capy key is found only through its organization."""
    org, slash, key_id = import_id.partition("/")
    if not slash or not org or not key_id or "/" in key_id:
        raise AdoptionError(
            f"Cannot import capy API key {import_id!r}: the id to import is "
            "'<organization_id>/<key id>', e.g. 'org_abc/ak_abc' (`pulumi-apikeys capy import-file` "
            "writes them)."
        )
    return key_id, {_ORG: org}


def _timestamp(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _outputs(key: ApiKey, _declared: Mapping[str, Any], value: str | None) -> dict[str, Any]:
    """The resource's outputs: every field of the key (scopes as a sorted set) and the value if known."""
    return {
        _ORG: key.organization_id,
        _NAME: key.name,
        _SCOPES: sorted(set(key.scopes)),
        "key_prefix": key.key_prefix,
        "value": value,
        "project_id": key.project_id,
        "created_by_user_id": key.created_by_user_id,
        "device_name": key.device_name,
        "source": key.source,
        "is_active": key.is_active,
        "created_at": _timestamp(key.created_at),
        "expires_at": _timestamp(key.expires_at),
        "last_used_at": _timestamp(key.last_used_at),
        "revoked_at": _timestamp(key.revoked_at),
    }


API_KEY: KeyResource[CapyApiKeysClient, ApiKey] = KeyResource(
    module="capy",
    name="ApiKey",
    description=(
        "A capy organization API key. There is no update call: changing `organization_id`, `name` or "
        "the set of `scopes` replaces the key (a new key is created, then the old one revoked). A key "
        "revoked or deactivated outside Pulumi is gone: refresh drops it and the next update creates "
        "a new one."
    ),
    properties=(
        Property(
            "organization_id",
            "string",
            "The organization that owns the key, e.g. `org_abc`.",
            input=True,
            required=True,
            replaces=True,
            check=checks.path_text(example="org_abc"),
        ),
        Property(
            "name", "string", "The key's name.", input=True, required=True, replaces=True, check=checks.name()
        ),
        Property(
            "scopes",
            "array",
            "What the key may do. A set: order and repetition do not matter, and the output lists each "
            "scope once, sorted.",
            input=True,
            required=True,
            replaces=True,
            compare="set",
            check=checks.string_set(what="scope", example="keys:read"),
            items="string",
        ),
        *rotation_inputs(),
        adoption_input(example="ak_abc", of="key of the organization"),
        Property(
            "key_prefix",
            "string",
            "The first characters of the key, e.g. `capy_live_ab`: safe to show.",
            required=True,
        ),
        value_output(),
        Property(
            "project_id", "string", "The project the key is scoped to; absent for an organization-wide key."
        ),
        Property("created_by_user_id", "string", "The user who created the key, if a user did."),
        Property("device_name", "string", "The device the key was created for, if any."),
        Property("source", "string", "How the key was created, e.g. `api`."),
        Property(
            "is_active",
            "boolean",
            "Whether the key authenticates; always true while it is managed.",
            required=True,
        ),
        Property(
            "created_at", "string", "When the key was created (ISO-8601 with a time zone).", required=True
        ),
        Property("expires_at", "string", "When the key stops working (ISO-8601); absent if it never does."),
        Property(
            "last_used_at", "string", "When the key last authenticated a request (ISO-8601); absent if never."
        ),
        Property("revoked_at", "string", "When the key was revoked (ISO-8601); absent while it is managed."),
    ),
    settings=(CAPY_API_KEY, BASE_URL),
    make_client=_client,
    create=_create,
    lookup=_lookup,
    delete=_delete,
    outputs_of=_outputs,
    key_id=lambda key: key.id,
    import_subject=lambda key_id, inputs: f"capy API key {key_id!r} of organization {inputs[_ORG]!r}",
    get_missing=_get_missing,
    adopt_matches=(_NAME, _SCOPES),
    listing=Listing(
        name="getApiKeys",
        description=(
            "An organization's API keys, without their values (revoked ones included, with "
            "`is_active` false): all of them, or those with exactly the given `name`."
        ),
        arguments=(
            Property(
                _ORG,
                "string",
                "The organization whose keys to list, e.g. `org_abc`.",
                required=True,
                check=checks.path_text(example="org_abc"),
            ),
            Property(_NAME, "string", "Only the keys with exactly this name.", check=checks.optional_name()),
        ),
        list_keys=lambda client, args: client.list(args[_ORG]),
        record_name="ApiKeyRecord",
    ),
    parse_import_id=_parse_import_id,
    import_id_of=lambda key: f"{key.organization_id}/{key.id}",
    placement=(_ORG,),
)

API_KEY_TYPE = API_KEY.type_name
