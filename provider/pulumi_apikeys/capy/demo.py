"""The capy part of ``pulumi-apikeys demo``: ``examples/capy-project-keys`` and its keys' listing."""

from __future__ import annotations

from pulumi_apikeys.capy.client import CapyApiKeysClient
from pulumi_apikeys.cli.demo_part import DemoPart, KeyListing, KeyRow, ServiceEndpoint

__all__ = ["DEMO", "ORGANIZATION", "PROJECT_NAME", "list_keys"]

PROJECT_NAME = "capy-project-keys"
"""The capy example's project name (its ``Pulumi.yaml``)."""
ORGANIZATION = "org_demo"
"""The capy organization of the demo's keys (stack config ``capy-project-keys:organizationId``)."""


def list_keys(endpoint: ServiceEndpoint) -> KeyListing:
    """The live keys of the demo organization: id, name, key prefix and scopes.

    The capy API keeps listing revoked keys; they are no row, but the note says how many there are.
    """
    client = CapyApiKeysClient(base_url=endpoint.base_url, api_key=endpoint.credential)
    keys = list(client.list(ORGANIZATION))
    rows = tuple(
        KeyRow(key.id, key.name, f"{key.key_prefix}...  {', '.join(key.scopes)}")
        for key in keys
        if not key.is_gone
    )
    revoked = sum(key.is_gone for key in keys)
    note = (
        f"{revoked} revoked capy key{' stays' if revoked == 1 else 's stay'} listed in {ORGANIZATION}, "
        "as the capy API keeps revoked keys"
        if revoked
        else None
    )
    return KeyListing(rows=rows, note=note)


DEMO = DemoPart(
    project=PROJECT_NAME,
    summary="two capy API keys",
    list_keys=list_keys,
    config={f"{PROJECT_NAME}:organizationId": ORGANIZATION},
)
"""Runs the example in the demo organization, which is also the example's own default."""
