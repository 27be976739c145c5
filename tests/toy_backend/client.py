"""The toy API's REST calls, on the shared client base."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import SecretStr, ValidationError

from pulumi_apikeys._http import path_segment
from pulumi_apikeys.core.client_base import ApiClient, ApiIdentity, Page, check_name, paginate
from pulumi_apikeys.core.reconcile import CreateAttempt, RecentKey
from pulumi_apikeys.errors import NotFoundError
from pulumi_apikeys.settings import RetryPolicy
from tests.toy_backend.models import (
    ToyCreateRequest,
    ToyErrorBody,
    ToyKey,
    ToyKeyCreated,
    ToyKeyDeleted,
    ToyKeyPage,
)

PATH = "/toy/v1/keys"


def toy_error_message(body: bytes) -> str | None:
    try:
        return ToyErrorBody.model_validate_json(body).message
    except ValidationError:
        return None


class ToyKeysClient(ApiClient):
    """Lists, creates and deletes toy keys."""

    identity = ApiIdentity(
        credential_env="TOY_API_KEY",
        credential_what="toy API key",
        base_url_env="TOY_BASE_URL",
        default_base_url=None,
        vendor="toy",
        error_message=toy_error_message,
    )

    def __init__(
        self,
        *,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        policy: RetryPolicy | None = None,
        api_key_source: str | None = None,
    ) -> None:
        super().__init__(
            credential=api_key,
            credential_source=api_key_source,
            base_url=base_url,
            policy=policy,
            http_client=None,
        )

    def list(self) -> Iterator[ToyKey]:
        def fetch(cursor: str | None) -> Page[ToyKey]:
            params = {"page_token": cursor} if cursor is not None else None
            page = self._http.request("toy.keys.list", "GET", PATH, model=ToyKeyPage, params=params)
            return Page(page.keys, page.next_page_token)

        return paginate("toy.keys.list", fetch)

    def find(self, key_id: str) -> ToyKey | None:
        return next((key for key in self.list() if key.id == key_id), None)

    def create(self, *, name: str) -> ToyKeyCreated:
        check_name(name)
        request = ToyCreateRequest(name=name)
        attempt = CreateAttempt(
            scope=f"toy key named {name!r}",
            create=lambda: self._http.request(
                "toy.keys.create", "POST", PATH, model=ToyKeyCreated, json=request.model_dump()
            ),
            created_id=lambda created: created.id,
            recent=lambda since: self._recent(name, since),
            delete=self.delete,
        )
        return self.reconciled_create(attempt)

    def _recent(self, name: str, since: float) -> Iterator[RecentKey]:
        for key in self.list():
            if key.name == name and key.created_at >= since:
                yield RecentKey(key.id, key.created_at, True)

    def delete(self, key_id: str) -> bool:
        path = f"{PATH}/{path_segment(key_id, 'key_id')}"
        try:
            return self._http.request("toy.keys.delete", "DELETE", path, model=ToyKeyDeleted).deleted
        except NotFoundError:
            return False
