"""One operation (up, preview, refresh, destroy), run in the child interpreter ``run_program`` starts.

It plays the CLI, the engine and the Python language host at once: loads the checkpoint and the stack
config, runs the program as ``pulumi-language-python-exec`` does (``runpy.run_path`` with
``run_name="__main__"`` inside ``run_in_stack``), carries out the deletes, saves the checkpoint and writes
a result file for the parent.
"""

from __future__ import annotations

import asyncio
import json
import os
import runpy
import sys
import traceback
from pathlib import Path
from typing import Any, ClassVar

from pulumi.runtime import Settings, configure
from pulumi.runtime.proto import engine_pb2
from pulumi.runtime.stack import run_in_stack

from tests.harness.engine import DeploymentError, Engine
from tests.harness.monitor import HarnessMonitor
from tests.harness.properties import PropertyMap, Secret, strip_secrets
from tests.harness.provider_server import ProviderServer
from tests.harness.state import Checkpoint, PassphraseCrypter, ResourceState

__all__ = ["load_stack_config", "run_operation"]


def load_stack_config(path: Path, crypter: PassphraseCrypter) -> PropertyMap:
    """The stack config from a ``Pulumi.<stack>.yaml``-like JSON file; ``{"secure": ...}`` is a secret."""
    raw = json.loads(path.read_text())["config"] if path.exists() else {}
    config: PropertyMap = {}
    for key, value in raw.items():
        config[key] = Secret(crypter.decrypt(value["secure"])) if isinstance(value, dict) else value
    return config


class _LogEngine:
    """The engine service of ``pulumi.log``: messages go to stderr and into the result."""

    _SEVERITY: ClassVar[dict[int, str]] = {
        engine_pb2.INFO: "info",
        engine_pb2.WARNING: "warning",
        engine_pb2.ERROR: "error",
    }

    def __init__(self) -> None:
        self.messages: list[str] = []

    def Log(self, request: Any) -> None:
        if request.severity == engine_pb2.DEBUG:
            return  # the SDK's own chatter; the real CLI hides it too unless asked for verbose logs
        line = f"{self._SEVERITY.get(request.severity, 'info')}: {request.message}"
        self.messages.append(line)
        print(line, file=sys.stderr)


def _run_program(engine: Engine, spec: dict[str, Any], config: PropertyMap, log_engine: _LogEngine) -> None:
    program = Path(spec["program"])
    # The language host passes config as PULUMI_CONFIG (all values in plaintext) and names the secret ones
    # in PULUMI_CONFIG_SECRET_KEYS, so pulumi.Config wraps them as secrets (sdk/python runtime/config.py).
    os.environ["PULUMI_CONFIG"] = json.dumps({k: strip_secrets(v) for k, v in config.items()})
    os.environ["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(
        sorted(k for k, v in config.items() if isinstance(v, Secret))
    )
    configure(
        Settings(
            project=spec["project"],
            stack=spec["stack"],
            monitor=HarnessMonitor(engine),
            engine=log_engine,
            dry_run=spec["preview"],
            organization="organization",
            root_directory=str(program.parent),
        )
    )
    sys.path.insert(0, str(program.parent))

    def run_program() -> None:
        runpy.run_path(str(program), run_name="__main__")

    # run_in_stack registers the root stack, runs the program, then registers the stack's outputs; it also
    # reads the monitor's features first (settings._load_monitor_feature_support).
    asyncio.run(run_in_stack(run_program))


def _result(
    engine: Engine, server: ProviderServer, ok: bool, errors: list[str], log: _LogEngine
) -> dict[str, Any]:
    outputs = engine.stack_outputs or {}
    return {
        "ok": ok,
        "error_text": "\n".join(errors),
        "steps": [{"op": s.op, "urn": s.urn, "detail": s.detail} for s in engine.steps],
        "calls": [c.to_json() for c in server.calls],
        "outputs": {
            k: {"value": strip_secrets(v), "secret": isinstance(v, Secret)}
            for k, v in sorted(outputs.items())
        },
        "diagnostics": log.messages,
    }


def run_operation(spec: dict[str, Any], key: bytes, server: ProviderServer) -> int:
    """Carry out the operation ``spec`` describes; the exit code is 0 if it succeeded."""
    crypter = PassphraseCrypter(key)
    config = load_stack_config(Path(spec["stack_config_path"]), crypter)
    state_path = Path(spec["state_path"])
    checkpoint = (
        Checkpoint.load(state_path, crypter)
        if state_path.exists()
        else Checkpoint(
            stack=f"organization/{spec['project']}/{spec['stack']}", salt_state=spec["salt_state"]
        )
    )
    op = spec["op"]

    def persist(resources: list[ResourceState]) -> None:
        checkpoint.resources = resources
        checkpoint.save(state_path, crypter)

    engine = Engine(
        project=spec["project"],
        stack=spec["stack"],
        config=config,
        resources=checkpoint.resources,
        preview=spec["preview"],
        server=server,
        persist=persist,
    )
    log_engine = _LogEngine()
    errors: list[str] = []
    try:
        if spec["refresh"] or op == "refresh":
            engine.refresh()
        if op == "up":
            try:
                _run_program(engine, spec, config, log_engine)
            except DeploymentError:
                pass  # the engine holds the message
            except BaseException:  # noqa: BLE001 - the program's own failure is the operation's result
                errors.append(traceback.format_exc())
            # Deletes run only after a program that finished and steps that all succeeded
            # (deployment_executor.go: the source must complete without error).
            if not errors and not engine.failed:
                engine.delete_unregistered()
        elif op == "destroy":
            engine.destroy()
    except DeploymentError:
        pass
    finally:
        server.stop()
    failure = engine.failure()
    if failure:
        errors.insert(0, failure)
    result = _result(engine, server, not errors, errors, log_engine)
    Path(spec["result_path"]).write_text(json.dumps(result))
    return 0 if not errors else 1
