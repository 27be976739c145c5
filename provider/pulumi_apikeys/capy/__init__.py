"""capy organization API keys: the ``ApiKey`` resource, its client and models.

``ApiKey`` is the resource, imported on first use, so the client (``pulumi_apikeys.capy.client``),
the models (``pulumi_apikeys.capy.models``, where the API's own ``ApiKey`` object lives) and the
emulator do not load the Pulumi SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pulumi_apikeys.capy.resource import ApiKey

__all__ = ["ApiKey"]


def __getattr__(name: str) -> Any:
    if name == "ApiKey":
        from pulumi_apikeys.capy.resource import ApiKey

        return ApiKey
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
