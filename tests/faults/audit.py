"""Compares a stack's checkpoint with the keys the emulator holds: orphans, strays and lost values."""

from __future__ import annotations

from dataclasses import dataclass

from pulumi_apikeys.capy.client import CapyApiKeysClient
from pulumi_apikeys.emulator import RunningEmulator
from pulumi_apikeys.emulator.store import value_sha256
from pulumi_apikeys.openai.client import AdminApiKeysClient
from tests.harness import HarnessStack, Secret

__all__ = ["Audit", "audit_capy", "audit_openai"]


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


def audit_openai(stack: HarnessStack, emulator: RunningEmulator) -> Audit:
    """Audits OpenAI admin keys; a value belongs to its key when its SHA-256 is the key's on record."""
    store = emulator.app.emulator.store
    client = AdminApiKeysClient(admin_key=emulator.admin_key, base_url=emulator.base_url)
    in_api = {key.id: key.name or "" for key in client.list()}
    in_state: dict[str, str] = {}
    lost: list[str] = []
    for resource in stack.state().managed:
        if resource.delete or not resource.id:
            continue
        in_state[resource.id] = resource.name
        value = resource.outputs.get("value")
        stored = store.get(resource.id)
        if (
            not isinstance(value, Secret)
            or stored is None
            or value_sha256(value.value) != stored.value_sha256
        ):
            lost.append(resource.name)
    return Audit(in_state, in_api, lost)


def audit_capy(stack: HarnessStack, emulator: RunningEmulator, organization_id: str) -> Audit:
    """Audits capy keys: only live keys count (a revoked key is gone, though the API still lists it);
    a value belongs to its key when the key it authenticates as is that key."""
    store = emulator.app.emulator.capy_store
    client = CapyApiKeysClient(api_key=emulator.capy_key, base_url=emulator.capy_base_url)
    in_api = {key.id: key.name for key in client.list(organization_id) if not key.is_gone}
    in_state: dict[str, str] = {}
    lost: list[str] = []
    for resource in stack.state().managed:
        if resource.delete or not resource.id:
            continue
        in_state[resource.id] = resource.name
        value = resource.outputs.get("value")
        owner = store.find_secret(value.value) if isinstance(value, Secret) else None
        if owner is None or owner.id != resource.id:
            lost.append(resource.name)
    return Audit(in_state, in_api, lost)
