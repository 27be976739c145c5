"""The REST calls of OpenAI's organization Admin API keys, on the shared HTTP layer."""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from typing import Literal

import httpx
from pydantic import SecretStr, ValidationError

from pulumi_apikeys._http import path_segment
from pulumi_apikeys.core.client_base import ApiClient, ApiIdentity, Page, check_name, paginate
from pulumi_apikeys.core.reconcile import LEDGER, CreateAttempt, KeyLedger, RecentKey
from pulumi_apikeys.errors import InvalidArgumentError, NotFoundError
from pulumi_apikeys.openai.declaration import ADMIN_KEY_ENV, BASE_URL_ENV
from pulumi_apikeys.openai.models import (
    EXPIRES_IN_SECONDS_MAX,
    EXPIRES_IN_SECONDS_MIN,
    AdminApiKey,
    AdminApiKeyCreated,
    AdminApiKeyCreateRequest,
    AdminApiKeyDeleted,
    AdminApiKeyPage,
    OpenAIErrorBody,
)
from pulumi_apikeys.settings import RetryPolicy

__all__ = [
    "ADMIN_KEY_ENV",
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "AdminApiKeysClient",
    "openai_error_message",
]

DEFAULT_BASE_URL = "https://api.openai.com/v1"

_PATH = "/organization/admin_api_keys"
_PAGE_LIMIT_MAX = 100


def openai_error_message(body: bytes) -> str | None:
    """The ``error.message`` of an OpenAI error body, or ``None`` if the body is not one."""
    try:
        return OpenAIErrorBody.model_validate_json(body).error.message
    except ValidationError:
        return None


class AdminApiKeysClient(ApiClient):
    """Lists, creates, retrieves and deletes an organization's Admin API keys.

    ::

        client = AdminApiKeysClient()            # OPENAI_ADMIN_KEY, OPENAI_BASE_URL
        created = client.create(name="CI deployer", expires_in_seconds=86400)
        use(created.value.get_secret_value())   # shown this once, never again
        for key in client.list(order="desc"):
            print(key.id, key.name, key.redacted_value)
        client.delete(created.id)

    The admin key comes from ``admin_key``, else ``OPENAI_ADMIN_KEY``; the base URL from
    ``base_url``, else ``OPENAI_BASE_URL``, else ``https://api.openai.com/v1``. Plain ``http://``
    is refused unless the host is loopback. ``admin_key_source`` says where the key came from, for
    the message of a 401 (by default: passed in, or the environment variable). Keys ``ledger``
    holds (by default the process's) are never deleted by a create's cleanup. Safe to share
    between threads.
    """

    identity = ApiIdentity(
        credential_env=ADMIN_KEY_ENV,
        credential_what="OpenAI admin key",
        base_url_env=BASE_URL_ENV,
        default_base_url=DEFAULT_BASE_URL,
        vendor="OpenAI",
        error_message=openai_error_message,
    )

    def __init__(
        self,
        *,
        admin_key: str | SecretStr | None = None,
        base_url: str | None = None,
        policy: RetryPolicy | None = None,
        http_client: httpx.Client | None = None,
        admin_key_source: str | None = None,
        ledger: KeyLedger = LEDGER,
    ) -> None:
        super().__init__(
            credential=admin_key,
            credential_source=admin_key_source,
            base_url=base_url,
            policy=policy,
            http_client=http_client,
            ledger=ledger,
        )

    def list_page(
        self,
        *,
        after: str | None = None,
        limit: int = 20,
        order: Literal["asc", "desc"] = "asc",
    ) -> AdminApiKeyPage:
        """One page of keys, oldest first (``order="asc"``) or newest first, after the key ``after``."""
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= _PAGE_LIMIT_MAX:
            raise InvalidArgumentError(f"limit must be an integer from 1 to {_PAGE_LIMIT_MAX}, not {limit!r}")
        if order not in ("asc", "desc"):
            raise InvalidArgumentError(f"order must be 'asc' or 'desc', not {order!r}")
        params: dict[str, str | int] = {"limit": limit, "order": order}
        if after is not None:
            params["after"] = after
        return self._http.request(
            "openai.admin_api_keys.list", "GET", _PATH, model=AdminApiKeyPage, params=params
        )

    def list(
        self,
        *,
        limit: int = _PAGE_LIMIT_MAX,
        order: Literal["asc", "desc"] = "asc",
        after: str | None = None,
    ) -> Iterator[AdminApiKey]:
        """Every key, fetching pages of ``limit`` lazily and following ``after`` while ``has_more``."""

        def fetch(cursor: str | None) -> Page[AdminApiKey]:
            page = self.list_page(after=cursor, limit=limit, order=order)
            more = page.has_more and bool(page.data)
            return Page(page.data, page.data[-1].id if more else None)

        return paginate("openai.admin_api_keys.list", fetch, start=after)

    def find_by_name(self, name: str, *, order: Literal["asc", "desc"] = "asc") -> builtins.list[AdminApiKey]:
        """Every key whose name is exactly ``name``, oldest first by default (names are not unique)."""
        return [key for key in self.list(order=order) if key.name == name]

    def create(self, *, name: str, expires_in_seconds: int | None = None) -> AdminApiKeyCreated:
        """Create a key. Its ``value`` is in the result and nowhere else, ever: keep it.

        Ends with exactly one new key, or none: a create whose answer is lost is followed by a
        search for the key it may have made, which is deleted before the next attempt (see
        ``pulumi_apikeys.core.reconcile``). Keys the ledger holds are never deleted. The whole call
        ends within the policy's ``total_timeout``, plus one more for a final cleanup.
        """
        request = _create_request(name, expires_in_seconds)
        attempt = CreateAttempt(
            scope=f"OpenAI admin key named {name!r}",
            create=lambda: self._send_create(request),
            created_id=lambda created: created.id,
            recent=lambda since: self._recent(name, expires_in_seconds, since),
            delete=self.delete,
        )
        return self.reconciled_create(attempt)

    def send_create(self, *, name: str, expires_in_seconds: int | None = None) -> AdminApiKeyCreated:
        """Send one create request. Prefer ``create``: if this one's answer is lost, a key may be left.

        The request is repeated only when it provably never reached the API or was refused with 429.
        """
        return self._send_create(_create_request(name, expires_in_seconds))

    def _send_create(self, request: AdminApiKeyCreateRequest) -> AdminApiKeyCreated:
        body = request.model_dump(exclude_none=True)
        return self._http.request(
            "openai.admin_api_keys.create", "POST", _PATH, model=AdminApiKeyCreated, json=body
        )

    def _recent(self, name: str, expires_in_seconds: int | None, since: float) -> Iterator[RecentKey]:
        """Keys named ``name`` created at or after ``since``, newest first (the list is newest-first)."""
        for key in self.list(order="desc"):
            if key.created_at < since:
                return
            if key.name == name:
                yield RecentKey(key.id, key.created_at, _lifetime_matches(key, expires_in_seconds))

    def retrieve(self, key_id: str) -> AdminApiKey:
        """The key with this id; ``NotFoundError`` if there is none."""
        return self._http.request(
            "openai.admin_api_keys.retrieve",
            "GET",
            f"{_PATH}/{path_segment(key_id, 'key_id')}",
            model=AdminApiKey,
        )

    def delete(self, key_id: str) -> bool:
        """Delete the key: ``True`` if this call deleted it, ``False`` if it was already gone."""
        try:
            result = self._http.request(
                "openai.admin_api_keys.delete",
                "DELETE",
                f"{_PATH}/{path_segment(key_id, 'key_id')}",
                model=AdminApiKeyDeleted,
            )
        except NotFoundError:
            # Deleting is idempotent for us: "already gone" is the state the caller wanted.
            return False
        return result.deleted


def _create_request(name: object, expires_in_seconds: object) -> AdminApiKeyCreateRequest:
    """The create request's body, once its inputs are checked (with our messages, not pydantic's)."""
    check_name(name)
    if expires_in_seconds is not None:
        _check_expires_in_seconds(expires_in_seconds)
    assert isinstance(name, str)
    assert expires_in_seconds is None or isinstance(expires_in_seconds, int)
    return AdminApiKeyCreateRequest(name=name, expires_in_seconds=expires_in_seconds)


# The API computes ``expires_at`` from its own clock when it creates the key; allow for a slow create.
_LIFETIME_TOLERANCE_SECONDS = 5


def _lifetime_matches(key: AdminApiKey, expires_in_seconds: int | None) -> bool:
    """Whether the key's lifetime is the one a create asked for."""
    if expires_in_seconds is None or key.expires_at is None:
        return expires_in_seconds is None and key.expires_at is None
    lifetime = key.expires_at - key.created_at
    return abs(lifetime - expires_in_seconds) <= _LIFETIME_TOLERANCE_SECONDS


def _check_expires_in_seconds(value: object) -> None:
    # bool is an int subclass: True would otherwise be sent as 1 second.
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgumentError(f"expires_in_seconds must be an integer, not {type(value).__name__}")
    if not EXPIRES_IN_SECONDS_MIN <= value <= EXPIRES_IN_SECONDS_MAX:
        raise InvalidArgumentError(
            f"expires_in_seconds must be from {EXPIRES_IN_SECONDS_MIN} to {EXPIRES_IN_SECONDS_MAX} "
            f"(365 days), not {value}"
        )
