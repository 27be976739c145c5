"""OpenAI organization Admin API keys: the ``AdminApiKey`` resource, its client and models.

``AdminApiKey`` is imported on first use, so the client, the models and the emulator do not load
the Pulumi SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pulumi_apikeys.openai.resource import AdminApiKey

__all__ = ["AdminApiKey"]


def __getattr__(name: str) -> Any:
    if name == "AdminApiKey":
        from pulumi_apikeys.openai.resource import AdminApiKey

        return AdminApiKey
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
