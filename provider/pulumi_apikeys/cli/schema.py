"""``pulumi-apikeys schema``: print the Pulumi package schema (the content of ``schema.json``)."""

from __future__ import annotations

import click

from pulumi_apikeys.schema import package_schema_json

__all__ = ["schema_command"]


@click.command("schema")
def schema_command() -> None:
    """Print the package schema of every resource, as JSON (regenerates schema.json)."""
    click.echo(package_schema_json(), nl=False)
