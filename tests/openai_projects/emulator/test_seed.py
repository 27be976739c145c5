"""The emulator's default project and service account: there when it starts and after a reset, as
every real organization has its "Default project", so that programs have something to point at."""

from __future__ import annotations

import httpx

from pulumi_apikeys.openai_projects.emulator_service import DEFAULT_PROJECT_ID, DEFAULT_SERVICE_ACCOUNT_ID

from .conftest import StartEmulator, client_of
from .helpers import PROJECTS, accounts_path


def _project_ids(api: httpx.Client) -> list[str]:
    return [p["id"] for p in api.get(PROJECTS).json()["data"]]


def test_a_fresh_emulator_holds_the_default_project_and_its_account_without_keys(
    start_projects_emulator: StartEmulator,
) -> None:
    running = start_projects_emulator(default_project_id=DEFAULT_PROJECT_ID)

    with client_of(running) as api:
        assert _project_ids(api) == [DEFAULT_PROJECT_ID]
        accounts = api.get(accounts_path(DEFAULT_PROJECT_ID)).json()["data"]
        assert [(a["id"], a["role"]) for a in accounts] == [(DEFAULT_SERVICE_ACCOUNT_ID, "member")]
        keys = api.get(f"{PROJECTS}/{DEFAULT_PROJECT_ID}/api_keys", params={"owner_project_access": "any"})
        assert keys.json()["data"] == []


def test_a_reset_makes_the_seed_again(start_projects_emulator: StartEmulator) -> None:
    running = start_projects_emulator(default_project_id=DEFAULT_PROJECT_ID)
    with client_of(running) as api:
        api.delete(f"{accounts_path(DEFAULT_PROJECT_ID)}/{DEFAULT_SERVICE_ACCOUNT_ID}")

        running.control.reset()

        assert _project_ids(api) == [DEFAULT_PROJECT_ID]
        found = api.get(f"{accounts_path(DEFAULT_PROJECT_ID)}/{DEFAULT_SERVICE_ACCOUNT_ID}")
        assert found.status_code == 200


def test_a_key_of_the_default_account_is_active(start_projects_emulator: StartEmulator) -> None:
    running = start_projects_emulator(default_project_id=DEFAULT_PROJECT_ID)
    with client_of(running) as api:
        account = f"{accounts_path(DEFAULT_PROJECT_ID)}/{DEFAULT_SERVICE_ACCOUNT_ID}"
        created = api.post(f"{account}/api_keys", json={})
        assert created.status_code == 200, created.text

        key = api.get(f"{PROJECTS}/{DEFAULT_PROJECT_ID}/api_keys/{created.json()['id']}").json()

        assert key["owner_project_access"] == "active"


def test_without_a_default_project_the_emulator_starts_empty(start_projects_emulator: StartEmulator) -> None:
    running = start_projects_emulator(default_project_id=None)

    with client_of(running) as api:
        assert _project_ids(api) == []
