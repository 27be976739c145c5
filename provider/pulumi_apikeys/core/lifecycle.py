"""The lifecycle of every key resource, written once over plain values: no Pulumi SDK in sight.

``KeyLifecycle`` runs check, diff, create (or adopt), read, update and delete for one declared
resource (``core.declaration``), calling the backend's hooks for what only the API knows. A
Pulumi face (``pulumi_apikeys.dynamic``) converts the engine's requests into these calls and the
results back. Every key id the engine names goes into the process's ``LEDGER`` here, in one
place, so a create's cleanup (``core.reconcile``) never deletes a key that state holds.

Pulumi calls a provider from several threads at once: after construction nothing here changes
but the one-time, locked creation of the client.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pulumi_apikeys.core import rotation
from pulumi_apikeys.core.checks import CheckFailures, CheckProblem, IsUnknown
from pulumi_apikeys.core.declaration import ADOPT_ID, Declared, KeyResource, Listing, Property
from pulumi_apikeys.core.reconcile import LEDGER, KeyLedger
from pulumi_apikeys.core.retry_budget import RETRY_SETTINGS, retry_policy
from pulumi_apikeys.core.stack_config import Setting, StackConfig
from pulumi_apikeys.errors import AdoptionError, ConfigurationError

__all__ = ["Checked", "Diff", "KeyLifecycle", "KeyOf", "KeyState", "Refreshed", "stack_settings"]

_log = logging.getLogger("pulumi_apikeys.rotation")

ClientT = TypeVar("ClientT")
KeyT = TypeVar("KeyT")

KeyOf = Callable[[Property], str]
"""How a face spells a property in the values it hands over (the declared name, or the plugin's)."""


def _declared_name(prop: Property) -> str:
    return prop.name


@dataclass(frozen=True)
class Checked:
    """What ``check`` returns: the inputs to use (unset ones left out), and every problem found."""

    inputs: dict[str, Any]
    problems: list[CheckProblem] = field(default_factory=list)


@dataclass(frozen=True)
class Diff:
    """What ``diff`` found: the properties whose change replaces the resource, those updated in
    place, and why (sentences a face shows: a key due for rotation says why and since when)."""

    replaces: list[str] = field(default_factory=list)
    updates: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def changes(self) -> bool:
        """Whether anything changes at all."""
        return bool(self.replaces or self.updates)

    @property
    def changed(self) -> list[str]:
        """Every property named, replacing ones first."""
        return self.replaces + [name for name in self.updates if name not in self.replaces]


@dataclass(frozen=True)
class KeyState:
    """A key as state records it: its id and every output."""

    id: str
    outputs: dict[str, Any]


@dataclass(frozen=True)
class Refreshed(KeyState):
    """A read's answer: the key as it is, plus the declared inputs that describe it."""

    inputs: dict[str, Any]


def stack_settings(resource: Declared) -> tuple[Setting, ...]:
    """Every stack setting a resource reads: its own (credential, URL), then the retry budget."""
    return resource.settings + RETRY_SETTINGS


class KeyLifecycle(Generic[ClientT, KeyT]):
    """Check, diff, create, read, update and delete of one resource, from its declaration.

    ``config`` is the stack's config as the face received it (its values win over the
    environment); ``is_unknown`` recognises the face's placeholder of a value not known yet.
    """

    def __init__(
        self,
        resource: KeyResource[ClientT, KeyT],
        config: StackConfig,
        *,
        is_unknown: IsUnknown,
        ledger: KeyLedger = LEDGER,
    ) -> None:
        self.resource = resource
        self.config = config
        self.is_unknown = is_unknown
        self.ledger = ledger
        self._client: ClientT | None = None
        self._client_lock = threading.Lock()

    def client(self) -> ClientT:
        """The API client, made once from the stack config, else the environment."""
        client = self._client
        if client is None:
            with self._client_lock:
                client = self._client
                if client is None:
                    client = self.resource.make_client(self.config, retry_policy(self.config))
                    self._client = client
        return client

    def check(self, news: Mapping[str, Any], *, key_of: KeyOf = _declared_name) -> Checked:
        """Validates the declared inputs, naming each wrong property; values come out normalized
        (whole floats as ints, sets de-duplicated and sorted).

        ``news`` is keyed, and problems name properties, as the face spells them (``key_of``: the
        plugin's ``organizationId``); the checked inputs are keyed by the declared names.
        """
        resource = self.resource

        def lifetime(failures: CheckFailures, checked: Mapping[str, Any]) -> None:
            if resource.lifetime_input is not None:
                rotation.check_lifetime(
                    failures,
                    checked,
                    lifetime=resource.lifetime_input,
                    period=rotation.RENEW_BEFORE,
                    minimum_periods=1,
                    shown=lambda name: key_of(resource.property_named(name)),
                )

        return _checked(
            resource.properties, news, key_of, self.is_unknown, inputs_only=True, relations=lifetime
        )

    def outputs(self, key: KeyT, declared: Mapping[str, Any], value: str | None) -> dict[str, Any]:
        """Every output of ``key``: the backend's, plus the declared inputs the API never reports
        (the rotation settings), as ``declared`` holds them."""
        outputs = self.resource.outputs_of(key, declared, value)
        for prop in self.resource.declared_inputs:
            if prop.name not in outputs:
                outputs[prop.name] = prop.normalized(declared.get(prop.name))
        return outputs

    def import_read(self, import_id: str) -> Refreshed:
        """The key ``pulumi import`` names, as ``read`` shows it (no value: it is never shown again).

        ``import_id`` may carry what a lookup needs (``KeyResource.parse_import_id``); a key that is
        missing or gone is an error naming the id, never an empty state.
        """
        resource = self.resource
        key_id, props = resource.parse_import_id(import_id)
        self.ledger.hold(key_id)
        key = self._existing(key_id, props)
        outputs = self.outputs(key, props, None)
        inputs = {p.name: outputs[p.name] for p in resource.declared_inputs if outputs[p.name] is not None}
        return Refreshed(resource.key_id(key), outputs, inputs)

    def _existing(self, key_id: str, props: Mapping[str, Any]) -> KeyT:
        """The live key an import names; ``AdoptionError`` naming it if it is absent or gone."""
        what = f"Cannot import {self.resource.import_subject(key_id, props)}"
        found = self.resource.lookup(self.client(), key_id, props)
        if found.key is None:
            raise AdoptionError(f"{what}: the organization has no key with that id.")
        if found.gone_reason is not None:
            raise AdoptionError(f"{what}: {found.gone_reason}")
        return found.key

    def check_listing(self, args: Mapping[str, Any], *, key_of: KeyOf = _declared_name) -> Checked:
        """Validates a lookup function's arguments, as ``check`` does inputs."""
        listing = self._listing()
        return _checked(listing.arguments, args, key_of, self.is_unknown, inputs_only=False)

    def list_records(self, args: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The records of the keys the lookup function finds for checked ``args``: no values.

        A ``name`` argument keeps only the keys with exactly that name.
        """
        listing = self._listing()
        resource = self.resource
        name = args.get("name")
        records = []
        for key in listing.list_keys(self.client(), args):
            outputs = resource.outputs_of(key, args, None)
            if name is not None and outputs.get("name") != name:
                continue
            record: dict[str, Any] = {"id": resource.key_id(key)}
            record.update({p.name: outputs.get(p.name) for p in resource.record_properties[1:]})
            records.append(record)
        return records

    def _listing(self) -> Listing[ClientT, KeyT]:
        listing = self.resource.listing
        if listing is None:
            raise ConfigurationError(f"{self.resource.name} has no lookup function.")
        return listing

    def diff(
        self, key_id: str, olds: Mapping[str, Any], news: Mapping[str, Any], *, key_of: KeyOf = _declared_name
    ) -> Diff:
        """What changes: a replacing input, or a key due for rotation, replaces the key (there is no
        update call); a rotation setting alone is updated in place, in state only.

        ``olds`` are the previous outputs, which repeat the declared inputs. ``adopt_id`` is not
        compared: dropping ``import_`` after an import is not a change. A key due is logged with
        why and since when, as the face spells the property (``key_of``).
        """
        self.ledger.hold(key_id)
        resource = self.resource
        replaces = [
            prop.name
            for prop in resource.properties
            if prop.input and prop.replaces and self._differs(prop, olds.get(prop.name), news.get(prop.name))
        ]
        updates = [
            name
            for name in resource.updating_inputs
            if self._differs(resource.property_named(name), olds.get(name), news.get(name))
        ]
        due = rotation.key_due(
            olds,
            news,
            at=rotation.now(),
            is_unknown=self.is_unknown,
            shown=lambda name: key_of(resource.property_named(name)),
        )
        if resource.replaces_when is not None:
            replaces += [name for name in resource.replaces_when(olds, news) if name not in replaces]
        reasons = []
        warning = resource.diff_warning(olds) if resource.diff_warning is not None else None
        if warning is not None:
            reasons.append(f"{resource.import_subject(key_id, olds)}: {warning}.")
            _log.warning("%s", reasons[-1])
        if due is not None:
            reasons.append(f"{resource.import_subject(key_id, olds)} is replaced: {due.reason}.")
            _log.warning("%s", reasons[-1])
            if due.property not in replaces:
                replaces.append(due.property)
        # A replacement records the new settings with the new key: nothing is updated apart.
        return Diff(replaces, [] if replaces else updates, reasons)

    def create(self, inputs: Mapping[str, Any]) -> KeyState:
        """Creates the key (reconciling a lost answer), or adopts the existing key named by ``adopt_id``."""
        adopt_id = inputs.get(ADOPT_ID)
        if adopt_id is not None:
            return self._adopt(adopt_id, inputs)
        new = self.resource.create(self.client(), inputs)
        key_id = self.resource.key_id(new.key)
        self.ledger.hold(key_id)
        return KeyState(key_id, self.outputs(new.key, inputs, new.value))

    def _adopt(self, key_id: str, inputs: Mapping[str, Any]) -> KeyState:
        resource = self.resource
        key = self._existing(key_id, inputs)
        # The API never shows a value again: an imported key's value is unknown to us for good.
        outputs = self.outputs(key, inputs, None)
        for name in resource.adopt_matches:
            mismatch = _mismatch(resource.property_named(name), outputs[name], inputs[name])
            if mismatch is not None:
                raise AdoptionError(f"Cannot import {resource.import_subject(key_id, inputs)}: {mismatch}")
        adopted = resource.key_id(key)
        self.ledger.hold(adopted)
        return KeyState(adopted, outputs)

    def read(self, key_id: str, props: Mapping[str, Any]) -> Refreshed | None:
        """The key as the API shows it now, or ``None`` if it is gone (state then drops it).

        ``props`` are the previous outputs (a refresh) or just the inputs (a ``get``, which has no
        outputs yet: for it, a key that is gone is an error). The value is carried over from
        them, and the declared inputs are returned so the next diff compares against what the key
        is, not a stale copy.
        """
        self.ledger.hold(key_id)
        resource = self.resource
        is_get = all(props.get(name) is None for name in resource.computed_outputs)
        found = resource.lookup(self.client(), key_id, props)
        if found.live is None:
            if is_get:
                raise AdoptionError(resource.get_missing(key_id, props, found.key is not None))
            return None
        outputs = self.outputs(found.live, props, props.get(resource.value_output))
        expires = rotation.unix_seconds(outputs.get(rotation.EXPIRES_AT))
        if not is_get and expires is not None and rotation.now() >= expires:
            # It no longer works: for us it is gone, and the next `up` creates its successor.
            return None
        inputs = {p.name: outputs[p.name] for p in resource.declared_inputs if outputs[p.name] is not None}
        return Refreshed(resource.key_id(found.live), outputs, inputs)

    def update(self, key_id: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
        """The key stays: a change the API applies in place (``Property.updates``) is one call of
        the update hook; a change of rotation settings alone is recorded in state, with no call.
        The outputs stay whole, the value carried over."""
        self.ledger.hold(key_id)
        resource = self.resource
        if resource.update is not None and self._api_changes(olds, news):
            key = resource.update(self.client(), key_id, olds, news)
            return self.outputs(key, news, olds.get(resource.value_output))
        return self._recorded(olds, news)

    def planned_update(
        self, key_id: str, olds: Mapping[str, Any], news: Mapping[str, Any], *, unknown: object
    ) -> dict[str, Any]:
        """What ``update`` will return (a preview), with no API call: the new inputs over the old
        outputs; a new lifetime makes the expiry ``unknown`` until the API answers."""
        self.ledger.hold(key_id)
        outputs = self._recorded(olds, news)
        lifetime = self.resource.lifetime_input
        if lifetime is not None and lifetime in self._api_changes(olds, news):
            outputs[rotation.EXPIRES_AT] = unknown
        return outputs

    def _recorded(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
        """The old outputs with the new declared inputs."""
        outputs = {name: olds.get(name) for name in self.resource.outputs}
        outputs.update({p.name: p.normalized(news.get(p.name)) for p in self.resource.declared_inputs})
        return outputs

    def _api_changes(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
        """The inputs the API updates in place whose value changes."""
        resource = self.resource
        return [
            name
            for name in resource.api_updated_inputs
            if self._differs(resource.property_named(name), olds.get(name), news.get(name))
        ]

    def delete(self, key_id: str, props: Mapping[str, Any]) -> None:
        """Deletes (or revokes) the key; a key already gone counts as deleted."""
        self.ledger.hold(key_id)
        self.resource.delete(self.client(), key_id, props)

    def _differs(self, prop: Property, old: object, new: object) -> bool:
        """Whether a declared input changed; a value not known yet may change, so it counts as one."""
        if self.is_unknown(new):
            return True
        if prop.compare == "set" and isinstance(old, (list, tuple)) and isinstance(new, (list, tuple)):
            if any(self.is_unknown(item) for item in new):
                return True
            return set(old) != set(new)
        return old != new


def _checked(
    properties: tuple[Property, ...],
    given: Mapping[str, Any],
    key_of: KeyOf,
    is_unknown: IsUnknown,
    *,
    inputs_only: bool,
    relations: Callable[[CheckFailures, Mapping[str, Any]], None] | None = None,
) -> Checked:
    """Each property checked alone, then ``relations`` between the checked values."""
    failures = CheckFailures(is_unknown)
    checked: dict[str, Any] = {}
    for prop in properties:
        if (prop.input or not inputs_only) and prop.check is not None:
            value = prop.check(failures, given, key_of(prop))
            if value is not None:
                checked[prop.name] = value
    if relations is not None:
        relations(failures, checked)
    return Checked(checked, failures.failures)


def _mismatch(prop: Property, actual: Any, declared: Any) -> str | None:
    """Why an adopted key is not what the program declares, or ``None`` if it is."""
    name = prop.name
    if prop.compare == "set":
        if set(actual) == set(declared):
            return None
        actual, declared = sorted(set(actual)), sorted(set(declared))
        return (
            f"its {name} are {actual!r} but the program declares {name}={declared!r}. "
            f"Declare the key's current {name} to import it (different {name} would replace the key)."
        )
    if actual == declared:
        return None
    return (
        f"its {name} is {actual!r} but the program declares {name}={declared!r}. Declare the key's "
        f"current {name} to import it (a different {name} would replace the key)."
    )
