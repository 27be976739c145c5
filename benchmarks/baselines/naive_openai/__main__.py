"""The naive alternative, OpenAI Admin API keys: a dynamic provider in the program, as blogs write it.

Everything the packaged provider avoids, on purpose, so that ``benchmarks/throughput.py`` can measure
the difference on the same work:

- the provider class is defined here, in the program, so Pulumi pickles it by value (``dill``) into
  every resource's ``__provider``, inputs and outputs alike;
- its constructor takes the admin key and the base URL, so they are pickled with it;
- every call is a bare ``httpx.post`` / ``httpx.delete``: a new client, TLS context and TCP
  connection per request, no retries, no pacing;
- the key's value comes back as a plain output, not a secret.

It reads ``apikeys:openaiAdminKey`` and ``apikeys:openaiBaseUrl`` from the stack config (as the
packaged provider does), and ``naive:keys`` (how many keys), ``naive:prefix`` and ``naive:sameName``
(all keys named ``<prefix>``, else ``<prefix> 000``...). A Pulumi program: run it with
``pulumi up`` in this folder, or through the harness as ``throughput.py`` does.
"""

from __future__ import annotations

from typing import Any

import httpx
import pulumi
from pulumi.dynamic import CreateResult, Resource, ResourceProvider


class AdminKeyProvider(ResourceProvider):
    def __init__(self, admin_key: str, base_url: str) -> None:
        self.admin_key = admin_key
        self.base_url = base_url

    def create(self, props: dict[str, Any]) -> CreateResult:
        response = httpx.post(
            f"{self.base_url}/organization/admin_api_keys",
            headers={"Authorization": f"Bearer {self.admin_key}"},
            json={"name": props["name"]},
        )
        response.raise_for_status()
        key = response.json()
        return CreateResult(
            key["id"],
            {"name": props["name"], "value": key["value"], "redacted_value": key["redacted_value"]},
        )

    def delete(self, id: str, props: dict[str, Any]) -> None:
        response = httpx.delete(
            f"{self.base_url}/organization/admin_api_keys/{id}",
            headers={"Authorization": f"Bearer {self.admin_key}"},
        )
        response.raise_for_status()


class AdminKey(Resource):
    value: pulumi.Output[str]
    redacted_value: pulumi.Output[str]

    def __init__(self, resource_name: str, name: str, provider: AdminKeyProvider) -> None:
        super().__init__(provider, resource_name, {"name": name, "value": None, "redacted_value": None})


config = pulumi.Config("apikeys")
provider = AdminKeyProvider(config.require("openaiAdminKey"), config.require("openaiBaseUrl"))

bench = pulumi.Config("naive")
prefix = bench.get("prefix") or "naive"
same_name = bench.get_bool("sameName") or False
for i in range(bench.get_int("keys") or 1):
    AdminKey(f"k{i:03}", prefix if same_name else f"{prefix} {i:03}", provider)
