"""The ``pulumi-apikeys`` command line: one click group, one module per subcommand group."""

from __future__ import annotations

import click

from pulumi_apikeys._version import __version__
from pulumi_apikeys.cli.emulator import emulator_command
from pulumi_apikeys.cli.openai import openai_group

__all__ = ["emulator_command", "main", "openai_group"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pulumi-apikeys")
def main() -> None:
    """Declare API keys as code with Pulumi: companion tools."""


main.add_command(emulator_command)
main.add_command(openai_group)
