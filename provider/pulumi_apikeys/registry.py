"""The backends this package offers: one line each, and a way to add one from outside.

Everything that serves every backend (the schema, redaction, the emulator, the command line, the
shared tests) asks this module, so that adding a backend is its folder plus one line below.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # Types only: redaction asks the registry for patterns, and the declarations import redaction.
    from pulumi_apikeys.core.backend import Backend
    from pulumi_apikeys.core.declaration import KeyResource

__all__ = [
    "BUILTIN_BACKENDS",
    "backend",
    "builtin",
    "key_resources",
    "register",
    "registered",
    "temporarily_registered",
    "unregister",
]

BUILTIN_BACKENDS: tuple[str, ...] = (
    "pulumi_apikeys.openai.backend",
    "pulumi_apikeys.capy.backend",
    "pulumi_apikeys.openai_projects.backend",
)
"""The modules holding each built-in backend's ``BACKEND``, in the order they are served."""

_lock = threading.Lock()
_builtin: tuple[Backend, ...] | None = None
_added: list[Backend] = []


def _builtins() -> tuple[Backend, ...]:
    global _builtin
    with _lock:
        if _builtin is None:
            # Imported on first use: backend modules import the core, which must not import them back.
            _builtin = tuple(importlib.import_module(module).BACKEND for module in BUILTIN_BACKENDS)
        return _builtin


def builtin() -> tuple[Backend, ...]:
    """The backends this package ships (``BUILTIN_BACKENDS``), in that order."""
    return _builtins()


def registered() -> tuple[Backend, ...]:
    """Every backend: the built-in ones, then those added with ``register``."""
    builtin = _builtins()
    with _lock:
        return builtin + tuple(_added)


def register(new: Backend) -> None:
    """Adds a backend (a plugin, or a test's toy vendor); its name must be new."""
    if any(existing.name == new.name for existing in registered()):
        raise ValueError(f"a backend named {new.name!r} is already registered")
    with _lock:
        _added.append(new)


def unregister(name: str) -> None:
    """Removes a backend added with ``register`` (built-in ones stay)."""
    with _lock:
        _added[:] = [added for added in _added if added.name != name]


@contextmanager
def temporarily_registered(new: Backend) -> Iterator[Backend]:
    """``register`` for the length of a ``with`` block."""
    register(new)
    try:
        yield new
    finally:
        unregister(new.name)


def backend(name: str) -> Backend:
    """The backend named ``name``; ``KeyError`` listing the known names if there is none."""
    for candidate in registered():
        if candidate.name == name:
            return candidate
    known = ", ".join(b.name for b in registered())
    raise KeyError(f"no backend named {name!r} (known: {known})")


def key_resources(backends: tuple[Backend, ...] | None = None) -> tuple[KeyResource[Any, Any], ...]:
    """Every key resource of ``backends`` (by default, of every registered backend)."""
    return tuple(
        resource for b in (registered() if backends is None else backends) for resource in b.resources
    )
