"""The emulator's optional dependencies: served only when the ``emulator`` extra is installed.

A Pulumi program needs neither starlette nor uvicorn, so they are not dependencies of the package;
the models, the configuration and the control client import without them, and starting an
emulator checks for them first, failing with what to install.
"""

from __future__ import annotations

import importlib

from pulumi_apikeys.errors import EmulatorStartupError

__all__ = ["EXTRA_INSTALL", "require_emulator_extra"]

EXTRA_INSTALL = "pip install 'pulumi-apikeys[emulator]'"
"""The command that installs what the emulator needs to serve."""

_MODULES = ("starlette", "uvicorn")


def require_emulator_extra() -> None:
    """Returns if the emulator can serve; else raises ``EmulatorStartupError`` saying what to install."""
    missing = []
    for module in _MODULES:
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise EmulatorStartupError(
            f"the emulator needs {' and '.join(missing)}, which {'is' if len(missing) == 1 else 'are'}"
            f" not installed: {EXTRA_INSTALL}"
        )
