"""The OpenAI organization Admin API keys endpoints, as the emulator serves them (its ``openai`` service).

Every response is built from the shared models in ``pulumi_apikeys.openai.models``, so what the
emulator says and what the client parses cannot drift apart. Errors use OpenAI's error body.
"""

from __future__ import annotations

from typing import Literal

from pydantic import SecretStr
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pulumi_apikeys.emulator.request_parts import (
    BodyProblem,
    StoreBacked,
    bearer_token,
    is_credential,
    note_created_key,
    read_body,
)
from pulumi_apikeys.emulator.service import ServiceEndpoint
from pulumi_apikeys.emulator.surface import ApiSurface, json_error_renderer
from pulumi_apikeys.errors import UnknownCursorError
from pulumi_apikeys.openai.emulator_store import KeyStore, StoredKey
from pulumi_apikeys.openai.models import (
    REVEAL_SECRETS,
    AdminApiKey,
    AdminApiKeyCreated,
    AdminApiKeyCreateRequest,
    AdminApiKeyDeleted,
    AdminApiKeyPage,
    OpenAIErrorBody,
    OpenAIErrorDetail,
)

__all__ = ["ADMIN_API_KEYS_PATH", "BASE_PATH", "AdminApiKeysApi", "openai_error_response"]

BASE_PATH = "/v1"
"""The paths this surface owns; the client's base URL is the emulator's root URL and this."""
ADMIN_API_KEYS_PATH = BASE_PATH + "/organization/admin_api_keys"
"""The collection's path; a key lives at ``{ADMIN_API_KEYS_PATH}/{key_id}``."""

LIST_LIMIT_MIN = 1
LIST_LIMIT_MAX = 100
LIST_LIMIT_DEFAULT = 20

_MISSING_KEY_MESSAGE = (
    "You didn't provide an API key. You need to provide your API key in an Authorization header "
    "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
)
# Unlike the real API, no part of the presented key is echoed: it may be a real secret.
_WRONG_KEY_MESSAGE = "Incorrect API key provided."
_UNPARSABLE_BODY_MESSAGE = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using "
    "your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not "
    "valid JSON.)"
)


openai_error_response = json_error_renderer(
    lambda facts: OpenAIErrorBody(
        error=OpenAIErrorDetail(message=facts.message, type=facts.type, param=facts.param, code=facts.code)
    )
)
"""An error response with OpenAI's body, ``{"error": {message, type, param, code}}``."""


def _invalid_request(message: str, *, param: str | None) -> Response:
    return openai_error_response(400, message, type="invalid_request_error", param=param)


def _not_found(key_id: str) -> Response:
    return openai_error_response(
        404,
        f"No admin API key found with id '{key_id}'.",
        type="invalid_request_error",
        param="key_id",
    )


def _as_api_key(key: StoredKey) -> AdminApiKey:
    """The key as list and retrieve show it: everything but its value."""
    return AdminApiKey(
        object="organization.admin_api_key",
        id=key.id,
        name=key.name,
        redacted_value=key.redacted_value,
        created_at=key.created_at,
        expires_at=key.expires_at,
        last_used_at=key.last_used_at,
        owner=key.owner,
    )


class AdminApiKeysApi(StoreBacked[KeyStore]):
    """The Admin API keys endpoints over a ``KeyStore``, guarded by Bearer auth: an ``EmulatorService``.

    A request authenticates with the configured admin key or with the value of any live key this
    emulator created (which marks that key used).
    """

    def __init__(self, store: KeyStore, admin_key: str) -> None:
        self.store = store
        self._admin_key = admin_key

    def surface(self) -> ApiSurface:
        """These endpoints as one vendor surface of the emulator."""
        return ApiSurface(
            name="openai",
            path_prefix=BASE_PATH,
            # One route per path, so that a 405 lists every method the path allows.
            routes=[
                Route(ADMIN_API_KEYS_PATH, self._collection, methods=["GET", "POST"]),
                Route(ADMIN_API_KEYS_PATH + "/{key_id}", self._item, methods=["GET", "DELETE"]),
            ],
            render_error=openai_error_response,
        )

    def endpoint(self, root_url: str) -> ServiceEndpoint:
        """``{root_url}/v1``, as the SDK and the client take it, and the configured admin key."""
        return ServiceEndpoint(base_url=root_url + BASE_PATH, credential=self._admin_key)

    async def _collection(self, request: Request) -> Response:
        return await (self.create_key if request.method == "POST" else self.list_keys)(request)

    async def _item(self, request: Request) -> Response:
        return await (self.delete_key if request.method == "DELETE" else self.retrieve_key)(request)

    async def list_keys(self, request: Request) -> Response:
        """``GET /organization/admin_api_keys?after=&limit=&order=``."""
        if (refusal := self._authenticate(request)) is not None:
            return refusal
        params = request.query_params
        limit_text = params.get("limit", str(LIST_LIMIT_DEFAULT))
        # isdigit rather than int(): int() would take " 5", "+5" and "5_0".
        limit = int(limit_text) if limit_text.isascii() and limit_text.isdigit() else None
        if limit is None or not LIST_LIMIT_MIN <= limit <= LIST_LIMIT_MAX:
            return _invalid_request(
                f"Invalid 'limit': expected an integer between {LIST_LIMIT_MIN} and {LIST_LIMIT_MAX}.",
                param="limit",
            )
        order_text = params.get("order", "asc")
        if order_text not in ("asc", "desc"):
            return _invalid_request("Invalid 'order': expected 'asc' or 'desc'.", param="order")
        order: Literal["asc", "desc"] = "desc" if order_text == "desc" else "asc"
        after = params.get("after")
        try:
            page = self.store.page(after=after, limit=limit, order=order)
        except UnknownCursorError:
            return _invalid_request(f"Invalid 'after': no admin API key has id '{after}'.", param="after")
        data = [_as_api_key(key) for key in page.keys]
        body = AdminApiKeyPage(
            object="list",
            data=data,
            first_id=data[0].id if data else None,
            last_id=data[-1].id if data else None,
            has_more=page.has_more,
        )
        return JSONResponse(body.model_dump(mode="json"))

    async def create_key(self, request: Request) -> Response:
        """``POST /organization/admin_api_keys`` with ``{"name", "expires_in_seconds"?}``."""
        if (refusal := self._authenticate(request)) is not None:
            return refusal
        create = await read_body(request, AdminApiKeyCreateRequest)
        if isinstance(create, BodyProblem):
            if create.kind == "not_json":
                return _invalid_request(_UNPARSABLE_BODY_MESSAGE, param=None)
            if create.kind == "not_object":
                return _invalid_request("Invalid body: expected a JSON object.", param=None)
            param = str(create.location[0]) if create.location else None
            return _invalid_request(f"Invalid '{param}': {create.message}.", param=param)

        key, value = self.store.create(create.name, create.expires_in_seconds)
        note_created_key(request, key.id)
        # dict(model) is shallow: the owner stays a model, which the strict models require.
        created = AdminApiKeyCreated(**dict(_as_api_key(key)), value=SecretStr(value))
        return JSONResponse(created.model_dump(mode="json", context=REVEAL_SECRETS))

    async def retrieve_key(self, request: Request) -> Response:
        """``GET /organization/admin_api_keys/{key_id}``."""
        if (refusal := self._authenticate(request)) is not None:
            return refusal
        key_id: str = request.path_params["key_id"]
        key = self.store.get(key_id)
        if key is None:
            return _not_found(key_id)
        return JSONResponse(_as_api_key(key).model_dump(mode="json"))

    async def delete_key(self, request: Request) -> Response:
        """``DELETE /organization/admin_api_keys/{key_id}``."""
        if (refusal := self._authenticate(request)) is not None:
            return refusal
        key_id: str = request.path_params["key_id"]
        key = self.store.delete(key_id)
        if key is None:
            return _not_found(key_id)
        deleted = AdminApiKeyDeleted(id=key.id, object="organization.admin_api_key.deleted", deleted=True)
        return JSONResponse(deleted.model_dump(mode="json"))

    def _authenticate(self, request: Request) -> Response | None:
        """``None`` if the request carries an accepted key, else the 401 to answer with."""
        token = bearer_token(request)
        if token is None:
            return openai_error_response(401, _MISSING_KEY_MESSAGE, type="invalid_request_error")
        if is_credential(token, self._admin_key):
            return None
        if self.store.authenticate(token) is not None:
            return None
        return openai_error_response(
            401, _WRONG_KEY_MESSAGE, type="invalid_request_error", code="invalid_api_key"
        )
