"""Child entry point: ``python -m tests.harness.run_program <spec.json>``, started by ``HarnessStack``.

A fresh interpreter per operation matters: the SDK keeps process-wide state (settings, the root stack,
the dynamic server's provider cache). This module imports only the standard library before it launches
the dynamic provider server, so the server's start-up overlaps the SDK's import here; the engine still talks
to the server (and configures it) only when a resource first needs the provider. Provider plugins are
started on demand, one process per provider instance (``providers.PluginHost``).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from tests.harness.process import launch_provider_server, server_environment

__all__ = ["KEY_ENV", "main"]

KEY_ENV = "TESTS_HARNESS_SECRETS_KEY"
"""The derived state key, handed over by the parent so the child skips PBKDF2; removed before anything
else runs, so neither the program nor the provider server sees it."""


def _needs_provider(spec: dict[str, Any]) -> bool:
    """An ``up`` may register dynamic resources; other operations only load the dynamic provider if the
    checkpoint holds one (refresh, destroy and import load providers from state)."""
    if spec["op"] == "up":
        return True
    state_path = Path(spec["state_path"])
    if not state_path.exists():
        return False
    resources = json.loads(state_path.read_text())["checkpoint"].get("latest", {}).get("resources", [])
    return any(r.get("type") == "pulumi:providers:pulumi-python" for r in resources)


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[1]).read_text())
    key = bytes.fromhex(os.environ.pop(KEY_ENV))
    proc, stderr = None, None
    if _needs_provider(spec):
        proc, stderr = launch_provider_server(
            python=sys.executable,
            cwd=Path(spec["program_dir"]),
            env=server_environment(dict(os.environ), project=spec["project"]),
            stderr_path=Path(spec["provider_stderr_path"]),
        )
    # Imported only now, while the server starts (see the module docstring).
    from tests.harness.operation import run_operation
    from tests.harness.provider_server import ProviderServer

    return run_operation(spec, key, ProviderServer(proc, stderr))


if __name__ == "__main__":
    exit_code = main(sys.argv)
    # Everything is written and the server is stopped: skip the interpreter's teardown, where gRPC's and
    # the SDK's threads take ~0.15 s to wind down (a fifth of a short operation).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(exit_code)
