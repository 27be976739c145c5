"""The emulated OpenAI projects: their service accounts and project API keys, optionally kept in a file.

A key's value is returned once, by the create that makes it; the store keeps only its SHA-256 (to
recognise the key when it authenticates) and its redacted form, so a state file never holds a
secret. Deleting a service account deletes its keys. A key past its ``expires_at`` stays listed but
no longer authenticates and can no longer be updated, as the SDK documents.

Every object takes the next number of one sequence when made; lists are in that (creation) order,
and a page's ``after`` may name any object this store ever held, deleted ones included, so that a
list paging while another client deletes goes on where it was.

A store may be seeded (``Seed``): a project, as every real organization has its "Default project",
and in it a service account without keys, for programs and tests whose inputs name them. The seed
is made again by ``reset``.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from pulumi_apikeys.emulator.key_hash import value_sha256
from pulumi_apikeys.emulator.state_file import StateSection
from pulumi_apikeys.errors import UnknownCursorError
from pulumi_apikeys.openai_projects.models import (
    OwnerProjectAccess,
    OwnerServiceAccount,
    OwnerUser,
    ProjectApiKeyOwner,
    ServiceAccountOwner,
    ServiceAccountRole,
    UserOwner,
)

__all__ = [
    "DEFAULT_KEY_NAME",
    "AccessFilter",
    "ExpiredKeyError",
    "MissingObjectError",
    "ObjectKind",
    "Page",
    "ProjectStore",
    "Seed",
    "StoredProject",
    "StoredProjectKey",
    "StoredServiceAccount",
]

DEFAULT_KEY_NAME = "Secret Key"
"""The name of a service account's initial key, and of a key created without one (assumed: the
SDK does not say; the API reference's example of a new account has shown its key named so)."""
SERVICE_ACCOUNT_VALUE_PREFIX = "sk-svcacct-"
"""How the value of a service account's key begins."""
USER_VALUE_PREFIX = "sk-proj-"
"""How the value of a user's project key begins."""

ObjectKind = Literal["project", "service_account", "api_key"]
"""What a lookup was for, so that a 404 can say which id it did not find."""
AccessFilter = Literal["active", "inactive", "any"]
"""Which keys a list shows, by their owner's project access."""


class MissingObjectError(LookupError):
    """No live object of this kind has this id (in this project)."""

    def __init__(self, kind: ObjectKind, object_id: str) -> None:
        super().__init__(f"no {kind} with id {object_id!r}")
        self.kind: ObjectKind = kind
        self.object_id = object_id


class ExpiredKeyError(Exception):
    """The key's lifetime is over: the API refuses to update it."""

    def __init__(self, key_id: str) -> None:
        super().__init__(f"the API key {key_id!r} has expired")
        self.key_id = key_id


class StoredProject(BaseModel):
    """One project as the store keeps it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seq: int
    id: str
    name: str
    created_at: int
    external_key_id: str | None = None
    residency: str | None = None


class StoredServiceAccount(BaseModel):
    """One service account as the store keeps it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seq: int
    id: str
    project_id: str
    name: str
    role: ServiceAccountRole
    created_at: int
    project_access: OwnerProjectAccess
    """``inactive`` for an account without a role (``create_service_account_only``), or one a test
    took the access from (``ProjectStore.set_owner_access``)."""


class StoredProjectKey(BaseModel):
    """One project API key as the store keeps it: everything but the value."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seq: int
    id: str
    project_id: str
    service_account_id: str | None
    """The owning account; ``None`` for a user's key."""
    name: str
    value_sha256: str
    redacted_value: str
    created_at: int
    expires_at: int | None
    last_used_at: int | None
    scopes: list[str]
    owner: ProjectApiKeyOwner
    owner_project_access: OwnerProjectAccess

    def is_expired(self, now: float) -> bool:
        """Whether the key's lifetime is over (a key without ``expires_at`` never expires)."""
        return self.expires_at is not None and now >= self.expires_at


class _Snapshot(BaseModel):
    """This store's section of the state file."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    next_seq: int
    projects: list[StoredProject]
    service_accounts: list[StoredServiceAccount]
    keys: list[StoredProjectKey]
    tombstones: dict[str, int]
    """Sequence numbers of deleted accounts and keys, so ``after=<deleted id>`` still finds its place."""


@dataclass(frozen=True)
class Seed:
    """What a fresh (or reset) store holds: a project with this id, and in it, if given, a service
    account with this id and no key."""

    project_id: str
    project_name: str = "Default project"
    service_account_id: str | None = None
    service_account_name: str = "default"


class _Sequenced(Protocol):
    @property
    def seq(self) -> int: ...


ItemT = TypeVar("ItemT", bound=_Sequenced)


@dataclass(frozen=True)
class Page(Generic[ItemT]):
    """One page of objects and whether more follow it."""

    items: list[ItemT]
    has_more: bool


class ProjectStore:
    """Thread-safe store of projects, their service accounts and their API keys, in creation order.

    With a ``state`` (its section of the state file the emulator's services share) everything is
    loaded at construction and saved after every change, atomically (see ``emulator.state_file``).
    Methods that take ids raise ``MissingObjectError`` for an id the project does not have.
    """

    def __init__(
        self,
        state: StateSection | None = None,
        *,
        clock: Callable[[], float] = time.time,
        seed: Seed | None = None,
    ) -> None:
        self._state = state
        self._seed_with = seed
        self._clock = clock
        self._lock = threading.Lock()
        self._projects: dict[str, StoredProject] = {}
        self._accounts: dict[str, StoredServiceAccount] = {}
        self._keys: dict[str, StoredProjectKey] = {}
        self._tombstones: dict[str, int] = {}
        self._next_seq = 1
        snapshot = self._state.load(_Snapshot) if self._state is not None else None
        with self._lock:
            if snapshot is not None:
                self._load(snapshot)
            self._seed()

    def __len__(self) -> int:
        """How many project API keys the store holds (projects and accounts are not keys)."""
        with self._lock:
            return len(self._keys)

    # Projects

    def create_project(
        self, name: str, *, external_key_id: str | None = None, residency: str | None = None
    ) -> StoredProject:
        """Make a project."""
        with self._lock:
            project = StoredProject(
                seq=self._take_seq(),
                id="proj_" + secrets.token_hex(12),
                name=name,
                created_at=self._now(),
                external_key_id=external_key_id,
                residency=residency,
            )
            self._projects[project.id] = project
            self._save()
        return project

    def project(self, project_id: str) -> StoredProject:
        """The project with this id."""
        with self._lock:
            return self._project(project_id)

    def projects(self, *, after: str | None, limit: int) -> Page[StoredProject]:
        """Up to ``limit`` projects by creation, after the object ``after``.

        Raises:
            UnknownCursorError: ``after`` is not an id this store ever held.
        """
        with self._lock:
            return self._page(self._projects.values(), after, limit)

    # Service accounts

    def create_service_account(
        self, project_id: str, name: str, *, expires_in_seconds: int | None = None, with_key: bool = True
    ) -> tuple[StoredServiceAccount, tuple[StoredProjectKey, str] | None]:
        """Make an account in the project and, ``with_key``, its initial key; returns both, the key
        with its value (the only time it is available). Without a key the account has no role."""
        with self._lock:
            self._project(project_id)
            account = StoredServiceAccount(
                seq=self._take_seq(),
                id="svc_acct_" + secrets.token_hex(12),
                project_id=project_id,
                name=name,
                role="member" if with_key else "none",
                created_at=self._now(),
                # Assumed: an account without any role has no effective access to the project.
                project_access="active" if with_key else "inactive",
            )
            self._accounts[account.id] = account
            key = None
            if with_key:
                key = self._new_account_key(account, DEFAULT_KEY_NAME, [], expires_in_seconds)
            self._save()
        return account, key

    def service_account(self, project_id: str, service_account_id: str) -> StoredServiceAccount:
        """The project's account with this id."""
        with self._lock:
            return self._account(project_id, service_account_id)

    def service_accounts(
        self, project_id: str, *, after: str | None, limit: int
    ) -> Page[StoredServiceAccount]:
        """Up to ``limit`` of the project's accounts by creation, after the object ``after``.

        Raises:
            UnknownCursorError: ``after`` is not an id this store ever held.
        """
        with self._lock:
            self._project(project_id)
            accounts = (a for a in self._accounts.values() if a.project_id == project_id)
            return self._page(accounts, after, limit)

    def delete_service_account(
        self, project_id: str, service_account_id: str
    ) -> tuple[StoredServiceAccount, list[StoredProjectKey]]:
        """Remove an account and every key it owns; returns the account and those keys."""
        with self._lock:
            account = self._account(project_id, service_account_id)
            keys = [key for key in self._keys.values() if key.service_account_id == account.id]
            del self._accounts[account.id]
            self._tombstones[account.id] = account.seq
            for key in keys:
                del self._keys[key.id]
                self._tombstones[key.id] = key.seq
            self._save()
        return account, keys

    # Project API keys

    def create_key(
        self,
        project_id: str,
        service_account_id: str,
        *,
        name: str | None = None,
        scopes: Sequence[str] = (),
        expires_in_seconds: int | None = None,
    ) -> tuple[StoredProjectKey, str]:
        """Make one more key for the account; returns it and its value (shown this once)."""
        with self._lock:
            account = self._account(project_id, service_account_id)
            key = self._new_account_key(account, name or DEFAULT_KEY_NAME, list(scopes), expires_in_seconds)
            self._save()
        return key

    def add_user_key(
        self,
        project_id: str,
        user: OwnerUser,
        name: str,
        *,
        scopes: Sequence[str] = (),
        expires_in_seconds: int | None = None,
    ) -> tuple[StoredProjectKey, str]:
        """Make a key owned by a user, as the dashboard does (the API has no call for it): for tests
        of lists that hold both kinds of key. Returns it and its value."""
        with self._lock:
            self._project(project_id)
            key = self._new_key(
                project_id=project_id,
                service_account_id=None,
                prefix=USER_VALUE_PREFIX,
                name=name,
                scopes=list(scopes),
                expires_in_seconds=expires_in_seconds,
                owner=UserOwner(type="user", user=user),
                access="active",
            )
            self._save()
        return key

    def key(self, project_id: str, key_id: str) -> StoredProjectKey:
        """The project's key with this id, expired or not."""
        with self._lock:
            return self._key(project_id, key_id)

    def keys(
        self, project_id: str, *, after: str | None, limit: int, access: AccessFilter
    ) -> Page[StoredProjectKey]:
        """Up to ``limit`` of the project's keys by creation, after the object ``after``, whose
        owner's project access is ``access`` (``any``: every key).

        Raises:
            UnknownCursorError: ``after`` is not an id this store ever held.
        """
        with self._lock:
            self._project(project_id)
            keys = (
                key
                for key in self._keys.values()
                if key.project_id == project_id and access in ("any", key.owner_project_access)
            )
            return self._page(keys, after, limit)

    def update_key(
        self,
        project_id: str,
        key_id: str,
        *,
        scopes: Sequence[str] | None = None,
        expires_in_seconds: int | None = None,
    ) -> StoredProjectKey:
        """Replace the key's scopes and/or restart its lifetime from now (``None``: left as it is);
        same id, same value.

        Raises:
            ExpiredKeyError: the key's lifetime is over.
        """
        with self._lock:
            key = self._key(project_id, key_id)
            now = self._clock()
            if key.is_expired(now):
                raise ExpiredKeyError(key_id)
            changes: dict[str, object] = {}
            if scopes is not None:
                changes["scopes"] = list(scopes)
            if expires_in_seconds is not None:
                changes["expires_at"] = int(now) + expires_in_seconds
            updated = key.model_copy(update=changes)
            self._keys[key.id] = updated  # same dict position: creation order is kept
            self._save()
        return updated

    def delete_key(self, project_id: str, key_id: str) -> StoredProjectKey:
        """Remove a key (its account, if any, and the account's other keys stay)."""
        with self._lock:
            key = self._key(project_id, key_id)
            del self._keys[key.id]
            self._tombstones[key.id] = key.seq
            self._save()
        return key

    def authenticate(self, value: str) -> StoredProjectKey | None:
        """The live, unexpired key with this value, its ``last_used_at`` now set; else ``None``."""
        digest = value_sha256(value)
        now = self._clock()
        with self._lock:
            for key in self._keys.values():
                if key.value_sha256 == digest and not key.is_expired(now):
                    used = key.model_copy(update={"last_used_at": int(now)})
                    self._keys[key.id] = used
                    self._save()
                    return used
            return None

    def set_owner_access(self, project_id: str, owner_id: str, access: OwnerProjectAccess) -> None:
        """Give or take a service account's or user's project access, as removing them from the
        project in the dashboard would (for tests): their keys then show ``owner_project_access``.

        Raises:
            LookupError: the project has no such account and no key of such a user.
        """
        with self._lock:
            self._project(project_id)
            found = False
            account = self._accounts.get(owner_id)
            if account is not None and account.project_id == project_id:
                self._accounts[owner_id] = account.model_copy(update={"project_access": access})
                found = True
            for key in list(self._keys.values()):
                if key.project_id == project_id and _owner_id(key.owner) == owner_id:
                    self._keys[key.id] = key.model_copy(update={"owner_project_access": access})
                    found = True
            if not found:
                raise LookupError(f"the project {project_id!r} has no owner {owner_id!r}")
            self._save()

    def reset(self) -> None:
        """Forget every project, account, key and tombstone."""
        with self._lock:
            self._projects.clear()
            self._accounts.clear()
            self._keys.clear()
            self._tombstones.clear()
            self._next_seq = 1
            self._seed()
            self._save()

    # Internals; the caller holds the lock.

    def _seed(self) -> None:
        """Make the seed's project and account unless they exist (a state file may hold them)."""
        seed = self._seed_with
        if seed is None:
            return
        now = self._now()
        if seed.project_id not in self._projects:
            self._projects[seed.project_id] = StoredProject(
                seq=self._take_seq(), id=seed.project_id, name=seed.project_name, created_at=now
            )
        if seed.service_account_id is not None and seed.service_account_id not in self._accounts:
            self._accounts[seed.service_account_id] = StoredServiceAccount(
                seq=self._take_seq(),
                id=seed.service_account_id,
                project_id=seed.project_id,
                name=seed.service_account_name,
                role="member",
                created_at=now,
                project_access="active",
            )

    def _now(self) -> int:
        return int(self._clock())

    def _take_seq(self) -> int:
        seq = self._next_seq
        self._next_seq += 1
        return seq

    def _project(self, project_id: str) -> StoredProject:
        project = self._projects.get(project_id)
        if project is None:
            raise MissingObjectError("project", project_id)
        return project

    def _account(self, project_id: str, service_account_id: str) -> StoredServiceAccount:
        self._project(project_id)
        account = self._accounts.get(service_account_id)
        if account is None or account.project_id != project_id:
            raise MissingObjectError("service_account", service_account_id)
        return account

    def _key(self, project_id: str, key_id: str) -> StoredProjectKey:
        self._project(project_id)
        key = self._keys.get(key_id)
        if key is None or key.project_id != project_id:
            raise MissingObjectError("api_key", key_id)
        return key

    def _new_account_key(
        self,
        account: StoredServiceAccount,
        name: str,
        scopes: list[str],
        expires_in_seconds: int | None,
    ) -> tuple[StoredProjectKey, str]:
        owner = ServiceAccountOwner(
            type="service_account",
            service_account=OwnerServiceAccount(
                id=account.id, name=account.name, role=account.role, created_at=account.created_at
            ),
        )
        return self._new_key(
            project_id=account.project_id,
            service_account_id=account.id,
            prefix=SERVICE_ACCOUNT_VALUE_PREFIX,
            name=name,
            scopes=scopes,
            expires_in_seconds=expires_in_seconds,
            owner=owner,
            access=account.project_access,
        )

    def _new_key(
        self,
        *,
        project_id: str,
        service_account_id: str | None,
        prefix: str,
        name: str,
        scopes: list[str],
        expires_in_seconds: int | None,
        owner: ProjectApiKeyOwner,
        access: OwnerProjectAccess,
    ) -> tuple[StoredProjectKey, str]:
        value = prefix + secrets.token_urlsafe(32)
        now = self._now()
        key = StoredProjectKey(
            seq=self._take_seq(),
            id="key_" + secrets.token_hex(12),
            project_id=project_id,
            service_account_id=service_account_id,
            name=name,
            value_sha256=value_sha256(value),
            # "sk-svcacct...xyz": the prefix without its dash, then the last characters, as the
            # Admin keys' redacted values look.
            redacted_value=prefix.rstrip("-") + "..." + value[-3:],
            created_at=now,
            expires_at=None if expires_in_seconds is None else now + expires_in_seconds,
            last_used_at=None,
            scopes=scopes,
            owner=owner,
            owner_project_access=access,
        )
        self._keys[key.id] = key
        return key, value

    def _page(self, items: Iterable[ItemT], after: str | None, limit: int) -> Page[ItemT]:
        listed = list(items)
        if after is not None:
            cursor = self._seq_of(after)
            listed = [item for item in listed if item.seq > cursor]
        return Page(items=listed[:limit], has_more=len(listed) > limit)

    def _seq_of(self, object_id: str) -> int:
        for objects in (self._projects, self._accounts, self._keys):
            found = objects.get(object_id)
            if found is not None:
                return found.seq
        if object_id in self._tombstones:
            return self._tombstones[object_id]
        raise UnknownCursorError(object_id)

    def _load(self, snapshot: _Snapshot) -> None:
        def by_seq(items: Iterable[ItemT]) -> list[ItemT]:
            return sorted(items, key=lambda item: item.seq)

        self._projects = {p.id: p for p in by_seq(snapshot.projects)}
        self._accounts = {a.id: a for a in by_seq(snapshot.service_accounts)}
        self._keys = {k.id: k for k in by_seq(snapshot.keys)}
        self._tombstones = dict(snapshot.tombstones)
        self._next_seq = snapshot.next_seq

    def _save(self) -> None:
        if self._state is None:
            return
        self._state.save(
            _Snapshot(
                next_seq=self._next_seq,
                projects=list(self._projects.values()),
                service_accounts=list(self._accounts.values()),
                keys=list(self._keys.values()),
                tombstones=self._tombstones,
            )
        )


def _owner_id(owner: ProjectApiKeyOwner) -> str | None:
    if isinstance(owner, ServiceAccountOwner):
        return owner.service_account.id
    if isinstance(owner, UserOwner):
        return owner.user.id
    return None
