"""``ToyKey``: the toy vendor's key, declared in a Pulumi program."""

from __future__ import annotations

import pulumi

from pulumi_apikeys.dynamic.resource import KeyResourceBase
from tests.toy_backend.provider import ToyKeyProvider


class ToyKey(KeyResourceBase, provider=ToyKeyProvider):
    """A toy key, created on ``up`` and deleted on ``destroy``."""

    name: pulumi.Output[str]
    prefix: pulumi.Output[str]
    value: pulumi.Output[str | None]
    created_at: pulumi.Output[int]

    def __init__(
        self, resource_name: str, *, name: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__(resource_name, {"name": name}, opts)

    @staticmethod
    def get(resource_name: str, id: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None) -> ToyKey:
        return ToyKey.reference(resource_name, id, {}, opts)
