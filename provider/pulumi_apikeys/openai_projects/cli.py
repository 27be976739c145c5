"""``pulumi-apikeys openai_projects …``: look at a project's service accounts and API keys from a
terminal, and write what ``pulumi import`` (or a program) needs to adopt the keys.

The same output as ``pulumi-apikeys openai …``, each command scoped to one project
(``--project``). The admin key is read from ``OPENAI_ADMIN_KEY`` only, never from an option, so it
stays out of shell history and process listings; the base URL comes from ``--base-url``, else
``OPENAI_BASE_URL``, else OpenAI's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from pulumi_apikeys.cli.import_writers import ImportSet, collect, import_options, run_import
from pulumi_apikeys.cli.key_output import print_table, reporting_errors, when
from pulumi_apikeys.openai_projects.client import ProjectsClient, owner_id
from pulumi_apikeys.openai_projects.declaration import BASE_URL_ENV, PROJECT_API_KEY
from pulumi_apikeys.openai_projects.models import ProjectApiKey

__all__ = ["projects_group"]

F = TypeVar("F", bound=Callable[..., Any])


def _client(ctx: click.Context) -> ProjectsClient:
    base_url: str | None = ctx.obj
    return ProjectsClient(base_url=base_url)


def _project_option(command: F) -> F:
    return click.option(
        "--project", "project", metavar="PROJECT", required=True, help="The project, e.g. proj_abc."
    )(command)


def _owner(key: ProjectApiKey) -> str:
    account = owner_id(key)
    return f"service account {account}" if account is not None else "a user"


def _as_row(key: ProjectApiKey) -> dict[str, str]:
    return {
        "id": key.id,
        "name": key.name,
        "redacted_value": key.redacted_value,
        "owner": _owner(key),
        "access": key.owner_project_access,
        "created": when(key.created_at),
        "expires": when(key.expires_at),
        "last_used": when(key.last_used_at),
    }


@click.group("openai_projects")
@click.option(
    "--base-url",
    envvar=BASE_URL_ENV,
    default=None,
    help=f"API base URL [env {BASE_URL_ENV}; default https://api.openai.com/v1]",
)
@click.pass_context
def projects_group(ctx: click.Context, base_url: str | None) -> None:
    """OpenAI project service accounts and API keys (admin key from OPENAI_ADMIN_KEY)."""
    ctx.obj = base_url


@projects_group.command("list")
@_project_option
@click.option("--name", default=None, help="Only keys with exactly this name.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per key.")
@click.option("--ids", is_flag=True, help="Only the ids, one per line.")
@click.pass_context
@reporting_errors
def list_keys(ctx: click.Context, project: str, name: str | None, as_json: bool, ids: bool) -> None:
    """List the project's API keys, users' too and those whose owner lost access (values are never
    shown: the API keeps them hidden)."""
    keys = [key for key in _client(ctx).list_api_keys(project) if name is None or key.name == name]
    if ids:
        for key in keys:
            click.echo(key.id)
    elif as_json:
        for key in keys:
            click.echo(key.model_dump_json())
    else:
        print_table([_as_row(key) for key in keys])


@projects_group.command("accounts")
@_project_option
@click.pass_context
@reporting_errors
def list_accounts(ctx: click.Context, project: str) -> None:
    """List the project's service accounts."""
    accounts = _client(ctx).list_service_accounts(project)
    print_table(
        [{"id": a.id, "name": a.name, "role": a.role, "created": when(a.created_at)} for a in accounts]
    )


@projects_group.command("get")
@_project_option
@click.argument("key_id")
@click.pass_context
@reporting_errors
def get_key(ctx: click.Context, project: str, key_id: str) -> None:
    """Show one API key of the project as JSON."""
    key = _client(ctx).retrieve_api_key(project, key_id)
    click.echo(json.dumps(key.model_dump(mode="json"), indent=2))


def _importable(ctx: click.Context, project: str, pattern: str | None) -> ImportSet:
    return collect(
        PROJECT_API_KEY,
        _client(ctx),
        {"project_id": project},
        pattern=pattern,
        # Only a service account's key can be a ProjectApiKey: a user's is made in the dashboard.
        importable=lambda key: owner_id(key) is not None,
        skipped_as="owned by a user",
        where=f"project {project!r}",
    )


@projects_group.command("import-file")
@_project_option
@import_options
@click.pass_context
@reporting_errors
def import_file(
    ctx: click.Context, project: str, pattern: str | None, output: Path | None, force: bool
) -> None:
    """Write the file `pulumi import --file` reads for the project's service account keys.

    One entry per key (type apikeys:openai:ProjectApiKey, the provider plugin's; id PROJECT/KEY),
    named after the key. Users' keys cannot be managed: they are skipped, and counted.
    """
    run_import(
        "file",
        output=output,
        force=force,
        command="pulumi-apikeys openai_projects import-file",
        collect_keys=lambda: _importable(ctx, project, pattern),
    )


@projects_group.command("import-code")
@_project_option
@import_options
@click.pass_context
@reporting_errors
def import_code(
    ctx: click.Context, project: str, pattern: str | None, output: Path | None, force: bool
) -> None:
    """Print Python adopting the project's service account keys as ProjectApiKey with import_."""
    run_import(
        "code",
        output=output,
        force=force,
        command="pulumi-apikeys openai_projects import-code",
        collect_keys=lambda: _importable(ctx, project, pattern),
    )
