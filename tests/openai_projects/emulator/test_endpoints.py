"""The projects endpoints: what each answers, with which status and body."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest

from pulumi_apikeys.emulator import RunningEmulator
from pulumi_apikeys.openai_projects.models import (
    OpenAIErrorBody,
    OwnerUser,
    Project,
    ProjectApiKey,
    ProjectApiKeyDeleted,
    ProjectServiceAccount,
    ProjectServiceAccountApiKey,
    ProjectServiceAccountCreated,
    ProjectServiceAccountDeleted,
    ServiceAccountOwner,
    UserOwner,
)

from .conftest import CreateAccount, CreateKey, StartEmulator, client_of, store_of
from .helpers import MODELS, PROJECTS, SECRET_PATTERN, FakeClock, account_path, key_path, keys_path

GetKey = Callable[[str], httpx.Response]


def _error(response: httpx.Response, status: int) -> tuple[str | None, str]:
    """The error's ``param`` and ``message``, after checking its status and OpenAI's body."""
    assert response.status_code == status, response.text
    error = OpenAIErrorBody.model_validate(response.json()).error
    assert error.type == "invalid_request_error"
    return error.param, error.message


# Projects


def test_create_project_returns_an_active_project(api: httpx.Client) -> None:
    response = api.post(PROJECTS, json={"name": "payments"})

    assert response.status_code == 200
    project = Project.model_validate(response.json())
    assert re.fullmatch(r"proj_[0-9a-f]+", project.id)
    assert (project.name, project.status, project.archived_at) == ("payments", "active", None)


def test_retrieve_project_returns_the_created_project(api: httpx.Client, project_id: str) -> None:
    response = api.get(f"{PROJECTS}/{project_id}")

    assert response.status_code == 200
    assert Project.model_validate(response.json()).id == project_id


def test_list_projects_shows_the_created_projects(api: httpx.Client, project_id: str) -> None:
    body = api.get(PROJECTS).json()

    assert (body["object"], [project["id"] for project in body["data"]]) == ("list", [project_id])


def test_an_unknown_project_is_a_404_naming_it(api: httpx.Client) -> None:
    param, message = _error(api.get(f"{PROJECTS}/proj_unknown"), 404)

    assert param == "project_id"
    assert "proj_unknown" in message


def test_an_account_under_an_unknown_project_is_a_404_for_the_project(api: httpx.Client) -> None:
    param, _ = _error(api.post(f"{PROJECTS}/proj_unknown/service_accounts", json={"name": "a"}), 404)

    assert param == "project_id"


# Service accounts


def test_create_account_returns_it_with_its_initial_key_and_value(api: httpx.Client, project_id: str) -> None:
    response = api.post(f"{PROJECTS}/{project_id}/service_accounts", json={"name": "deployer"})

    assert response.status_code == 200
    created = ProjectServiceAccountCreated.model_validate(response.json())
    assert re.fullmatch(r"svc_acct_[0-9a-f]+", created.id)
    assert (created.name, created.role) == ("deployer", "member")
    assert created.api_key is not None
    assert re.fullmatch(r"key_[0-9a-f]+", created.api_key.id)
    assert SECRET_PATTERN.fullmatch(created.api_key.value.get_secret_value())
    assert created.api_key.expires_at is None


def test_create_account_with_a_lifetime_sets_the_initial_keys_expires_at(
    create_account: CreateAccount,
) -> None:
    key = create_account(expires_in_seconds=3600)["api_key"]

    assert key["expires_at"] == key["created_at"] + 3600


def test_create_account_only_returns_no_key_and_no_role(create_account: CreateAccount) -> None:
    created = create_account(create_service_account_only=True)

    assert (created["api_key"], created["role"]) == (None, "none")


def test_retrieve_account_shows_no_key(
    api: httpx.Client, project_id: str, create_account: CreateAccount
) -> None:
    created = create_account()

    response = api.get(account_path(project_id, created["id"]))

    assert response.status_code == 200
    assert "api_key" not in response.json()
    assert ProjectServiceAccount.model_validate(response.json()).id == created["id"]


def test_list_accounts_shows_the_projects_accounts(
    api: httpx.Client, project_id: str, create_account: CreateAccount
) -> None:
    ids = [create_account(f"a-{index}")["id"] for index in range(2)]

    body = api.get(f"{PROJECTS}/{project_id}/service_accounts").json()

    assert [account["id"] for account in body["data"]] == ids


def test_delete_account_answers_the_deletion(
    api: httpx.Client, project_id: str, create_account: CreateAccount
) -> None:
    created = create_account()

    response = api.delete(account_path(project_id, created["id"]))

    assert response.status_code == 200
    deleted = ProjectServiceAccountDeleted.model_validate(response.json())
    assert (deleted.id, deleted.deleted) == (created["id"], True)
    _error(api.get(account_path(project_id, created["id"])), 404)


def test_delete_account_takes_its_keys_along(
    api: httpx.Client, project_id: str, create_account: CreateAccount, create_key: CreateKey, get_key: GetKey
) -> None:
    account = create_account()
    extra = create_key(account["id"], name="extra")

    api.delete(account_path(project_id, account["id"]))

    assert api.get(keys_path(project_id), params={"owner_project_access": "any"}).json()["data"] == []
    for key_id in (account["api_key"]["id"], extra["id"]):
        _error(get_key(key_id), 404)


def test_an_unknown_account_is_a_404_naming_it(api: httpx.Client, project_id: str) -> None:
    param, message = _error(api.get(account_path(project_id, "svc_acct_unknown")), 404)

    assert param == "service_account_id"
    assert "svc_acct_unknown" in message


def test_an_account_of_another_project_is_a_404_here(
    api: httpx.Client, project_id: str, create_account: CreateAccount
) -> None:
    account = create_account()
    other = api.post(PROJECTS, json={"name": "other"}).json()["id"]

    param, _ = _error(api.get(account_path(other, account["id"])), 404)

    assert param == "service_account_id"


# Extra keys


def test_create_key_returns_it_with_its_value(
    api: httpx.Client, project_id: str, create_account: CreateAccount
) -> None:
    account = create_account()

    response = api.post(
        f"{account_path(project_id, account['id'])}/api_keys",
        json={"name": "extra", "scopes": ["api.model.read"], "expires_in_seconds": 600},
    )

    assert response.status_code == 200
    key = ProjectServiceAccountApiKey.model_validate(response.json())
    assert key.name == "extra"
    assert key.expires_at == key.created_at + 600
    assert key.value.get_secret_value().startswith("sk-svcacct-")


def test_a_key_for_an_unknown_account_is_a_404_for_the_account(api: httpx.Client, project_id: str) -> None:
    param, _ = _error(api.post(f"{account_path(project_id, 'svc_acct_unknown')}/api_keys", json={}), 404)

    assert param == "service_account_id"


# Project API keys


def test_list_keys_shows_every_accounts_keys_without_values(
    api: httpx.Client, project_id: str, create_account: CreateAccount, create_key: CreateKey
) -> None:
    account = create_account()
    extra = create_key(account["id"], name="extra")

    body = api.get(keys_path(project_id)).json()

    assert [key["id"] for key in body["data"]] == [account["api_key"]["id"], extra["id"]]
    assert all("value" not in key for key in body["data"])
    assert extra["value"] not in str(body)


def test_retrieve_key_shows_its_owner_and_access(
    project_id: str, create_account: CreateAccount, get_key: GetKey
) -> None:
    account = create_account("deployer")

    response = get_key(account["api_key"]["id"])

    assert response.status_code == 200
    key = ProjectApiKey.model_validate(response.json())
    assert isinstance(key.owner, ServiceAccountOwner)
    assert (key.owner.service_account.id, key.owner.service_account.name) == (account["id"], "deployer")
    assert key.owner_project_access == "active"
    assert key.redacted_value == "sk-svcacct..." + account["api_key"]["value"][-3:]


def test_scopes_are_left_out_by_default(
    create_account: CreateAccount, create_key: CreateKey, get_key: GetKey
) -> None:
    key = create_key(create_account()["id"], scopes=["api.model.read"])

    assert "scopes" not in get_key(key["id"]).json()


def test_an_emulator_can_show_scopes(start_projects_emulator: StartEmulator) -> None:
    running = start_projects_emulator(show_scopes=True)
    with client_of(running) as api:
        project = api.post(PROJECTS, json={"name": "app"}).json()["id"]
        account = api.post(f"{PROJECTS}/{project}/service_accounts", json={"name": "a"}).json()
        key = api.post(
            f"{account_path(project, account['id'])}/api_keys", json={"scopes": ["api.model.read"]}
        )

        listed = api.get(keys_path(project)).json()["data"]
        retrieved = api.get(key_path(project, key.json()["id"])).json()

    assert [entry["scopes"] for entry in listed] == [[], ["api.model.read"]]
    assert retrieved["scopes"] == ["api.model.read"]


def test_update_replaces_the_scopes_of_the_same_key(start_projects_emulator: StartEmulator) -> None:
    running = start_projects_emulator(show_scopes=True)
    with client_of(running) as api:
        project = api.post(PROJECTS, json={"name": "app"}).json()["id"]
        account = api.post(f"{PROJECTS}/{project}/service_accounts", json={"name": "a"}).json()
        key_id = account["api_key"]["id"]

        response = api.post(key_path(project, key_id), json={"scopes": ["api.files.read"]})

        assert response.status_code == 200
        assert (response.json()["id"], response.json()["scopes"]) == (key_id, ["api.files.read"])
        assert api.get(key_path(project, key_id)).json()["scopes"] == ["api.files.read"]


def test_update_restarts_the_lifetime_from_now(
    api: httpx.Client, project_id: str, create_account: CreateAccount
) -> None:
    key = create_account(expires_in_seconds=60)["api_key"]

    updated = api.post(key_path(project_id, key["id"]), json={"expires_in_seconds": 7200}).json()

    assert updated["id"] == key["id"]
    assert updated["expires_at"] >= key["created_at"] + 7200


def test_update_keeps_the_value(
    api: httpx.Client, projects_emulator: RunningEmulator, project_id: str, create_account: CreateAccount
) -> None:
    key = create_account()["api_key"]

    api.post(key_path(project_id, key["id"]), json={"scopes": ["api.model.read"]})

    with client_of(projects_emulator, key["value"]) as app:
        assert app.get(MODELS).status_code == 200


def test_update_answers_without_the_value(
    api: httpx.Client, project_id: str, create_account: CreateAccount
) -> None:
    key = create_account()["api_key"]

    response = api.post(key_path(project_id, key["id"]), json={"scopes": []})

    assert "value" not in response.json()
    assert key["value"] not in response.text


def test_delete_key_answers_the_deletion_and_leaves_the_account(
    api: httpx.Client, project_id: str, create_account: CreateAccount, get_key: GetKey
) -> None:
    account = create_account()
    key_id = account["api_key"]["id"]

    response = api.delete(key_path(project_id, key_id))

    deleted = ProjectApiKeyDeleted.model_validate(response.json())
    assert (deleted.id, deleted.deleted, deleted.object) == (
        key_id,
        True,
        "organization.project.api_key.deleted",
    )
    _error(get_key(key_id), 404)
    assert api.get(account_path(project_id, account["id"])).status_code == 200


def test_an_unknown_key_is_a_404_naming_it(get_key: GetKey) -> None:
    param, message = _error(get_key("key_unknown"), 404)

    assert param == "api_key_id"
    assert "key_unknown" in message


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_a_key_of_another_project_is_a_404_here(
    api: httpx.Client, create_account: CreateAccount, method: str
) -> None:
    key_id = create_account()["api_key"]["id"]
    other = api.post(PROJECTS, json={"name": "other"}).json()["id"]

    response = api.request(method, key_path(other, key_id), json={"scopes": []} if method == "POST" else None)

    assert _error(response, 404)[0] == "api_key_id"


def test_a_key_whose_owner_lost_access_is_listed_only_when_asked(
    api: httpx.Client, projects_emulator: RunningEmulator, project_id: str, create_account: CreateAccount
) -> None:
    account = create_account()
    key_id = account["api_key"]["id"]
    store_of(projects_emulator).set_owner_access(project_id, account["id"], "inactive")

    def listed(access: str | None) -> list[str]:
        params = {} if access is None else {"owner_project_access": access}
        return [key["id"] for key in api.get(keys_path(project_id), params=params).json()["data"]]

    assert (listed(None), listed("inactive"), listed("any")) == ([], [key_id], [key_id])
    assert api.get(key_path(project_id, key_id)).json()["owner_project_access"] == "inactive"


def test_a_user_key_shows_a_user_owner(
    projects_emulator: RunningEmulator, project_id: str, get_key: GetKey
) -> None:
    user = OwnerUser(id="user-abc", name="Ada", email="ada@example.com", role="owner", created_at=1)
    key, _ = store_of(projects_emulator).add_user_key(project_id, user, "laptop")

    owner = ProjectApiKey.model_validate(get_key(key.id).json()).owner

    assert isinstance(owner, UserOwner)
    assert owner.user == user


# Using a key


def test_a_created_key_works(projects_emulator: RunningEmulator, create_account: CreateAccount) -> None:
    value = create_account()["api_key"]["value"]

    with client_of(projects_emulator, value) as app:
        response = app.get(MODELS)

    assert (response.status_code, response.json()) == (200, {"object": "list", "data": []})


def test_using_a_key_sets_its_last_used_at(
    projects_emulator: RunningEmulator, create_account: CreateAccount, get_key: GetKey
) -> None:
    key = create_account()["api_key"]

    with client_of(projects_emulator, key["value"]) as app:
        app.get(MODELS)

    assert get_key(key["id"]).json()["last_used_at"] >= key["created_at"]


def test_an_expired_key_no_longer_works(start_projects_emulator: StartEmulator) -> None:
    clock = FakeClock()
    running = start_projects_emulator(clock=clock)
    with client_of(running) as api:
        project = api.post(PROJECTS, json={"name": "app"}).json()["id"]
        account = api.post(
            f"{PROJECTS}/{project}/service_accounts", json={"name": "a", "expires_in_seconds": 60}
        ).json()

    clock.now += 60

    with client_of(running, account["api_key"]["value"]) as app:
        assert app.get(MODELS).status_code == 401


def test_an_expired_key_cannot_be_updated(start_projects_emulator: StartEmulator) -> None:
    clock = FakeClock()
    running = start_projects_emulator(clock=clock)
    with client_of(running) as api:
        project = api.post(PROJECTS, json={"name": "app"}).json()["id"]
        account = api.post(
            f"{PROJECTS}/{project}/service_accounts", json={"name": "a", "expires_in_seconds": 60}
        ).json()
        clock.now += 60

        response = api.post(key_path(project, account["api_key"]["id"]), json={"scopes": []})

    assert "expired" in _error(response, 400)[1]


def test_a_deleted_key_no_longer_works(
    api: httpx.Client, projects_emulator: RunningEmulator, project_id: str, create_account: CreateAccount
) -> None:
    key = create_account()["api_key"]
    api.delete(key_path(project_id, key["id"]))

    with client_of(projects_emulator, key["value"]) as app:
        assert app.get(MODELS).status_code == 401


def test_the_admin_key_is_no_project_key(api: httpx.Client) -> None:
    assert api.get(MODELS).status_code == 401


# What the request log records


def test_an_account_create_records_the_accounts_id(
    projects_emulator: RunningEmulator, create_account: CreateAccount
) -> None:
    account = create_account()

    assert projects_emulator.control.requests()[-1].key_id == account["id"]


def test_a_key_create_records_the_keys_id(
    projects_emulator: RunningEmulator, create_account: CreateAccount, create_key: CreateKey
) -> None:
    key = create_key(create_account()["id"])

    assert projects_emulator.control.requests()[-1].key_id == key["id"]


def test_the_health_check_counts_project_keys(
    projects_emulator: RunningEmulator, create_account: CreateAccount, create_key: CreateKey
) -> None:
    create_key(create_account()["id"])

    assert projects_emulator.control.health().keys == {"openai_projects": 2}


def test_a_method_the_path_does_not_allow_is_a_405(api: httpx.Client, project_id: str) -> None:
    response = api.delete(f"{PROJECTS}/{project_id}")

    assert response.status_code == 405
    assert OpenAIErrorBody.model_validate(response.json()).error.message.startswith("Method not allowed")


def test_using_the_admin_key_leaves_created_keys_unused(
    api: httpx.Client, project_id: str, create_account: CreateAccount, get_key: GetKey
) -> None:
    key = create_account()["api_key"]

    api.get(keys_path(project_id))

    assert get_key(key["id"]).json()["last_used_at"] is None
