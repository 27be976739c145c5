"""Pydantic models of the capy organization API keys objects (seed ``002``).

Shared by the client (which parses responses into them) and the emulator (which serves them), so
the two cannot drift apart. Like every backend's models (``core.api_model``): unknown fields are
ignored, so that an API that grows does not break us; a missing required field or a field of the
wrong type is an error.

The seed shows every field filled in and says which are nullable nowhere. Our reading: what every
key must have is required (``id``, ``name``, ``key_prefix``, ``scopes``, ``organization_id``,
``is_active``, ``created_at``); what a key may lack is nullable and defaults to ``None``
(``project_id`` for an organization-wide key, ``created_by_user_id``, ``device_name``, ``source``,
and the ``expires_at``, ``last_used_at``, ``revoked_at`` of a key that never expires, was never
used, was never revoked).

Timestamps are ISO-8601 strings with a time zone, parsed to timezone-aware datetimes; a naive
timestamp or a number is an error.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import (
    AwareDatetime,
    BeforeValidator,
    Field,
    SecretStr,
    SerializationInfo,
    field_serializer,
    field_validator,
)

from pulumi_apikeys.core.api_model import REVEAL_SECRETS, ApiModel, dump_secret

__all__ = [
    "REVEAL_SECRETS",
    "ApiKey",
    "ApiKeyCreateRequest",
    "ApiKeyCreated",
    "ApiKeyList",
    "ApiKeyRevoked",
    "CapyErrorBody",
    "Timestamp",
]


def _text_or_datetime(value: object) -> object:
    # The models are strict, but JSON has no datetime type: an ISO-8601 string is the timestamp's
    # only form on the wire (accepted from a parsed dict too). A number is refused, not read as
    # Unix seconds.
    if isinstance(value, (str, datetime)):
        return value
    raise ValueError(f"expected an ISO-8601 timestamp string, not {type(value).__name__}")


Timestamp = Annotated[AwareDatetime, Field(strict=False), BeforeValidator(_text_or_datetime)]
"""A timezone-aware datetime, given as one or as an ISO-8601 string with a time zone."""


class ApiKey(ApiModel):
    """A capy API key as list and create return it (never with its secret)."""

    id: str
    """The key's identifier; what revoke takes."""
    name: str
    """The key's name (names are not unique)."""
    key_prefix: str
    """The first characters of the secret, e.g. ``capy_live_ab``: safe to show."""
    scopes: list[str]
    """What the key may do."""
    organization_id: str
    """The organization the key belongs to."""
    project_id: str | None = None
    """The project the key is scoped to; ``None`` for an organization-wide key."""
    created_by_user_id: str | None = None
    """Who created the key, if a user did."""
    device_name: str | None = None
    """The device the key was created for, if any."""
    source: str | None = None
    """How the key was created (e.g. ``api``)."""
    is_active: bool
    """``False`` once the key no longer authenticates."""
    created_at: Timestamp
    expires_at: Timestamp | None = None
    """When the key stops working; ``None`` for a key that never expires."""
    last_used_at: Timestamp | None = None
    """When the key last authenticated a request; ``None`` if never."""
    revoked_at: Timestamp | None = None
    """When the key was revoked; ``None`` while it is not."""

    @property
    def is_gone(self) -> bool:
        """Whether the key is revoked or inactive: for a provider, it no longer exists."""
        return self.revoked_at is not None or not self.is_active


class ApiKeyList(ApiModel):
    """The list response.

    The seed documents no pagination. Our reading: the server may send ``next_cursor`` when more
    keys follow, and the next page is asked for with ``?cursor=<next_cursor>``.
    """

    api_keys: list[ApiKey]
    next_cursor: str | None = None


class ApiKeyCreated(ApiModel):
    """The create response: the key plus its secret, which the API never returns again."""

    api_key: ApiKey
    plaintext_api_key: SecretStr
    """The secret. ``repr``/``str`` show ``**********``; call ``get_secret_value()`` to use it."""

    @field_serializer("plaintext_api_key", when_used="always")
    def _serialize_secret(self, value: SecretStr, info: SerializationInfo) -> str:
        return dump_secret(value, info)


class ApiKeyRevoked(ApiModel):
    """The revoke response."""

    revoked: bool


class ApiKeyCreateRequest(ApiModel):
    """The create request's JSON body."""

    name: str = Field(min_length=1)
    scopes: list[str]

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, name: str) -> str:
        if not name.strip():
            raise ValueError("must not be empty or only whitespace")
        return name


class CapyErrorBody(ApiModel):
    """A capy error response: ``{"error": "message"}``."""

    error: str
