"""The rotating pair: one resource keeping two keys alive, ``current`` and ``previous``, written
once over any key resource (``rotating_pair(ADMIN_API_KEY)`` is ``RotatingAdminApiKey``).

A rotation is an update of the pair, in this order: delete the old ``previous``; create a new
key; make it ``current`` and move the old ``current`` to ``previous``. So at every instant the
current key works and at most two keys exist, and a consumer still holding the previous value
keeps working for a whole period. A change of what the keys are (name, scopes, lifetime, the
triggers) rotates the same way; a change of where they live (``KeyResource.placement``: an
organization) replaces the pair; a new period alone is recorded in state.

Interrupted part-way (the create fails after the old previous was deleted), the update raises
``PartialUpdateError`` carrying the state as it now is, the previous slot emptied: the plugin face
hands it to the engine as a partial failure, which records it and updates the pair again on the
next ``up``. The dynamic face cannot (the SDK's dynamic server has no partial failure): the
engine keeps the old state, whose previous key no longer exists, and the next ``up`` finishes the
rotation (deleting a key already gone counts as done). A refresh empties a slot whose key is
gone, revoked or expired; an emptied current is refilled on the next ``up``, with a new key.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Generic, Literal, TypeVar

from pulumi_apikeys.core import rotation
from pulumi_apikeys.core.checks import CheckFailures, IsUnknown
from pulumi_apikeys.core.declaration import (
    ADOPT_ID,
    Declared,
    KeyResource,
    Listing,
    Property,
)
from pulumi_apikeys.core.lifecycle import (
    Checked,
    Diff,
    KeyLifecycle,
    KeyOf,
    KeyState,
    Refreshed,
    _checked,
    _declared_name,
)
from pulumi_apikeys.core.reconcile import LEDGER, KeyLedger
from pulumi_apikeys.core.stack_config import Setting, StackConfig
from pulumi_apikeys.errors import ApiKeysError, PartialUpdateError

__all__ = ["PairLifecycle", "RotatingPair", "rotating_pair"]

ClientT = TypeVar("ClientT")
KeyT = TypeVar("KeyT")

_log = logging.getLogger("pulumi_apikeys.rotation")

CURRENT_ID = "current_id"
CURRENT_VALUE = "current_value"
CURRENT_EXPIRES_AT = "current_expires_at"
PREVIOUS_ID = "previous_id"
PREVIOUS_VALUE = "previous_value"
PREVIOUS_EXPIRES_AT = "previous_expires_at"
PREVIOUS_LAST_USED_AT = "previous_last_used_at"
ROTATED_AT = "rotated_at"
NEXT_ROTATION_AT = "next_rotation_at"

_SLOTS: dict[str, tuple[str, str, str]] = {
    "current": (CURRENT_ID, CURRENT_VALUE, CURRENT_EXPIRES_AT),
    "previous": (PREVIOUS_ID, PREVIOUS_VALUE, PREVIOUS_EXPIRES_AT),
}
_PAIR_SETTINGS = (rotation.ROTATE_AFTER,)
"""Inputs of the pair's own: a change alone is recorded in state (no key changes)."""


def _pair_outputs(of: str) -> tuple[Property, ...]:
    return (
        Property(CURRENT_ID, "string", f"The id of the current {of}: the one to hand out."),
        Property(
            CURRENT_VALUE,
            "string",
            f"The current {of} itself, a secret; absent for a key adopted by import (the API shows "
            "a value only when it creates the key).",
            secret=True,
        ),
        Property(
            CURRENT_EXPIRES_AT, "integer", "Unix seconds when the current key expires; absent if never."
        ),
        Property(
            PREVIOUS_ID,
            "string",
            "The id of the previous key: the last current one, kept valid for one more period so that "
            "consumers that have not picked up the new value keep working. Absent until the first rotation.",
        ),
        Property(PREVIOUS_VALUE, "string", "The previous key itself, a secret.", secret=True),
        Property(
            PREVIOUS_EXPIRES_AT, "integer", "Unix seconds when the previous key expires; absent if never."
        ),
        Property(
            PREVIOUS_LAST_USED_AT,
            "integer",
            "Unix seconds when the previous key was last used, as of the last refresh (`pulumi up "
            "--refresh` keeps it current; a rotation moves no last use along); absent if never or not "
            "refreshed yet. A previous key still in use when it is due to retire says a consumer "
            "has not picked up the current value.",
        ),
        Property(
            ROTATED_AT,
            "integer",
            "Unix seconds when the current key was created (by the API's clock): the start of its period.",
            required=True,
        ),
        Property(
            NEXT_ROTATION_AT,
            "integer",
            "Unix seconds when the next `up` (or preview) after it rotates: `rotated_at` plus "
            "`rotate_after_seconds`.",
        ),
    )


@dataclass(frozen=True)
class RotatingPair(Declared, Generic[ClientT, KeyT]):
    """The rotating pair of one key resource: its declaration, derived from the key's."""

    key: KeyResource[ClientT, KeyT]
    module: str = field(init=False)
    name: str = field(init=False)
    description: str = field(init=False)
    properties: tuple[Property, ...] = field(init=False)
    settings: tuple[Setting, ...] = field(init=False)
    listing: Listing[Any, Any] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        key = self.key
        shared = tuple(
            _as_pair_input(p, key.placement)
            for p in key.declared_inputs
            if p.name not in (rotation.ROTATION_TRIGGERS, rotation.ROTATE_AFTER, rotation.RENEW_BEFORE)
        )
        moved = ", ".join(f"`{name}`" for name in key.placement)
        properties = (
            *shared,
            rotation.period_input(
                rotation.ROTATE_AFTER,
                "How long each key is current, in seconds: the first `up` (or preview) after "
                "`next_rotation_at` rotates. A change alone changes no key.",
                required=True,
            ),
            rotation.triggers_input("rotates the pair, the same safe way as a scheduled rotation"),
            key.property_named(ADOPT_ID),
            *_pair_outputs(f"{key.name}"),
        )
        description = (
            f"Two {key.name}s kept alive by one resource: `current` and `previous`. Each rotation "
            "deletes the old previous key, creates a new key, makes it current and moves the old "
            "current to previous, in that order: at every instant the current key works, at most two "
            "keys exist, and a consumer holding the previous value keeps working for a whole period. "
            "A change of what the keys are (their name, "
            + ("scopes, " if any(p.compare == "set" for p in shared) else "")
            + ("lifetime " if key.lifetime_input is not None else "")
            + "or `rotation_triggers`) rotates the same way"
            + (f"; a change of {moved} replaces the pair." if moved else ".")
        )
        set_ = object.__setattr__  # frozen: the derived fields are set once, here
        set_(self, "module", key.module)
        set_(self, "name", f"Rotating{key.name}")
        set_(self, "description", description)
        set_(self, "properties", properties)
        set_(self, "settings", key.settings)
        set_(self, "listing", None)

    @property
    def key_inputs(self) -> tuple[str, ...]:
        """The key's own declared inputs the pair repeats: what each key it makes is."""
        return tuple(
            p.name
            for p in self.declared_inputs
            if p.name not in (*_PAIR_SETTINGS, rotation.ROTATION_TRIGGERS)
        )


def _as_pair_input(prop: Property, placement: tuple[str, ...]) -> Property:
    """A key's input as the pair declares it: only a change of placement replaces the pair, and any
    other change rotates it (a new key as declared), so nothing is updated in place."""
    return replace(prop, replaces=prop.name in placement, updates=False)


_pairs_lock = threading.Lock()
_pairs: dict[int, tuple[KeyResource[Any, Any], RotatingPair[Any, Any]]] = {}


def rotating_pair(key: KeyResource[ClientT, KeyT]) -> RotatingPair[ClientT, KeyT]:
    """The rotating pair of ``key``, made once per declaration."""
    with _pairs_lock:
        known = _pairs.get(id(key))
        if known is None or known[0] is not key:
            known = (key, RotatingPair(key))
            _pairs[id(key)] = known
        return known[1]


@dataclass(frozen=True)
class _Plan:
    kind: Literal["none", "settings", "rotate"]
    cause: str | None = None
    """The property the diff names: what changed, or what made the pair due."""
    reason: str = ""


class PairLifecycle(Generic[ClientT, KeyT]):
    """Check, diff, create, read, update and delete of a rotating pair, over its key's hooks."""

    def __init__(
        self,
        pair: RotatingPair[ClientT, KeyT],
        config: StackConfig,
        *,
        is_unknown: IsUnknown,
        ledger: KeyLedger = LEDGER,
    ) -> None:
        self.resource = pair
        self.is_unknown = is_unknown
        self.keys = KeyLifecycle(pair.key, config, is_unknown=is_unknown, ledger=ledger)
        self.ledger = ledger

    def client(self) -> ClientT:
        """The API client of the pair's keys."""
        return self.keys.client()

    # ------------------------------------------------------------------------------ check

    def check(self, news: Mapping[str, Any], *, key_of: KeyOf = _declared_name) -> Checked:
        """The key's checks of the shared inputs, the period, and that a declared lifetime covers two
        periods (current for one, previous for the next)."""
        pair = self.resource
        lifetime = pair.key.lifetime_input

        def two_periods(failures: CheckFailures, checked: Mapping[str, Any]) -> None:
            if lifetime is not None:
                rotation.check_lifetime(
                    failures,
                    checked,
                    lifetime=lifetime,
                    period=rotation.ROTATE_AFTER,
                    minimum_periods=2,
                    shown=lambda name: key_of(pair.property_named(name)),
                )

        return _checked(
            pair.properties, news, key_of, self.is_unknown, inputs_only=True, relations=two_periods
        )

    # ------------------------------------------------------------------------------ diff

    def diff(
        self,
        pair_id: str,
        olds: Mapping[str, Any],
        news: Mapping[str, Any],
        *,
        key_of: KeyOf = _declared_name,
    ) -> Diff:
        """Replaced on a change of placement; rotated (an update) when due, when its current key is
        gone, or when what the keys are changed; a new period alone is an update of state."""
        self._hold(olds)
        pair = self.resource
        replaces = [
            name for name in pair.key.placement if self._differs(name, olds.get(name), news.get(name))
        ]
        if replaces:
            return Diff(replaces)
        plan = self._plan(olds, news, key_of)
        if plan.kind == "none":
            return Diff()
        changed = [
            name for name in pair.updating_inputs if self._differs(name, olds.get(name), news.get(name))
        ]
        if plan.cause is not None and plan.cause not in changed:
            changed.append(plan.cause)
        reasons = []
        if plan.kind == "rotate":
            reasons.append(f"{self._subject(olds)} rotates: {plan.reason}. {self._retiring(olds, news)}")
            _log.warning("%s", reasons[-1])
        return Diff(updates=changed, reasons=reasons)

    def _plan(self, olds: Mapping[str, Any], news: Mapping[str, Any], key_of: KeyOf) -> _Plan:
        pair = self.resource

        def shown(name: str) -> str:
            return key_of(pair.property_named(name))

        changed = [
            name
            for name in (*pair.key_inputs, rotation.ROTATION_TRIGGERS)
            if self._differs(name, olds.get(name), news.get(name))
        ]
        if not olds.get(CURRENT_ID):
            return _Plan(
                "rotate", CURRENT_ID, "its current key is gone (deleted, revoked or expired outside Pulumi)"
            )
        if changed:
            return _Plan("rotate", changed[0], f"{', '.join(shown(n) for n in changed)} changed")
        at = rotation.now()
        expires = rotation.unix_seconds(olds.get(CURRENT_EXPIRES_AT))
        if expires is not None and at >= expires:
            return _Plan(
                "rotate", CURRENT_EXPIRES_AT, f"its current key expired at {rotation.shown_time(expires)}"
            )
        period = rotation.known_period(news.get(rotation.ROTATE_AFTER), self.is_unknown)
        rotated = rotation.unix_seconds(olds.get(ROTATED_AT))
        if period is not None and rotated is not None:
            due = rotated + period
            if at >= due:
                return _Plan(
                    "rotate",
                    rotation.ROTATE_AFTER,
                    f"its current key was made current at {rotation.shown_time(rotated)} and "
                    f"{shown(rotation.ROTATE_AFTER)} is {period}: due since {rotation.shown_time(due)}",
                )
        if any(self._differs(name, olds.get(name), news.get(name)) for name in _PAIR_SETTINGS):
            return _Plan("settings")
        return _Plan("none")

    def _retiring(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> str:
        """What the rotation does to the keys: which one it retires, and when that was last used."""
        current, previous = olds.get(CURRENT_ID), olds.get(PREVIOUS_ID)
        if not current:
            kept = f"; the previous key {previous} is kept" if previous else ""
            return f"A new current key is created{kept}."
        if not previous:
            return f"No key is retired: {current} becomes the previous key, and a new current key is created."
        return (
            f"It retires the previous key {previous} ({self._last_use(previous, olds)}), creates a new "
            f"current key, and keeps {current} as the previous key."
        )

    def _last_use(self, key_id: str, olds: Mapping[str, Any]) -> str:
        try:
            found = self.keys.resource.lookup(self.client(), key_id, olds)
        except ApiKeysError:
            found = None
        if found is None or found.key is None:
            recorded = rotation.unix_seconds(olds.get(PREVIOUS_LAST_USED_AT))
            return "last use unknown" if recorded is None else f"last used {rotation.shown_time(recorded)}"
        outputs = self.keys.outputs(found.key, olds, None)
        used = rotation.unix_seconds(outputs.get(rotation.LAST_USED_AT))
        return "never used" if used is None else f"last used {rotation.shown_time(used)}"

    # ------------------------------------------------------------------------------ create, update

    def create(self, inputs: Mapping[str, Any]) -> KeyState:
        """A new pair of one key (current); or, with ``adopt_id``, the existing key as current."""
        made = self.keys.create({name: inputs.get(name) for name in (*self.resource.key_inputs, ADOPT_ID)})
        outputs = self._settled(inputs, current=self._slot_of(made), previous=None)
        return KeyState(made.id, outputs)

    def update(self, pair_id: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
        """Rotates (delete the old previous, create, shift) or records new settings; see the module."""
        self._hold(olds)
        plan = self._plan(olds, news, _declared_name)
        current = _slot(olds, "current")
        previous = _slot(olds, "previous")
        if plan.kind != "rotate":
            return self._settled(news, current=current, previous=previous, rotated_at=olds.get(ROTATED_AT))
        retired = current is not None and previous is not None
        if current is not None and previous is not None:
            self.keys.delete(previous.id, olds)
            previous = None
        try:
            made = self.keys.create({name: news.get(name) for name in self.resource.key_inputs})
        except ApiKeysError as error:
            if not retired or current is None:
                raise  # nothing was changed yet: the state the engine holds is exact
            outputs = self._settled(olds, current=current, previous=None, rotated_at=olds.get(ROTATED_AT))
            raise PartialUpdateError(
                f"{self._subject(olds)}: the rotation stopped after deleting the previous key "
                f"{olds.get(PREVIOUS_ID)}: {error}. The current key {current.id} still works; the next "
                "`pulumi up` finishes the rotation.",
                outputs,
            ) from error
        new = self._slot_of(made)
        shifted = current if current is not None else previous
        return self._settled(news, current=new, previous=shifted)

    def planned_update(
        self, pair_id: str, olds: Mapping[str, Any], news: Mapping[str, Any], *, unknown: object
    ) -> dict[str, Any]:
        """What ``update`` will return, without calling the API (a preview): a rotation's new key,
        and the schedule it starts, as ``unknown``; the previous slot as the current key."""
        plan = self._plan(olds, news, _declared_name)
        current, previous = _slot(olds, "current"), _slot(olds, "previous")
        if plan.kind != "rotate":
            return self._settled(news, current=current, previous=previous, rotated_at=olds.get(ROTATED_AT))
        outputs = self._settled(news, current=None, previous=current if current is not None else previous)
        for name in (CURRENT_ID, CURRENT_VALUE, CURRENT_EXPIRES_AT, ROTATED_AT, NEXT_ROTATION_AT):
            outputs[name] = unknown
        return outputs

    # ------------------------------------------------------------------------------ read, delete

    def read(self, pair_id: str, props: Mapping[str, Any]) -> Refreshed | None:
        """Each slot as the API shows it now: a key gone, revoked or expired empties its slot."""
        if not props.get(CURRENT_ID) and props.get(ROTATED_AT) is None:
            # A `get` (inputs only): the id names an existing key, taken as the current one.
            found = self.keys.read(pair_id, props)
            if found is None:
                return None
            return self._adopted(found, props)
        self._hold(props)
        at = rotation.now()
        slots = {}
        for which in _SLOTS:
            slot = _slot(props, which)
            slots[which] = None if slot is None else self._refreshed(slot, props, at)
        outputs = self._settled(
            props, current=slots["current"], previous=slots["previous"], rotated_at=props.get(ROTATED_AT)
        )
        inputs = {
            p.name: outputs[p.name] for p in self.resource.declared_inputs if outputs[p.name] is not None
        }
        return Refreshed(pair_id, outputs, inputs)

    def import_read(self, import_id: str) -> Refreshed:
        """``pulumi import`` of a pair: the existing key it names becomes the current key."""
        return self._adopted(self.keys.import_read(import_id), {})

    def _adopted(self, found: Refreshed, props: Mapping[str, Any]) -> Refreshed:
        outputs = self._settled({**found.outputs, **props}, current=self._slot_of(found), previous=None)
        inputs = {
            p.name: outputs[p.name] for p in self.resource.declared_inputs if outputs[p.name] is not None
        }
        return Refreshed(found.id, outputs, inputs)

    def delete(self, pair_id: str, props: Mapping[str, Any]) -> None:
        """Deletes both keys, the previous one first; a key already gone counts as deleted."""
        self._hold(props)
        for which in ("previous", "current"):
            slot = _slot(props, which)
            if slot is not None:
                self.keys.delete(slot.id, props)

    # ------------------------------------------------------------------------------ helpers

    def _refreshed(self, slot: _Slot, props: Mapping[str, Any], at: float) -> _Slot | None:
        found = self.keys.resource.lookup(self.client(), slot.id, props)
        if found.live is None:
            return None
        outputs = self.keys.outputs(found.live, props, slot.value)
        expires = rotation.unix_seconds(outputs.get(rotation.EXPIRES_AT))
        if expires is not None and at >= expires:
            return None
        return _Slot(
            slot.id,
            slot.value,
            expires,
            rotation.unix_seconds(outputs.get(rotation.CREATED_AT)),
            rotation.unix_seconds(outputs.get(rotation.LAST_USED_AT)),
        )

    def _slot_of(self, key: KeyState) -> _Slot:
        outputs = key.outputs
        return _Slot(
            key.id,
            outputs.get(self.keys.resource.value_output),
            rotation.unix_seconds(outputs.get(rotation.EXPIRES_AT)),
            rotation.unix_seconds(outputs.get(rotation.CREATED_AT)),
            rotation.unix_seconds(outputs.get(rotation.LAST_USED_AT)),
        )

    def _settled(
        self,
        inputs: Mapping[str, Any],
        *,
        current: _Slot | None,
        previous: _Slot | None,
        rotated_at: object = None,
    ) -> dict[str, Any]:
        """Every output of the pair: the declared inputs (normalized), both slots, the schedule.

        ``rotated_at`` is the current key's creation time unless given (kept from state when the
        current key stays).
        """
        pair = self.resource
        outputs: dict[str, Any] = {p.name: p.normalized(inputs.get(p.name)) for p in pair.declared_inputs}
        for which, slot in (("current", current), ("previous", previous)):
            id_name, value_name, expires_name = _SLOTS[which]
            outputs[id_name] = None if slot is None else slot.id
            outputs[value_name] = None if slot is None else slot.value
            outputs[expires_name] = None if slot is None else slot.expires_at
        outputs[PREVIOUS_LAST_USED_AT] = None if previous is None else previous.last_used_at
        started = rotation.unix_seconds(rotated_at)
        if started is None and current is not None:
            started = current.created_at
        outputs[ROTATED_AT] = started
        period = rotation.known_period(outputs.get(rotation.ROTATE_AFTER), self.is_unknown)
        outputs[NEXT_ROTATION_AT] = None if started is None or period is None else started + period
        return outputs

    def _hold(self, props: Mapping[str, Any]) -> None:
        for which in _SLOTS:
            self.ledger.hold(props.get(_SLOTS[which][0]))

    def _subject(self, props: Mapping[str, Any]) -> str:
        """How messages name the pair: by its keys' name (its id is the first key's, long retired)."""
        return f"{self.resource.name} {props.get('name')!r}"

    def _differs(self, name: str, old: object, new: object) -> bool:
        prop = self.resource.property_named(name)
        return self.keys._differs(prop, old, new)


@dataclass(frozen=True)
class _Slot:
    """One of the pair's keys as state records it."""

    id: str
    value: str | None
    expires_at: int | None
    created_at: int | None
    last_used_at: int | None = None


def _slot(props: Mapping[str, Any], which: str) -> _Slot | None:
    id_name, value_name, expires_name = _SLOTS[which]
    key_id = props.get(id_name)
    if not key_id:
        return None
    used = props.get(PREVIOUS_LAST_USED_AT) if which == "previous" else None
    created = props.get(ROTATED_AT) if which == "current" else None
    return _Slot(
        key_id,
        props.get(value_name),
        rotation.unix_seconds(props.get(expires_name)),
        rotation.unix_seconds(created),
        rotation.unix_seconds(used),
    )
