"""The naive alternative, capy organization API keys: a dynamic provider in the program, as blogs write it.

The same shortcuts as ``../naive_openai``: the provider class defined in the program (pickled by value
into every resource), the API key and base URL passed to its constructor (pickled with it), a bare
``httpx.post`` / ``httpx.delete`` per call (a new connection each, no retries), the plaintext key
returned as a plain output. Scopes are sent as declared (no set semantics).

It reads ``apikeys:capyApiKey`` and ``apikeys:capyBaseUrl`` from the stack config, and ``naive:keys``,
``naive:prefix``, ``naive:sameName``, ``naive:organizationId`` and ``naive:scope`` (one scope).
"""

from __future__ import annotations

from typing import Any

import httpx
import pulumi
from pulumi.dynamic import CreateResult, Resource, ResourceProvider


class CapyKeyProvider(ResourceProvider):
    def __init__(self, api_key: str, base_url: str) -> None:
        self.api_key = api_key
        self.base_url = base_url

    def create(self, props: dict[str, Any]) -> CreateResult:
        response = httpx.post(
            f"{self.base_url}/v1/organizations/{props['organization_id']}/api-keys",
            headers={"Authorization": f"Bearer {self.api_key}"},
            json={"name": props["name"], "scopes": props["scopes"]},
        )
        response.raise_for_status()
        body = response.json()
        return CreateResult(
            body["api_key"]["id"],
            {**props, "value": body["plaintext_api_key"], "key_prefix": body["api_key"]["key_prefix"]},
        )

    def delete(self, id: str, props: dict[str, Any]) -> None:
        response = httpx.delete(
            f"{self.base_url}/v1/organizations/{props['organization_id']}/api-keys/{id}",
            headers={"Authorization": f"Bearer {self.api_key}"},
        )
        response.raise_for_status()


class CapyKey(Resource):
    value: pulumi.Output[str]
    key_prefix: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        name: str,
        organization_id: str,
        scopes: list[str],
        provider: CapyKeyProvider,
    ) -> None:
        inputs = {"name": name, "organization_id": organization_id, "scopes": scopes}
        super().__init__(provider, resource_name, {**inputs, "value": None, "key_prefix": None})


config = pulumi.Config("apikeys")
provider = CapyKeyProvider(config.require("capyApiKey"), config.require("capyBaseUrl"))

bench = pulumi.Config("naive")
prefix = bench.get("prefix") or "naive"
same_name = bench.get_bool("sameName") or False
organization_id = bench.get("organizationId") or "org_1"
scope = bench.get("scope") or "keys:read"
for i in range(bench.get_int("keys") or 1):
    CapyKey(f"k{i:03}", prefix if same_name else f"{prefix} {i:03}", organization_id, [scope], provider)
