"""OpenAI's key resources for Pulumi programs: organization Admin API keys (``AdminApiKey``,
``RotatingAdminApiKey``, with their client and models here) and projects' service accounts and keys
(``ProjectServiceAccount``, ``ProjectApiKey``, ``RotatingProjectApiKey``, served by the
``openai_projects`` backend: one vendor, one module to import from).

The resources are imported on first use, so the client, the models and the emulator do not load
the Pulumi SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pulumi_apikeys.openai.resource import AdminApiKey, RotatingAdminApiKey
    from pulumi_apikeys.openai_projects.resource import (
        ProjectApiKey,
        ProjectServiceAccount,
        RotatingProjectApiKey,
    )

__all__ = [
    "AdminApiKey",
    "ProjectApiKey",
    "ProjectServiceAccount",
    "RotatingAdminApiKey",
    "RotatingProjectApiKey",
]

_FROM = {
    "AdminApiKey": "pulumi_apikeys.openai.resource",
    "RotatingAdminApiKey": "pulumi_apikeys.openai.resource",
    "ProjectServiceAccount": "pulumi_apikeys.openai_projects.resource",
    "ProjectApiKey": "pulumi_apikeys.openai_projects.resource",
    "RotatingProjectApiKey": "pulumi_apikeys.openai_projects.resource",
}


def __getattr__(name: str) -> Any:
    module = _FROM.get(name)
    if module is not None:
        import importlib

        return getattr(importlib.import_module(module), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
