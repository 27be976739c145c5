"""``pulumi-apikeys capy …``: look at and manage an organization's capy API keys from a terminal.

The same commands, options and output as ``pulumi-apikeys openai …``, each scoped to one
organization (``--organization``). The API key is read from ``CAPY_API_KEY`` only, never from an
option, so it stays out of shell history and process listings; the base URL comes from
``--base-url`` or ``CAPY_BASE_URL`` (capy has no public default).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from pulumi_apikeys.capy.client import BASE_URL_ENV, CapyApiKeysClient
from pulumi_apikeys.capy.declaration import API_KEY
from pulumi_apikeys.capy.models import ApiKey
from pulumi_apikeys.cli.import_writers import ImportSet, collect, import_options, run_import
from pulumi_apikeys.cli.key_output import print_table, reporting_errors, when

__all__ = ["capy_group"]

F = TypeVar("F", bound=Callable[..., Any])


def _client(ctx: click.Context) -> CapyApiKeysClient:
    base_url: str | None = ctx.obj
    return CapyApiKeysClient(base_url=base_url)


def _organization_option(command: F) -> F:
    return click.option(
        "--organization",
        "organization",
        metavar="ORG",
        required=True,
        help="The organization whose keys these are, e.g. org_abc.",
    )(command)


def _status(key: ApiKey) -> str:
    if key.revoked_at is not None:
        return "revoked"
    return "active" if key.is_active else "inactive"


def _as_row(key: ApiKey) -> dict[str, str]:
    return {
        "id": key.id,
        "name": key.name,
        "key_prefix": key.key_prefix,
        "scopes": ",".join(sorted(set(key.scopes))),
        "status": _status(key),
        "created": when(key.created_at),
        "expires": when(key.expires_at),
        "last_used": when(key.last_used_at),
    }


@click.group("capy")
@click.option(
    "--base-url",
    envvar=BASE_URL_ENV,
    default=None,
    help=f"API base URL, the origin /v1/organizations/... hangs off [env {BASE_URL_ENV}; no default]",
)
@click.pass_context
def capy_group(ctx: click.Context, base_url: str | None) -> None:
    """capy organization API keys (API key from CAPY_API_KEY)."""
    ctx.obj = base_url


@capy_group.command("list")
@_organization_option
@click.option("--name", default=None, help="Only keys with exactly this name.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per key.")
@click.option("--ids", is_flag=True, help="Only the ids, one per line.")
@click.pass_context
@reporting_errors
def list_keys(ctx: click.Context, organization: str, name: str | None, as_json: bool, ids: bool) -> None:
    """List the organization's keys, revoked ones too (values are never shown: the API keeps them
    hidden)."""
    client = _client(ctx)
    keys = list(client.list(organization)) if name is None else client.find_by_name(organization, name)
    if ids:
        for key in keys:
            click.echo(key.id)
    elif as_json:
        for key in keys:
            click.echo(key.model_dump_json())
    else:
        print_table([_as_row(key) for key in keys])


@capy_group.command("get")
@_organization_option
@click.argument("key_id")
@click.pass_context
@reporting_errors
def get_key(ctx: click.Context, organization: str, key_id: str) -> None:
    """Show one key as JSON.

    A revoked key is shown too: see its revoked_at and is_active.
    """
    key = _client(ctx).find(organization, key_id)
    if key is None:
        raise click.ClickException(f"the organization {organization!r} has no capy API key {key_id!r}")
    click.echo(json.dumps(key.model_dump(mode="json"), indent=2))


@capy_group.command("delete")
@_organization_option
@click.argument("key_id")
@click.pass_context
@reporting_errors
def delete_key(ctx: click.Context, organization: str, key_id: str) -> None:
    """Revoke a key (a key already revoked or gone is not an error).

    Revoking is capy's delete: the key stops working at once, and stays listed as revoked.
    """
    revoked = _client(ctx).revoke(organization, key_id)
    click.echo(f"revoked {key_id}" if revoked else f"{key_id} was already revoked or gone")


def _importable(ctx: click.Context, organization: str, pattern: str | None) -> ImportSet:
    return collect(
        API_KEY,
        _client(ctx),
        {"organization_id": organization},
        pattern=pattern,
        # The provider refuses to import a revoked key: it no longer works, so there is nothing to manage.
        importable=lambda key: not key.is_gone,
        skipped_as="revoked or inactive",
        where=f"organization {organization!r}",
    )


@capy_group.command("import-file")
@_organization_option
@import_options
@click.pass_context
@reporting_errors
def import_file(
    ctx: click.Context, organization: str, pattern: str | None, output: Path | None, force: bool
) -> None:
    """Write the file `pulumi import --file` reads for the keys.

    One entry per live key (type apikeys:capy:ApiKey, the provider plugin's; id ORG/KEY), named
    after the key: "CI deployer" is ci-deployer, a repeat ci-deployer-2, a key with no usable name
    its id. Revoked and inactive keys cannot be imported: they are skipped, and counted.
    """
    run_import(
        "file",
        output=output,
        force=force,
        command="pulumi-apikeys capy import-file",
        collect_keys=lambda: _importable(ctx, organization, pattern),
    )


@capy_group.command("import-code")
@_organization_option
@import_options
@click.pass_context
@reporting_errors
def import_code(
    ctx: click.Context, organization: str, pattern: str | None, output: Path | None, force: bool
) -> None:
    """Print Python adopting the keys as ApiKey with import_.

    Each live key is declared as it is now (organization_id, name, scopes), so the next `pulumi up`
    adopts it with nothing created or replaced; resource names are those import-file gives.
    """
    run_import(
        "code",
        output=output,
        force=force,
        command="pulumi-apikeys capy import-code",
        collect_keys=lambda: _importable(ctx, organization, pattern),
    )
