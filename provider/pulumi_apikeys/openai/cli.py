"""``pulumi-apikeys openai …``: look at and manage Admin API keys from a terminal.

Useful beside Pulumi: bring existing keys under management (``import-file`` for ``pulumi import
--file``, ``import-code`` for a Python program), check what a stack made, clean up by hand.
The admin key is read from ``OPENAI_ADMIN_KEY`` only, never from an option, so it stays out of
shell history and process listings.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal

import click

from pulumi_apikeys.cli.import_writers import ImportSet, collect, import_options, run_import
from pulumi_apikeys.cli.key_output import print_table, reporting_errors, when
from pulumi_apikeys.openai.client import BASE_URL_ENV, AdminApiKeysClient
from pulumi_apikeys.openai.declaration import ADMIN_API_KEY
from pulumi_apikeys.openai.models import EXPIRES_IN_SECONDS_MAX, EXPIRES_IN_SECONDS_MIN, AdminApiKey

__all__ = ["openai_group"]


def _client(ctx: click.Context) -> AdminApiKeysClient:
    base_url: str | None = ctx.obj
    return AdminApiKeysClient(base_url=base_url)


def _as_row(key: AdminApiKey) -> dict[str, str]:
    return {
        "id": key.id,
        "name": key.name or "",
        "redacted_value": key.redacted_value,
        "created": when(key.created_at),
        "expires": when(key.expires_at),
        "last_used": when(key.last_used_at),
        "owner": f"{key.owner.type or '?'}:{key.owner.name or key.owner.id or '?'}",
    }


@click.group("openai")
@click.option(
    "--base-url",
    envvar=BASE_URL_ENV,
    default=None,
    help=f"API base URL [env {BASE_URL_ENV}; default https://api.openai.com/v1]",
)
@click.pass_context
def openai_group(ctx: click.Context, base_url: str | None) -> None:
    """OpenAI organization Admin API keys (admin key from OPENAI_ADMIN_KEY)."""
    ctx.obj = base_url


@openai_group.command("list")
@click.option("--order", type=click.Choice(["asc", "desc"]), default="asc", show_default=True)
@click.option("--name", default=None, help="Only keys with exactly this name.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per key.")
@click.option("--ids", is_flag=True, help="Only the ids, one per line.")
@click.pass_context
@reporting_errors
def list_keys(
    ctx: click.Context, order: Literal["asc", "desc"], name: str | None, as_json: bool, ids: bool
) -> None:
    """List the organization's admin keys (values are never shown: the API keeps them hidden)."""
    client = _client(ctx)
    keys = list(client.list(order=order)) if name is None else client.find_by_name(name, order=order)
    if ids:
        for key in keys:
            click.echo(key.id)
    elif as_json:
        for key in keys:
            click.echo(key.model_dump_json())
    else:
        print_table([_as_row(key) for key in keys])


@openai_group.command("get")
@click.argument("key_id")
@click.pass_context
@reporting_errors
def get_key(ctx: click.Context, key_id: str) -> None:
    """Show one key as JSON."""
    click.echo(json.dumps(_client(ctx).retrieve(key_id).model_dump(mode="json"), indent=2))


@openai_group.command("create")
@click.option("--name", required=True, help="The key's name.")
@click.option(
    "--expires-in-seconds",
    type=click.IntRange(EXPIRES_IN_SECONDS_MIN, EXPIRES_IN_SECONDS_MAX),
    default=None,
    help="Lifetime; omit for a key that never expires.",
)
@click.option(
    "--value-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the key's value here (created readable by you only).",
)
@click.option("--print-value", is_flag=True, help="Print the key's value to stdout instead.")
@click.pass_context
@reporting_errors
def create_key(
    ctx: click.Context,
    name: str,
    expires_in_seconds: int | None,
    value_file: Path | None,
    print_value: bool,
) -> None:
    """Create a key. Its value is shown once, so say where it goes: --value-file or --print-value."""
    if (value_file is None) == (not print_value):
        raise click.UsageError(
            "The value is shown only once: pass exactly one of --value-file or --print-value."
        )
    if value_file is not None and value_file.exists():
        raise click.UsageError(f"{value_file} exists; refusing to overwrite a key value.")
    created = _client(ctx).create(name=name, expires_in_seconds=expires_in_seconds)
    value = created.value.get_secret_value()
    if value_file is not None:
        # O_EXCL + 0o600: never readable by others, never clobbering another key's file.
        fd = os.open(value_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(value + "\n")
        click.echo(f"created {created.id} ({created.name}, {created.redacted_value}); value in {value_file}")
    else:
        click.echo(value)


@openai_group.command("delete")
@click.argument("key_id")
@click.pass_context
@reporting_errors
def delete_key(ctx: click.Context, key_id: str) -> None:
    """Delete a key (a key already gone is not an error)."""
    deleted = _client(ctx).delete(key_id)
    click.echo(f"deleted {key_id}" if deleted else f"{key_id} was already gone")


def _importable(ctx: click.Context, pattern: str | None) -> ImportSet:
    return collect(ADMIN_API_KEY, _client(ctx), {}, pattern=pattern)


@openai_group.command("import-file")
@import_options
@click.pass_context
@reporting_errors
def import_file(ctx: click.Context, pattern: str | None, output: Path | None, force: bool) -> None:
    """Write the file `pulumi import --file` reads for the keys.

    One entry per key (type apikeys:openai:AdminApiKey, the provider plugin's), named after the
    key: "CI deployer" is ci-deployer, a repeat ci-deployer-2, a key with no usable name its id.
    """
    run_import(
        "file",
        output=output,
        force=force,
        command="pulumi-apikeys openai import-file",
        collect_keys=lambda: _importable(ctx, pattern),
    )


@openai_group.command("import-code")
@import_options
@click.pass_context
@reporting_errors
def import_code(ctx: click.Context, pattern: str | None, output: Path | None, force: bool) -> None:
    """Print Python adopting the keys as AdminApiKey with import_.

    Each key is declared as it is now (its name), so the next `pulumi up` adopts it with nothing
    created or replaced; resource names are those import-file gives.
    """
    run_import(
        "code",
        output=output,
        force=force,
        command="pulumi-apikeys openai import-code",
        collect_keys=lambda: _importable(ctx, pattern),
    )
