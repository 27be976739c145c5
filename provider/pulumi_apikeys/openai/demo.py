"""The OpenAI parts of ``pulumi-apikeys demo``: ``examples/openai-admin-keys`` (the dynamic
resource, in Python) and ``examples/yaml-admin-keys`` (the provider plugin, in Pulumi YAML), and
the listing of their keys."""

from __future__ import annotations

from pulumi_apikeys.cli.demo_part import DemoPart, KeyListing, KeyRow, ServiceEndpoint
from pulumi_apikeys.openai.client import AdminApiKeysClient

__all__ = ["DEMO", "PROJECT_NAME", "PYTHON_DEMO", "YAML_DEMO", "YAML_PROJECT_NAME", "list_keys"]

PROJECT_NAME = "openai-admin-keys"
"""The Python example's project name (its ``Pulumi.yaml``); its config keys are ``openai-admin-keys:…``."""
YAML_PROJECT_NAME = "yaml-admin-keys"
"""The Pulumi YAML example's project name; it runs the provider plugin (its ``packages:`` entry)."""


def list_keys(endpoint: ServiceEndpoint) -> KeyListing:
    """The organization's admin keys: id, name (``-`` if none) and redacted value."""
    client = AdminApiKeysClient(base_url=endpoint.base_url, admin_key=endpoint.credential)
    return KeyListing(
        rows=tuple(KeyRow(key.id, key.name or "-", key.redacted_value) for key in client.list())
    )


PYTHON_DEMO = DemoPart(project=PROJECT_NAME, summary="two OpenAI Admin API keys", list_keys=list_keys)
"""Runs the Python example with nothing but the OpenAI settings in its stack config."""
YAML_DEMO = DemoPart(
    project=YAML_PROJECT_NAME,
    summary="three OpenAI Admin API keys in Pulumi YAML, through the provider plugin",
    list_keys=list_keys,
)
"""Runs the YAML example with the same settings: the plugin reads the same ``apikeys:`` config."""
DEMO = (PYTHON_DEMO, YAML_DEMO)
"""Both parts, in the order the demo runs them; both list the same organization's keys."""
