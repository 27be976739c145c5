"""The ``pulumi-apikeys`` command line: the commands that serve every backend, and each backend's group.

The commands that serve every backend (``emulator``, ``demo``, ``schema``) live here, one module
each; a backend's own group (``pulumi-apikeys <name> ...``) lives in its folder and is named by its
``Backend.cli``. Every command is imported only when it runs or is listed, so one command never
pays for the imports of another.
"""

from __future__ import annotations

import click

from pulumi_apikeys._version import __version__
from pulumi_apikeys.core.backend import LazyRef

__all__ = ["GENERIC_COMMANDS", "main"]

GENERIC_COMMANDS: dict[str, LazyRef] = {
    "demo": LazyRef("pulumi_apikeys.cli.demo:demo_command"),
    "emulator": LazyRef("pulumi_apikeys.cli.emulator:emulator_command"),
    "schema": LazyRef("pulumi_apikeys.cli.schema:schema_command"),
}
"""The commands that serve every backend, by name; a backend's group of the same name is hidden."""


def _backend_groups() -> dict[str, LazyRef]:
    """Each registered backend's command group, by the backend's name."""
    from pulumi_apikeys import registry

    return {backend.name: backend.cli for backend in registry.registered() if backend.cli is not None}


class _CommandLine(click.Group):
    """A group whose subcommands are the generic commands and the backends' groups, imported on use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *GENERIC_COMMANDS, *_backend_groups()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        # A generic command needs no backend loaded to be found.
        ref = GENERIC_COMMANDS.get(cmd_name) or _backend_groups().get(cmd_name)
        if ref is None:
            return None
        loaded = ref.load()
        if not isinstance(loaded, click.Command):
            raise TypeError(f"{ref.path} is a {type(loaded).__name__}, not a click command")
        return loaded


@click.group(cls=_CommandLine, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pulumi-apikeys")
def main() -> None:
    """Declare API keys as code with Pulumi: companion tools."""
