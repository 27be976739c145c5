"""The OpenAI part of ``pulumi-apikeys demo``: ``examples/openai-admin-keys`` and its keys' listing."""

from __future__ import annotations

from pulumi_apikeys.cli.demo_part import DemoPart, KeyListing, KeyRow, ServiceEndpoint
from pulumi_apikeys.openai.client import AdminApiKeysClient

__all__ = ["DEMO", "PROJECT_NAME", "list_keys"]

PROJECT_NAME = "openai-admin-keys"
"""The OpenAI example's project name (its ``Pulumi.yaml``); its config keys are ``openai-admin-keys:…``."""


def list_keys(endpoint: ServiceEndpoint) -> KeyListing:
    """The organization's admin keys: id, name (``-`` if none) and redacted value."""
    client = AdminApiKeysClient(base_url=endpoint.base_url, admin_key=endpoint.credential)
    return KeyListing(
        rows=tuple(KeyRow(key.id, key.name or "-", key.redacted_value) for key in client.list())
    )


DEMO = DemoPart(project=PROJECT_NAME, summary="two OpenAI Admin API keys", list_keys=list_keys)
"""Runs the example with nothing but the OpenAI settings in its stack config."""
