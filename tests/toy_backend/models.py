"""The toy API's objects: a key, a created key with its secret, a page, an error."""

from __future__ import annotations

from pydantic import SecretStr, SerializationInfo, field_serializer

from pulumi_apikeys.core.api_model import ApiModel, dump_secret


class ToyKey(ApiModel):
    """A key as the toy API lists it (never with its secret)."""

    id: str
    name: str
    prefix: str
    """The first characters of the secret: safe to show."""
    created_at: int
    """Unix seconds."""


class ToyKeyCreated(ToyKey):
    """The create answer: the key and its secret, shown this once."""

    secret: SecretStr

    @field_serializer("secret", when_used="always")
    def _serialize_secret(self, value: SecretStr, info: SerializationInfo) -> str:
        return dump_secret(value, info)


class ToyKeyPage(ApiModel):
    """One page of the list; ``next_page_token`` asks for the next."""

    keys: list[ToyKey]
    next_page_token: str | None = None


class ToyKeyDeleted(ApiModel):
    """The delete answer."""

    deleted: bool


class ToyCreateRequest(ApiModel):
    """The create request's body."""

    name: str


class ToyErrorBody(ApiModel):
    """The toy API's error: ``{"message": "..."}``."""

    message: str
