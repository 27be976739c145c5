"""Everything one emulator holds: its configuration, keys, fault plan and request log."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from pulumi_apikeys.emulator.config import EmulatorConfig
from pulumi_apikeys.emulator.faults import FaultInjector
from pulumi_apikeys.emulator.request_log import RequestLog
from pulumi_apikeys.emulator.store import KeyStore

__all__ = ["EmulatorState"]


@dataclass(frozen=True)
class EmulatorState:
    """The mutable parts of one emulator, shared by its API, control API and layers."""

    config: EmulatorConfig
    store: KeyStore
    faults: FaultInjector
    log: RequestLog
    stopping: threading.Event = field(default_factory=threading.Event)
    """Set when the server is shutting down, so that requests held on purpose (hangs) let go."""

    @classmethod
    def from_config(cls, config: EmulatorConfig) -> EmulatorState:
        """A fresh state: keys from the state file (if any), the configured faults, an empty log."""
        return cls(
            config=config,
            store=KeyStore(config.owner(), config.state_file),
            faults=FaultInjector(config.faults),
            log=RequestLog(),
        )

    def reset(self) -> None:
        """No keys, no tombstones, no faults, an empty log: as a fresh emulator without a state file."""
        self.store.reset()
        self.faults.reset()
        self.log.clear()
