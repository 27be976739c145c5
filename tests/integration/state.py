"""A stack's state as the CLI stores it, for the real-CLI tests to search for plaintext secrets.

Not ``Stack.export_stack()``: the Automation API runs ``pulumi stack export --show-secrets``, which
decrypts every secret into the export (``pkg/cmd/pulumi/stack/stack_export.go``), so a value found
there proves nothing. ``exported_state`` runs the plain ``pulumi stack export`` (secrets stay
ciphertext), and ``stored_text`` reads every file the file backend wrote (checkpoints, history,
backups), as an attacker with the state would.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from pulumi import automation as auto

__all__ = ["SECRET_SIG", "exported_state", "is_secret", "stored_text"]

SECRET_SIG = "4dabf18193072939515e22adb298388d"
"""The key that marks a secret in a state export (``sig.Secret`` in the engine)."""


def exported_state(stack: auto.Stack) -> dict[str, Any]:
    """The stack's deployment as ``pulumi stack export`` prints it, secrets encrypted."""
    workspace = stack.workspace
    assert isinstance(workspace, auto.LocalWorkspace)
    result = workspace.pulumi_command.run(
        ["stack", "export", "--stack", stack.name, "--non-interactive"],
        workspace.work_dir,
        dict(workspace.env_vars),
    )
    deployment = json.loads(result.stdout).get("deployment")
    assert isinstance(deployment, dict), result.stdout[:200]
    return deployment


def is_secret(value: object) -> bool:
    """Whether a property of an exported state is a secret: ciphertext, never the value."""
    return isinstance(value, dict) and value.get(SECRET_SIG) is not None and "ciphertext" in value


def stored_text(state_dir: Path) -> str:
    """Every file under the file backend's directory, as text (a gzipped checkpoint unpacked)."""
    texts = []
    for path in sorted(p for p in state_dir.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        texts.append(data.decode("utf-8", errors="replace"))
    assert texts, f"no state under {state_dir}"
    return "\n".join(texts)
