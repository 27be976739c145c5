"""The ``pulumi-apikeys`` command line: one click group, one module per subcommand group."""

from __future__ import annotations

import click

from pulumi_apikeys._version import __version__
from pulumi_apikeys.cli.demo import demo_command
from pulumi_apikeys.cli.emulator import emulator_command
from pulumi_apikeys.cli.openai import openai_group
from pulumi_apikeys.cli.schema import schema_command

__all__ = ["demo_command", "emulator_command", "main", "openai_group", "schema_command"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pulumi-apikeys")
def main() -> None:
    """Declare API keys as code with Pulumi: companion tools."""


main.add_command(emulator_command)
main.add_command(openai_group)
main.add_command(demo_command)
main.add_command(schema_command)
