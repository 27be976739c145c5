"""capy organization API keys: the client and the models (no Pulumi SDK is loaded here)."""

from __future__ import annotations

from pulumi_apikeys.capy.client import API_KEY_ENV, BASE_URL_ENV, CapyApiKeysClient, capy_error_message
from pulumi_apikeys.capy.models import (
    ApiKey,
    ApiKeyCreated,
    ApiKeyCreateRequest,
    ApiKeyList,
    ApiKeyRevoked,
    CapyErrorBody,
)

__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "ApiKey",
    "ApiKeyCreateRequest",
    "ApiKeyCreated",
    "ApiKeyList",
    "ApiKeyRevoked",
    "CapyApiKeysClient",
    "CapyErrorBody",
    "capy_error_message",
]
