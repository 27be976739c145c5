"""OpenAI organization Admin API keys: the ``AdminApiKey`` and ``RotatingAdminApiKey`` resources,
their client and models.

The resources are imported on first use, so the client, the models and the emulator do not load
the Pulumi SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pulumi_apikeys.openai.resource import AdminApiKey, RotatingAdminApiKey

__all__ = ["AdminApiKey", "RotatingAdminApiKey"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from pulumi_apikeys.openai import resource

        return getattr(resource, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
