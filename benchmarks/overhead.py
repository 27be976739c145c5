"""Per-operation overhead of each face's provider server, its start-up, and the package's import cost.

1. Create and Read through each face's provider gRPC server, as the engine-faithful harness calls
   it (the harness journals every call's start and end): one ``up`` of R keys chained by
   ``depends_on``, so the Creates run one at a time, then on a second stack one ``up`` of R chained
   ``get``s of them (a Read each, with nothing else in that ``up``). The median call minus the
   median of the same HTTP request sent R times with a plain ``httpx.Client`` to the emulator
   (same method, path and body); target <= 2 ms. R = 50
   (``--quick``: 5). No latency is added. Then where it goes: the same create and lookup through
   the resource's lifecycle (``KeyLifecycle``) called in this process, no gRPC, minus the same raw
   call: the package's own cost per operation; the rest is the gRPC server around it.
2. Provider start to first answer, per face: the harness's own launchers (``launch_provider_server``
   for ``python -m pulumi.dynamic``; ``PluginSource`` and ``plugin_arguments`` for the plugin folder)
   from the process start to the port printed and to the first ``GetPluginInfo`` answer; S runs
   (S = 10; ``--quick``: 3).
3. The first Check's cost (from the ``up`` of step 1) beside the median of the later ones, and the
   package's import cost in a provider process over ``import pulumi``: ``python -X importtime -c
   "import pulumi, pulumi.dynamic; import pulumi_apikeys.<backend>.provider"`` S times, the
   cumulative time of that module (target < 100 ms), of everything imported after
   ``pulumi.dynamic``, and the ten modules under it with the most cumulative time (of the median run).

    .venv/bin/python benchmarks/overhead.py [--quick] [--runs 50] [--starts 10]

Only Markdown goes to stdout (progress to stderr). Exits 1 only if an operation fails; timings never
fail it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from google.protobuf import empty_pb2
from tests.backends import PLUGINS, ResourceUnderTest, every_face, stack_config
from tests.faults.conftest import fault_stack
from tests.harness import EngineFlags, HarnessStack, Secret, UpResult
from tests.harness.engine_service import Diagnostics, EngineService
from tests.harness.plugins import plugin_arguments, plugin_environment
from tests.harness.process import launch_provider_server, server_environment
from tests.harness.provider_server import ProviderServer

from pulumi_apikeys.core.declaration import PLUGIN_PACKAGE
from pulumi_apikeys.core.lifecycle import KeyLifecycle
from pulumi_apikeys.core.stack_config import StackConfig
from pulumi_apikeys.emulator import EmulatorConfig, RunningEmulator, start_emulator

TARGET_OVERHEAD_MS = 2.0
TARGET_IMPORT_MS = 100.0


def _progress(message: str) -> None:
    print(f"[overhead] {message}", file=sys.stderr, flush=True)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def _outcome(result: UpResult) -> str:
    if result.ok:
        return "ok"
    lines = result.error_text.strip().splitlines() or ["(no message)"]
    return "FAILED: " + lines[0][:120].replace("|", "/")


# ------------------------------------------------------------------------------ 1. per call


@dataclass
class CallFigures:
    """Create and Read of one resource on one face, through gRPC and raw."""

    resource: str
    face: str
    create_grpc: float
    create_raw: float
    read_grpc: float
    read_raw: float
    first_check: float
    later_checks: float
    outcome: str


def chained_keys(subject: ResourceUnderTest, runs: int) -> list[str]:
    """Program lines of ``runs`` keys, each depending on the one before: the engine creates them in turn."""
    lines = []
    for i in range(runs):
        after = f", opts=pulumi.ResourceOptions(depends_on=[k{i - 1:03}])" if i else ""
        lines.append(f"k{i:03} = " + subject.key(f"k{i:03}", f"bench overhead {i:03}", after))
    return lines


def chained_gets(subject: ResourceUnderTest, ids: Sequence[str]) -> list[str]:
    """Program lines of one chained ``get`` of each key: a Read each, one at a time."""
    lines = []
    others = "".join(f", {k}={v!r}" for k, v in subject.get_inputs.items())
    for i, key_id in enumerate(ids):
        after = f"[g{i - 1:03}]" if i else "[]"
        lines.append(
            f"g{i:03} = {subject.class_name}.get('g{i:03}', {key_id!r}{others}, "
            f"opts=pulumi.ResourceOptions(depends_on={after}))"
        )
    return lines


def _durations(result: UpResult, method: str) -> list[float]:
    return [c.ended - c.started for c in result.calls_to(method) if c.ok]


def raw_medians(
    subject: ResourceUnderTest, emulator: RunningEmulator, runs: int, key_id: str
) -> tuple[float, float]:
    """Medians of the create and the lookup sent as plain HTTP, one connection kept open (as the
    provider's shared client does)."""
    endpoint = emulator.endpoint(subject.backend)
    body: dict[str, Any] = {"name": "bench raw"}
    if "scopes" in subject.other_inputs:
        body["scopes"] = subject.other_inputs["scopes"]
    method, path = subject.lookup_requests(key_id)[0]
    creates: list[float] = []
    reads: list[float] = []
    headers = {"Authorization": f"Bearer {endpoint.credential}"}
    # The log's paths are absolute (``/v1/...``): sent to the origin of the base URL.
    origin = httpx.URL(endpoint.base_url).copy_with(path="/")
    with httpx.Client(base_url=origin, headers=headers) as client:
        client.get(path).raise_for_status()  # the connection opened before timing, as a warm provider has it
        for _ in range(runs):
            started = time.perf_counter()
            client.post(subject.collection_path, json=body).raise_for_status()
            creates.append(time.perf_counter() - started)
            started = time.perf_counter()
            client.request(method, path).raise_for_status()
            reads.append(time.perf_counter() - started)
    return statistics.median(creates), statistics.median(reads)


def per_call(
    subject: ResourceUnderTest,
    stack: HarnessStack,
    reader: HarnessStack,
    emulator: RunningEmulator,
    runs: int,
) -> CallFigures:
    """The Creates of one ``up`` on ``stack``; the Reads of ``get``s of those keys in an ``up`` on
    ``reader``, a stack of its own, so that nothing else runs beside each Read."""
    keys = chained_keys(subject, runs)
    up = stack.up(subject.program("\n".join(keys) + "\n"))
    outcome = _outcome(up)
    ids = [stack.state().resource(f"k{i:03}").id for i in range(runs)] if up.ok else []
    reads = reader.up(subject.program("\n".join(chained_gets(subject, ids)) + "\n")) if ids else up
    if outcome == "ok":
        outcome = _outcome(reads)
        if not reads.ok:
            _progress(reads.error_text)
    creates, read_times, checks = _durations(up, "Create"), _durations(reads, "Read"), _durations(up, "Check")
    if outcome == "ok" and (len(creates) != runs or len(read_times) != runs):
        outcome = f"FAILED: {len(creates)} Creates and {len(read_times)} Reads, not {runs} each"
    create_raw, read_raw = raw_medians(subject, emulator, runs, ids[0]) if ids else (0.0, 0.0)
    # No destroy: the stack's folder goes with the run and the emulator is reset before the next.
    figures = CallFigures(
        f"{subject.resource.module}:{subject.resource.name}",
        subject.face,
        statistics.median(creates) if creates else float("nan"),
        create_raw,
        statistics.median(read_times) if read_times else float("nan"),
        read_raw,
        checks[0] if checks else float("nan"),
        statistics.median(checks[1:]) if len(checks) > 1 else float("nan"),
        outcome,
    )
    _progress(
        f"{figures.resource} {figures.face}: Create {_ms(figures.create_grpc)} ms "
        f"vs {_ms(create_raw)} ms raw, Read {_ms(figures.read_grpc)} vs {_ms(read_raw)}, {outcome}"
    )
    return figures


@dataclass
class LifecycleFigures:
    """Create and lookup of one resource through its lifecycle, in this process, and raw."""

    resource: str
    create: float
    create_raw: float
    read: float
    read_raw: float


def in_process(subject: ResourceUnderTest, emulator: RunningEmulator, runs: int) -> LifecycleFigures:
    """The medians of ``runs`` creates and reads through the lifecycle, no gRPC, beside the raw calls."""
    from pulumi_apikeys import registry

    backend = registry.backend(subject.backend)
    config = {
        key: value.value if isinstance(value, Secret) else str(value)
        for key, value in stack_config(backend, emulator).items()
    }
    lifecycle = KeyLifecycle(subject.resource, StackConfig(config), is_unknown=lambda value: False)
    checked = lifecycle.check({"name": "bench lifecycle", **subject.other_inputs})
    first = lifecycle.create(checked.inputs)  # the client made and its connection opened, as when warm
    creates, reads = [], []
    for _ in range(runs):
        started = time.perf_counter()
        lifecycle.create(checked.inputs)
        creates.append(time.perf_counter() - started)
        started = time.perf_counter()
        lifecycle.read(first.id, first.outputs)
        reads.append(time.perf_counter() - started)
    create_raw, read_raw = raw_medians(subject, emulator, runs, first.id)
    return LifecycleFigures(
        f"{subject.resource.module}:{subject.resource.name}",
        statistics.median(creates),
        create_raw,
        statistics.median(reads),
        read_raw,
    )


# ---------------------------------------------------------------------------- 2. start-up


@dataclass
class StartFigures:
    face: str
    port: list[float]
    answer: list[float]
    empty_call: float
    """The median of later ``GetPluginInfo`` calls: the floor of one gRPC round trip to this server."""


def _empty_calls(server: ProviderServer, calls: int = 20) -> float:
    """The median of ``calls`` more ``GetPluginInfo`` round trips."""
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        server.call("GetPluginInfo", empty_pb2.Empty())
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def start_dynamic(workdir: Path) -> tuple[float, float, float]:
    """``python -m pulumi.dynamic`` started as the harness starts it: seconds to its port, to its answer."""
    started = time.perf_counter()
    proc, stderr = launch_provider_server(
        python=sys.executable,
        cwd=workdir,
        env=server_environment(dict(os.environ), project="bench"),
        stderr_path=workdir / "dynamic.stderr",
    )
    server = ProviderServer(proc, stderr)
    try:
        server.open()
        port = time.perf_counter() - started
        server.call("GetPluginInfo", empty_pb2.Empty())
        answer = time.perf_counter() - started
        return port, answer, _empty_calls(server)
    finally:
        server.stop()


def start_plugin(workdir: Path, engine: EngineService) -> tuple[float, float, float]:
    """The plugin folder started as the harness's ``PluginHost`` starts it: seconds to port, to answer."""
    source = PLUGINS[PLUGIN_PACKAGE]
    command = source.command(sys.executable, plugin_arguments(EngineFlags(), engine.address()))
    stderr = (workdir / "plugin.stderr").open("ab")
    started = time.perf_counter()
    proc = subprocess.Popen(
        command,
        cwd=workdir,
        env=plugin_environment(dict(os.environ), project="bench", package_config={}),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    server = ProviderServer(proc, stderr, label="plugin", output=lambda line: None)
    try:
        server.open()
        port = time.perf_counter() - started
        server.call("GetPluginInfo", empty_pb2.Empty())
        answer = time.perf_counter() - started
        return port, answer, _empty_calls(server)
    finally:
        server.stop()


def start_ups(workdir: Path, starts: int) -> list[StartFigures]:
    engine = EngineService(Diagnostics())
    try:
        launchers: dict[str, Callable[[], tuple[float, float, float]]] = {
            "dynamic": lambda: start_dynamic(workdir),
            "plugin": lambda: start_plugin(workdir, engine),
        }
        figures = []
        for face, launch in launchers.items():
            times = [launch() for _ in range(starts)]
            figures.append(
                StartFigures(
                    face, [t[0] for t in times], [t[1] for t in times], statistics.median(t[2] for t in times)
                )
            )
            _progress(f"{face} start: {_ms(statistics.median(figures[-1].answer))} ms to the first answer")
        return figures
    finally:
        engine.stop()


# ---------------------------------------------------------------------------- 3. imports


@dataclass(frozen=True)
class ImportLine:
    name: str
    level: int
    self_us: int
    cumulative_us: int


def parse_importtime(stderr: str) -> list[ImportLine]:
    """``-X importtime``'s lines, in order (a module's children come before it, one level deeper)."""
    lines = []
    for text in stderr.splitlines():
        if not text.startswith("import time:") or "imported package" in text:
            continue
        _, self_us, cumulative, name = (part for part in ["", *text[len("import time:") :].split("|")])
        depth = (len(name) - len(name.lstrip(" ")) - 1) // 2
        lines.append(ImportLine(name.strip(), depth, int(self_us), int(cumulative)))
    return lines


@dataclass
class ImportRun:
    module_us: int
    under: list[ImportLine]


def provider_modules() -> list[str]:
    """The module each built-in key resource's dynamic provider lives in: what the dynamic server
    imports when it unpickles ``__provider`` for the first Check."""
    from pulumi_apikeys import registry

    builtin = {r.type_name for r in registry.key_resources(registry.builtin())}
    modules: list[str] = []
    for subject in every_face():
        if subject.face != "dynamic" or subject.resource.type_name not in builtin:
            continue
        scope: dict[str, Any] = {}
        exec(subject.import_line, scope)  # the program's import line, as a test program has it
        module = scope[subject.class_name].provider_class.__module__
        if module not in modules:
            modules.append(module)
    return modules


def import_run(module: str) -> ImportRun:
    """One fresh interpreter importing pulumi, then ``module``."""
    code = f"import pulumi, pulumi.dynamic; import {module}"
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, check=True
    )
    lines = parse_importtime(done.stderr)
    at = max(i for i, line in enumerate(lines) if line.name == module)
    target = lines[at]
    under: list[ImportLine] = []
    for line in reversed(lines[:at]):
        if line.level <= target.level:
            break
        under.append(line)
    return ImportRun(target.cumulative_us, sorted(under, key=lambda line: -line.cumulative_us)[:10])


# ---------------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small R and S (CI)")
    parser.add_argument("--runs", type=int, default=None, help="R, calls measured (default 50; --quick: 5)")
    parser.add_argument(
        "--starts", type=int, default=None, help="S, start-ups and import runs (10; quick: 3)"
    )
    args = parser.parse_args(argv)
    runs = args.runs or (5 if args.quick else 50)
    starts = args.starts or (3 if args.quick else 10)

    calls: list[CallFigures] = []
    with tempfile.TemporaryDirectory() as workdir, start_emulator(EmulatorConfig(port=0)) as emulator:
        root = Path(workdir)
        for subject in every_face():
            emulator.control.reset()
            stack = fault_stack(
                root / f"{subject.id.replace(':', '-').replace('/', '-')}", emulator, budget={}
            )
            reader = fault_stack(
                root / f"{subject.id.replace(':', '-').replace('/', '-')}-reads", emulator, budget={}
            )
            calls.append(per_call(subject, stack, reader, emulator, runs))
        lifecycles = []
        for subject in every_face():
            if subject.face == "dynamic":
                emulator.control.reset()
                lifecycles.append(in_process(subject, emulator, runs))
        starting = start_ups(root, starts)
    imports: dict[str, list[ImportRun]] = {}
    for module in provider_modules():
        imports[module] = sorted((import_run(module) for _ in range(starts)), key=lambda r: r.module_us)
        _progress(f"{module}: median {imports[module][len(imports[module]) // 2].module_us / 1000:.0f} ms")

    print(f"## Per-call overhead of the provider servers, R = {runs}\n")
    print(
        "Median Create and Read through each face's gRPC server (the harness's journal of its calls, "
        "one at a time) minus the median of the same HTTP request sent with a plain `httpx.Client` "
        f"to the emulator; target <= {TARGET_OVERHEAD_MS:g} ms.\n"
    )
    print(
        "| resource | face | Create gRPC ms | Create raw ms | Create overhead ms | Read gRPC ms | "
        "Read raw ms | Read overhead ms | target met | outcome |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for c in calls:
        create, read = c.create_grpc - c.create_raw, c.read_grpc - c.read_raw
        met = "yes" if max(create, read) * 1000 <= TARGET_OVERHEAD_MS else "no"
        print(
            f"| `{c.resource}` | {c.face} | {_ms(c.create_grpc)} | {_ms(c.create_raw)} | {_ms(create)} | "
            f"{_ms(c.read_grpc)} | {_ms(c.read_raw)} | {_ms(read)} | {met} | {c.outcome} |"
        )
    print()
    print(
        "Where it goes: the same create and lookup through the resource's lifecycle (everything the "
        "package does for a step: checks, reconciling create, the shared HTTP client, outputs) "
        "called in this process with no gRPC, minus the same raw call. What is left of the overhead "
        "above is the gRPC server around the lifecycle: the SDK's server, its property marshalling, "
        "the process hops (the empty call below is one round trip's floor).\n"
    )
    print("| resource | Create ms | raw ms | lifecycle's own ms | Read ms | raw ms | lifecycle's own ms |")
    print("|---|---|---|---|---|---|---|")
    for f in lifecycles:
        print(
            f"| `{f.resource}` | {_ms(f.create)} | {_ms(f.create_raw)} | {_ms(f.create - f.create_raw)} | "
            f"{_ms(f.read)} | {_ms(f.read_raw)} | {_ms(f.read - f.read_raw)} |"
        )
    print()
    print(f"## Provider start to first answer, {starts} starts a face\n")
    print(
        "From the process start (the harness's own launcher of each face) to the port it prints and to "
        "its first `GetPluginInfo` answer, min / median / max; then the median of 20 more "
        "`GetPluginInfo` calls, the floor of a gRPC round trip from the harness to that server.\n"
    )
    print("| face | to port ms | to first answer ms | empty call, median ms |")
    print("|---|---|---|---|")
    for s in starting:
        print(f"| {s.face} | {_spread(s.port)} | {_spread(s.answer)} | {_ms(s.empty_call)} |")
    print()
    print("## The first Check, and the package's import in the provider process\n")
    print(
        "The first Check of the `up` above (the dynamic server imports the package when it unpickles "
        "the first `__provider`) against the median of the later ones.\n"
    )
    print("| resource | face | first Check ms | later Checks, median ms |")
    print("|---|---|---|---|")
    for c in calls:
        print(f"| `{c.resource}` | {c.face} | {c.first_check * 1000:.0f} | {_ms(c.later_checks)} |")
    print()
    print(
        f'`python -X importtime -c "import pulumi, pulumi.dynamic; import MODULE"`, {starts} runs: '
        f"the module's cumulative time (target < {TARGET_IMPORT_MS:g} ms; CPython counts the parent "
        "packages `pulumi_apikeys` and its backend's inside it), min / median / max.\n"
    )
    print("| module | cumulative ms | target met |")
    print("|---|---|---|")
    for module, module_runs in imports.items():
        median = statistics.median(r.module_us for r in module_runs) / 1000
        print(
            f"| `{module}` | {_spread([r.module_us / 1e6 for r in module_runs])} | "
            f"{'yes' if median < TARGET_IMPORT_MS else 'no'} |"
        )
    print()
    for module, module_runs in imports.items():
        print(f"Top 10 modules under `{module}` by cumulative time (its median run):\n")
        print("| module | depth | cumulative ms | self ms |")
        print("|---|---|---|---|")
        for line in module_runs[len(module_runs) // 2].under:
            print(
                f"| `{line.name}` | {line.level} | {line.cumulative_us / 1000:.1f} | "
                f"{line.self_us / 1000:.1f} |"
            )
        print()

    failed = [c for c in calls if c.outcome != "ok"]
    for c in failed:
        print(f"overhead.py: {c.resource} {c.face}: {c.outcome}", file=sys.stderr)
    return 1 if failed else 0


def _spread(seconds: Sequence[float]) -> str:
    return " / ".join(f"{v * 1000:.0f}" for v in (min(seconds), statistics.median(seconds), max(seconds)))


if __name__ == "__main__":
    sys.exit(main())
