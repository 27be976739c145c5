"""Compares a stack's checkpoint with the keys the emulator holds: orphans, strays and lost values."""

from __future__ import annotations

from dataclasses import dataclass

from pulumi_apikeys.emulator import RunningEmulator
from tests.backends import ResourceUnderTest
from tests.harness import HarnessStack, Secret

__all__ = ["Audit", "audit"]


@dataclass(frozen=True)
class Audit:
    """State against API, by key id."""

    in_state: dict[str, str]
    """Key id -> resource name, for every live resource in the checkpoint."""
    in_api: dict[str, str]
    """Key id -> key name, for every key the emulator holds."""
    lost_values: list[str]
    """Resources whose value is not a secret holding their own key's value."""

    @property
    def orphans(self) -> list[str]:
        """Keys the API holds that no resource refers to: left behind, values unknown."""
        return sorted(set(self.in_api) - set(self.in_state))

    @property
    def strays(self) -> list[str]:
        """Resources in state whose key the API does not hold."""
        return sorted(set(self.in_state) - set(self.in_api))

    def problems(self) -> dict[str, list[str]]:
        """Orphans, strays and lost values, each only if there are any: ``{}`` when all is well."""
        found = {"orphans": self.orphans, "strays": self.strays, "lost_values": self.lost_values}
        return {kind: items for kind, items in found.items() if items}


def audit(subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator) -> Audit:
    """Audits the resource's keys: only live keys count (a revoked key is gone, though an API may
    still list it); a value belongs to its key when the emulator's record of that key says so."""
    in_api = subject.live_keys(emulator)
    in_state: dict[str, str] = {}
    lost: list[str] = []
    for resource in stack.state().managed:
        if resource.delete or not resource.id:
            continue
        in_state[resource.id] = resource.name
        value = resource.outputs.get(subject.value_key)
        if not isinstance(value, Secret) or not subject.value_is_of(emulator, resource.id, value.value):
            lost.append(resource.name)
    return Audit(in_state, in_api, lost)
