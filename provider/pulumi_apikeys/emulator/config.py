"""How an emulator is set up: where it listens, where it keeps keys, each service's options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pulumi_apikeys.emulator.faults import FaultPlan

__all__ = ["DEFAULT_PORT", "EmulatorConfig"]

DEFAULT_PORT = 8787
"""The port the command line listens on by default."""


class EmulatorConfig(BaseModel):
    """Settings of one emulator.

    Example: an emulator on any free port, one service's option set, the others' left at defaults::

        EmulatorConfig(port=0, services={"vendor": {"api_key": "local-key"}})
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = "127.0.0.1"
    """The address to listen on."""
    port: int = Field(default=DEFAULT_PORT, ge=0, le=65535)
    """The port to listen on; 0 picks any free port (``RunningEmulator.port`` tells which)."""
    state_file: Path | None = None
    """Where every service's keys are kept across restarts (JSON, never holding a key value);
    ``None``: memory only."""
    services: dict[str, dict[str, Any]] = Field(default_factory=dict, repr=False)
    """Options by backend name, each validated by that service's spec when the emulator starts; an
    option or service left out keeps its default. Left out of the repr: options hold credentials."""
    faults: FaultPlan = Field(default_factory=FaultPlan)
    """The faults to inject from the start (the control API can change them later)."""
