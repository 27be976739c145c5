"""The test-facing API: a stack in a directory, and ``up`` / ``preview`` / ``refresh`` / ``destroy`` /
``import_`` on it.

Every operation runs in a child interpreter (``tests.harness.run_program``) in its own process group, which
also holds the dynamic provider server and the provider plugins it starts; the group is killed after the
operation, so no server outlives it, even when the child crashes or times out. Failures come back as results,
never as exceptions, so tests can assert on messages.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi_apikeys import registry
from tests.harness.engine import StepRecord
from tests.harness.plugins import EngineFlags, PluginSource
from tests.harness.properties import Secret
from tests.harness.provider_server import ProviderCall
from tests.harness.run_program import KEY_ENV
from tests.harness.state import (
    PULUMI_KDF_ITERATIONS,
    ROOT_STACK_TYPE,
    Checkpoint,
    PassphraseCrypter,
    ResourceState,
)

__all__ = ["EngineFlags", "HarnessStack", "PluginSource", "StackOutput", "StateView", "UpResult"]

_REPO_ROOT = Path(__file__).resolve().parents[2]
# The child and the provider server must not find credentials in the environment: configuration has to
# reach the provider through Configure, and config through the stack. Every registered backend's
# settings are scrubbed, and the vendor prefixes besides (a vendor SDK's own variables).
_SCRUBBED_PREFIXES = ("OPENAI_", "CAPY_", "PULUMI_CONFIG")


def _scrubbed(name: str) -> bool:
    backend_vars = {v for b in registry.registered() for v in (b.credential.env_var, b.base_url.env_var)}
    return name.startswith(_SCRUBBED_PREFIXES) or name in backend_vars


@dataclass(frozen=True)
class StackOutput:
    """A stack output as the engine recorded it."""

    value: Any
    secret: bool


def _is_internal(urn: str) -> bool:
    qualified = urn.split("::")[2]
    return qualified == ROOT_STACK_TYPE or qualified.startswith("pulumi:providers:")


@dataclass(frozen=True, repr=False)
class UpResult:
    """What one operation did: steps, provider calls, stack outputs and everything it printed."""

    ok: bool
    error_text: str
    journal: list[StepRecord]
    calls: list[ProviderCall]
    outputs: dict[str, StackOutput]
    diagnostics: list[str]
    stdout: str
    stderr: str
    provider_stderr: str
    returncode: int
    plugin_stderr: str = ""
    """Every provider plugin's stderr, one block per process (the CLI hides it; kept for debugging)."""

    @property
    def steps(self) -> list[tuple[str, str]]:
        """``(op, urn)`` per step in completion order, without the root stack and the default provider."""
        return [(s.op, s.urn) for s in self.journal if not _is_internal(s.urn)]

    def ops(self, name: str) -> list[str]:
        """The ops of the resource named ``name``, in order."""
        return [s.op for s in self.journal if s.urn.rsplit("::", 1)[-1] == name and not _is_internal(s.urn)]

    def detailed_diff(self, name: str) -> dict[str, str]:
        """The detailed diff (property path -> kind) the CLI would show for ``name``'s update or replace."""
        for step in self.journal:
            if step.urn.rsplit("::", 1)[-1] == name and step.op in ("update", "replace", "refresh"):
                return dict(step.detailed_diff)
        raise LookupError(f"no update, replace or refresh of {name!r} in {self.steps}")

    def calls_to(self, method: str) -> list[ProviderCall]:
        """The provider calls of one gRPC method, in the order they started."""
        return sorted((c for c in self.calls if c.method == method), key=lambda c: c.started)

    @property
    def crud_calls(self) -> list[tuple[str, str]]:
        """``(method, resource name)`` of the resource calls (no Configure, GetPluginInfo, ...)."""
        crud = {"Check", "Diff", "Create", "Read", "Update", "Delete"}
        return [
            (c.method, c.urn.rsplit("::", 1)[-1])
            for c in sorted(self.calls, key=lambda c: c.started)
            if c.method in crud and not _is_internal(c.urn)
        ]

    def assert_ok(self) -> UpResult:
        """Fail the test, with the whole story, unless the operation succeeded; returns the result."""
        __tracebackhide__ = True  # pytest shows the caller's line, not this one
        if not self.ok:
            raise AssertionError(repr(self))
        return self

    def __repr__(self) -> str:
        # Shown by pytest when an assertion on the result fails: enough to debug without re-running.
        return (
            f"UpResult(ok={self.ok}, steps={self.steps})\n--- error\n{self.error_text}\n"
            f"--- stderr\n{self.stderr[-4000:]}\n--- provider stderr\n{self.provider_stderr[-4000:]}"
            f"\n--- plugin stderr\n{self.plugin_stderr[-4000:]}"
        )


@dataclass(frozen=True)
class StateView:
    """The checkpoint on disk: its raw text and a decrypted view (secrets as ``Secret``)."""

    raw: str
    resources: list[ResourceState] = field(default_factory=list)

    @property
    def managed(self) -> list[ResourceState]:
        """The resources a program declares: neither the root stack nor providers."""
        return [r for r in self.resources if not _is_internal(r.urn)]

    def resource(self, name: str) -> ResourceState:
        """The one live (not pending-delete) managed resource called ``name``."""
        found = [r for r in self.managed if r.name == name and not r.delete]
        if len(found) != 1:
            raise LookupError(f"expected one resource named {name!r}, found {len(found)}: {self.urns}")
        return found[0]

    @property
    def urns(self) -> list[str]:
        return [r.urn for r in self.resources]

    @property
    def outputs(self) -> dict[str, StackOutput]:
        """The root stack's outputs, secretness included."""
        for r in self.resources:
            if r.type == ROOT_STACK_TYPE:
                return {
                    k: StackOutput(v.value if isinstance(v, Secret) else v, isinstance(v, Secret))
                    for k, v in r.outputs.items()
                }
        return {}


class HarnessStack:
    """A stack under ``workdir``: its config, checkpoint and program, and operations on them.

    ::

        stack = HarnessStack(tmp_path, project="keys", config={"apikeys:openaiAdminKey": Secret("sk-...")})
        result = stack.up(PROGRAM_SOURCE)
        assert result.ok, result
        assert stack.state().resource("deployer").id.startswith("key_")

    ``kdf_iterations`` is Pulumi's million PBKDF2 rounds by default; tests may lower it for speed (the file
    format does not record it).

    ``plugins`` says where each provider plugin package is, as Pulumi.yaml's ``plugins.providers[].path``
    does: ``{"apikeys": PluginSource.directory("provider")}`` or ``PluginSource.module("pkg.plugin")``. A
    resource of any other package (but ``pulumi-python``, the bundled dynamic provider) finds no plugin.
    ``engine_flags`` are the CLI's ``--logflow --logtostderr -v=N --tracing URL``, passed on to every plugin;
    ``debug`` is ``--debug``: debug diagnostics are kept.
    """

    def __init__(
        self,
        workdir: Path,
        *,
        project: str,
        stack: str = "dev",
        config: Mapping[str, str | Secret] | None = None,
        passphrase: str = "correct horse battery staple",
        kdf_iterations: int = PULUMI_KDF_ITERATIONS,
        timeout: float = 120.0,
        plugins: Mapping[str, PluginSource] | None = None,
        engine_flags: EngineFlags | None = None,
        debug: bool = False,
    ) -> None:
        self.workdir = workdir
        self.plugins = dict(plugins or {})
        self.engine_flags = engine_flags or EngineFlags()
        self.debug = debug
        self.project = project
        self.stack = stack
        self.timeout = timeout
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.program_dir = workdir / "program"
        self.program_dir.mkdir(exist_ok=True)
        self.state_path = workdir / "state.json"
        self.config_path = workdir / f"Pulumi.{stack}.json"
        self._crypter, self._salt_state = PassphraseCrypter.new_stack(passphrase, iterations=kdf_iterations)
        self._config: dict[str, str | Secret] = dict(config or {})
        self._program: Path | None = None
        self._runs = 0
        self._write_config()

    # ----------------------------------------------------------------------------------- config

    def set_config(self, key: str, value: str | Secret) -> None:
        """Set one stack config value (``namespace:key``); wrap in ``Secret`` for ``--secret``."""
        self._config[key] = value
        self._write_config()

    def _write_config(self) -> None:
        # Like Pulumi.<stack>.yaml: secrets stored as {"secure": ciphertext}, never in plaintext.
        config = {
            k: {"secure": self._crypter.encrypt(v.value)} if isinstance(v, Secret) else v
            for k, v in sorted(self._config.items())
        }
        self.config_path.write_text(json.dumps({"config": config}, indent=2) + "\n")

    # ----------------------------------------------------------------------------------- helpers

    def urn(self, type_: str, name: str) -> str:
        """The URN of a top-level resource of this stack."""
        return f"urn:pulumi:{self.stack}::{self.project}::{type_}::{name}"

    def write_program(self, source: str) -> Path:
        """Write ``source`` as the program's ``__main__.py``."""
        path = self.program_dir / "__main__.py"
        path.write_text(source)
        return path

    def state(self) -> StateView:
        """The checkpoint as it is on disk now (empty if no operation has saved one)."""
        if not self.state_path.exists():
            return StateView(raw="")
        raw = self.state_path.read_text()
        return StateView(raw=raw, resources=Checkpoint.load(self.state_path, self._crypter).resources)

    # -------------------------------------------------------------------------------- operations

    def up(
        self, program: str | Path | None = None, *, preview: bool = False, refresh: bool = False
    ) -> UpResult:
        """Run the program and carry out its steps (``pulumi up --skip-preview``, or a preview).

        ``program``: source text (written as ``program/__main__.py``), a path to a ``__main__.py``, or
        ``None`` for the previous one.
        """
        if isinstance(program, str):
            self._program = self.write_program(program)
        elif isinstance(program, Path):
            self._program = program.resolve()
        if self._program is None:
            raise ValueError("no program: pass its source or path")
        return self._run("up", preview=preview, refresh=refresh)

    def preview(self, program: str | Path | None = None, *, refresh: bool = False) -> UpResult:
        """``pulumi preview``: the same as ``up(preview=True)``."""
        return self.up(program, preview=True, refresh=refresh)

    def refresh(self, *, preview: bool = False) -> UpResult:
        """``pulumi refresh``: read every resource back, without running the program."""
        return self._run("refresh", preview=preview, refresh=False)

    def destroy(self, *, preview: bool = False) -> UpResult:
        """``pulumi destroy``: delete every resource, without running the program."""
        return self._run("destroy", preview=preview, refresh=False)

    def import_(
        self,
        type_: str | None = None,
        name: str | None = None,
        id_: str | None = None,
        *,
        file: Path | Mapping[str, object] | None = None,
        parent: str = "",
        provider: str = "",
        properties: Sequence[str] = (),
        protect: bool = True,
        preview: bool = False,
    ) -> UpResult:
        """``pulumi import <type> <name> <id>`` or ``pulumi import --file <file>``, with ``--yes``.

        ``file`` is the import file's JSON (a path, or the object itself); ``parent`` and ``provider`` are
        ``--parent`` / ``--provider`` (``name=URN`` or a bare URN), ``properties`` ``--properties``,
        ``preview`` ``--preview-only``. ``protect`` defaults to ``True`` like the CLI's ``--protect``, which
        the harness refuses (protect is not modelled): pass ``protect=False``. No program runs and no code is
        generated.
        """
        request: dict[str, object]
        if file is not None:
            if type_ or name or id_ or parent or provider or properties:
                raise ValueError("pass either a file or a type, name and ID (the CLI's two forms)")
            request = {"file": json.loads(file.read_text()) if isinstance(file, Path) else dict(file)}
        else:
            if not (type_ and name and id_):
                raise ValueError("pulumi import needs a type, a name and an ID (or a file)")
            request = {
                "type": type_,
                "name": name,
                "id": id_,
                "parent": parent,
                "provider": provider,
                "properties": list(properties),
            }
        return self._run("import", preview=preview, refresh=False, import_request=request, protect=protect)

    def _run(
        self,
        op: str,
        *,
        preview: bool,
        refresh: bool,
        import_request: Mapping[str, object] | None = None,
        protect: bool = False,
    ) -> UpResult:
        self._runs += 1
        run_dir = self.workdir / "runs" / f"{self._runs:02d}-{op}{'-preview' if preview else ''}"
        run_dir.mkdir(parents=True)
        program_dir = self._program.parent if self._program is not None else self.program_dir
        spec = {
            "op": op,
            "preview": preview,
            "refresh": refresh,
            "project": self.project,
            "stack": self.stack,
            "program": str(self._program) if self._program is not None else None,
            "program_dir": str(program_dir),
            "state_path": str(self.state_path),
            "stack_config_path": str(self.config_path),
            "salt_state": self._salt_state,
            "result_path": str(run_dir / "result.json"),
            "provider_stderr_path": str(run_dir / "provider.stderr"),
            "plugins": {pkg: source.to_json() for pkg, source in sorted(self.plugins.items())},
            "engine_flags": self.engine_flags.to_json(),
            "debug": self.debug,
            "import": dict(import_request) if import_request is not None else None,
            "protect": protect,
        }
        spec_path = run_dir / "spec.json"
        spec_path.write_text(json.dumps(spec, indent=2))
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.harness.run_program", str(spec_path)],
            cwd=program_dir,
            env=self._child_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            # Its own process group, shared with the provider server it starts: one killpg reaps both.
            start_new_session=True,
        )
        try:
            stdout, stderr = proc.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            stdout, stderr = proc.communicate()
            stderr += f"\n[harness] {op} timed out after {self.timeout} s and was killed\n".encode()
        finally:
            # Whatever is left in the group (a server whose child crashed) goes too.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        return self._read_result(run_dir, proc.returncode, stdout.decode(), stderr.decode())

    def _child_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not _scrubbed(k)}
        # The harness package and the program's modules (and the toy provider) must import in both the
        # child and the provider server, which inherits this environment.
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_REPO_ROOT), env.get("PYTHONPATH", "")) if p)
        env[KEY_ENV] = self._crypter.key.hex()
        return env

    @staticmethod
    def _read_result(run_dir: Path, returncode: int, stdout: str, stderr: str) -> UpResult:
        provider_stderr_path = run_dir / "provider.stderr"
        provider_stderr = provider_stderr_path.read_text() if provider_stderr_path.exists() else ""
        plugin_stderr = "".join(
            f"=== {path.name}\n{path.read_text()}" for path in sorted(run_dir.glob("plugin-*.stderr"))
        )
        result_path = run_dir / "result.json"
        if not result_path.exists():
            return UpResult(
                ok=False,
                error_text=f"the operation crashed (exit code {returncode})\n{stderr}",
                journal=[],
                calls=[],
                outputs={},
                diagnostics=[],
                stdout=stdout,
                stderr=stderr,
                provider_stderr=provider_stderr,
                returncode=returncode,
                plugin_stderr=plugin_stderr,
            )
        data = json.loads(result_path.read_text())
        # The result holds stack outputs in plaintext: it must not stay next to the encrypted state.
        result_path.unlink()
        return UpResult(
            ok=data["ok"],
            error_text=data["error_text"],
            journal=[StepRecord(**s) for s in data["steps"]],
            calls=[ProviderCall(**c) for c in data["calls"]],
            outputs={k: StackOutput(v["value"], v["secret"]) for k, v in data["outputs"].items()},
            diagnostics=data["diagnostics"],
            stdout=stdout,
            stderr=stderr,
            provider_stderr=provider_stderr,
            returncode=returncode,
            plugin_stderr=plugin_stderr,
        )
