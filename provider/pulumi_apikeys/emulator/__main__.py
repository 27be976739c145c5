"""``python -m pulumi_apikeys.emulator [options]``: the same as ``pulumi-apikeys emulator``."""

from pulumi_apikeys.emulator.command import emulator_command

if __name__ == "__main__":
    emulator_command(prog_name="python -m pulumi_apikeys.emulator")
