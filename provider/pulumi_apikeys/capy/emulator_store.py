"""The emulated capy API keys: created per organization, listed, revoked (and kept), persisted.

A key's secret is returned once, by ``create``; the store keeps only its SHA-256 (to recognise the
key when it authenticates) and its prefix, so a state file never holds a secret. Revoking a key
does not remove it: it stays listed with ``revoked_at`` set and ``is_active`` false, as the real
API may keep it (see the reference notes).

An organization may have a key lifetime (``key_lifetime_seconds``, the service option of the same
name): each key it creates then has an ``expires_at`` that many seconds after ``created_at``, and
from that moment on no longer authenticates (``is_expired``), as the OpenAI emulator's expired keys
do. An expired key stays listed as it was: only a revocation makes it inactive.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field

from pulumi_apikeys.capy.models import ApiKey
from pulumi_apikeys.emulator.key_hash import value_sha256
from pulumi_apikeys.emulator.state_file import StateSection
from pulumi_apikeys.errors import UnknownCursorError

__all__ = [
    "CREATED_BY_USER_ID",
    "KEY_PREFIX_LENGTH",
    "PLAINTEXT_PREFIX",
    "CapyKeyPage",
    "CapyKeyStore",
    "Revocation",
    "StoredCapyKey",
]

PLAINTEXT_PREFIX = "capy_live_"
"""How every secret the emulator makes begins."""
KEY_PREFIX_LENGTH = 12
"""How many leading characters of the secret a key's ``key_prefix`` shows."""
CREATED_BY_USER_ID = "user_emulator"
"""The ``created_by_user_id`` of every key the emulator creates."""
_SOURCE = "api"


class StoredCapyKey(BaseModel):
    """One capy key as the store keeps it: the key as the API shows it, and its secret's hash."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: ApiKey
    secret_sha256: str


class _Snapshot(BaseModel):
    """This store's section of the state file."""

    model_config = ConfigDict(extra="forbid")

    keys: list[StoredCapyKey] = Field(default_factory=list)


@dataclass(frozen=True)
class CapyKeyPage:
    """One page of an organization's keys, and the cursor of the next page if more follow."""

    keys: list[ApiKey]
    next_cursor: str | None


class Revocation(Enum):
    """What ``CapyKeyStore.revoke`` did."""

    REVOKED = "revoked"
    ALREADY_REVOKED = "already_revoked"
    NOT_FOUND = "not_found"


class CapyKeyStore:
    """Thread-safe store of capy keys across organizations, in creation order.

    With a ``state`` (its section of the state file the emulator's services share) the keys are
    loaded at construction and saved after every change, atomically (see ``emulator.state_file``).
    """

    def __init__(
        self,
        state: StateSection | None = None,
        *,
        created_by_user_id: str | None = CREATED_BY_USER_ID,
        key_lifetime_seconds: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._state = state
        self._created_by_user_id = created_by_user_id
        self._key_lifetime_seconds = key_lifetime_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: dict[str, StoredCapyKey] = {}
        snapshot = self._state.load(_Snapshot) if self._state is not None else None
        if snapshot is not None:
            self._keys = {stored.key.id: stored for stored in snapshot.keys}

    def __len__(self) -> int:
        with self._lock:
            return len(self._keys)

    def create(self, organization_id: str, name: str, scopes: list[str]) -> tuple[ApiKey, str]:
        """Make an active key in the organization, expiring after the store's key lifetime if it has
        one; returns it and its secret (the only time it is shown)."""
        secret = PLAINTEXT_PREFIX + secrets.token_urlsafe(32)
        created_at = self._now()
        lifetime = self._key_lifetime_seconds
        key = ApiKey(
            id="ak_" + secrets.token_hex(12),
            name=name,
            key_prefix=secret[:KEY_PREFIX_LENGTH],
            scopes=list(scopes),
            organization_id=organization_id,
            created_by_user_id=self._created_by_user_id,
            source=_SOURCE,
            is_active=True,
            created_at=created_at,
            expires_at=None if lifetime is None else created_at + timedelta(seconds=lifetime),
        )
        with self._lock:
            self._keys[key.id] = StoredCapyKey(key=key, secret_sha256=value_sha256(secret))
            self._save()
        return key, secret

    def get(self, organization_id: str, key_id: str) -> ApiKey | None:
        """The organization's key with this id (revoked or not), or ``None``."""
        with self._lock:
            stored = self._keys.get(key_id)
        return stored.key if stored is not None and stored.key.organization_id == organization_id else None

    def page(self, organization_id: str, *, cursor: str | None, limit: int) -> CapyKeyPage:
        """Up to ``limit`` of the organization's keys by creation, after the key whose id is ``cursor``.

        Raises:
            UnknownCursorError: ``cursor`` is not the id of one of the organization's keys.
        """
        with self._lock:
            keys = [
                stored.key for stored in self._keys.values() if stored.key.organization_id == organization_id
            ]
        if cursor is not None:
            position = next((index for index, key in enumerate(keys) if key.id == cursor), None)
            if position is None:
                raise UnknownCursorError(cursor)
            keys = keys[position + 1 :]
        more = len(keys) > limit
        keys = keys[:limit]
        return CapyKeyPage(keys=keys, next_cursor=keys[-1].id if more else None)

    def revoke(self, organization_id: str, key_id: str) -> Revocation:
        """Mark the organization's key revoked and inactive (it stays listed)."""
        with self._lock:
            stored = self._keys.get(key_id)
            if stored is None or stored.key.organization_id != organization_id:
                return Revocation.NOT_FOUND
            if stored.key.is_gone:
                return Revocation.ALREADY_REVOKED
            revoked = stored.key.model_copy(update={"is_active": False, "revoked_at": self._now()})
            self._keys[key_id] = stored.model_copy(update={"key": revoked})  # same position: order kept
            self._save()
            return Revocation.REVOKED

    def find_secret(self, secret: str) -> ApiKey | None:
        """The key whose secret this is, revoked or not; ``None`` if no key's is."""
        digest = value_sha256(secret)
        with self._lock:
            return next(
                (stored.key for stored in self._keys.values() if stored.secret_sha256 == digest), None
            )

    def is_expired(self, key: ApiKey) -> bool:
        """Whether the key's lifetime is over, by the store's clock (without ``expires_at``: never)."""
        return key.expires_at is not None and self._clock() >= key.expires_at.timestamp()

    def mark_used(self, key_id: str) -> None:
        """Set the key's ``last_used_at`` to now."""
        with self._lock:
            stored = self._keys.get(key_id)
            if stored is None:
                return
            used = stored.key.model_copy(update={"last_used_at": self._now()})
            self._keys[key_id] = stored.model_copy(update={"key": used})
            self._save()

    def reset(self) -> None:
        """Forget every key."""
        with self._lock:
            self._keys.clear()
            self._save()

    def _now(self) -> datetime:
        # Whole seconds, as the documented examples show them.
        return datetime.fromtimestamp(int(self._clock()), timezone.utc)

    def _save(self) -> None:
        """Write the state file, if any; the caller holds the lock."""
        if self._state is not None:
            self._state.save(_Snapshot(keys=list(self._keys.values())))
