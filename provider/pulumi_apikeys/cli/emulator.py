"""``pulumi-apikeys emulator``: the command lives with the emulator; the command line lists it here."""

from __future__ import annotations

from pulumi_apikeys.emulator.command import emulator_command

__all__ = ["emulator_command"]
