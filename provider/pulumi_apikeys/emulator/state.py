"""Everything one emulator holds: its configuration, keys, fault plan and request log."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from pulumi_apikeys.emulator.capy_store import CapyKeyStore
from pulumi_apikeys.emulator.config import EmulatorConfig
from pulumi_apikeys.emulator.faults import FaultInjector
from pulumi_apikeys.emulator.request_log import RequestLog
from pulumi_apikeys.emulator.state_file import StateFile
from pulumi_apikeys.emulator.store import KeyStore

__all__ = ["EmulatorState"]


@dataclass(frozen=True)
class EmulatorState:
    """The mutable parts of one emulator, shared by its API, control API and layers."""

    config: EmulatorConfig
    store: KeyStore
    """OpenAI's admin keys."""
    capy_store: CapyKeyStore
    """capy's API keys."""
    faults: FaultInjector
    log: RequestLog
    stopping: threading.Event = field(default_factory=threading.Event)
    """Set when the server is shutting down, so that requests held on purpose (hangs) let go."""

    @classmethod
    def from_config(cls, config: EmulatorConfig) -> EmulatorState:
        """A fresh state: keys from the state file (if any), the configured faults, an empty log."""
        # One file for both stores, so that each save writes the other's keys too.
        state_file = StateFile(config.state_file) if config.state_file is not None else None
        return cls(
            config=config,
            store=KeyStore(config.owner(), state_file),
            capy_store=CapyKeyStore(state_file),
            faults=FaultInjector(config.faults),
            log=RequestLog(),
        )

    def reset(self) -> None:
        """No keys, no tombstones, no faults, an empty log: as a fresh emulator without a state file."""
        self.store.reset()
        self.capy_store.reset()
        self.faults.reset()
        # A new generation: a request still in flight from before (one held by latency) is dropped
        # when it resumes, instead of consuming the new plan's faults or writing to the new store.
        self.log.reset()
