"""One operation (up, preview, refresh, destroy, import), run in the child interpreter ``run_program`` starts.

It plays the CLI, the engine and the Python language host at once: loads the checkpoint and the stack
config, runs the program as ``pulumi-language-python-exec`` does (``runpy.run_path`` with
``run_name="__main__"`` inside ``run_in_stack``), carries out the deletes, saves the checkpoint and writes
a result file for the parent. ``pulumi import`` runs an import deployment instead of a program.
"""

from __future__ import annotations

import asyncio
import json
import os
import runpy
import sys
import traceback
from pathlib import Path
from typing import Any

from pulumi.runtime import Settings, configure
from pulumi.runtime.stack import run_in_stack

from tests.harness.engine import DeploymentError, Engine
from tests.harness.engine_service import Diagnostics, EngineService
from tests.harness.importer import ImportDeployment, ImportFileError, make_import_file, parse_import_file
from tests.harness.monitor import HarnessMonitor
from tests.harness.plugins import DYNAMIC_PACKAGE, EngineFlags, PluginSource
from tests.harness.properties import PropertyMap, Secret, strip_secrets
from tests.harness.provider_server import ProviderServer
from tests.harness.providers import NotModelled, PluginHost
from tests.harness.state import Checkpoint, PassphraseCrypter, ResourceState

__all__ = ["load_stack_config", "run_operation"]


def load_stack_config(path: Path, crypter: PassphraseCrypter) -> PropertyMap:
    """The stack config from a ``Pulumi.<stack>.yaml``-like JSON file; ``{"secure": ...}`` is a secret."""
    raw = json.loads(path.read_text())["config"] if path.exists() else {}
    config: PropertyMap = {}
    for key, value in raw.items():
        config[key] = Secret(crypter.decrypt(value["secure"])) if isinstance(value, dict) else value
    return config


def _run_program(
    engine: Engine, spec: dict[str, Any], config: PropertyMap, engine_service: EngineService
) -> None:
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
            # The engine's own service, in-process: pulumi.log lines join the plugins' Log messages.
            engine=engine_service,
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
    engine: Engine, host: PluginHost, ok: bool, errors: list[str], diagnostics: Diagnostics
) -> dict[str, Any]:
    outputs = engine.stack_outputs or {}
    calls = sorted((c for server in host.servers() for c in server.calls), key=lambda c: c.started)
    return {
        "ok": ok,
        "error_text": "\n".join(errors),
        "steps": [
            {"op": s.op, "urn": s.urn, "detail": s.detail, "detailed_diff": s.detailed_diff}
            for s in engine.steps
        ],
        "calls": [c.to_json() for c in calls],
        "outputs": {
            k: {"value": strip_secrets(v), "secret": isinstance(v, Secret)}
            for k, v in sorted(outputs.items())
        },
        "diagnostics": diagnostics.lines,
    }


def _import(engine: Engine, spec: dict[str, Any]) -> None:
    """``pulumi import [--file]``; ``--protect`` (the CLI's default) is refused: protect is not modelled."""
    if spec["protect"]:
        raise NotModelled(
            "the harness does not model protect: pass protect=False (`pulumi import --protect=false`)"
        )
    request = spec["import"]
    if "file" in request:
        import_file = request["file"]
    else:
        import_file = make_import_file(
            request["type"],
            request["name"],
            request["id"],
            properties=request["properties"],
            parent=request["parent"],
            provider=request["provider"],
        )
    imports = parse_import_file(import_file, stack=spec["stack"], project=spec["project"])
    ImportDeployment(engine, imports).run()


def run_operation(spec: dict[str, Any], key: bytes, server: ProviderServer) -> int:
    """Carry out the operation ``spec`` describes; the exit code is 0 if it succeeded."""
    # The engine's environment, as plugins inherit it: taken before the program's PULUMI_CONFIG is set.
    base_env = dict(os.environ)
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

    diagnostics = Diagnostics(debug=spec["debug"])
    engine_service = EngineService(diagnostics)
    sources = {pkg: PluginSource.from_json(source) for pkg, source in spec["plugins"].items()}
    host = PluginHost(
        dynamic=server,
        sources=sources,
        flags=EngineFlags.from_json(spec["engine_flags"]),
        engine=engine_service,
        base_env=base_env,
        program_dir=Path(spec["program_dir"]),
        project=spec["project"],
        config=config,
        stderr_dir=Path(spec["result_path"]).parent,
        diagnostics=diagnostics,
    )
    engine = Engine(
        project=spec["project"],
        stack=spec["stack"],
        config=config,
        resources=checkpoint.resources,
        preview=spec["preview"],
        host=host,
        diagnostics=diagnostics,
        persist=persist,
    )
    errors: list[str] = []
    try:
        if DYNAMIC_PACKAGE in sources:
            raise NotModelled(
                f"{DYNAMIC_PACKAGE} is the CLI's bundled dynamic provider: it takes no plugin source"
            )
        if op == "import":
            _import(engine, spec)
        if spec["refresh"] or op == "refresh":
            engine.refresh()
        if op == "up":
            try:
                _run_program(engine, spec, config, engine_service)
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
    except (NotModelled, ImportFileError) as exc:
        errors.append(str(exc))
    finally:
        host.close()
        engine_service.stop()
    failure = engine.failure()
    if failure:
        errors.insert(0, failure)
    result = _result(engine, host, not errors, errors, diagnostics)
    Path(spec["result_path"]).write_text(json.dumps(result))
    return 0 if not errors else 1
