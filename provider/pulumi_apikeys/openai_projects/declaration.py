"""``ProjectServiceAccount`` and ``ProjectApiKey`` declared once: their properties, settings and the
hooks onto the projects API.

The lifecycle (``core.lifecycle``) runs them; the schema and the dynamic resources derive from them.
Both live in the ``openai`` module of the type tokens (``apikeys:openai:ProjectApiKey``): one
vendor, one module, whichever backend folder serves it. They read the same stack settings as the
Admin keys (``apikeys:openaiAdminKey``, ``apikeys:openaiBaseUrl``): one admin key administers the
organization's keys and its projects. The settings are declared again here, equal to the
``openai`` backend's (a backend imports no other), and the schema lists equal settings once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
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
from pulumi_apikeys.core.rotation import ROTATE_AFTER, period_input, rotation_inputs, triggers_input
from pulumi_apikeys.core.stack_config import Setting, StackConfig
from pulumi_apikeys.errors import AdoptionError, NotFoundError
from pulumi_apikeys.openai_projects.limits import EXPIRES_IN_SECONDS_MAX, EXPIRES_IN_SECONDS_MIN
from pulumi_apikeys.settings import RetryPolicy

if TYPE_CHECKING:
    # The client and the models are imported when the client is first made: a check or a diff
    # never needs them, nor httpx or pydantic.
    from pulumi_apikeys.openai_projects.client import ProjectsClient
    from pulumi_apikeys.openai_projects.models import (
        ProjectApiKey,
        ProjectServiceAccount,
        ProjectServiceAccountApiKey,
    )

__all__ = [
    "ADMIN_KEY",
    "ADMIN_KEY_ENV",
    "BASE_URL",
    "BASE_URL_ENV",
    "PROJECT_API_KEY",
    "PROJECT_SERVICE_ACCOUNT",
]

ADMIN_KEY_ENV = "OPENAI_ADMIN_KEY"
BASE_URL_ENV = "OPENAI_BASE_URL"

ADMIN_KEY = Setting("openaiAdminKey", ADMIN_KEY_ENV, "OpenAI admin key", secret=True)
BASE_URL = Setting("openaiBaseUrl", BASE_URL_ENV, "OpenAI base URL")

_PROJECT = "project_id"
_ACCOUNT = "service_account_id"
_NAME = "name"
_SCOPES = "scopes"
_EXPIRES = "expires_in_seconds"
_ACCESS = "owner_project_access"


def _client(config: StackConfig, policy: RetryPolicy) -> ProjectsClient:
    """The client for the configured organization (stack config first, then environment)."""
    from pulumi_apikeys.openai_projects.client import ProjectsClient

    return ProjectsClient(
        admin_key=config.require_secret(ADMIN_KEY),
        admin_key_source=config.source(ADMIN_KEY),
        base_url=config.get(BASE_URL),
        policy=policy,
    )


def _lifetime(props: Mapping[str, Any]) -> int | None:
    """The declared lifetime as an int: check() made it one, but numbers cross gRPC as floats."""
    value = props.get(_EXPIRES)
    return None if value is None else int(value)


def _scopes(props: Mapping[str, Any]) -> list[str] | None:
    value = props.get(_SCOPES)
    return None if value is None else sorted(set(value))


def _parse_import_id(what: str, example: str) -> Any:
    """``<project_id>/<id>``: the id, and the project a lookup needs."""

    def parse(import_id: str) -> tuple[str, dict[str, Any]]:
        project, slash, object_id = import_id.partition("/")
        if not slash or not project or not object_id or "/" in object_id:
            raise AdoptionError(
                f"Cannot import {what} {import_id!r}: the id to import is '<project_id>/<id>', "
                f"e.g. {example!r}."
            )
        return object_id, {_PROJECT: project}

    return parse


def _project_of(props: Mapping[str, Any], what: str, object_id: str) -> str:
    project = props.get(_PROJECT)
    if not isinstance(project, str) or not project:
        raise AdoptionError(f"{what}.get: the project_id of {object_id!r} is required.")
    return project


_LIFETIME = Property(
    _EXPIRES,
    "integer",
    "",  # each resource says what it means
    input=True,
    stored_only=True,
    check=checks.whole_number(minimum=EXPIRES_IN_SECONDS_MIN, maximum=EXPIRES_IN_SECONDS_MAX, unit="seconds"),
)
_PROJECT_INPUT = Property(
    _PROJECT,
    "string",
    "The project, e.g. `proj_abc`.",
    input=True,
    required=True,
    replaces=True,
    check=checks.path_text(example="proj_abc"),
)


# ------------------------------------------------------------------------- service accounts


def _create_account(client: ProjectsClient, inputs: Mapping[str, Any]) -> NewKey[ProjectServiceAccount]:
    created = client.create_service_account(
        inputs[_PROJECT], name=inputs[_NAME], expires_in_seconds=_lifetime(inputs)
    )
    # Asked for with its key: the API always makes one unless told `create_service_account_only`.
    assert created.api_key is not None, "a service account created with a key came without one"
    return NewKey(created, created.api_key.value.get_secret_value())


def _lookup_account(
    client: ProjectsClient, account_id: str, inputs: Mapping[str, Any]
) -> Lookup[ProjectServiceAccount]:
    project = _project_of(inputs, "ProjectServiceAccount", account_id)
    try:
        return Lookup(client.retrieve_service_account(project, account_id))
    except NotFoundError:
        return Lookup(None)


def _delete_account(client: ProjectsClient, account_id: str, inputs: Mapping[str, Any]) -> bool:
    return client.delete_service_account(inputs[_PROJECT], account_id)


def _account_outputs(
    account: ProjectServiceAccount, declared: Mapping[str, Any], value: str | None
) -> dict[str, Any]:
    """The account's outputs; its initial key's from the create's answer, later from state (the
    API shows an account without its key)."""
    from pulumi_apikeys.openai_projects.models import ProjectServiceAccountCreated

    key: ProjectServiceAccountApiKey | None = (
        account.api_key if isinstance(account, ProjectServiceAccountCreated) else None
    )
    return {
        _PROJECT: declared.get(_PROJECT),
        _NAME: account.name,
        _EXPIRES: _lifetime(declared),
        "role": account.role,
        "created_at": account.created_at,
        "api_key_id": key.id if key is not None else declared.get("api_key_id"),
        "api_key_value": value,
        "api_key_expires_at": key.expires_at if key is not None else declared.get("api_key_expires_at"),
    }


PROJECT_SERVICE_ACCOUNT: KeyResource[ProjectsClient, ProjectServiceAccount] = KeyResource(
    module="openai",
    name="ProjectServiceAccount",
    description=(
        "A service account of an OpenAI project, with the API key the API makes with it (its value is "
        "shown once, as `api_key_value`). The resource id is the account's id. Any change of an input "
        "replaces it (a new account and key are created, then the old account deleted, its keys with "
        "it). For more keys of the account, declare `ProjectApiKey`s."
    ),
    properties=(
        _PROJECT_INPUT,
        Property(
            _NAME,
            "string",
            "The account's name.",
            input=True,
            required=True,
            replaces=True,
            check=checks.name(),
        ),
        replace(
            _LIFETIME,
            description="Lifetime of the account's initial key in seconds, from 1 to 31536000 (365 "
            "days); omit for a key that never expires.",
            replaces=True,
        ),
        triggers_input("replaces the account and its key (a new one is created, then the old deleted)"),
        period_input(
            ROTATE_AFTER,
            "Replace the account (and so its key) once it is older than this many seconds: the first "
            "`up` or preview after that plans the replacement. A change of this setting alone "
            "changes nothing.",
        ),
        adoption_input(example="svc_acct_abc", of="service account of the project"),
        Property("role", "string", "The account's role in the project: `member` or `owner`.", required=True),
        Property("created_at", "integer", "Unix seconds when the account was created.", required=True),
        Property("api_key_id", "string", "The id of the key made with the account; absent if imported."),
        Property(
            "api_key_value",
            "string",
            "The key made with the account, returned by the API only then; absent for an imported account.",
            secret=True,
        ),
        Property(
            "api_key_expires_at",
            "integer",
            "Unix seconds when that key expires; absent if it never does (or the account was imported).",
        ),
    ),
    settings=(ADMIN_KEY, BASE_URL),
    make_client=_client,
    create=_create_account,
    lookup=_lookup_account,
    delete=_delete_account,
    outputs_of=_account_outputs,
    key_id=lambda account: account.id,
    import_subject=lambda account_id, inputs: (
        f"service account {account_id!r} of project {inputs.get(_PROJECT)!r}"
    ),
    get_missing=lambda account_id, inputs, _gone: (
        f"ProjectServiceAccount.get: the project {inputs.get(_PROJECT)!r} has no service account "
        f"{account_id!r}."
    ),
    adopt_matches=(_NAME,),
    parse_import_id=_parse_import_id("service account", "proj_abc/svc_acct_abc"),
    lifetime_input=_EXPIRES,
    placement=(_PROJECT,),
    pair=False,
)


# ---------------------------------------------------------------------------- project keys


def _create_key(client: ProjectsClient, inputs: Mapping[str, Any]) -> NewKey[ProjectApiKey]:
    created = client.create_service_account_key(
        inputs[_PROJECT],
        inputs[_ACCOUNT],
        name=inputs[_NAME],
        scopes=_scopes(inputs),
        expires_in_seconds=_lifetime(inputs),
    )
    return NewKey(_as_listed(inputs[_PROJECT], inputs[_ACCOUNT], created), created.value.get_secret_value())


def _as_listed(project: str, account: str, created: ProjectServiceAccountApiKey) -> ProjectApiKey:
    """The new key as the project's keys would show it, from the create's answer alone (one
    request per create): its redacted value and its owner's access are not in that answer, so they
    stay unknown until the first refresh."""
    from pulumi_apikeys.openai_projects.models import OwnerServiceAccount, ProjectApiKey, ServiceAccountOwner

    # Built, not parsed: the API would never send these two fields empty, but here they are unknown.
    return ProjectApiKey.model_construct(
        object="organization.project.api_key",
        project_id=project,
        id=created.id,
        name=created.name,
        redacted_value=None,
        created_at=created.created_at,
        expires_at=created.expires_at,
        owner=ServiceAccountOwner(type="service_account", service_account=OwnerServiceAccount(id=account)),
        owner_project_access=None,
        last_used_at=None,
        scopes=None,
    )


def _lookup_key(client: ProjectsClient, key_id: str, inputs: Mapping[str, Any]) -> Lookup[ProjectApiKey]:
    project = _project_of(inputs, "ProjectApiKey", key_id)
    try:
        return Lookup(client.retrieve_api_key(project, key_id))
    except NotFoundError:
        return Lookup(None)


def _delete_key(client: ProjectsClient, key_id: str, inputs: Mapping[str, Any]) -> bool:
    return client.delete_api_key(inputs[_PROJECT], key_id)


def _update_key(
    client: ProjectsClient, key_id: str, olds: Mapping[str, Any], news: Mapping[str, Any]
) -> ProjectApiKey:
    """One update call with what changed: the scopes (none declared: all permissions), the lifetime
    (counted from now, as the API does)."""
    scopes = _scopes(news)
    lifetime = _lifetime(news)
    scopes_changed = (_scopes(olds) or []) != (scopes or [])
    lifetime_changed = lifetime is not None and lifetime != _lifetime(olds)
    if not scopes_changed and not lifetime_changed:
        return client.retrieve_api_key(news[_PROJECT], key_id)  # nothing the API needs to hear
    return client.update_api_key(
        news[_PROJECT],
        key_id,
        scopes=(scopes or []) if scopes_changed else None,
        expires_in_seconds=lifetime if lifetime_changed else None,
    )


def _lifetime_removed(olds: Mapping[str, Any], news: Mapping[str, Any]) -> tuple[str, ...]:
    """A lifetime dropped from a key replaces it: the API can shorten or lengthen one, not end it."""
    return (_EXPIRES,) if olds.get(_EXPIRES) is not None and news.get(_EXPIRES) is None else ()


def _key_outputs(key: ProjectApiKey, declared: Mapping[str, Any], value: str | None) -> dict[str, Any]:
    """The key's outputs. The API's answers carry no scopes (the SDK's ``ProjectAPIKey`` has none):
    the declared ones are kept unless an answer shows them."""
    from pulumi_apikeys.openai_projects.client import owner_id

    scopes = sorted(set(key.scopes)) if key.scopes is not None else _scopes(declared)
    return {
        _PROJECT: key.project_id or declared.get(_PROJECT),
        _ACCOUNT: owner_id(key) or declared.get(_ACCOUNT),
        _NAME: key.name,
        _SCOPES: scopes,
        _EXPIRES: _lifetime(declared),
        "value": value,
        "redacted_value": key.redacted_value,
        "created_at": key.created_at,
        "expires_at": key.expires_at,
        "last_used_at": key.last_used_at,
        _ACCESS: key.owner_project_access,
    }


def _access_warning(outputs: Mapping[str, Any]) -> str | None:
    if outputs.get(_ACCESS) == "inactive":
        return (
            f"its owner, service account {outputs.get(_ACCOUNT)!r}, no longer has access to project "
            f"{outputs.get(_PROJECT)!r} (owner_project_access is inactive): the key no longer works "
            "until that access is given back"
        )
    return None


PROJECT_API_KEY: KeyResource[ProjectsClient, ProjectApiKey] = KeyResource(
    module="openai",
    name="ProjectApiKey",
    description=(
        "An API key of an OpenAI project's service account: the keys applications use. The resource "
        "id is the key's id. A change of `scopes` or `expires_in_seconds` updates the same key in "
        "place (same id, same value); a change of `name`, `project_id` or `service_account_id` "
        "replaces it (a new key is created, then the old one deleted)."
    ),
    properties=(
        _PROJECT_INPUT,
        Property(
            _ACCOUNT,
            "string",
            "The service account that owns the key, e.g. `svc_acct_abc`.",
            input=True,
            required=True,
            replaces=True,
            check=checks.path_text(example="svc_acct_abc"),
        ),
        Property(
            _NAME, "string", "The key's name.", input=True, required=True, replaces=True, check=checks.name()
        ),
        Property(
            _SCOPES,
            "array",
            'What the key may do, e.g. `["api.model.read"]`; omit (or `[]`) for every permission the '
            "account has. A set: order and repetition do not matter. A change updates the key in place.",
            input=True,
            updates=True,
            compare="set",
            check=checks.optional_string_set(what="scope", example="api.model.read"),
            items="string",
        ),
        replace(
            _LIFETIME,
            description="Lifetime in seconds, from 1 to 31536000 (365 days); omit for a key that never "
            "expires. A change updates the key in place: it then expires that long after the update. "
            "Removing it replaces the key (the API cannot make a key stop expiring).",
            updates=True,
        ),
        *rotation_inputs(),
        adoption_input(example="key_abc", of="API key of the project"),
        value_output(),
        Property(
            "redacted_value",
            "string",
            "The value with all but its ends hidden: safe to show. Known from the first refresh on (the "
            "create's answer has none).",
        ),
        Property("created_at", "integer", "Unix seconds when the key was created.", required=True),
        Property("expires_at", "integer", "Unix seconds when the key expires; absent if it never does."),
        Property("last_used_at", "integer", "Unix seconds when the key was last used; absent if never."),
        Property(
            _ACCESS,
            "string",
            "`active`, or `inactive` once its owner lost access to the project (the key then no longer "
            "works; a refresh records it and the next diff says so). Known from the first refresh on.",
        ),
    ),
    settings=(ADMIN_KEY, BASE_URL),
    make_client=_client,
    create=_create_key,
    lookup=_lookup_key,
    delete=_delete_key,
    outputs_of=_key_outputs,
    key_id=lambda key: key.id,
    import_subject=lambda key_id, inputs: f"project API key {key_id!r} of project {inputs.get(_PROJECT)!r}",
    get_missing=lambda key_id, inputs, _gone: (
        f"ProjectApiKey.get: the project {inputs.get(_PROJECT)!r} has no API key {key_id!r}."
    ),
    adopt_matches=(_NAME, _ACCOUNT),
    listing=Listing(
        name="getProjectApiKeys",
        description=(
            "A project's API keys, without their values (users' keys too): all of them, or those with "
            "exactly the given `name`."
        ),
        arguments=(
            Property(
                _PROJECT,
                "string",
                "The project whose keys to list, e.g. `proj_abc`.",
                required=True,
                check=checks.path_text(example="proj_abc"),
            ),
            Property(_NAME, "string", "Only the keys with exactly this name.", check=checks.optional_name()),
        ),
        list_keys=lambda client, args: client.list_api_keys(args[_PROJECT]),
        record_name="ProjectApiKeyRecord",
    ),
    parse_import_id=_parse_import_id("project API key", "proj_abc/key_abc"),
    import_id_of=lambda key: f"{key.project_id}/{key.id}",
    lifetime_input=_EXPIRES,
    placement=(_PROJECT, _ACCOUNT),
    update=_update_key,
    replaces_when=_lifetime_removed,
    diff_warning=_access_warning,
)
