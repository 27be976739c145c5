"""The capy organization API keys endpoints (seed ``002``), as the emulator's ``capy`` service serves them.

Every response is built from the shared models in ``pulumi_apikeys.capy.models``, so what the
emulator says and what the client parses cannot drift apart. What the seed leaves open, decided:

- Auth is ``Authorization: Bearer <key>``. The configured key (option ``api_key``) is accepted for any
  organization; a key this API created, only for its own organization and only while active and
  unexpired. Missing or unknown key, a revoked one, or one past its ``expires_at`` (option
  ``key_lifetime_seconds``): 401 (the message never echoes the key). A created key used on another
  organization: 403. Scopes are stored and shown, never enforced.
- Errors are ``{"error": "message"}``: 400 for a body that is not a JSON object, 422 for one whose
  fields are wrong (``name`` missing or blank, ``scopes`` not a list of strings), 404 for a key id
  the organization does not have, 400 for an unknown ``cursor``.
- Revoking keeps the key listed, with ``revoked_at`` set and ``is_active: false``. Revoking it
  again answers **409** ``{"error": "... already revoked"}`` with ``x-should-retry: false`` (the
  answer will not change, so retrying it is pointless); the client reads that as "already gone".
- The list is in creation order, at most ``page_size`` keys a page (an option). When more follow, the
  body carries ``next_cursor`` (the last listed key's id) and ``?cursor=<it>`` asks for the rest.
"""

from __future__ import annotations

from pydantic import SecretStr
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pulumi_apikeys.capy.emulator_store import CapyKeyStore, Revocation
from pulumi_apikeys.capy.models import (
    REVEAL_SECRETS,
    ApiKeyCreated,
    ApiKeyCreateRequest,
    ApiKeyList,
    ApiKeyRevoked,
    CapyErrorBody,
)
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

__all__ = ["CAPY_PATH_PREFIX", "CapyApiKeysApi", "capy_error_response", "capy_keys_path"]

CAPY_PATH_PREFIX = "/v1/organizations"
"""The paths this surface owns; an organization's keys live at ``{prefix}/{org}/api-keys``."""

_MISSING_KEY_MESSAGE = "Missing API key: send it as 'Authorization: Bearer capy_live_...'."
# No part of the presented key is echoed: it may be a real secret.
_WRONG_KEY_MESSAGE = "Invalid API key."
_REVOKED_KEY_MESSAGE = "This API key has been revoked."
_EXPIRED_KEY_MESSAGE = "This API key has expired."
_OTHER_ORGANIZATION_MESSAGE = "This API key does not belong to this organization."


def capy_keys_path(organization_id: str) -> str:
    """The collection path of an organization's keys (``organization_id`` taken as is)."""
    return f"{CAPY_PATH_PREFIX}/{organization_id}/api-keys"


capy_error_response = json_error_renderer(lambda facts: CapyErrorBody(error=facts.message))
"""An error response with capy's body, ``{"error": message}`` (``type``, ``code``, ``param`` unused)."""


class CapyApiKeysApi(StoreBacked[CapyKeyStore]):
    """The capy API keys endpoints over a ``CapyKeyStore``, guarded by Bearer auth: an ``EmulatorService``."""

    def __init__(self, store: CapyKeyStore, root_key: str, *, page_size: int) -> None:
        self.store = store
        self._root_key = root_key
        self._page_size = page_size

    def surface(self) -> ApiSurface:
        """These endpoints as one vendor surface of the emulator."""
        return ApiSurface(
            name="capy",
            path_prefix=CAPY_PATH_PREFIX,
            # One route per path, so that a 405 lists every method the path allows.
            routes=[
                Route(capy_keys_path("{organization_id}"), self._collection, methods=["GET", "POST"]),
                Route(
                    capy_keys_path("{organization_id}") + "/{api_key_id}", self.revoke_key, methods=["DELETE"]
                ),
            ],
            render_error=capy_error_response,
        )

    def endpoint(self, root_url: str) -> ServiceEndpoint:
        """The root URL itself (the paths start with ``/v1/organizations``) and the configured key."""
        return ServiceEndpoint(base_url=root_url, credential=self._root_key)

    async def _collection(self, request: Request) -> Response:
        return await (self.create_key if request.method == "POST" else self.list_keys)(request)

    async def list_keys(self, request: Request) -> Response:
        """``GET /v1/organizations/{organization_id}/api-keys?cursor=``."""
        organization_id: str = request.path_params["organization_id"]
        if (refusal := self._authenticate(request, organization_id)) is not None:
            return refusal
        cursor = request.query_params.get("cursor")
        try:
            page = self.store.page(organization_id, cursor=cursor, limit=self._page_size)
        except UnknownCursorError:
            return capy_error_response(400, f"Invalid cursor '{cursor}'.", type="invalid_request_error")
        body = ApiKeyList(api_keys=page.keys, next_cursor=page.next_cursor)
        return JSONResponse(body.model_dump(mode="json"))

    async def create_key(self, request: Request) -> Response:
        """``POST /v1/organizations/{organization_id}/api-keys`` with ``{"name", "scopes"}``."""
        organization_id: str = request.path_params["organization_id"]
        if (refusal := self._authenticate(request, organization_id)) is not None:
            return refusal
        create = await read_body(request, ApiKeyCreateRequest)
        if isinstance(create, BodyProblem):
            if create.kind == "not_json":
                return capy_error_response(
                    400, "The request body is not valid JSON.", type="invalid_request_error"
                )
            if create.kind == "not_object":
                return capy_error_response(
                    400, "The request body must be a JSON object.", type="invalid_request_error"
                )
            where = ".".join(str(part) for part in create.location) or "body"
            return capy_error_response(
                422, f"Invalid '{where}': {create.message}.", type="invalid_request_error"
            )

        key, secret = self.store.create(organization_id, create.name, create.scopes)
        note_created_key(request, key.id)
        created = ApiKeyCreated(api_key=key, plaintext_api_key=SecretStr(secret))
        return JSONResponse(created.model_dump(mode="json", context=REVEAL_SECRETS))

    async def revoke_key(self, request: Request) -> Response:
        """``DELETE /v1/organizations/{organization_id}/api-keys/{api_key_id}``."""
        organization_id: str = request.path_params["organization_id"]
        if (refusal := self._authenticate(request, organization_id)) is not None:
            return refusal
        key_id: str = request.path_params["api_key_id"]
        outcome = self.store.revoke(organization_id, key_id)
        if outcome is Revocation.NOT_FOUND:
            return capy_error_response(404, f"No API key found with id '{key_id}'.", type="not_found")
        if outcome is Revocation.ALREADY_REVOKED:
            return capy_error_response(
                409,
                f"The API key '{key_id}' is already revoked.",
                type="conflict",
                headers={"x-should-retry": "false"},
            )
        return JSONResponse(ApiKeyRevoked(revoked=True).model_dump(mode="json"))

    def _authenticate(self, request: Request, organization_id: str) -> Response | None:
        """``None`` if the request carries a key accepted for the organization, else the refusal."""
        token = bearer_token(request)
        if token is None:
            return capy_error_response(401, _MISSING_KEY_MESSAGE, type="authentication_error")
        if is_credential(token, self._root_key):
            return None
        key = self.store.find_secret(token)
        if key is None:
            return capy_error_response(401, _WRONG_KEY_MESSAGE, type="authentication_error")
        if key.is_gone:
            return capy_error_response(401, _REVOKED_KEY_MESSAGE, type="authentication_error")
        if self.store.is_expired(key):
            return capy_error_response(401, _EXPIRED_KEY_MESSAGE, type="authentication_error")
        if key.organization_id != organization_id:
            return capy_error_response(403, _OTHER_ORGANIZATION_MESSAGE, type="permission_error")
        self.store.mark_used(key.id)
        return None
