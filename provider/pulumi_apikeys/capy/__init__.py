"""capy organization API keys: the ``ApiKey`` and ``RotatingApiKey`` resources, their client and
models.

The resources are imported on first use, so the client (``pulumi_apikeys.capy.client``),
the models (``pulumi_apikeys.capy.models``, where the API's own ``ApiKey`` object lives) and the
emulator do not load the Pulumi SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pulumi_apikeys.capy.resource import ApiKey, RotatingApiKey

__all__ = ["ApiKey", "RotatingApiKey"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from pulumi_apikeys.capy import resource

        return getattr(resource, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
