"""The REST calls of OpenAI's projects, project service accounts and project API keys, on the shared
HTTP layer (``docs/openai-projects-api.md`` says what each relies on)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

import httpx
from pydantic import SecretStr, ValidationError

from pulumi_apikeys._http import path_segment
from pulumi_apikeys.core.client_base import ApiClient, ApiIdentity, Page, check_name, check_text, paginate
from pulumi_apikeys.core.reconcile import LEDGER, CreateAttempt, KeyLedger, RecentKey
from pulumi_apikeys.errors import InvalidArgumentError, NotFoundError
from pulumi_apikeys.openai_projects.declaration import ADMIN_KEY_ENV, BASE_URL_ENV
from pulumi_apikeys.openai_projects.limits import EXPIRES_IN_SECONDS_MAX, EXPIRES_IN_SECONDS_MIN
from pulumi_apikeys.openai_projects.models import (
    OpenAIErrorBody,
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
    ServiceAccountOwner,
)
from pulumi_apikeys.settings import RetryPolicy

__all__ = ["DEFAULT_BASE_URL", "ProjectsClient", "openai_error_message"]

DEFAULT_BASE_URL = "https://api.openai.com/v1"

_PROJECTS = "/organization/projects"
_PAGE_LIMIT_MAX = 100
# The API computes ``expires_at`` from its own clock when it creates the key; allow for a slow create.
_LIFETIME_TOLERANCE_SECONDS = 5


def openai_error_message(body: bytes) -> str | None:
    """The ``error.message`` of an OpenAI error body, or ``None`` if the body is not one."""
    try:
        return OpenAIErrorBody.model_validate_json(body).error.message
    except ValidationError:
        return None


class ProjectsClient(ApiClient):
    """Projects, their service accounts and their API keys, with the organization's admin key.

    ::

        client = ProjectsClient()                 # OPENAI_ADMIN_KEY, OPENAI_BASE_URL
        account = client.create_service_account("proj_abc", name="billing-api")
        use(account.api_key.value.get_secret_value())   # shown this once, never again
        extra = client.create_service_account_key("proj_abc", account.id, name="billing-api 2")
        client.update_api_key("proj_abc", extra.id, scopes=["api.model.read"])
        client.delete_service_account("proj_abc", account.id)   # its keys go with it

    The admin key comes from ``admin_key``, else ``OPENAI_ADMIN_KEY``; the base URL from
    ``base_url``, else ``OPENAI_BASE_URL``, else ``https://api.openai.com/v1``. A create whose answer
    is lost is reconciled (``core.reconcile``): it ends with one new account (or key), or none.
    Safe to share between threads.
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

    # ---------------------------------------------------------------------------------- projects

    def create_project(self, *, name: str) -> Project:
        """Create a project (what the demo and the tests start from; the resources do not make one)."""
        check_text(name, "name")
        body = ProjectCreateRequest(name=name).model_dump(exclude_none=True)
        return self._http.request("openai.projects.create", "POST", _PROJECTS, model=Project, json=body)

    def retrieve_project(self, project_id: str) -> Project:
        """The project with this id; ``NotFoundError`` if there is none."""
        return self._http.request("openai.projects.retrieve", "GET", _project(project_id), model=Project)

    def list_projects(self) -> Iterator[Project]:
        """Every project, in the API's order."""
        return self._paged("openai.projects.list", _PROJECTS, ProjectPage)

    # -------------------------------------------------------------------------- service accounts

    def create_service_account(
        self, project_id: str, *, name: str, expires_in_seconds: int | None = None
    ) -> ProjectServiceAccountCreated:
        """Create a service account with its initial key, whose ``value`` is in the answer only.

        Ends with exactly one new account, or none: an account a lost answer left behind is
        deleted (its key with it) before the next attempt.
        """
        check_name(name)
        _check_lifetime(expires_in_seconds)
        body = ProjectServiceAccountCreateRequest(name=name, expires_in_seconds=expires_in_seconds)
        path = _project(project_id) + "/service_accounts"

        def send() -> ProjectServiceAccountCreated:
            return self._http.request(
                "openai.projects.service_accounts.create",
                "POST",
                path,
                model=ProjectServiceAccountCreated,
                json=body.model_dump(exclude_none=True),
            )

        def recent(since: float) -> Iterator[RecentKey]:
            for account in self.list_service_accounts(project_id):
                if account.created_at >= since and account.name == name:
                    yield RecentKey(account.id, account.created_at, True)

        attempt = CreateAttempt(
            scope=f"OpenAI service account named {name!r} of project {project_id!r}",
            create=send,
            created_id=lambda created: created.id,
            recent=recent,
            delete=lambda account_id: self.delete_service_account(project_id, account_id),
        )
        return self.reconciled_create(attempt)

    def retrieve_service_account(self, project_id: str, service_account_id: str) -> ProjectServiceAccount:
        """The account with this id in this project; ``NotFoundError`` if there is none."""
        return self._http.request(
            "openai.projects.service_accounts.retrieve",
            "GET",
            _account(project_id, service_account_id),
            model=ProjectServiceAccount,
        )

    def list_service_accounts(self, project_id: str) -> Iterator[ProjectServiceAccount]:
        """Every service account of the project, in creation order."""
        return self._paged(
            "openai.projects.service_accounts.list",
            _project(project_id) + "/service_accounts",
            ProjectServiceAccountPage,
        )

    def delete_service_account(self, project_id: str, service_account_id: str) -> bool:
        """Delete the account and its keys: ``True`` if this call did, ``False`` if it was gone."""
        try:
            result = self._http.request(
                "openai.projects.service_accounts.delete",
                "DELETE",
                _account(project_id, service_account_id),
                model=ProjectServiceAccountDeleted,
            )
        except NotFoundError:
            return False  # "already gone" is the state the caller wanted
        return result.deleted

    # ------------------------------------------------------------------------------- API keys

    def create_service_account_key(
        self,
        project_id: str,
        service_account_id: str,
        *,
        name: str,
        scopes: Sequence[str] | None = None,
        expires_in_seconds: int | None = None,
    ) -> ProjectServiceAccountApiKey:
        """One more key of a service account; its ``value`` is in the answer and nowhere else.

        Ends with exactly one new key, or none (``core.reconcile``), like ``create_service_account``.
        """
        check_name(name)
        _check_lifetime(expires_in_seconds)
        body = ServiceAccountApiKeyCreateRequest(
            name=name, scopes=_checked_scopes(scopes), expires_in_seconds=expires_in_seconds
        )
        path = _account(project_id, service_account_id) + "/api_keys"

        def send() -> ProjectServiceAccountApiKey:
            return self._http.request(
                "openai.projects.service_accounts.api_keys.create",
                "POST",
                path,
                model=ProjectServiceAccountApiKey,
                json=body.model_dump(exclude_none=True),
            )

        def recent(since: float) -> Iterator[RecentKey]:
            for key in self.list_api_keys(project_id):
                if key.created_at >= since and key.name == name and owner_id(key) == service_account_id:
                    yield RecentKey(key.id, key.created_at, _lifetime_matches(key, expires_in_seconds))

        attempt = CreateAttempt(
            scope=f"OpenAI project key named {name!r} of service account {service_account_id!r}",
            create=send,
            created_id=lambda created: created.id,
            recent=recent,
            delete=lambda key_id: self.delete_api_key(project_id, key_id),
        )
        return self.reconciled_create(attempt)

    def list_api_keys(self, project_id: str) -> Iterator[ProjectApiKey]:
        """Every API key of the project, users' and service accounts', in creation order: those
        whose owner lost access to the project too (``owner_project_access=any``; the list's
        default may show only the others)."""
        keys: Iterator[ProjectApiKey] = self._paged(
            "openai.projects.api_keys.list",
            _project(project_id) + "/api_keys",
            ProjectApiKeyPage,
            owner_project_access="any",
        )
        return (_in_project(key, project_id) for key in keys)

    def retrieve_api_key(self, project_id: str, key_id: str) -> ProjectApiKey:
        """The key with this id in this project; ``NotFoundError`` if there is none."""
        key = self._http.request(
            "openai.projects.api_keys.retrieve", "GET", _key(project_id, key_id), model=ProjectApiKey
        )
        return _in_project(key, project_id)

    def update_api_key(
        self,
        project_id: str,
        key_id: str,
        *,
        scopes: Sequence[str] | None = None,
        expires_in_seconds: int | None = None,
    ) -> ProjectApiKey:
        """Change the key's scopes and/or lifetime in place (same id, same value); at least one.

        ``scopes=[]`` lifts the restrictions; a new lifetime counts from now, not from its creation.
        """
        if scopes is None and expires_in_seconds is None:
            raise InvalidArgumentError("an update needs scopes or expires_in_seconds")
        _check_lifetime(expires_in_seconds)
        body = ProjectApiKeyUpdateRequest(
            scopes=_checked_scopes(scopes), expires_in_seconds=expires_in_seconds
        )
        key = self._http.request(
            "openai.projects.api_keys.update",
            "POST",
            _key(project_id, key_id),
            model=ProjectApiKey,
            json=body.model_dump(exclude_none=True),
        )
        return _in_project(key, project_id)

    def delete_api_key(self, project_id: str, key_id: str) -> bool:
        """Delete the key: ``True`` if this call deleted it, ``False`` if it was already gone."""
        try:
            result = self._http.request(
                "openai.projects.api_keys.delete",
                "DELETE",
                _key(project_id, key_id),
                model=ProjectApiKeyDeleted,
            )
        except NotFoundError:
            return False
        return result.deleted

    # -------------------------------------------------------------------------------- helpers

    def _paged(self, call: str, path: str, page_model: type[_PageT], **query: str) -> Iterator[Any]:
        """Every item of a list, fetching pages of 100 lazily (the caller names the item type)."""

        def fetch(cursor: str | None) -> Page[Any]:
            params: dict[str, str | int] = {"limit": _PAGE_LIMIT_MAX, **query}
            if cursor is not None:
                params["after"] = cursor
            page = self._http.request(call, "GET", path, model=page_model, params=params)
            more = page.has_more and bool(page.data)
            return Page(page.data, page.data[-1].id if more else None)

        return paginate(call, fetch)


_PageT = TypeVar("_PageT", ProjectPage, ProjectServiceAccountPage, ProjectApiKeyPage)


def _in_project(key: ProjectApiKey, project_id: str) -> ProjectApiKey:
    """The key, knowing the project it was asked for under (the API's answer does not say)."""
    return key.model_copy(update={"project_id": project_id})


def owner_id(key: ProjectApiKey) -> str | None:
    """The id of the service account that owns ``key``; ``None`` for a user's key."""
    return key.owner.service_account.id if isinstance(key.owner, ServiceAccountOwner) else None


def _project(project_id: str) -> str:
    return f"{_PROJECTS}/{path_segment(project_id, 'project_id')}"


def _account(project_id: str, service_account_id: str) -> str:
    return f"{_project(project_id)}/service_accounts/{path_segment(service_account_id, 'service_account_id')}"


def _key(project_id: str, key_id: str) -> str:
    return f"{_project(project_id)}/api_keys/{path_segment(key_id, 'key_id')}"


def _checked_scopes(scopes: Sequence[str] | None) -> list[str] | None:
    if scopes is None:
        return None
    if isinstance(scopes, str) or not all(isinstance(s, str) and s.strip() for s in scopes):
        raise InvalidArgumentError("scopes must be a list of non-empty strings")
    return sorted(set(scopes))


def _check_lifetime(value: object) -> None:
    if value is None:
        return
    # bool is an int subclass: True would otherwise be sent as 1 second.
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgumentError(f"expires_in_seconds must be an integer, not {type(value).__name__}")
    if not EXPIRES_IN_SECONDS_MIN <= value <= EXPIRES_IN_SECONDS_MAX:
        raise InvalidArgumentError(
            f"expires_in_seconds must be from {EXPIRES_IN_SECONDS_MIN} to {EXPIRES_IN_SECONDS_MAX} "
            f"(365 days), not {value}"
        )


def _lifetime_matches(key: ProjectApiKey, expires_in_seconds: int | None) -> bool:
    """Whether the key's lifetime is the one a create asked for."""
    if expires_in_seconds is None or key.expires_at is None:
        return expires_in_seconds is None and key.expires_at is None
    return abs(key.expires_at - key.created_at - expires_in_seconds) <= _LIFETIME_TOLERANCE_SECONDS
