"""Fixtures for the projects emulator's tests: an emulator serving only this service, httpx clients.

The emulator is started with explicit specs, so these tests need no registry entry, and without
its default project and account (``UNSEEDED``), so that every list starts empty; the seed has
tests of its own (``test_seed.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from pulumi_apikeys.emulator import EmulatorConfig, RunningEmulator, ServiceSpec, start_emulator
from pulumi_apikeys.emulator.state_file import StateSection
from pulumi_apikeys.openai_projects.emulator_api import ProjectsApi
from pulumi_apikeys.openai_projects.emulator_service import SERVICE, OpenAIProjectsEmulatorOptions
from pulumi_apikeys.openai_projects.emulator_store import ProjectStore

from .helpers import SERVICE_NAME, FakeClock, accounts_path, bearer, key_path

StartEmulator = Callable[..., RunningEmulator]
UNSEEDED: dict[str, Any] = {"default_project_id": None}
"""The service's options without its default project (and so without its default account)."""


def clocked_spec(clock: FakeClock) -> ServiceSpec[OpenAIProjectsEmulatorOptions]:
    """The service as ``SERVICE`` builds it, over a store that reads ``clock``."""

    def build(options: OpenAIProjectsEmulatorOptions, state: StateSection | None) -> ProjectsApi:
        return ProjectsApi(
            ProjectStore(state, clock=clock), options.admin_key, show_scopes=options.show_scopes
        )

    return ServiceSpec(name=SERVICE_NAME, options=OpenAIProjectsEmulatorOptions, build=build)


def store_of(running: RunningEmulator) -> ProjectStore:
    """The running service's store, for what the API cannot do (user keys, access changes)."""
    service = running.app.emulator.services[SERVICE_NAME]
    assert isinstance(service, ProjectsApi)
    return service.store


def client_of(running: RunningEmulator, key: str | None = None) -> httpx.Client:
    """An httpx client of the service, presenting ``key`` (by default the configured admin key)."""
    endpoint = running.endpoint(SERVICE_NAME)
    return httpx.Client(
        base_url=endpoint.base_url,
        headers=bearer(key or endpoint.credential),
        trust_env=False,
        timeout=10,
    )


@pytest.fixture(scope="session")
def session_projects_emulator() -> Iterator[RunningEmulator]:
    """One emulator serving this service for the whole session; prefer ``projects_emulator``."""
    config = EmulatorConfig(port=0, services={SERVICE_NAME: UNSEEDED})
    with start_emulator(config, specs=[SERVICE]) as running:
        yield running


@pytest.fixture
def projects_emulator(session_projects_emulator: RunningEmulator) -> RunningEmulator:
    """The session's emulator, reset: no projects, no faults, an empty request log."""
    session_projects_emulator.control.reset()
    return session_projects_emulator


@pytest.fixture
def start_projects_emulator() -> Iterator[StartEmulator]:
    """Starts an emulator of this service with options (and, given ``clock``, a fake clock)."""
    started: list[RunningEmulator] = []

    def start(*, clock: FakeClock | None = None, **options: Any) -> RunningEmulator:
        spec = SERVICE if clock is None else clocked_spec(clock)
        config = EmulatorConfig(port=0, services={SERVICE_NAME: {**UNSEEDED, **options}})
        running = start_emulator(config, specs=[spec])
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


@pytest.fixture
def api(projects_emulator: RunningEmulator) -> Iterator[httpx.Client]:
    """An httpx client of the service, authenticated with the configured admin key."""
    with client_of(projects_emulator) as client:
        yield client


@pytest.fixture
def project_id(api: httpx.Client) -> str:
    """A fresh project's id."""
    response = api.post("/organization/projects", json={"name": "app"})
    assert response.status_code == 200, response.text
    created: str = response.json()["id"]
    return created


CreateAccount = Callable[..., dict[str, Any]]
CreateKey = Callable[..., dict[str, Any]]


@pytest.fixture
def create_account(api: httpx.Client, project_id: str) -> CreateAccount:
    """Creates a service account in ``project_id``; returns the create response's body."""

    def create(name: str = "deployer", **fields: Any) -> dict[str, Any]:
        response = api.post(accounts_path(project_id), json={"name": name, **fields})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    return create


@pytest.fixture
def create_key(api: httpx.Client, project_id: str) -> CreateKey:
    """Creates one more key for a service account of ``project_id``; returns the response's body."""

    def create(account_id: str, **fields: Any) -> dict[str, Any]:
        response = api.post(f"{accounts_path(project_id)}/{account_id}/api_keys", json=fields)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    return create


@pytest.fixture
def get_key(api: httpx.Client, project_id: str) -> Callable[[str], httpx.Response]:
    """Retrieves a key of ``project_id`` by id."""

    def get(key_id: str) -> httpx.Response:
        return api.get(key_path(project_id, key_id))

    return get
