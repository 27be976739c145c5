"""``ToyKey``: the toy vendor's key, declared in a Pulumi program."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from pulumi_apikeys.dynamic.resource import KeyResourceBase, RotationSettings
from tests.toy_backend.provider import ToyKeyProvider


class ToyKey(RotationSettings, KeyResourceBase, provider=ToyKeyProvider):
    """A toy key, created on ``up`` and deleted on ``destroy``; rotated as every key resource is."""

    name: pulumi.Output[str]
    prefix: pulumi.Output[str]
    value: pulumi.Output[str | None]
    created_at: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        *,
        name: pulumi.Input[str],
        rotation_triggers: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        rotate_after_seconds: pulumi.Input[int] | None = None,
        renew_before_seconds: pulumi.Input[int] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        inputs = {
            "name": name,
            "rotation_triggers": rotation_triggers,
            "rotate_after_seconds": rotate_after_seconds,
            "renew_before_seconds": renew_before_seconds,
        }
        super().__init__(resource_name, inputs, opts)

    @staticmethod
    def get(resource_name: str, id: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None) -> ToyKey:
        return ToyKey.reference(resource_name, id, {}, opts)
