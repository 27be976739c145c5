"""What a backend adds to ``pulumi-apikeys demo``: its example program, and how to show its keys.

A backend takes part in the demo by naming a ``DemoPart`` in its ``Backend.demo`` (a ``LazyRef``
into its own folder, e.g. ``<backend>/demo.py:DEMO``). For each part the demo runs the program
``examples/<project>`` as one stack against the emulator, its stack config being the backend's own
settings (``Backend.base_url``, ``Backend.credential``) pointed at the emulator's service of that
backend, plus the part's ``config``. After ``pulumi up`` and again after ``pulumi destroy`` it
shows one table of the keys the emulator holds, which each part lists with ``list_keys``.

The endpoint a part lists keys at is the emulator's ``ServiceEndpoint`` of its backend: its base
URL and the credential it accepts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from pulumi_apikeys.emulator.service import ServiceEndpoint

__all__ = ["DemoPart", "KeyListing", "KeyRow", "ServiceEndpoint"]


@dataclass(frozen=True)
class KeyRow:
    """One live key as a row of the demo's key table (the backend's name is put in front)."""

    id: str
    name: str
    """Its name, or a placeholder such as ``-`` if it has none."""
    shown: str
    """What else tells it apart without revealing its value: a redacted value, a prefix, its scopes."""


@dataclass(frozen=True)
class KeyListing:
    """A backend's live keys, and optionally one remark shown in parentheses below the table."""

    rows: tuple[KeyRow, ...] = ()
    note: str | None = None
    """E.g. how many keys the API still lists although they are no longer live; ``None`` for none."""


@dataclass(frozen=True)
class DemoPart:
    """One backend's part of the demo."""

    project: str
    """The example's project name (its ``Pulumi.yaml``), also its directory: ``examples/<project>``."""
    summary: str
    """What the example declares, for the demo's help, e.g. ``"two Admin API keys"``."""
    list_keys: Callable[[ServiceEndpoint], KeyListing]
    """The live keys the API at the endpoint holds, listed with the backend's own client."""
    config: Mapping[str, str] = field(default_factory=dict)
    """More stack config for the example, by full key (``<project>:<key>``); never a secret."""
