"""OpenAI's projects, project service accounts and project API keys endpoints, as the emulator serves
them (its ``openai_projects`` service).

Every response is built from the shared models in ``pulumi_apikeys.openai_projects.models``, so what
the emulator says and what the client parses cannot drift apart. Errors use OpenAI's error body.
What the SDK leaves open, decided (``docs/openai-projects-api.md`` lists it too):

- Auth is ``Authorization: Bearer <admin key>``, the configured one only: a project key is refused
  with the same 401 as an unknown key (the real answer to one may be a 403), and the Admin keys the
  ``openai`` service makes are not known here.
- An unknown project, service account or key (or one of another project): 404 naming the id.
- A body the API cannot use: 400 naming the parameter, as the ``openai`` service answers. So are an
  update with neither ``scopes`` nor ``expires_in_seconds``, or with either ``null``; an update of
  an expired key; and ``expires_in_seconds`` together with ``create_service_account_only``.
- Lists are in creation order (the SDK has no ``order``), ``limit`` 1 to 100 (default 20),
  ``after`` any id the store ever held; the keys list shows, unless ``owner_project_access`` says
  otherwise, the keys whose owner has access (``active``).
- ``GET /v1/models`` answers a live, unexpired project key (and nothing else) with an empty list: the
  one call that shows a key works, and that an expired or deleted one no longer does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

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
from pulumi_apikeys.openai_projects.emulator_store import (
    AccessFilter,
    ExpiredKeyError,
    MissingObjectError,
    ProjectStore,
    StoredProject,
    StoredProjectKey,
    StoredServiceAccount,
)
from pulumi_apikeys.openai_projects.models import (
    REVEAL_SECRETS,
    ModelList,
    OpenAIErrorBody,
    OpenAIErrorDetail,
    Project,
    ProjectApiKey,
    ProjectApiKeyDeleted,
    ProjectApiKeyPage,
    ProjectApiKeyUpdateRequest,
    ProjectCreateRequest,
    ProjectPage,
    ProjectServiceAccount,
    ProjectServiceAccountApiKey,
    ProjectServiceAccountCreated,
    ProjectServiceAccountCreateRequest,
    ProjectServiceAccountDeleted,
    ProjectServiceAccountPage,
    ServiceAccountApiKeyCreateRequest,
)

__all__ = ["BASE_PATH", "MODELS_PATH", "PROJECTS_PATH", "ProjectsApi", "openai_error_response"]

BASE_PATH = "/v1"
"""The base URL's path: the client's base URL is the emulator's root URL and this."""
PROJECTS_PATH = BASE_PATH + "/organization/projects"
"""The paths this surface owns; a project lives at ``{PROJECTS_PATH}/{project_id}``."""
MODELS_PATH = BASE_PATH + "/models"
"""Where a project key shows that it works."""

LIST_LIMIT_MIN = 1
LIST_LIMIT_MAX = 100
LIST_LIMIT_DEFAULT = 20

_ACCESS_FILTERS: tuple[AccessFilter, ...] = ("active", "inactive", "any")
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
_MISSING_NAMES = {"project": "project", "service_account": "service account", "api_key": "API key"}
_MISSING_PARAMS = {"project": "project_id", "service_account": "service_account_id", "api_key": "api_key_id"}

Handler = Callable[[Request], Awaitable[Response]]

openai_error_response = json_error_renderer(
    lambda facts: OpenAIErrorBody(
        error=OpenAIErrorDetail(message=facts.message, type=facts.type, param=facts.param, code=facts.code)
    )
)
"""An error response with OpenAI's body, ``{"error": {message, type, param, code}}``."""


def _invalid_request(message: str, *, param: str | None) -> Response:
    return openai_error_response(400, message, type="invalid_request_error", param=param)


def _not_found(missing: MissingObjectError) -> Response:
    return openai_error_response(
        404,
        f"No {_MISSING_NAMES[missing.kind]} found with id '{missing.object_id}'.",
        type="invalid_request_error",
        param=_MISSING_PARAMS[missing.kind],
    )


def _body_refusal(problem: BodyProblem) -> Response:
    """The 400 for a body that is not JSON, not an object, or has a field the API cannot use."""
    if problem.kind == "not_json":
        return _invalid_request(_UNPARSABLE_BODY_MESSAGE, param=None)
    if problem.kind == "not_object":
        return _invalid_request("Invalid body: expected a JSON object.", param=None)
    param = str(problem.location[0]) if problem.location else None
    return _invalid_request(f"Invalid '{param}': {problem.message}.", param=param)


def _limit_or_refusal(request: Request) -> int | Response:
    limit_text = request.query_params.get("limit", str(LIST_LIMIT_DEFAULT))
    # isdigit rather than int(): int() would take " 5", "+5" and "5_0".
    limit = int(limit_text) if limit_text.isascii() and limit_text.isdigit() else None
    if limit is None or not LIST_LIMIT_MIN <= limit <= LIST_LIMIT_MAX:
        return _invalid_request(
            f"Invalid 'limit': expected an integer between {LIST_LIMIT_MIN} and {LIST_LIMIT_MAX}.",
            param="limit",
        )
    return limit


def _unknown_cursor(after: str | None) -> Response:
    return _invalid_request(f"Invalid 'after': no object has id '{after}'.", param="after")


def _page_ids(ids: list[str]) -> dict[str, str | None]:
    return {"first_id": ids[0] if ids else None, "last_id": ids[-1] if ids else None}


def _as_project(project: StoredProject) -> Project:
    return Project(
        object="organization.project",
        id=project.id,
        name=project.name,
        created_at=project.created_at,
        archived_at=None,
        status="active",
        external_key_id=project.external_key_id,
        residency=project.residency,
    )


def _as_service_account(account: StoredServiceAccount) -> ProjectServiceAccount:
    return ProjectServiceAccount(
        object="organization.project.service_account",
        id=account.id,
        name=account.name,
        role=account.role,
        created_at=account.created_at,
    )


def _as_created_key(key: StoredProjectKey, value: str) -> ProjectServiceAccountApiKey:
    return ProjectServiceAccountApiKey(
        object="organization.project.service_account.api_key",
        id=key.id,
        name=key.name,
        created_at=key.created_at,
        expires_at=key.expires_at,
        value=SecretStr(value),
    )


def _as_api_key(key: StoredProjectKey) -> ProjectApiKey:
    return ProjectApiKey(
        object="organization.project.api_key",
        id=key.id,
        name=key.name,
        redacted_value=key.redacted_value,
        created_at=key.created_at,
        expires_at=key.expires_at,
        last_used_at=key.last_used_at,
        owner=key.owner,
        owner_project_access=key.owner_project_access,
        scopes=list(key.scopes),
    )


class ProjectsApi(StoreBacked[ProjectStore]):
    """The projects endpoints over a ``ProjectStore``, guarded by the admin key: an ``EmulatorService``."""

    def __init__(self, store: ProjectStore, admin_key: str, *, show_scopes: bool = False) -> None:
        self.store = store
        self._admin_key = admin_key
        self._show_scopes = show_scopes

    def surface(self) -> ApiSurface:
        """These endpoints as one vendor surface of the emulator."""
        project = PROJECTS_PATH + "/{project_id}"
        account = project + "/service_accounts/{service_account_id}"
        key = project + "/api_keys/{api_key_id}"
        admin = self._admin_only
        return ApiSurface(
            name="openai_projects",
            path_prefix=PROJECTS_PATH,
            # One route per path, so that a 405 lists every method the path allows.
            routes=[
                _route(PROJECTS_PATH, GET=admin(self.list_projects), POST=admin(self.create_project)),
                _route(project, GET=admin(self.retrieve_project)),
                _route(
                    project + "/service_accounts",
                    GET=admin(self.list_service_accounts),
                    POST=admin(self.create_service_account),
                ),
                _route(
                    account,
                    GET=admin(self.retrieve_service_account),
                    DELETE=admin(self.delete_service_account),
                ),
                _route(account + "/api_keys", POST=admin(self.create_service_account_key)),
                _route(project + "/api_keys", GET=admin(self.list_keys)),
                _route(
                    key,
                    GET=admin(self.retrieve_key),
                    POST=admin(self.update_key),
                    DELETE=admin(self.delete_key),
                ),
                _route(MODELS_PATH, GET=self.list_models),
            ],
            render_error=openai_error_response,
        )

    def endpoint(self, root_url: str) -> ServiceEndpoint:
        """``{root_url}/v1``, as the SDK and the client take it, and the configured admin key."""
        return ServiceEndpoint(base_url=root_url + BASE_PATH, credential=self._admin_key)

    # Projects

    async def list_projects(self, request: Request) -> Response:
        """``GET /organization/projects?after=&limit=`` (``include_archived`` is moot: none are)."""
        limit = _limit_or_refusal(request)
        if isinstance(limit, Response):
            return limit
        after = request.query_params.get("after")
        try:
            page = self.store.projects(after=after, limit=limit)
        except UnknownCursorError:
            return _unknown_cursor(after)
        data = [_as_project(project) for project in page.items]
        body = ProjectPage(
            object="list", data=data, has_more=page.has_more, **_page_ids([p.id for p in data])
        )
        return JSONResponse(body.model_dump(mode="json"))

    async def create_project(self, request: Request) -> Response:
        """``POST /organization/projects`` with ``{"name", "external_key_id"?, "residency"?}``."""
        create = await read_body(request, ProjectCreateRequest)
        if isinstance(create, BodyProblem):
            return _body_refusal(create)
        project = self.store.create_project(
            create.name, external_key_id=create.external_key_id, residency=create.residency
        )
        return JSONResponse(_as_project(project).model_dump(mode="json"))

    async def retrieve_project(self, request: Request) -> Response:
        """``GET /organization/projects/{project_id}``."""
        project = self.store.project(request.path_params["project_id"])
        return JSONResponse(_as_project(project).model_dump(mode="json"))

    # Service accounts

    async def list_service_accounts(self, request: Request) -> Response:
        """``GET /organization/projects/{project_id}/service_accounts?after=&limit=``."""
        limit = _limit_or_refusal(request)
        if isinstance(limit, Response):
            return limit
        after = request.query_params.get("after")
        try:
            page = self.store.service_accounts(request.path_params["project_id"], after=after, limit=limit)
        except UnknownCursorError:
            return _unknown_cursor(after)
        data = [_as_service_account(account) for account in page.items]
        body = ProjectServiceAccountPage(
            object="list", data=data, has_more=page.has_more, **_page_ids([a.id for a in data])
        )
        return JSONResponse(body.model_dump(mode="json"))

    async def create_service_account(self, request: Request) -> Response:
        """``POST .../service_accounts`` with ``{"name", "expires_in_seconds"?,
        "create_service_account_only"?}``: the account, with its initial key and value unless only
        the account was asked for."""
        create = await read_body(request, ProjectServiceAccountCreateRequest)
        if isinstance(create, BodyProblem):
            return _body_refusal(create)
        only = create.create_service_account_only is True
        if only and create.expires_in_seconds is not None:
            return _invalid_request(
                "Invalid 'expires_in_seconds': not allowed with 'create_service_account_only'.",
                param="expires_in_seconds",
            )
        account, key = self.store.create_service_account(
            request.path_params["project_id"],
            create.name,
            expires_in_seconds=create.expires_in_seconds,
            with_key=not only,
        )
        # The resource this create makes is the account: its id is what a lost answer is found by.
        note_created_key(request, account.id)
        created = ProjectServiceAccountCreated(
            **dict(_as_service_account(account)),
            api_key=None if key is None else _as_created_key(*key),
        )
        return JSONResponse(created.model_dump(mode="json", context=REVEAL_SECRETS))

    async def retrieve_service_account(self, request: Request) -> Response:
        """``GET .../service_accounts/{service_account_id}``."""
        params = request.path_params
        account = self.store.service_account(params["project_id"], params["service_account_id"])
        return JSONResponse(_as_service_account(account).model_dump(mode="json"))

    async def delete_service_account(self, request: Request) -> Response:
        """``DELETE .../service_accounts/{service_account_id}``: the account and all its keys."""
        params = request.path_params
        account, _ = self.store.delete_service_account(params["project_id"], params["service_account_id"])
        deleted = ProjectServiceAccountDeleted(
            id=account.id, object="organization.project.service_account.deleted", deleted=True
        )
        return JSONResponse(deleted.model_dump(mode="json"))

    async def create_service_account_key(self, request: Request) -> Response:
        """``POST .../service_accounts/{service_account_id}/api_keys`` with ``{"name"?, "scopes"?,
        "expires_in_seconds"?}``: the new key with its value."""
        create = await read_body(request, ServiceAccountApiKeyCreateRequest)
        if isinstance(create, BodyProblem):
            return _body_refusal(create)
        params = request.path_params
        key, value = self.store.create_key(
            params["project_id"],
            params["service_account_id"],
            name=create.name,
            scopes=create.scopes or (),
            expires_in_seconds=create.expires_in_seconds,
        )
        note_created_key(request, key.id)
        return JSONResponse(_as_created_key(key, value).model_dump(mode="json", context=REVEAL_SECRETS))

    # Project API keys

    async def list_keys(self, request: Request) -> Response:
        """``GET .../api_keys?after=&limit=&owner_project_access=``."""
        limit = _limit_or_refusal(request)
        if isinstance(limit, Response):
            return limit
        access = next(
            (a for a in _ACCESS_FILTERS if a == request.query_params.get("owner_project_access", "active")),
            None,
        )
        if access is None:
            return _invalid_request(
                "Invalid 'owner_project_access': expected 'active', 'inactive' or 'any'.",
                param="owner_project_access",
            )
        after = request.query_params.get("after")
        try:
            page = self.store.keys(request.path_params["project_id"], after=after, limit=limit, access=access)
        except UnknownCursorError:
            return _unknown_cursor(after)
        data = [_as_api_key(key) for key in page.items]
        body = ProjectApiKeyPage(
            object="list", data=data, has_more=page.has_more, **_page_ids([k.id for k in data])
        )
        hidden = None if self._show_scopes else {"data": {"__all__": {"scopes"}}}
        return JSONResponse(body.model_dump(mode="json", exclude=hidden))

    async def retrieve_key(self, request: Request) -> Response:
        """``GET .../api_keys/{api_key_id}``."""
        params = request.path_params
        return self._key_response(self.store.key(params["project_id"], params["api_key_id"]))

    async def update_key(self, request: Request) -> Response:
        """``POST .../api_keys/{api_key_id}`` with ``{"scopes"?, "expires_in_seconds"?}``: the same
        key (same id, same value), its scopes replaced and/or its lifetime restarted from now."""
        update = await read_body(request, ProjectApiKeyUpdateRequest)
        if isinstance(update, BodyProblem):
            return _body_refusal(update)
        given = update.model_fields_set
        if not given:
            return _invalid_request("Provide at least one of 'scopes' or 'expires_in_seconds'.", param=None)
        for field in ("scopes", "expires_in_seconds"):
            if field in given and getattr(update, field) is None:
                return _invalid_request(f"Invalid '{field}': it may be omitted, not null.", param=field)
        params = request.path_params
        try:
            key = self.store.update_key(
                params["project_id"],
                params["api_key_id"],
                scopes=update.scopes,
                expires_in_seconds=update.expires_in_seconds,
            )
        except ExpiredKeyError as expired:
            message = f"The API key '{expired.key_id}' has expired: it cannot be updated."
            return _invalid_request(message, param=None)
        return self._key_response(key)

    async def delete_key(self, request: Request) -> Response:
        """``DELETE .../api_keys/{api_key_id}`` (its account and the account's other keys stay)."""
        params = request.path_params
        key = self.store.delete_key(params["project_id"], params["api_key_id"])
        deleted = ProjectApiKeyDeleted(id=key.id, object="organization.project.api_key.deleted", deleted=True)
        return JSONResponse(deleted.model_dump(mode="json"))

    # The data plane's one call

    async def list_models(self, request: Request) -> Response:
        """``GET /v1/models`` with a project key: whether the key works (and it is marked used)."""
        token = bearer_token(request)
        if token is None:
            return openai_error_response(401, _MISSING_KEY_MESSAGE, type="invalid_request_error")
        if self.store.authenticate(token) is None:
            return self._wrong_key()
        return JSONResponse(ModelList(object="list", data=[]).model_dump(mode="json"))

    def _key_response(self, key: StoredProjectKey) -> Response:
        hidden = None if self._show_scopes else {"scopes"}
        return JSONResponse(_as_api_key(key).model_dump(mode="json", exclude=hidden))

    def _admin_only(self, handler: Handler) -> Handler:
        """``handler`` behind the admin key, its missing objects answered with a 404."""

        async def guarded(request: Request) -> Response:
            token = bearer_token(request)
            if token is None:
                return openai_error_response(401, _MISSING_KEY_MESSAGE, type="invalid_request_error")
            if not is_credential(token, self._admin_key):
                return self._wrong_key()
            try:
                return await handler(request)
            except MissingObjectError as missing:
                return _not_found(missing)

        return guarded

    @staticmethod
    def _wrong_key() -> Response:
        return openai_error_response(
            401, _WRONG_KEY_MESSAGE, type="invalid_request_error", code="invalid_api_key"
        )


def _route(path: str, **handlers: Handler) -> Route:
    """One route for ``path``, dispatching on the method (``GET=handler, ...``)."""
    by_method: Mapping[str, Handler] = dict(handlers)

    async def dispatch(request: Request) -> Response:
        # Starlette lets HEAD through wherever GET is allowed.
        return await by_method["GET" if request.method == "HEAD" else request.method](request)

    return Route(path, dispatch, methods=list(by_method))
