"""Who the projects endpoints let in: the configured admin key, and nothing else."""

from __future__ import annotations

import httpx
import pytest

from pulumi_apikeys.emulator import RunningEmulator
from pulumi_apikeys.openai_projects.models import OpenAIErrorBody

from .conftest import CreateAccount, StartEmulator, client_of
from .helpers import PROJECTS, bearer


def test_the_configured_admin_key_is_accepted(api: httpx.Client) -> None:
    assert api.get(PROJECTS).status_code == 200


@pytest.mark.parametrize("authorization", ["", "Basic dXNlcjpwYXNz"])
def test_a_request_without_a_bearer_key_is_refused_with_a_hint(api: httpx.Client, authorization: str) -> None:
    response = api.get(PROJECTS, headers={"Authorization": authorization})

    assert response.status_code == 401
    error = OpenAIErrorBody.model_validate(response.json()).error
    assert error.type == "invalid_request_error"
    assert "You didn't provide an API key" in error.message


def test_a_wrong_key_is_refused_as_invalid_api_key(api: httpx.Client) -> None:
    response = api.get(PROJECTS, headers=bearer("sk-admin-wrong-key-0123456789"))

    assert response.status_code == 401
    error = OpenAIErrorBody.model_validate(response.json()).error
    assert (error.type, error.code, error.message) == (
        "invalid_request_error",
        "invalid_api_key",
        "Incorrect API key provided.",
    )


def test_a_wrong_key_is_never_echoed_not_even_in_part(api: httpx.Client) -> None:
    presented = "sk-admin-SECRETwrongKEYxyz987"

    response = api.get(PROJECTS, headers=bearer(presented))

    for fragment in (presented, presented[:12], presented[-4:], "SECRET"):
        assert fragment not in response.text
        assert fragment not in str(response.headers)


def test_a_project_key_does_not_administer_projects(
    projects_emulator: RunningEmulator, create_account: CreateAccount
) -> None:
    value = create_account()["api_key"]["value"]

    with client_of(projects_emulator, value) as app:
        response = app.get(PROJECTS)

    assert response.status_code == 401
    assert OpenAIErrorBody.model_validate(response.json()).error.code == "invalid_api_key"


def test_a_refused_request_changes_nothing(api: httpx.Client) -> None:
    api.post(PROJECTS, json={"name": "app"}, headers=bearer("sk-admin-wrong-key-0123456789"))

    assert api.get(PROJECTS).json()["data"] == []


def test_an_emulator_takes_its_admin_key_from_its_options(start_projects_emulator: StartEmulator) -> None:
    running = start_projects_emulator(admin_key="sk-admin-mine")

    with client_of(running, "sk-admin-mine") as api, client_of(running, "sk-admin-local") as default:
        assert (api.get(PROJECTS).status_code, default.get(PROJECTS).status_code) == (200, 401)
