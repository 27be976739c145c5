"""``pulumi-apikeys openai_projects …`` against the emulator's default project: list, accounts, get,
and the import file of a project's service account keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pulumi_apikeys.cli import main
from pulumi_apikeys.emulator import RunningEmulator
from pulumi_apikeys.openai_projects.client import ProjectsClient
from pulumi_apikeys.openai_projects.models import OwnerUser
from tests.backends.openai_projects import ACCOUNT, PROJECT, client, store


@pytest.fixture
def run(emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch):
    endpoint = emulator.endpoint("openai_projects")
    monkeypatch.setenv("OPENAI_ADMIN_KEY", endpoint.credential)
    monkeypatch.setenv("OPENAI_BASE_URL", endpoint.base_url)

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, ["openai_projects", *args])

    return invoke


@pytest.fixture
def api(emulator: RunningEmulator) -> ProjectsClient:
    return client(emulator)


def test_list_shows_the_projects_keys_with_their_owner_and_access_never_a_value(run, api, emulator):
    key = api.create_service_account_key(PROJECT, ACCOUNT, name="billing")
    store(emulator).add_user_key(PROJECT, OwnerUser(id="user-abc"), "from the dashboard")

    result = run("list", "--project", PROJECT)

    assert result.exit_code == 0, result.output
    header, *rows = result.output.splitlines()
    assert header.split() == [
        "ID",
        "NAME",
        "REDACTED_VALUE",
        "OWNER",
        "ACCESS",
        "CREATED",
        "EXPIRES",
        "LAST_USED",
    ]
    assert rows[0].split()[:2] == [key.id, "billing"]
    assert f"service account {ACCOUNT}" in rows[0]
    assert "a user" in rows[1]
    assert key.value.get_secret_value() not in result.output


def test_list_as_json_and_by_name(run, api):
    wanted = api.create_service_account_key(PROJECT, ACCOUNT, name="wanted")
    api.create_service_account_key(PROJECT, ACCOUNT, name="other")

    [line] = run("list", "--project", PROJECT, "--name", "wanted", "--json").output.splitlines()

    assert json.loads(line)["id"] == wanted.id


def test_accounts_lists_the_projects_service_accounts(run, api):
    made = api.create_service_account(PROJECT, name="billing-api")

    result = run("accounts", "--project", PROJECT)

    assert result.exit_code == 0, result.output
    assert ACCOUNT in result.output
    assert made.id in result.output


def test_get_of_an_unknown_key_names_it(run):
    result = run("get", "--project", PROJECT, "key_missing")

    assert result.exit_code != 0
    assert "key_missing" in result.output


def test_import_file_holds_the_service_account_keys_and_skips_a_users(run, api, emulator, tmp_path: Path):
    key = api.create_service_account_key(PROJECT, ACCOUNT, name="billing")
    store(emulator).add_user_key(PROJECT, OwnerUser(id="user-abc"), "from the dashboard")
    output = tmp_path / "import.json"

    result = run("import-file", "--project", PROJECT, "--output", str(output))

    assert result.exit_code == 0, result.output
    resources = json.loads(output.read_text())["resources"]
    assert [(r["type"], r["id"]) for r in resources] == [
        ("apikeys:openai:ProjectApiKey", f"{PROJECT}/{key.id}")
    ]
    assert "1 key skipped (owned by a user)" in result.output
