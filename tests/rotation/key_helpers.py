"""What the key rotation tests share: a lifecycle over the emulator, and how a key is made to expire.

A key resource's keys expire either because the program declares a lifetime (the resource's
``lifetime_input``, OpenAI's ``expires_in_seconds``) or because the organization gives every key one
(an emulator option, capy's ``key_lifetime_seconds``). ``expiring`` finds which from the
declaration and the backend's emulator service, so no test names a backend; a resource whose keys
can never expire (the toy vendor's) has no expiry scenarios.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pulumi_apikeys.core.checks import IsUnknown
from pulumi_apikeys.core.lifecycle import KeyLifecycle
from pulumi_apikeys.core.reconcile import KeyLedger
from pulumi_apikeys.core.stack_config import StackConfig
from pulumi_apikeys.emulator import EmulatorConfig, RunningEmulator
from tests.backends import ResourceUnderTest, stack_config
from tests.harness import Secret

__all__ = ["KEY_LIFETIME_OPTION", "Expiring", "StartEmulator", "expiring", "lifecycle_of", "never_unknown"]

KEY_LIFETIME_OPTION = "key_lifetime_seconds"
"""The emulator option of a backend whose organizations give every key a lifetime."""

StartEmulator = Callable[[EmulatorConfig], RunningEmulator]


def never_unknown(value: object) -> bool:
    """A plain ``up``: every value is known."""
    del value
    return False


def lifecycle_of(
    subject: ResourceUnderTest, emulator: RunningEmulator, *, is_unknown: IsUnknown = never_unknown
) -> KeyLifecycle[Any, Any]:
    """The resource's lifecycle, configured against ``emulator`` as a stack would configure it."""
    values = {
        key: value.value if isinstance(value, Secret) else str(value)
        for key, value in stack_config(subject.settings, emulator).items()
    }
    return KeyLifecycle(subject.resource, StackConfig(values), is_unknown=is_unknown, ledger=KeyLedger())


@dataclass(frozen=True)
class Expiring:
    """How a key of one resource is made to expire a given number of seconds after its creation."""

    inputs: dict[str, Any] = field(default_factory=dict)
    """Declared inputs that give the key its lifetime (by their declared, snake_case names)."""
    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The options of an emulator whose organizations give every key its lifetime; empty: any
    emulator will do."""

    def emulator(self, session: RunningEmulator, start: StartEmulator) -> RunningEmulator:
        """The emulator to run against: ``session`` if it will do, else one started with ``services``."""
        return start(EmulatorConfig(port=0, services=self.services)) if self.services else session

    def program_arguments(self) -> str:
        """The inputs as keyword arguments of a program's constructor call (``, name=value``)."""
        return "".join(f", {name}={value!r}" for name, value in self.inputs.items())


def expiring(subject: ResourceUnderTest, seconds: int) -> Expiring | None:
    """How ``subject``'s key is made to live ``seconds``, or ``None`` if its keys never expire (or
    it reports no ``expires_at``: a service account's key expiry is its key's, not its own)."""
    if "expires_at" not in subject.resource.outputs:
        return None
    lifetime = subject.resource.lifetime_input
    if lifetime is not None:
        return Expiring(inputs={lifetime: seconds})
    service = subject.settings.emulator
    if service is not None and KEY_LIFETIME_OPTION in service.load().options.model_fields:
        return Expiring(services={subject.backend: {KEY_LIFETIME_OPTION: seconds}})
    return None
