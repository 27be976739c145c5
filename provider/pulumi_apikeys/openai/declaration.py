"""``AdminApiKey`` declared once: its properties, settings and the hooks onto the Admin API.

The lifecycle (``core.lifecycle``) runs it; the schema and the dynamic resource derive from it.
Each hook makes one API call (lookup: one GET; delete: one DELETE), except a create whose answer
is lost, which the client reconciles (``core.reconcile``) before it tries again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pulumi_apikeys.core import checks
from pulumi_apikeys.core.declaration import (
    KeyResource,
    Listing,
    Lookup,
    NewKey,
    ObjectType,
    Property,
    adoption_input,
    value_output,
)
from pulumi_apikeys.core.rotation import rotation_inputs
from pulumi_apikeys.core.stack_config import Setting, StackConfig
from pulumi_apikeys.errors import NotFoundError
from pulumi_apikeys.openai.limits import EXPIRES_IN_SECONDS_MAX, EXPIRES_IN_SECONDS_MIN
from pulumi_apikeys.settings import RetryPolicy

if TYPE_CHECKING:
    # The client and the models are imported when the client is first made: a check or a diff
    # never needs them, nor httpx or pydantic.
    from pulumi_apikeys.openai.client import AdminApiKeysClient
    from pulumi_apikeys.openai.models import AdminApiKey

__all__ = ["ADMIN_API_KEY", "ADMIN_API_KEY_TYPE", "ADMIN_KEY", "ADMIN_KEY_ENV", "BASE_URL", "BASE_URL_ENV"]

ADMIN_KEY_ENV = "OPENAI_ADMIN_KEY"
BASE_URL_ENV = "OPENAI_BASE_URL"

ADMIN_KEY = Setting("openaiAdminKey", ADMIN_KEY_ENV, "OpenAI admin key", secret=True)
BASE_URL = Setting("openaiBaseUrl", BASE_URL_ENV, "OpenAI base URL")

_NAME = "name"
_EXPIRES = "expires_in_seconds"


def _client(config: StackConfig, policy: RetryPolicy) -> AdminApiKeysClient:
    """The client for the configured organization (stack config first, then environment)."""
    from pulumi_apikeys.openai.client import AdminApiKeysClient

    return AdminApiKeysClient(
        admin_key=config.require_secret(ADMIN_KEY),
        admin_key_source=config.source(ADMIN_KEY),
        base_url=config.get(BASE_URL),
        policy=policy,
    )


def _lifetime(props: Mapping[str, Any]) -> int | None:
    """The declared lifetime as an int: check() made it one, but numbers cross gRPC as floats."""
    value = props.get(_EXPIRES)
    return None if value is None else int(value)


def _create(client: AdminApiKeysClient, inputs: Mapping[str, Any]) -> NewKey[AdminApiKey]:
    created = client.create(name=inputs[_NAME], expires_in_seconds=_lifetime(inputs))
    return NewKey(created, created.value.get_secret_value())


def _lookup(client: AdminApiKeysClient, key_id: str, _inputs: Mapping[str, Any]) -> Lookup[AdminApiKey]:
    try:
        return Lookup(client.retrieve(key_id))
    except NotFoundError:
        return Lookup(None)


def _delete(client: AdminApiKeysClient, key_id: str, _inputs: Mapping[str, Any]) -> bool:
    return client.delete(key_id)


def _outputs(key: AdminApiKey, declared: Mapping[str, Any], value: str | None) -> dict[str, Any]:
    """The resource's outputs: every field of the key, the declared lifetime, and the value if known."""
    return {
        _NAME: key.name,
        _EXPIRES: _lifetime(declared),
        "redacted_value": key.redacted_value,
        "value": value,
        "created_at": key.created_at,
        "expires_at": key.expires_at,
        "last_used_at": key.last_used_at,
        "owner": key.owner.model_dump(),
    }


_OWNER = ObjectType(
    name="AdminApiKeyOwner",
    description="The user or service account that owns an Admin API key.",
    properties=(
        Property("type", "string", "`user` or `service_account`."),
        Property("object", "string", "`organization.user` or `organization.service_account`."),
        Property("id", "string", "The owner's identifier."),
        Property("name", "string", "The owner's display name."),
        Property("created_at", "integer", "Unix seconds when the owner was created."),
        Property("role", "string", "`owner` for users; service accounts show `member`."),
    ),
)

ADMIN_API_KEY: KeyResource[AdminApiKeysClient, AdminApiKey] = KeyResource(
    module="openai",
    name="AdminApiKey",
    description=(
        "An OpenAI organization Admin API key. There is no update call: changing `name` or "
        "`expires_in_seconds` replaces the key (a new key is created, then the old one deleted)."
    ),
    properties=(
        Property(
            "name", "string", "The key's name.", input=True, required=True, replaces=True, check=checks.name()
        ),
        Property(
            "expires_in_seconds",
            "integer",
            "Lifetime in seconds, from 1 to 31536000 (365 days); omit for a key that never expires.",
            input=True,
            replaces=True,
            stored_only=True,
            check=checks.whole_number(
                minimum=EXPIRES_IN_SECONDS_MIN, maximum=EXPIRES_IN_SECONDS_MAX, unit="seconds"
            ),
        ),
        *rotation_inputs(),
        adoption_input(example="key_abc"),
        Property(
            "redacted_value", "string", "The value with all but its ends hidden: safe to show.", required=True
        ),
        value_output(),
        Property("created_at", "integer", "Unix seconds when the key was created.", required=True),
        Property("expires_at", "integer", "Unix seconds when the key expires; absent if it never does."),
        Property("last_used_at", "integer", "Unix seconds when the key was last used; absent if never."),
        Property("owner", "object", "Who owns the key.", required=True, object_type=_OWNER),
    ),
    settings=(ADMIN_KEY, BASE_URL),
    make_client=_client,
    create=_create,
    lookup=_lookup,
    delete=_delete,
    outputs_of=_outputs,
    key_id=lambda key: key.id,
    import_subject=lambda key_id, _inputs: f"Admin API key {key_id!r}",
    get_missing=lambda key_id, _inputs, _gone: (
        f"AdminApiKey.get: the organization has no Admin API key {key_id!r}."
    ),
    adopt_matches=(_NAME,),
    listing=Listing(
        name="getAdminApiKeys",
        description=(
            "The organization's Admin API keys, without their values: all of them, or those with "
            "exactly the given `name`."
        ),
        arguments=(
            Property("name", "string", "Only the keys with exactly this name.", check=checks.optional_name()),
        ),
        list_keys=lambda client, _args: client.list(),
        record_name="AdminApiKeyRecord",
    ),
    lifetime_input=_EXPIRES,
)

ADMIN_API_KEY_TYPE = ADMIN_API_KEY.type_name
