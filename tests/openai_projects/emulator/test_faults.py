"""The shared emulator layer's faults and rate limit apply to the projects surface, in OpenAI's format."""

from __future__ import annotations

import httpx
import pydantic
import pytest

from pulumi_apikeys.emulator import FaultPlan, RateLimit, RunningEmulator
from pulumi_apikeys.openai_projects.models import OpenAIErrorBody, ProjectPage

from .conftest import client_of
from .helpers import PROJECTS, accounts_path

# So slow a refill that no token comes back while a test runs: the count alone decides.
SLOW_BUCKET = RateLimit(burst=2, window_seconds=3600)


def test_a_scripted_server_error_answers_in_openais_format(
    api: httpx.Client, projects_emulator: RunningEmulator
) -> None:
    projects_emulator.control.set_faults(FaultPlan(script=["server_error"]))

    response = api.get(PROJECTS)

    assert response.status_code == 500
    assert OpenAIErrorBody.model_validate(response.json()).error.type == "server_error"


def test_the_rate_limit_refuses_requests_once_the_bucket_is_empty(
    api: httpx.Client, projects_emulator: RunningEmulator
) -> None:
    projects_emulator.control.set_faults(FaultPlan(rate_limit=SLOW_BUCKET))

    statuses = [api.get(PROJECTS).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_a_rate_limited_request_carries_openais_error_body(
    api: httpx.Client, projects_emulator: RunningEmulator
) -> None:
    projects_emulator.control.set_faults(FaultPlan(rate_limit=RateLimit(burst=1, window_seconds=3600)))
    api.get(PROJECTS)

    response = api.get(PROJECTS)

    error = OpenAIErrorBody.model_validate(response.json()).error
    assert (response.status_code, error.code) == (429, "rate_limit_exceeded")


def test_a_committed_create_whose_answer_is_dropped_leaves_the_account(
    api: httpx.Client, projects_emulator: RunningEmulator, project_id: str
) -> None:
    projects_emulator.control.set_faults(FaultPlan(script=["commit_then_drop"]))

    with pytest.raises(httpx.RemoteProtocolError):
        api.post(accounts_path(project_id), json={"name": "lost-answer"})

    assert [a["name"] for a in api.get(accounts_path(project_id)).json()["data"]] == ["lost-answer"]


def test_a_dropped_create_leaves_no_account(
    api: httpx.Client, projects_emulator: RunningEmulator, project_id: str
) -> None:
    projects_emulator.control.set_faults(FaultPlan(script=["drop"]))

    with pytest.raises(httpx.RemoteProtocolError):
        api.post(accounts_path(project_id), json={"name": "never-made"})

    assert api.get(accounts_path(project_id)).json()["data"] == []


def test_a_missing_fields_fault_damages_a_list_past_parsing(
    api: httpx.Client, projects_emulator: RunningEmulator, project_id: str
) -> None:
    projects_emulator.control.set_faults(FaultPlan(script=["missing_fields"]))

    response = api.get(PROJECTS)

    with pytest.raises(pydantic.ValidationError):
        ProjectPage.model_validate(response.json())


def test_a_fault_is_logged_against_the_request(api: httpx.Client, projects_emulator: RunningEmulator) -> None:
    projects_emulator.control.set_faults(FaultPlan(script=["unavailable"]))

    api.get(PROJECTS)

    assert [(entry.status, entry.fault) for entry in projects_emulator.control.requests()] == [
        (503, "unavailable")
    ]


def test_each_credential_has_its_own_bucket(
    projects_emulator: RunningEmulator, api: httpx.Client, project_id: str
) -> None:
    value = api.post(accounts_path(project_id), json={"name": "app"}).json()["api_key"]["value"]
    projects_emulator.control.set_faults(FaultPlan(rate_limit=RateLimit(burst=1, window_seconds=3600)))
    api.get(PROJECTS)

    with client_of(projects_emulator, value) as app:
        assert app.get("/models").status_code == 200
