"""The toy API as the emulator serves it: a store in memory (or in its state-file section), three routes."""

from __future__ import annotations

import hmac
import json
import secrets
import threading
import time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from pulumi_apikeys.core.api_model import REVEAL_SECRETS
from pulumi_apikeys.emulator.key_hash import value_sha256
from pulumi_apikeys.emulator.service import EmulatorService, ServiceEndpoint, ServiceFlag, ServiceSpec
from pulumi_apikeys.emulator.state_file import StateSection
from tests.toy_backend.client import PATH
from tests.toy_backend.models import (
    ToyCreateRequest,
    ToyErrorBody,
    ToyKey,
    ToyKeyCreated,
    ToyKeyDeleted,
    ToyKeyPage,
)

DEFAULT_API_KEY = "toy_sk_local_credential"
PAGE_SIZE = 20
"""Small, so that the fault suite's lists cross pages."""


class ToyOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    api_key: str = Field(default=DEFAULT_API_KEY, min_length=1, repr=False)


class _Stored(BaseModel):
    key: ToyKey
    secret_sha256: str


class _Snapshot(BaseModel):
    keys: list[_Stored] = Field(default_factory=list)
    order: list[str] = Field(default_factory=list)
    """Every id ever created, deleted ones included, in creation order."""


class ToyService:
    """The toy endpoints over a dict of keys, in creation order."""

    def __init__(self, options: ToyOptions, state: StateSection | None) -> None:
        self._api_key = options.api_key
        self._state = state
        self._lock = threading.Lock()
        snapshot = state.load(_Snapshot) if state is not None else None
        self._keys: dict[str, _Stored] = {s.key.id: s for s in snapshot.keys} if snapshot else {}
        # A page token stays good after its key is deleted (as OpenAI's `after` does): a list that
        # pages while another client deletes keys goes on where it was, not with a 400.
        self._order: list[str] = (snapshot.order or list(self._keys)) if snapshot else []

    def surface(self) -> Any:
        from starlette.routing import Route

        from pulumi_apikeys.emulator.surface import ApiSurface

        return ApiSurface(
            name="toy",
            path_prefix="/toy",
            routes=[
                Route(PATH, self._collection, methods=["GET", "POST"]),
                Route(PATH + "/{key_id}", self._delete, methods=["DELETE"]),
            ],
            render_error=_error,
        )

    def reset(self) -> None:
        with self._lock:
            self._keys.clear()
            self._order.clear()
            self._save()

    def key_count(self) -> int:
        with self._lock:
            return len(self._keys)

    def holds_value(self, key_id: str, value: str) -> bool:
        """Whether the key with this id has this value (for the tests' audits)."""
        with self._lock:
            stored = self._keys.get(key_id)
        return stored is not None and stored.secret_sha256 == value_sha256(value)

    def endpoint(self, root_url: str) -> ServiceEndpoint:
        return ServiceEndpoint(base_url=root_url, credential=self._api_key)

    async def _collection(self, request: Any) -> Any:
        from starlette.responses import JSONResponse

        if (refusal := self._refusal(request)) is not None:
            return refusal
        if request.method == "GET":
            token = request.query_params.get("page_token")
            with self._lock:
                if token is not None and token not in self._order:
                    return _error(400, f"Unknown page_token {token!r}.", type="invalid_request")
                after = self._order[self._order.index(token) + 1 :] if token is not None else self._order
                keys = [self._keys[key_id].key for key_id in after if key_id in self._keys]
            page = keys[:PAGE_SIZE]
            more = len(keys) > PAGE_SIZE
            body = ToyKeyPage(keys=page, next_page_token=page[-1].id if more else None)
            return JSONResponse(body.model_dump(mode="json"))
        try:
            create = ToyCreateRequest.model_validate(json.loads(await request.body()))
        except (ValueError, ValidationError):
            return _error(422, "The body must be {'name': <string>}.", type="invalid_request")
        secret = "toy_sk_" + secrets.token_urlsafe(24)
        key = ToyKey(
            id="toy_" + secrets.token_hex(8),
            name=create.name,
            prefix=secret[:10],
            created_at=int(time.time()),
        )
        with self._lock:
            self._keys[key.id] = _Stored(key=key, secret_sha256=value_sha256(secret))
            self._order.append(key.id)
            self._save()
        from pulumi_apikeys.emulator.context import find_request_context

        context = find_request_context(request.scope)
        if context is not None and context.log_entry is not None:
            context.log_entry.key_id = key.id
        created = ToyKeyCreated(**key.model_dump(), secret=SecretStr(secret))
        return JSONResponse(created.model_dump(mode="json", context=REVEAL_SECRETS))

    async def _delete(self, request: Any) -> Any:
        from starlette.responses import JSONResponse

        if (refusal := self._refusal(request)) is not None:
            return refusal
        key_id = request.path_params["key_id"]
        with self._lock:
            removed = self._keys.pop(key_id, None)
            self._save()
        if removed is None:
            return _error(404, f"No toy key {key_id!r}.", type="not_found")
        return JSONResponse(ToyKeyDeleted(deleted=True).model_dump(mode="json"))

    def _refusal(self, request: Any) -> Any:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), self._api_key.encode()):
            return None
        return _error(401, "Missing or wrong toy API key.", type="unauthorized")

    def _save(self) -> None:
        if self._state is not None:
            self._state.save(_Snapshot(keys=list(self._keys.values()), order=self._order))


def _error(status: int, message: str, *, type: str, **details: Any) -> Any:
    from pulumi_apikeys.emulator.surface import json_error_renderer

    return json_error_renderer(lambda facts: ToyErrorBody(message=facts.message))(
        status, message, type=type, **details
    )


def _build(options: ToyOptions, state: StateSection | None) -> EmulatorService:
    return ToyService(options, state)


SERVICE = ServiceSpec(
    name="toy",
    options=ToyOptions,
    build=_build,
    flags=(ServiceFlag("api_key", "The toy API key the API accepts.", show_default=False),),
)
