"""What a backend is: one vendor API, its resources, and where its optional parts live.

A backend is one folder (``pulumi_apikeys/<name>/``) whose ``backend.py`` holds one ``Backend``;
``pulumi_apikeys.registry`` lists those modules. The parts that need more than the core's
dependencies (the emulator service needs starlette, the command line click) are named by a
``LazyRef`` and imported only when used, so a Pulumi program never loads them.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pulumi_apikeys.core.stack_config import Setting

if TYPE_CHECKING:
    from pulumi_apikeys.core.declaration import KeyResource

__all__ = ["Backend", "LazyRef"]


@dataclass(frozen=True)
class LazyRef:
    """``"package.module:attribute"``, imported on first ``load()``."""

    path: str

    def load(self) -> Any:
        """The attribute, its module imported."""
        module_name, _, attribute = self.path.partition(":")
        if not attribute:
            raise ValueError(f"a LazyRef is 'module:attribute', not {self.path!r}")
        return getattr(importlib.import_module(module_name), attribute)


@dataclass(frozen=True)
class Backend:
    """One vendor API: its name, its settings, the key resources it offers.

    ``name`` keys everything the backend owns outside its folder: its emulator service's config,
    state and command-line flags (``--<name>-...``), its control-API counts, its command-line group.
    """

    name: str
    """Short, lower case, e.g. ``"acme"``; also the module of its resources' type tokens."""
    title: str
    """How messages name the vendor, e.g. ``"Acme"``."""
    credential: Setting
    """The secret the API authenticates with (stack config, then environment)."""
    base_url: Setting
    """Where the API is (stack config, then environment)."""
    resources: tuple[KeyResource[Any, Any], ...]
    """The key resources it offers, each declared once."""
    secret_patterns: tuple[str, ...] = ()
    """Regular expressions matching its secret values (keys, credentials), for ``redaction``;
    each needs a run long enough that the redacted forms the API shows on purpose are left alone."""
    emulator: LazyRef | None = None
    """Its emulator service (``pulumi_apikeys.emulator.service.ServiceSpec``), if it has one."""
    cli: LazyRef | None = None
    """Its ``click`` group for ``pulumi-apikeys <name> ...``, if it has one."""
    demo: LazyRef | None = None
    """Its part of ``pulumi-apikeys demo`` (``pulumi_apikeys.cli.demo_part.DemoPart``), if any."""
