"""The plugin's command line, as the engine writes it.

``buildPluginArguments`` (``sdk/go/common/resource/plugin/plugin.go``) puts the flags first and the
engine's address last: ``[--logtostderr] [-v=N] [--tracing ENDPOINT] ENGINE_ADDRESS``. The SDK's
own parser takes the first bare word as the address, which is the tracing endpoint whenever
tracing is on; this one reads the flags for what they are.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

__all__ = ["PluginArguments", "parse_arguments"]


@dataclass(frozen=True)
class PluginArguments:
    """What the engine told the plugin on its command line."""

    engine_address: str
    """Where the engine's gRPC service listens (for ``Log``)."""
    verbose: int = 0
    """``-v=N``: the engine's log verbosity, 0 when not given."""
    log_to_stderr: bool = False
    tracing: str | None = None


def parse_arguments(argv: list[str]) -> PluginArguments:
    """Reads ``argv`` (without the program name); exits with a usage message if it is not the engine's."""
    parser = argparse.ArgumentParser(
        prog="python -m pulumi_apikeys.plugin",
        description="The pulumi-apikeys resource provider plugin (the engine starts it; it prints its port).",
    )
    parser.add_argument("engine_address", help="the Pulumi engine's gRPC address")
    parser.add_argument("--logtostderr", action="store_true", help="accepted for the engine; unused")
    parser.add_argument("--logflow", action="store_true", help="accepted for the engine; unused")
    parser.add_argument("-v", type=int, default=0, dest="verbose", help="the engine's log verbosity")
    parser.add_argument("--tracing", default=None, help="the engine's tracing endpoint; unused")
    # Flags a newer engine may add must not stop the plugin from starting.
    known, _unknown = parser.parse_known_args(argv)
    return PluginArguments(
        engine_address=known.engine_address,
        verbose=known.verbose,
        log_to_stderr=known.logtostderr,
        tracing=known.tracing,
    )
