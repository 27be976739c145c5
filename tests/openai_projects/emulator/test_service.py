"""The ``openai_projects`` service spec: its name, options and flags, its state file, its neighbours."""

from __future__ import annotations

from pathlib import Path

import httpx
import pydantic
import pytest

from pulumi_apikeys.emulator import EmulatorConfig, FaultPlan, start_emulator
from pulumi_apikeys.openai.emulator_service import DEFAULT_ADMIN_KEY as OPENAI_DEFAULT_ADMIN_KEY
from pulumi_apikeys.openai.emulator_service import SERVICE as OPENAI
from pulumi_apikeys.openai_projects.emulator_service import (
    DEFAULT_ADMIN_KEY,
    SERVICE,
    OpenAIProjectsEmulatorOptions,
)

from .conftest import client_of
from .helpers import PROJECTS, SERVICE_NAME, bearer


def test_the_service_is_named_after_its_backend() -> None:
    assert SERVICE.name == SERVICE_NAME


def test_the_default_admin_key_is_the_openai_services() -> None:
    assert DEFAULT_ADMIN_KEY == OPENAI_DEFAULT_ADMIN_KEY == OpenAIProjectsEmulatorOptions().admin_key


def test_the_flags_are_spelt_after_the_service() -> None:
    assert [flag.spelling(SERVICE.name) for flag in SERVICE.flags] == [
        "--openai-projects-admin-key",
        "--openai-projects-show-scopes",
        "--openai-projects-default-project-id",
        "--openai-projects-default-service-account-id",
    ]


def test_the_admin_key_flag_reads_the_openai_services_variable_but_not_its_alias() -> None:
    ours = next(flag for flag in SERVICE.flags if flag.option == "admin_key")
    theirs = next(flag for flag in OPENAI.flags if flag.option == "admin_key")

    assert ours.envvars == theirs.envvars
    assert set(ours.aliases).isdisjoint(theirs.aliases)


def test_the_service_keeps_no_legacy_state_fields() -> None:
    assert dict(SERVICE.legacy_state_fields) == {}


def test_an_unknown_option_is_refused() -> None:
    with pytest.raises(pydantic.ValidationError):
        SERVICE.validate_options({"owner_kind": "user"})


def test_the_options_repr_leaves_the_admin_key_out() -> None:
    assert "sk-admin-secret" not in repr(OpenAIProjectsEmulatorOptions(admin_key="sk-admin-secret"))


def test_the_base_url_is_the_root_url_and_v1() -> None:
    with start_emulator(EmulatorConfig(port=0), specs=[SERVICE]) as running:
        assert running.endpoint(SERVICE_NAME).base_url == running.root_url + "/v1"


def test_projects_survive_a_restart_through_the_state_file(tmp_path: Path) -> None:
    config = EmulatorConfig(port=0, state_file=tmp_path / "state.json")
    with start_emulator(config, specs=[SERVICE]) as first, client_of(first) as api:
        project_id = api.post(PROJECTS, json={"name": "kept"}).json()["id"]

    with start_emulator(config, specs=[SERVICE]) as second, client_of(second) as api:
        assert api.get(f"{PROJECTS}/{project_id}").json()["name"] == "kept"


def test_it_is_served_beside_the_openai_service_under_the_same_base_url() -> None:
    with start_emulator(EmulatorConfig(port=0), specs=[OPENAI, SERVICE]) as running:
        openai = running.endpoint("openai")
        with httpx.Client(
            base_url=openai.base_url, headers=bearer(openai.credential), trust_env=False
        ) as api:
            statuses = (api.get("/organization/admin_api_keys").status_code, api.get(PROJECTS).status_code)

    assert running.endpoint(SERVICE_NAME).base_url == openai.base_url
    assert statuses == (200, 200)


def test_beside_the_openai_service_its_faults_still_apply() -> None:
    with (
        start_emulator(EmulatorConfig(port=0), specs=[OPENAI, SERVICE]) as running,
        client_of(running) as api,
    ):
        running.control.set_faults(FaultPlan(script=["server_error"]))

        assert api.get(PROJECTS).status_code == 500
