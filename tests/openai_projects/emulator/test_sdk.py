"""The official ``openai`` SDK against the projects emulator: proof that the emulator speaks the real API.

The SDK sends the admin key given as ``admin_api_key`` on the ``admin`` endpoints (``api_key`` is
for the rest of the API, where a project key goes).
"""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest
from openai.resources.admin.organization.projects import Projects

from pulumi_apikeys.emulator import FaultPlan, RunningEmulator

from .conftest import StartEmulator, store_of
from .helpers import SERVICE_NAME, FakeClock

pytestmark = pytest.mark.sdk


def _client(
    running: RunningEmulator, *, admin_key: str | None = None, api_key: str = "unused", max_retries: int = 0
) -> openai.OpenAI:
    endpoint = running.endpoint(SERVICE_NAME)
    return openai.OpenAI(
        admin_api_key=admin_key or endpoint.credential,
        api_key=api_key,
        base_url=endpoint.base_url,
        max_retries=max_retries,
    )


@pytest.fixture
def sdk(projects_emulator: RunningEmulator) -> Iterator[openai.OpenAI]:
    with _client(projects_emulator) as client:
        yield client


@pytest.fixture
def projects(sdk: openai.OpenAI) -> Projects:
    return sdk.admin.organization.projects


@pytest.fixture
def project_id(projects: Projects) -> str:
    return projects.create(name="sdk-project").id


def test_create_project_then_retrieve_and_list_it(projects: Projects) -> None:
    created = projects.create(name="sdk-project")

    assert projects.retrieve(created.id).name == "sdk-project"
    assert [project.id for project in projects.list()] == [created.id]


def test_create_account_returns_its_key_value_once(projects: Projects, project_id: str) -> None:
    created = projects.service_accounts.create(project_id, name="deployer", expires_in_seconds=600)

    assert (created.name, created.role) == ("deployer", "member")
    assert created.api_key is not None
    assert created.api_key.value.startswith("sk-svcacct-")
    assert created.api_key.expires_at == created.api_key.created_at + 600
    retrieved = projects.service_accounts.retrieve(created.id, project_id=project_id)
    assert not hasattr(retrieved, "api_key")
    listed = projects.api_keys.retrieve(created.api_key.id, project_id=project_id)
    assert created.api_key.value not in listed.model_dump_json()


def test_create_account_only_makes_no_key(projects: Projects, project_id: str) -> None:
    created = projects.service_accounts.create(project_id, name="bare", create_service_account_only=True)

    assert (created.api_key, created.role) == (None, "none")


def test_auto_paging_walks_every_account_across_pages(projects: Projects, project_id: str) -> None:
    accounts = projects.service_accounts
    created = [
        accounts.create(project_id, name=f"a-{index}", create_service_account_only=True).id
        for index in range(25)
    ]

    assert [account.id for account in accounts.list(project_id, limit=10)] == created


def test_a_page_reports_whether_more_follow(projects: Projects, project_id: str) -> None:
    for index in range(3):
        projects.service_accounts.create(project_id, name=f"a-{index}", create_service_account_only=True)

    page = projects.service_accounts.list(project_id, limit=2)

    assert (len(page.data), page.has_more, page.has_next_page()) == (2, True, True)


def test_an_extra_key_is_listed_with_its_service_account_owner(projects: Projects, project_id: str) -> None:
    account = projects.service_accounts.create(project_id, name="deployer")

    extra = projects.service_accounts.api_keys.create(
        account.id, project_id=project_id, name="extra", scopes=["api.model.read"]
    )

    assert extra.value.startswith("sk-svcacct-")
    listed = {key.id: key for key in projects.api_keys.list(project_id, limit=1)}
    assert account.api_key is not None
    assert list(listed) == [account.api_key.id, extra.id]
    owner = listed[extra.id].owner
    assert (owner.type, owner.service_account and owner.service_account.id) == ("service_account", account.id)
    assert listed[extra.id].owner_project_access == "active"


def test_update_changes_the_scopes_of_the_same_key(
    start_projects_emulator: StartEmulator,
) -> None:
    running = start_projects_emulator(show_scopes=True)
    with _client(running) as client:
        projects = client.admin.organization.projects
        project_id = projects.create(name="p").id
        account = projects.service_accounts.create(project_id, name="deployer")
        assert account.api_key is not None

        updated = projects.api_keys.update(
            account.api_key.id, project_id=project_id, scopes=["api.files.read"]
        )
        retrieved = projects.api_keys.retrieve(account.api_key.id, project_id=project_id)

    assert updated.id == account.api_key.id
    # `scopes` is no field of the SDK's model: it is kept as an extra one.
    assert (updated.model_extra or {}).get("scopes") == ["api.files.read"]
    assert (retrieved.model_extra or {}).get("scopes") == ["api.files.read"]


def test_update_restarts_the_lifetime_and_keeps_the_value(
    projects: Projects, projects_emulator: RunningEmulator, project_id: str
) -> None:
    account = projects.service_accounts.create(project_id, name="deployer", expires_in_seconds=60)
    assert account.api_key is not None

    updated = projects.api_keys.update(account.api_key.id, project_id=project_id, expires_in_seconds=7200)

    assert updated.id == account.api_key.id
    assert updated.expires_at is not None
    assert updated.expires_at >= account.api_key.created_at + 7200
    with _client(projects_emulator, api_key=account.api_key.value) as app:
        assert list(app.models.list()) == []


def test_delete_key_leaves_the_account(projects: Projects, project_id: str) -> None:
    account = projects.service_accounts.create(project_id, name="deployer")
    assert account.api_key is not None

    deleted = projects.api_keys.delete(account.api_key.id, project_id=project_id)

    assert (deleted.id, deleted.deleted, deleted.object) == (
        account.api_key.id,
        True,
        "organization.project.api_key.deleted",
    )
    assert projects.service_accounts.retrieve(account.id, project_id=project_id).id == account.id


def test_deleting_an_account_takes_its_keys_along(projects: Projects, project_id: str) -> None:
    account = projects.service_accounts.create(project_id, name="deployer")
    extra = projects.service_accounts.api_keys.create(account.id, project_id=project_id, name="extra")

    deleted = projects.service_accounts.delete(account.id, project_id=project_id)

    assert (deleted.id, deleted.deleted, deleted.object) == (
        account.id,
        True,
        "organization.project.service_account.deleted",
    )
    assert list(projects.api_keys.list(project_id, owner_project_access="any")) == []
    with pytest.raises(openai.NotFoundError):
        projects.api_keys.retrieve(extra.id, project_id=project_id)


def test_a_key_whose_owner_lost_access_is_listed_when_asked(
    projects: Projects, projects_emulator: RunningEmulator, project_id: str
) -> None:
    account = projects.service_accounts.create(project_id, name="deployer")
    store_of(projects_emulator).set_owner_access(project_id, account.id, "inactive")

    listed = list(projects.api_keys.list(project_id, owner_project_access="inactive"))

    assert [key.owner_project_access for key in listed] == ["inactive"]


def test_an_unknown_project_raises_not_found_error(projects: Projects) -> None:
    with pytest.raises(openai.NotFoundError) as raised:
        projects.retrieve("proj_unknown")

    assert raised.value.request_id is not None
    assert raised.value.request_id.startswith("req_")


def test_an_unknown_account_raises_not_found_error(projects: Projects, project_id: str) -> None:
    with pytest.raises(openai.NotFoundError):
        projects.service_accounts.api_keys.create("svc_acct_unknown", project_id=project_id, name="k")


def test_a_wrong_admin_key_raises_authentication_error(projects_emulator: RunningEmulator) -> None:
    with (
        _client(projects_emulator, admin_key="sk-admin-wrong") as client,
        pytest.raises(openai.AuthenticationError),
    ):
        client.admin.organization.projects.list()


def test_a_bad_request_raises_bad_request_error(projects: Projects, project_id: str) -> None:
    with pytest.raises(openai.BadRequestError):
        projects.service_accounts.create(project_id, name="")


def test_a_service_accounts_key_works_as_the_sdk_api_key(
    projects: Projects, projects_emulator: RunningEmulator, project_id: str
) -> None:
    account = projects.service_accounts.create(project_id, name="app")
    assert account.api_key is not None

    with _client(projects_emulator, api_key=account.api_key.value) as app:
        assert list(app.models.list()) == []


def test_an_expired_key_raises_authentication_error(start_projects_emulator: StartEmulator) -> None:
    clock = FakeClock()
    running = start_projects_emulator(clock=clock)
    with _client(running) as client:
        projects = client.admin.organization.projects
        project_id = projects.create(name="p").id
        account = projects.service_accounts.create(project_id, name="app", expires_in_seconds=60)
        assert account.api_key is not None

    clock.now += 60

    with _client(running, api_key=account.api_key.value) as app, pytest.raises(openai.AuthenticationError):
        app.models.list()


def test_the_sdk_retries_a_rate_limit_to_success(projects_emulator: RunningEmulator) -> None:
    # retry-after-ms takes precedence in the SDK; it keeps the test quick.
    projects_emulator.control.set_faults(FaultPlan(script=["rate_limit", "rate_limit"], retry_after_ms=50))

    with _client(projects_emulator, max_retries=2) as client:
        created = client.admin.organization.projects.create(name="patient")

    assert created.name == "patient"
    assert [entry.status for entry in projects_emulator.control.requests()] == [429, 429, 200]
