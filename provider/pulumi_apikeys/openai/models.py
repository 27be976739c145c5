"""Pydantic models of the OpenAI organization Admin API keys objects.

Shared by the client (which parses responses into them) and the emulator (which serves them), so
the two cannot drift apart. Field shapes follow the official SDK 3.54 and its OpenAPI spec, which
are newer than the seed documents: ``expires_at`` exists, ``name`` is nullable, the owner may be a
user or a service account. Unknown fields are ignored so that an API that grows does not break us;
a missing required field or a field of the wrong type is an error.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, SerializationInfo, field_serializer

from pulumi_apikeys.core.api_model import REVEAL_SECRETS, ApiModel, dump_secret
from pulumi_apikeys.openai.limits import EXPIRES_IN_SECONDS_MAX, EXPIRES_IN_SECONDS_MIN

__all__ = [
    "EXPIRES_IN_SECONDS_MAX",
    "EXPIRES_IN_SECONDS_MIN",
    "REVEAL_SECRETS",
    "AdminApiKey",
    "AdminApiKeyCreateRequest",
    "AdminApiKeyCreated",
    "AdminApiKeyDeleted",
    "AdminApiKeyPage",
    "ApiModel",
    "OpenAIErrorBody",
    "OpenAIErrorDetail",
    "Owner",
]


class Owner(ApiModel):
    """Who owns an admin key: a user (``role: owner``) or a service account (``role: member``)."""

    type: str | None = None
    """``user`` or ``service_account``."""
    object: str | None = None
    """``organization.user`` or ``organization.service_account``."""
    id: str | None = None
    """The owner's identifier."""
    name: str | None = None
    """The owner's display name."""
    created_at: int | None = None
    """Unix seconds when the owner was created."""
    role: str | None = None
    """``owner`` for users; service accounts show ``member``."""


class AdminApiKey(ApiModel):
    """An organization Admin API key, as list and retrieve return it (never with its value)."""

    object: Literal["organization.admin_api_key"]
    """Always ``organization.admin_api_key``."""
    id: str
    """The key's identifier, e.g. ``key_abc``; what retrieve, delete and import take."""
    name: str | None
    """The key's name (nullable in the spec, though every key we create has one)."""
    redacted_value: str
    """The value with all but its ends hidden, e.g. ``sk-admin...xyz``: safe to show."""
    created_at: int
    """Unix seconds when the key was created."""
    expires_at: int | None = None
    """Unix seconds when the key expires; ``None`` for a key that never expires."""
    last_used_at: int | None = None
    """Unix seconds when the key was last used; ``None`` if never."""
    owner: Owner
    """The user or service account that owns the key."""


class AdminApiKeyCreated(AdminApiKey):
    """The create response: the key plus its ``value``, which the API never returns again."""

    value: SecretStr
    """The key itself. ``repr``/``str`` show ``**********``; call ``get_secret_value()`` to use it."""

    @field_serializer("value", when_used="always")
    def _serialize_value(self, value: SecretStr, info: SerializationInfo) -> str:
        return dump_secret(value, info)


class AdminApiKeyPage(ApiModel):
    """One page of the list call; the next page starts ``after`` the last item's id."""

    object: Literal["list"]
    data: list[AdminApiKey]
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool


class AdminApiKeyDeleted(ApiModel):
    """The delete response."""

    id: str
    object: Literal["organization.admin_api_key.deleted"]
    deleted: bool


class AdminApiKeyCreateRequest(ApiModel):
    """The create request's JSON body."""

    name: str = Field(min_length=1)
    expires_in_seconds: int | None = Field(default=None, ge=EXPIRES_IN_SECONDS_MIN, le=EXPIRES_IN_SECONDS_MAX)
    """Omit (``None``) for a key that never expires."""


class OpenAIErrorDetail(ApiModel):
    """The ``error`` member of an OpenAI error response."""

    message: str
    type: str | None = None
    param: str | None = None
    code: str | None = None


class OpenAIErrorBody(ApiModel):
    """An OpenAI error response: ``{"error": {"message", "type", "param", "code"}}``."""

    error: OpenAIErrorDetail
