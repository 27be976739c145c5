"""An engine-faithful test harness for Pulumi dynamic providers and provider plugins, without the Pulumi CLI.

A real program runs in a fresh interpreter per operation; a ``MockMonitor`` subclass hands each
registration to an engine that drives the SDK's own dynamic provider server, and provider plugins (one
process per provider instance, ``PluginSource``), over gRPC, step by step as Pulumi's engine does, serves
the engine's own gRPC service to them, and keeps a Pulumi-shaped checkpoint with encrypted secrets between
operations. ``HarnessStack.import_`` runs ``pulumi import``.

The names below load on first use, so the child entry point (``run_program``) can start the provider
server before the SDK is imported.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.harness.plugins import EngineFlags, PluginSource
    from tests.harness.properties import UNKNOWN, Secret
    from tests.harness.stack import HarnessStack, StackOutput, StateView, UpResult

__all__ = [
    "UNKNOWN",
    "EngineFlags",
    "HarnessStack",
    "PluginSource",
    "Secret",
    "StackOutput",
    "StateView",
    "UpResult",
]

_HOMES = {
    "UNKNOWN": "tests.harness.properties",
    "Secret": "tests.harness.properties",
    "EngineFlags": "tests.harness.plugins",
    "PluginSource": "tests.harness.plugins",
    "HarnessStack": "tests.harness.stack",
    "StackOutput": "tests.harness.stack",
    "StateView": "tests.harness.stack",
    "UpResult": "tests.harness.stack",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
