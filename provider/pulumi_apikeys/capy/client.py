"""The REST calls of capy's organization API keys, on the shared HTTP layer."""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Sequence

import httpx
from pydantic import SecretStr, ValidationError

from pulumi_apikeys._http import path_segment
from pulumi_apikeys.capy.declaration import API_KEY_ENV, BASE_URL_ENV
from pulumi_apikeys.capy.models import (
    ApiKey,
    ApiKeyCreated,
    ApiKeyCreateRequest,
    ApiKeyList,
    ApiKeyRevoked,
    CapyErrorBody,
)
from pulumi_apikeys.core.client_base import ApiClient, ApiIdentity, Page, check_name, check_text, paginate
from pulumi_apikeys.core.reconcile import LEDGER, CreateAttempt, KeyLedger, RecentKey
from pulumi_apikeys.errors import ConflictError, InvalidArgumentError, NotFoundError
from pulumi_apikeys.settings import RetryPolicy

__all__ = ["API_KEY_ENV", "BASE_URL_ENV", "CapyApiKeysClient", "capy_error_message"]


def capy_error_message(body: bytes) -> str | None:
    """The ``error`` of a capy error body, ``{"error": "..."}``, or ``None`` if the body is not one."""
    try:
        return CapyErrorBody.model_validate_json(body).error
    except ValidationError:
        return None


def _keys_path(organization_id: str) -> str:
    return f"/v1/organizations/{path_segment(organization_id, 'organization_id')}/api-keys"


class CapyApiKeysClient(ApiClient):
    """Lists, creates and revokes an organization's capy API keys.

    ::

        client = CapyApiKeysClient()                 # CAPY_API_KEY, CAPY_BASE_URL
        created = client.create(organization_id="org_1", name="CI", scopes=["read"])
        use(created.plaintext_api_key.get_secret_value())   # shown this once, never again
        for key in client.list("org_1"):
            print(key.id, key.name, key.key_prefix, key.is_gone)
        client.revoke("org_1", created.api_key.id)

    The API key comes from ``api_key``, else ``CAPY_API_KEY``; the base URL (the origin the
    ``/v1/organizations/...`` paths hang off) from ``base_url``, else ``CAPY_BASE_URL``: there is no
    public default. Plain ``http://`` is refused unless the host is loopback. ``api_key_source`` says
    where the key came from, for the message of a 401 (by default: passed in, or the environment
    variable). Keys ``ledger`` holds (by default the process's) are never revoked by a create's
    cleanup. Safe to share between threads.

    The API has no "retrieve one key" call (``find`` lists) and no update call; revoked keys may stay
    listed, with ``revoked_at`` set or ``is_active`` false (``ApiKey.is_gone``).
    """

    identity = ApiIdentity(
        credential_env=API_KEY_ENV,
        credential_what="capy API key",
        base_url_env=BASE_URL_ENV,
        default_base_url=None,
        vendor="capy",
        error_message=capy_error_message,
    )

    def __init__(
        self,
        *,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        policy: RetryPolicy | None = None,
        http_client: httpx.Client | None = None,
        api_key_source: str | None = None,
        ledger: KeyLedger = LEDGER,
    ) -> None:
        super().__init__(
            credential=api_key,
            credential_source=api_key_source,
            base_url=base_url,
            policy=policy,
            http_client=http_client,
            ledger=ledger,
        )

    def list(self, organization_id: str) -> Iterator[ApiKey]:
        """Every key of the organization, revoked ones included, fetching pages lazily.

        Follows ``next_cursor`` while the server sends one; a cursor seen before is refused with
        ``UnreadableResponseError`` (a server handing back the same page would loop us forever).
        """
        path = _keys_path(organization_id)

        def fetch(cursor: str | None) -> Page[ApiKey]:
            params = {"cursor": cursor} if cursor is not None else None
            page = self._http.request("capy.api_keys.list", "GET", path, model=ApiKeyList, params=params)
            return Page(page.api_keys, page.next_cursor)

        return paginate("capy.api_keys.list", fetch)

    def find(self, organization_id: str, key_id: str) -> ApiKey | None:
        """The key with this id (revoked or not), or ``None``: found by listing, there is no retrieve."""
        check_text(key_id, "key_id")
        return next((key for key in self.list(organization_id) if key.id == key_id), None)

    def find_by_name(self, organization_id: str, name: str) -> builtins.list[ApiKey]:
        """Every key whose name is exactly ``name``, in the order listed (names are not unique)."""
        return [key for key in self.list(organization_id) if key.name == name]

    def create(self, *, organization_id: str, name: str, scopes: Sequence[str]) -> ApiKeyCreated:
        """Create a key. Its ``plaintext_api_key`` is in the result and nowhere else, ever: keep it.

        ``scopes`` may come in any order and repeat; they are sent once each, sorted. Ends with
        exactly one new key, or none: a create whose answer is lost is followed by a search for the
        key it may have made, which is revoked before the next attempt (see
        ``pulumi_apikeys.core.reconcile``). Keys the ledger holds are never revoked.
        """
        path, request = _create_request(organization_id, name, scopes)
        attempt = CreateAttempt(
            scope=f"capy API key named {name!r} in organization {organization_id!r}",
            create=lambda: self._send_create(path, request),
            created_id=lambda created: created.api_key.id,
            recent=lambda since: self._recent(organization_id, name, request.scopes, since),
            delete=lambda key_id: self.revoke(organization_id, key_id),
        )
        return self.reconciled_create(attempt)

    def send_create(self, *, organization_id: str, name: str, scopes: Sequence[str]) -> ApiKeyCreated:
        """Send one create request. Prefer ``create``: if this one's answer is lost, a key may be left.

        The request is repeated only when it provably never reached the API or was refused with 429.
        """
        return self._send_create(*_create_request(organization_id, name, scopes))

    def _send_create(self, path: str, request: ApiKeyCreateRequest) -> ApiKeyCreated:
        body = request.model_dump()
        return self._http.request("capy.api_keys.create", "POST", path, model=ApiKeyCreated, json=body)

    def _recent(
        self, organization_id: str, name: str, scopes: builtins.list[str], since: float
    ) -> Iterator[RecentKey]:
        """Live keys named ``name`` created at or after ``since`` (the list has no documented order)."""
        for key in self.list(organization_id):
            created_at = key.created_at.timestamp()
            if key.name == name and created_at >= since and not key.is_gone:
                yield RecentKey(key.id, created_at, sorted(set(key.scopes)) == scopes)

    def revoke(self, organization_id: str, key_id: str) -> bool:
        """Revoke the key: ``True`` if this call revoked it, ``False`` if it was already revoked or gone.

        Already revoked: the emulator answers 409 (a server answering ``{"revoked": false}`` is read
        the same way). Unknown: 404. Both are the state the caller wanted, so neither is an error.
        """
        path = f"{_keys_path(organization_id)}/{path_segment(key_id, 'key_id')}"
        try:
            result = self._http.request("capy.api_keys.revoke", "DELETE", path, model=ApiKeyRevoked)
        except (NotFoundError, ConflictError):
            return False
        return result.revoked


def _create_request(organization_id: str, name: object, scopes: object) -> tuple[str, ApiKeyCreateRequest]:
    """The create call's path and body, once its inputs are checked (with our messages, not pydantic's)."""
    path = _keys_path(organization_id)
    check_name(name)
    assert isinstance(name, str)
    return path, ApiKeyCreateRequest(name=name, scopes=_checked_scopes(scopes))


def _checked_scopes(scopes: object) -> list[str]:
    """The scopes de-duplicated and sorted, if they are a non-empty list of printable, non-blank strings."""
    if isinstance(scopes, (str, bytes)) or not isinstance(scopes, Sequence):
        raise InvalidArgumentError(f"scopes must be a list of strings, not {type(scopes).__name__}")
    if not scopes:
        raise InvalidArgumentError("scopes must not be empty: give the key at least one scope")
    for scope in scopes:
        if not isinstance(scope, str):
            raise InvalidArgumentError(f"every scope must be a string, not {type(scope).__name__}")
        if not scope.strip():
            raise InvalidArgumentError("a scope must not be empty or only whitespace")
        if any(not ch.isprintable() for ch in scope):
            raise InvalidArgumentError("a scope must not contain control characters such as newlines")
    return sorted(set(scopes))
