"""Everything one emulator holds: its configuration, services, fault plan and request log."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_apikeys.emulator.config import EmulatorConfig
from pulumi_apikeys.emulator.faults import FaultInjector
from pulumi_apikeys.emulator.registered import registered_services
from pulumi_apikeys.emulator.request_log import RequestLog
from pulumi_apikeys.emulator.service import EmulatorService, ServiceSpec
from pulumi_apikeys.emulator.state_file import StateFile
from pulumi_apikeys.errors import ConfigurationError

__all__ = ["EmulatorState"]


@dataclass(frozen=True)
class EmulatorState:
    """The mutable parts of one emulator, shared by its API, control API and layers."""

    config: EmulatorConfig
    services: Mapping[str, EmulatorService]
    """Each service (and its store) by backend name, in registry order."""
    faults: FaultInjector
    log: RequestLog
    stopping: threading.Event = field(default_factory=threading.Event)
    """Set when the server is shutting down, so that requests held on purpose (hangs) let go."""

    @classmethod
    def from_config(
        cls, config: EmulatorConfig, specs: Sequence[ServiceSpec[Any]] | None = None
    ) -> EmulatorState:
        """A fresh state: the services of ``specs`` (by default the registered ones) over the keys
        in the state file (if any), the configured faults, an empty log.

        Raises:
            ConfigurationError: ``config`` has options for no such service, or the state file is unusable.
            pydantic.ValidationError: a service's options are not usable.
        """
        specs = registered_services() if specs is None else tuple(specs)
        names = [spec.name for spec in specs]
        unknown = sorted(set(config.services) - set(names))
        if unknown:
            raise ConfigurationError(
                f"no emulator service named {', '.join(map(repr, unknown))} (known: {', '.join(names)})"
            )
        # One file for every service, so that each save writes the others' keys too.
        state_file = None
        if config.state_file is not None:
            legacy = {spec.name: spec.legacy_state_fields for spec in specs if spec.legacy_state_fields}
            state_file = StateFile(config.state_file, legacy_layout=legacy)
        services = {
            spec.name: spec.start(
                config.services.get(spec.name, {}),
                state_file.section(spec.name) if state_file is not None else None,
            )
            for spec in specs
        }
        return cls(config=config, services=services, faults=FaultInjector(config.faults), log=RequestLog())

    def reset(self) -> None:
        """No keys, no tombstones, no faults, an empty log: as a fresh emulator without a state file."""
        for service in self.services.values():
            service.reset()
        self.faults.reset()
        # A new generation: a request still in flight from before (one held by latency) is dropped
        # when it resumes, instead of consuming the new plan's faults or writing to the new store.
        self.log.reset()
