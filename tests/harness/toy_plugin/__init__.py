"""A toy provider plugin (package ``toy``) to prove the harness's plugin rules on their own.

Built the way a real Python plugin is: ``pulumi.provider.experimental`` (``Provider`` and the SDK's gRPC
server), started as a plugin folder (``python <this folder> ...``) or a module (``python -m
tests.harness.toy_plugin ...``). Its widgets are JSON files in a store directory named by the provider's
``store`` config; ``ops.jsonl``, ``configures.jsonl`` and ``launches.jsonl`` there record what it was asked,
so tests can see what the engine sent. ``server`` runs it, ``provider`` is the provider, ``sdk`` the program's
side (``Widget``, ``Provider``, ``describe``). This module stays free of the SDK: programs import it too.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["PACKAGE", "PLUGIN_DIR", "VERSION"]

PACKAGE = "toy"
VERSION = "0.1.0"
"""What ``GetPluginInfo`` reports, and the version the SDK side registers resources with."""
PLUGIN_DIR = Path(__file__).resolve().parent
