"""Starting the dynamic provider server's process, with the standard library only.

Kept free of the SDK and gRPC so the child can launch the server first and import those while the
server starts: the two start-ups overlap instead of adding up.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import IO

__all__ = ["launch_provider_server", "server_environment"]


def server_environment(base: dict[str, str], *, project: str) -> dict[str, str]:
    """The plugin's environment: the engine's own, plus what ``NewProvider`` adds for a resource plugin.

    ``PULUMI_PROJECT`` is set and ``PULUMI_CONFIG`` holds only config of the plugin's own package
    (``pulumi-python``: none), so stack config reaches the provider through ``Configure`` alone
    (``pkg/host/host.go``, ``Provider``; ``pkg/resource/plugin/provider_plugin.go``, ``NewProvider``).
    """
    env = {k: v for k, v in base.items() if not k.startswith("PULUMI_CONFIG")}
    env["PULUMI_PROJECT"] = project
    env["PULUMI_CONFIG"] = "{}"
    return env


def launch_provider_server(
    *, python: str, cwd: Path, env: dict[str, str], stderr_path: Path
) -> tuple[subprocess.Popen[bytes], IO[bytes]]:
    """Start ``python -u -m pulumi.dynamic`` in the program's directory, as the ``pulumi-python`` plugin does.

    It stays in the caller's process group, so whoever kills that group reaps the server too.
    Returns the process (its port comes on stdout) and the open file its stderr goes to.
    """
    stderr = stderr_path.open("ab")
    proc = subprocess.Popen(
        [python, "-u", "-m", "pulumi.dynamic"],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=stderr,
    )
    return proc, stderr
