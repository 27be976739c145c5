"""What every backend's API models share: strict parsing, tolerance of new fields, hidden secrets."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, SecretStr, SerializationInfo

__all__ = ["REVEAL_SECRETS", "ApiModel", "dump_secret"]

REVEAL_SECRETS = {"reveal_secrets": True}
"""Serialization context that writes secret fields in plaintext; only an emulator's create uses it."""


class ApiModel(BaseModel):
    """Base of every API object: unknown fields ignored, types checked strictly (no "12" for 12)."""

    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)


def dump_secret(value: SecretStr, info: SerializationInfo) -> str:
    """How a model dumps a secret field: hidden, unless the caller passed ``REVEAL_SECRETS``."""
    context = info.context
    if isinstance(context, dict) and context.get("reveal_secrets") is True:
        return value.get_secret_value()
    return str(value)
