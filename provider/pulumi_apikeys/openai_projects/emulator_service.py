"""The emulator's ``openai_projects`` service: its options, flags and builder (``SERVICE``).

This module imports without starlette (the command line reads it to make its flags); ``build``
imports the routes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from pulumi_apikeys.emulator.service import EmulatorService, ServiceFlag, ServiceSpec
from pulumi_apikeys.emulator.state_file import StateSection

if TYPE_CHECKING:
    from pulumi_apikeys.openai_projects.emulator_store import Seed

__all__ = [
    "DEFAULT_ADMIN_KEY",
    "DEFAULT_PROJECT_ID",
    "DEFAULT_SERVICE_ACCOUNT_ID",
    "SERVICE",
    "OpenAIProjectsEmulatorOptions",
    "seed_of",
]

DEFAULT_ADMIN_KEY = "sk-admin-local"
"""The admin key the emulator accepts unless told otherwise: the ``openai`` service's default, since
one organization admin key administers both its Admin keys and its projects."""
DEFAULT_PROJECT_ID = "proj_default"
"""The id of the project a fresh emulator holds."""
DEFAULT_SERVICE_ACCOUNT_ID = "svc_acct_default"
"""The id of the service account (without keys) a fresh emulator holds in that project."""


class OpenAIProjectsEmulatorOptions(BaseModel):
    """The ``openai_projects`` service's settings (``EmulatorConfig.services["openai_projects"]``).

    Example: answers that show each project API key's scopes::

        EmulatorConfig(services={"openai_projects": {"show_scopes": True}})
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    admin_key: str = Field(default=DEFAULT_ADMIN_KEY, min_length=1, repr=False)
    """The admin key the endpoints accept (left out of the repr)."""
    show_scopes: bool = False
    """Add ``scopes`` to the project API key objects. The SDK's ``ProjectAPIKey`` has no such field,
    so by default the emulator leaves it out; a client must work either way."""
    default_project_id: str | None = Field(default=DEFAULT_PROJECT_ID, min_length=1)
    """The project a fresh emulator holds, as every organization has its "Default project"; ``None``:
    none (a program then makes one first)."""
    default_service_account_id: str | None = Field(default=DEFAULT_SERVICE_ACCOUNT_ID, min_length=1)
    """A service account without keys in that project, for programs whose keys name one."""


def build(options: OpenAIProjectsEmulatorOptions, state: StateSection | None) -> EmulatorService:
    """The projects endpoints over a store of projects, service accounts and their keys."""
    # Imported here: the routes need starlette, which reading this spec must not.
    from pulumi_apikeys.openai_projects.emulator_api import ProjectsApi
    from pulumi_apikeys.openai_projects.emulator_store import ProjectStore

    store = ProjectStore(state, seed=seed_of(options))
    return ProjectsApi(store, options.admin_key, show_scopes=options.show_scopes)


def seed_of(options: OpenAIProjectsEmulatorOptions) -> Seed | None:
    """The store's seed these options ask for."""
    from pulumi_apikeys.openai_projects.emulator_store import Seed

    if options.default_project_id is None:
        return None
    return Seed(options.default_project_id, service_account_id=options.default_service_account_id)


SERVICE = ServiceSpec(
    name="openai_projects",
    options=OpenAIProjectsEmulatorOptions,
    build=build,
    flags=(
        ServiceFlag(
            "admin_key",
            "The admin key the projects endpoints accept.",
            # The `openai` service's variable: one admin key guards both, as in a real organization.
            # No `--admin-key` alias: that spelling is the `openai` service's.
            envvars=("APIKEYS_EMULATOR_ADMIN_KEY",),
            show_default=False,
        ),
        ServiceFlag("show_scopes", "Show each project API key's scopes in its answers (true/false)."),
        ServiceFlag("default_project_id", "The id of the project a fresh emulator holds."),
        ServiceFlag("default_service_account_id", "The id of the service account (no keys) in that project."),
    ),
)
"""The ``openai_projects`` backend's emulator service (``Backend.emulator``)."""
