"""Pydantic models of OpenAI's projects, project service accounts and project API keys.

Shared by the client (which parses responses into them) and the emulator (which serves them), so
the two cannot drift apart. Field shapes follow the official SDK 3.57 (``openai/types/admin/
organization/project.py`` and ``projects/``); ``docs/openai-projects-api.md`` says what is known and
what is assumed. Unknown fields are ignored so that an API that grows does not break us; a missing
required field or a field of the wrong type is an error.

The owner of a project API key changed shape between SDK releases (``created_at`` was ``added_at``,
an ``object`` came and went), so only its ``id`` is required; an owner type the API may add later
parses as ``OtherOwner`` instead of failing the whole list.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, SecretStr, SerializationInfo, Tag, field_serializer

from pulumi_apikeys.core.api_model import REVEAL_SECRETS, ApiModel, dump_secret
from pulumi_apikeys.openai_projects.limits import EXPIRES_IN_SECONDS_MAX, EXPIRES_IN_SECONDS_MIN

__all__ = [
    "EXPIRES_IN_SECONDS_MAX",
    "EXPIRES_IN_SECONDS_MIN",
    "REVEAL_SECRETS",
    "ApiModel",
    "ModelList",
    "ModelObject",
    "OpenAIErrorBody",
    "OpenAIErrorDetail",
    "OtherOwner",
    "OwnerProjectAccess",
    "OwnerServiceAccount",
    "OwnerUser",
    "Project",
    "ProjectApiKey",
    "ProjectApiKeyDeleted",
    "ProjectApiKeyOwner",
    "ProjectApiKeyPage",
    "ProjectApiKeyUpdateRequest",
    "ProjectCreateRequest",
    "ProjectPage",
    "ProjectServiceAccount",
    "ProjectServiceAccountApiKey",
    "ProjectServiceAccountCreateRequest",
    "ProjectServiceAccountCreated",
    "ProjectServiceAccountDeleted",
    "ProjectServiceAccountPage",
    "ServiceAccountApiKeyCreateRequest",
    "ServiceAccountOwner",
    "ServiceAccountRole",
    "UserOwner",
]

ServiceAccountRole = Literal["owner", "member", "none"]
"""A service account's project role; ``none`` for one made with ``create_service_account_only``."""
OwnerProjectAccess = Literal["active", "inactive"]
"""Whether a key's owner currently has effective access to the key's project."""


class Project(ApiModel):
    """A project of the organization (``GET /organization/projects/{project_id}``)."""

    object: Literal["organization.project"]
    """Always ``organization.project``."""
    id: str
    """The project's identifier, e.g. ``proj_abc``."""
    name: str | None = None
    """The project's name, as reports show it."""
    created_at: int
    """Unix seconds when the project was created."""
    archived_at: int | None = None
    """Unix seconds when the project was archived; ``None`` while it is active."""
    status: str | None = None
    """``active`` or ``archived``."""
    external_key_id: str | None = None
    """The external encryption key associated with the project, if any."""
    residency: str | None = None
    """The project's data residency, e.g. ``GLOBAL`` (a string: the SDK's list of regions grows)."""


class ProjectPage(ApiModel):
    """One page of projects; the next page starts ``after`` the ``last_id``."""

    object: Literal["list"]
    data: list[Project]
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool


class ProjectServiceAccount(ApiModel):
    """A service account of a project, as list and retrieve return it (never with a key)."""

    object: Literal["organization.project.service_account"]
    """Always ``organization.project.service_account``."""
    id: str
    """The account's identifier, e.g. ``svc_acct_abc``."""
    name: str
    """The account's name."""
    role: ServiceAccountRole
    """``member`` unless made with ``create_service_account_only`` (``none``) or promoted (``owner``)."""
    created_at: int
    """Unix seconds when the account was created."""


class ProjectServiceAccountApiKey(ApiModel):
    """A service account's key as its create returns it: with its ``value``, shown this once."""

    object: Literal["organization.project.service_account.api_key"]
    """Always ``organization.project.service_account.api_key``."""
    id: str
    """The key's identifier, e.g. ``key_abc``; the same id the project's API keys list shows."""
    name: str
    """The key's name."""
    created_at: int
    """Unix seconds when the key was created."""
    expires_at: int | None = None
    """Unix seconds when the key expires; ``None`` for a key that never expires."""
    value: SecretStr
    """The key itself. ``repr``/``str`` show ``**********``; call ``get_secret_value()`` to use it."""

    @field_serializer("value", when_used="always")
    def _serialize_value(self, value: SecretStr, info: SerializationInfo) -> str:
        return dump_secret(value, info)


class ProjectServiceAccountCreated(ProjectServiceAccount):
    """The create response: the account, and its initial key unless none was asked for."""

    api_key: ProjectServiceAccountApiKey | None = None
    """The initial key with its value; ``None`` when made with ``create_service_account_only``."""


class ProjectServiceAccountPage(ApiModel):
    """One page of a project's service accounts; the next page starts ``after`` the ``last_id``."""

    object: Literal["list"]
    data: list[ProjectServiceAccount]
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool


class ProjectServiceAccountDeleted(ApiModel):
    """The delete response of a service account (its keys are gone with it)."""

    id: str
    object: Literal["organization.project.service_account.deleted"]
    deleted: bool


class OwnerServiceAccount(ApiModel):
    """The service account that owns a project API key."""

    id: str
    """The account's identifier (``svc_acct_...``)."""
    name: str | None = None
    """The account's name."""
    role: str | None = None
    """The account's project role."""
    created_at: int | None = None
    """Unix seconds when the account was created."""


class OwnerUser(ApiModel):
    """The user that owns a project API key (made in the dashboard: the API makes no user keys)."""

    id: str
    """The user's identifier (``user-...``)."""
    name: str | None = None
    """The user's name."""
    email: str | None = None
    """The user's email address."""
    role: str | None = None
    """The user's project role."""
    created_at: int | None = None
    """Unix seconds when the user was created."""


class ServiceAccountOwner(ApiModel):
    """``owner`` of a key that belongs to a service account."""

    type: Literal["service_account"]
    service_account: OwnerServiceAccount


class UserOwner(ApiModel):
    """``owner`` of a key that belongs to a user."""

    type: Literal["user"]
    user: OwnerUser


class OtherOwner(ApiModel):
    """``owner`` of a kind this package does not know (or without a ``type``)."""

    type: str | None = None


def _owner_kind(owner: Any) -> str:
    """The union member an owner parses as: its ``type`` if known, else ``other``."""
    kind = owner.get("type") if isinstance(owner, dict) else getattr(owner, "type", None)
    return kind if kind in ("service_account", "user") else "other"


ProjectApiKeyOwner = Annotated[
    Annotated[ServiceAccountOwner, Tag("service_account")]
    | Annotated[UserOwner, Tag("user")]
    | Annotated[OtherOwner, Tag("other")],
    Discriminator(_owner_kind),
]
"""Who owns a project API key, told apart by its ``type``."""


class ProjectApiKey(ApiModel):
    """A project API key, as list, retrieve and update return it (never with its value)."""

    object: Literal["organization.project.api_key"]
    """Always ``organization.project.api_key``."""
    id: str
    """The key's identifier, e.g. ``key_abc``; what retrieve, update, delete and import take."""
    name: str
    """The key's name."""
    redacted_value: str
    """The value with all but its ends hidden, e.g. ``sk-svcacct...xyz``: safe to show."""
    created_at: int
    """Unix seconds when the key was created."""
    expires_at: int | None = None
    """Unix seconds when the key expires; ``None`` for a key that never expires."""
    last_used_at: int | None = None
    """Unix seconds when the key was last used; ``None`` if never."""
    owner: ProjectApiKeyOwner
    """The user or service account that owns the key."""
    owner_project_access: OwnerProjectAccess
    """``inactive`` when the owner no longer has effective access to the project."""
    scopes: list[str] | None = None
    """The key's scopes, if the answer carries them: the SDK's ``ProjectAPIKey`` has no such field
    (create and update take ``scopes``; only the audit log shows them back). ``[]``: all permissions."""
    project_id: str | None = Field(default=None, exclude=True)
    """The project the key belongs to. Not in the API's answers (never sent, by the emulator
    either): the client sets it from the path it asked, so a key found by a list knows its import id."""


class ProjectApiKeyPage(ApiModel):
    """One page of a project's API keys; the next page starts ``after`` the ``last_id``."""

    object: Literal["list"]
    data: list[ProjectApiKey]
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool


class ProjectApiKeyDeleted(ApiModel):
    """The delete response of a project API key."""

    id: str
    object: Literal["organization.project.api_key.deleted"]
    deleted: bool


class ProjectCreateRequest(ApiModel):
    """The project create request's JSON body (``geography``, deprecated, is not modelled)."""

    name: str = Field(min_length=1)
    external_key_id: str | None = None
    residency: str | None = None


class ProjectServiceAccountCreateRequest(ApiModel):
    """The service account create request's JSON body."""

    name: str = Field(min_length=1)
    expires_in_seconds: int | None = Field(default=None, ge=EXPIRES_IN_SECONDS_MIN, le=EXPIRES_IN_SECONDS_MAX)
    """The initial key's lifetime; omit (``None``) for a key that never expires. Not allowed with
    ``create_service_account_only``."""
    create_service_account_only: bool | None = None
    """``True``: the account without a key, and without a role (``none``)."""


class ServiceAccountApiKeyCreateRequest(ApiModel):
    """The JSON body that makes one more key for a service account."""

    name: str | None = Field(default=None, min_length=1)
    """The key's name (optional in the SDK)."""
    scopes: list[str] | None = None
    """The key's scopes; omitted or ``[]``: all permissions, subject to the owner's access."""
    expires_in_seconds: int | None = Field(default=None, ge=EXPIRES_IN_SECONDS_MIN, le=EXPIRES_IN_SECONDS_MAX)
    """Omit (``None``) for a key that never expires."""


class ProjectApiKeyUpdateRequest(ApiModel):
    """The update request's JSON body: at least one field, neither ``null`` (the emulator checks
    both, from ``model_fields_set``)."""

    scopes: list[str] | None = None
    """Replaces the key's scopes; ``[]`` removes the restrictions (all permissions)."""
    expires_in_seconds: int | None = Field(default=None, ge=EXPIRES_IN_SECONDS_MIN, le=EXPIRES_IN_SECONDS_MAX)
    """The key then expires this many seconds after the update (not after its creation)."""


class ModelObject(ApiModel):
    """One entry of ``GET /models``."""

    object: Literal["model"]
    id: str
    created: int
    owned_by: str


class ModelList(ApiModel):
    """``GET /models``: what the emulator answers a project key with, to show that the key works."""

    object: Literal["list"]
    data: list[ModelObject]


class OpenAIErrorDetail(ApiModel):
    """The ``error`` member of an OpenAI error response."""

    message: str
    type: str | None = None
    param: str | None = None
    code: str | None = None


class OpenAIErrorBody(ApiModel):
    """An OpenAI error response: ``{"error": {"message", "type", "param", "code"}}``.

    The same as ``pulumi_apikeys.openai.models.OpenAIErrorBody``, written again: a backend imports
    no other backend.
    """

    error: OpenAIErrorDetail
