"""What every backend's API client shares: construction, input checks, paging, reconciled creates.

A backend's client subclasses ``ApiClient``, names its API once in an ``ApiIdentity``, and writes
only its REST calls. Paging is written once here (``paginate``); a create that must never leave a
second key goes through ``reconciled_create`` (``core.reconcile``) with the process's ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar, Generic, TypeVar

import httpx
from pydantic import SecretStr

from pulumi_apikeys._http import ApiHttpClient
from pulumi_apikeys.core.reconcile import LEDGER, CreateAttempt, KeyLedger, create_with_policy
from pulumi_apikeys.errors import InvalidArgumentError, UnreadableResponseError
from pulumi_apikeys.key_names import name_problem
from pulumi_apikeys.settings import RetryPolicy, resolve_base_url, resolve_credential
from pulumi_apikeys.settings import credential_source as default_credential_source

__all__ = ["ApiClient", "ApiIdentity", "Page", "check_name", "check_text", "paginate"]

ItemT = TypeVar("ItemT")
CreatedT = TypeVar("CreatedT")


@dataclass(frozen=True)
class ApiIdentity:
    """Where a client's credential and base URL come from, and how its API words an error."""

    credential_env: str
    """The environment variable holding the credential, e.g. ``ACME_ADMIN_KEY``."""
    credential_what: str
    """The credential in words, for messages: ``"Acme admin key"``."""
    base_url_env: str
    """The environment variable holding the base URL."""
    default_base_url: str | None
    """The public API's base URL; ``None`` if there is no public default."""
    vendor: str
    """The API in words, for messages about its base URL."""
    error_message: Callable[[bytes], str | None]
    """The API's own message in an error body, or ``None`` if the body is not one of its errors."""


class ApiClient:
    """Builds the shared HTTP layer from a credential, a base URL and a retry policy.

    The credential comes from the argument, else the identity's environment variable; the base
    URL likewise, else the public default (plain ``http://`` is refused unless the host is
    loopback). ``credential_source`` says where the credential came from, for the message of a
    401. Safe to share between threads.
    """

    identity: ClassVar[ApiIdentity]

    def __init__(
        self,
        *,
        credential: str | SecretStr | None,
        credential_source: str | None,
        base_url: str | None,
        policy: RetryPolicy | None,
        http_client: httpx.Client | None,
        ledger: KeyLedger = LEDGER,
    ) -> None:
        api = self.identity
        self.base_url = resolve_base_url(
            base_url, env_var=api.base_url_env, default=api.default_base_url, what=api.vendor
        )
        self._http = ApiHttpClient(
            base_url=self.base_url,
            credential=resolve_credential(credential, env_var=api.credential_env, what=api.credential_what),
            credential_source=credential_source
            or default_credential_source(credential, env_var=api.credential_env, what=api.credential_what),
            error_message=api.error_message,
            policy=policy,
            http_client=http_client,
        )
        self._ledger = ledger

    def reconciled_create(self, attempt: CreateAttempt[CreatedT]) -> CreatedT:
        """Runs ``attempt`` to exactly one new key or none, within the policy's time budget."""
        return create_with_policy(attempt, self._http.policy, self._ledger)


@dataclass(frozen=True)
class Page(Generic[ItemT]):
    """One page of a list call: its items, and the cursor of the next page (``None``: the last)."""

    items: Sequence[ItemT]
    next_cursor: str | None


def paginate(
    call: str, fetch: Callable[[str | None], Page[ItemT]], start: str | None = None
) -> Iterator[ItemT]:
    """Every item, fetching pages lazily from ``start`` and following each page's cursor.

    A cursor that comes twice is refused with ``UnreadableResponseError``: a server handing back
    the same page (or going round in a circle) would otherwise loop us forever.
    """
    seen = {start} if start is not None else set()
    cursor = start
    while True:
        page = fetch(cursor)
        yield from page.items
        if page.next_cursor is None:
            return
        if page.next_cursor in seen:
            raise UnreadableResponseError(
                call, f"pagination did not advance: the cursor {page.next_cursor!r} came twice"
            )
        seen.add(page.next_cursor)
        cursor = page.next_cursor


def check_name(name: object) -> None:
    """``InvalidArgumentError`` unless ``name`` can be a key's name (``key_names``)."""
    problem = name_problem(name)
    if problem is not None:
        raise InvalidArgumentError(problem)


def check_text(value: object, what: str) -> None:
    """``InvalidArgumentError`` unless ``value`` is a non-blank string."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgumentError(f"{what} must be a non-empty string")
