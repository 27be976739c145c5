"""The emulated OpenAI admin keys: created, listed page by page, deleted, optionally kept in a file.

A key's value is returned once, by ``create``; the store keeps only its SHA-256 (to recognise the
key when it authenticates) and its redacted form, so a state file never holds a secret.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict

from pulumi_apikeys.emulator.key_hash import value_sha256
from pulumi_apikeys.emulator.state_file import StateSection
from pulumi_apikeys.errors import UnknownCursorError
from pulumi_apikeys.openai.models import Owner

__all__ = ["KeyPage", "KeyStore", "StoredKey"]

_VALUE_PREFIX = "sk-admin-"
_REDACTED_PREFIX = "sk-admin..."


class StoredKey(BaseModel):
    """One admin key as the store keeps it: everything but the value."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seq: int
    """Position in creation order; pagination cursors resolve to it."""
    id: str
    name: str
    value_sha256: str
    redacted_value: str
    created_at: int
    expires_at: int | None
    last_used_at: int | None
    owner: Owner

    def is_expired(self, now: float) -> bool:
        """Whether the key's lifetime is over (a key without ``expires_at`` never expires)."""
        return self.expires_at is not None and now >= self.expires_at


class _Snapshot(BaseModel):
    """This store's section of the state file."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    next_seq: int
    keys: list[StoredKey]
    tombstones: dict[str, int]
    """Sequence numbers of deleted keys, so ``after=<deleted id>`` still finds its place."""


@dataclass(frozen=True)
class KeyPage:
    """One page of keys and whether more follow it."""

    keys: list[StoredKey]
    has_more: bool


class KeyStore:
    """Thread-safe store of admin keys, in creation order.

    With a ``state`` (its section of the state file the emulator's services share) the keys are
    loaded at construction and saved after every change, atomically (see ``emulator.state_file``).
    """

    def __init__(
        self,
        owner: Owner,
        state: StateSection | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._owner = owner
        self._state = state
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: dict[str, StoredKey] = {}
        self._tombstones: dict[str, int] = {}
        self._next_seq = 1
        snapshot = self._state.load(_Snapshot) if self._state is not None else None
        if snapshot is not None:
            self._load(snapshot)

    def __len__(self) -> int:
        with self._lock:
            return len(self._keys)

    def create(self, name: str, expires_in_seconds: int | None = None) -> tuple[StoredKey, str]:
        """Make a key; returns it and its value (the only time the value is available)."""
        value = _VALUE_PREFIX + secrets.token_urlsafe(32)
        now = int(self._clock())
        with self._lock:
            key = StoredKey(
                seq=self._next_seq,
                id="key_" + secrets.token_hex(12),
                name=name,
                value_sha256=value_sha256(value),
                redacted_value=_REDACTED_PREFIX + value[-3:],
                created_at=now,
                expires_at=None if expires_in_seconds is None else now + expires_in_seconds,
                last_used_at=None,
                owner=self._owner,
            )
            self._next_seq += 1
            self._keys[key.id] = key
            self._save()
        return key, value

    def get(self, key_id: str) -> StoredKey | None:
        """The key with this id, or ``None`` (never created, or deleted)."""
        with self._lock:
            return self._keys.get(key_id)

    def delete(self, key_id: str) -> StoredKey | None:
        """Remove a key; returns it, or ``None`` if there was no such key."""
        with self._lock:
            key = self._keys.pop(key_id, None)
            if key is not None:
                self._tombstones[key.id] = key.seq
                self._save()
            return key

    def authenticate(self, value: str) -> StoredKey | None:
        """The live key with this value, its ``last_used_at`` now set; ``None`` if none matches."""
        digest = value_sha256(value)
        now = self._clock()
        with self._lock:
            for key in self._keys.values():
                if key.value_sha256 == digest and not key.is_expired(now):
                    used = key.model_copy(update={"last_used_at": int(now)})
                    self._keys[key.id] = used  # same dict position: creation order is kept
                    self._save()
                    return used
            return None

    def page(self, *, after: str | None, limit: int, order: Literal["asc", "desc"]) -> KeyPage:
        """Up to ``limit`` keys by creation time, starting after the key ``after`` (live or deleted).

        Raises:
            UnknownCursorError: ``after`` is not an id this store ever held.
        """
        with self._lock:
            keys = list(self._keys.values())
            if order == "desc":
                keys.reverse()
            if after is not None:
                cursor = self._seq_of(after)
                if order == "asc":
                    keys = [key for key in keys if key.seq > cursor]
                else:
                    keys = [key for key in keys if key.seq < cursor]
            return KeyPage(keys=keys[:limit], has_more=len(keys) > limit)

    def reset(self) -> None:
        """Forget every key and tombstone."""
        with self._lock:
            self._keys.clear()
            self._tombstones.clear()
            self._next_seq = 1
            self._save()

    def _seq_of(self, key_id: str) -> int:
        key = self._keys.get(key_id)
        if key is not None:
            return key.seq
        if key_id in self._tombstones:
            return self._tombstones[key_id]
        raise UnknownCursorError(key_id)

    def _load(self, snapshot: _Snapshot) -> None:
        self._keys = {key.id: key for key in sorted(snapshot.keys, key=lambda key: key.seq)}
        self._tombstones = dict(snapshot.tombstones)
        self._next_seq = snapshot.next_seq

    def _save(self) -> None:
        """Write the state file, if any; the caller holds the lock."""
        if self._state is None:
            return
        self._state.save(
            _Snapshot(next_seq=self._next_seq, keys=list(self._keys.values()), tombstones=self._tombstones)
        )
