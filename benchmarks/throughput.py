"""Throughput of one `pulumi up` and `pulumi destroy` of many keys, both faces, against the naive provider.

Through the engine-faithful harness (the dynamic provider server, or the provider plugin, over gRPC as
`pulumi up` drives them) against the emulator with latency added to every request (50 ms by default):

1. N creates in one `up`, then N deletes in one `destroy` (N = 200; `--quick`: 20), for each backend
   and each face: the wall time, the time the API was busy (the union of the intervals in which at
   least one request was in flight, from the emulator's request log: each request's arrival to the
   end of its answer, the added latency included), both as ratios to N x L / P, where P is what the
   face can really have in flight (found from the code that sets each limit, and printed with its
   sources); the peak of requests in flight; the distinct TCP connections (each request's peer
   address as the emulator saw it), which must not exceed P (the script exits 1 if they do).
2. The same N under the Admin API's real rate limit (the emulator's token bucket, 7 requests, then a
   refill over a scaled-down window), as `rate_limited_fleet.py` runs it: the ratio to the least time
   the bucket allows.
3. N creates of keys that all share one `name` (distinct resource names) against N distinct names,
   on the dynamic face: the requests in flight show whether creates of one name are serialized.
4. The naive alternative (`benchmarks/baselines/`: a dynamic provider defined in the program, the
   credential in its constructor, a new connection per call, no retries, the value a plain output) on
   the same work as the dynamic face of step 1: every ratio naive/ours, the state per key, the
   serialized provider, the first Check, and what each leaves in the state file.

    .venv/bin/python benchmarks/throughput.py [--quick] [--keys 200] [--latency-ms 50]
        [--backend openai capy] [--rate-burst 7] [--rate-window 3]

Only Markdown goes to stdout (progress goes to stderr). Only 127.0.0.1 is contacted; every operation
is bounded by the harness's timeout. The full run takes about 15 minutes, most of it the rate limit;
`--quick` well under a minute.
"""

from __future__ import annotations

import argparse
import base64
import concurrent.futures
import json
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pulumi.dynamic
from tests.backends import ResourceUnderTest, under_test
from tests.faults.conftest import fault_stack
from tests.faults.programs import many_keys
from tests.harness import HarnessStack, Secret, UpResult
from tests.harness.properties import strip_secrets

from pulumi_apikeys._http import shared_http_client
from pulumi_apikeys.emulator import (
    EmulatorConfig,
    FaultPlan,
    RateLimit,
    RecordedRequest,
    RunningEmulator,
    start_emulator,
)
from pulumi_apikeys.plugin.server import MAX_CONCURRENT_CALLS

_ROOT = Path(__file__).resolve().parent.parent
BASELINES = _ROOT / "benchmarks" / "baselines"
NAIVE_PROGRAMS = {
    "openai": BASELINES / "naive_openai" / "__main__.py",
    "capy": BASELINES / "naive_capy" / "__main__.py",
}
"""The naive program of each backend (a Pulumi program each, run from its own folder)."""
CAPY_ORGANIZATION = "org_1"
"""The organization the shared tables' capy keys (and so the naive capy program's) belong to."""


# --------------------------------------------------------------------------------- what P is


@dataclass(frozen=True)
class Limit:
    """One cap on requests in flight, and where it was read."""

    value: int
    source: str


@dataclass(frozen=True)
class Parallelism:
    """Every cap between a program's resources and the API, read from the code that sets it."""

    dynamic_server: Limit
    program_executor: Limit
    harness_deletes: Limit
    plugin_calls: Limit
    http_pool: Limit

    def engine(self, operation: str) -> Limit:
        """What the engine (as the harness models it) has in flight for ``operation``."""
        return self.program_executor if operation == "up" else self.harness_deletes

    def caps(self, face: str, operation: str) -> list[Limit]:
        server = self.dynamic_server if face == "dynamic" else self.plugin_calls
        return [self.engine(operation), server, self.http_pool]

    def p(self, face: str, operation: str) -> int:
        """P: the least of the caps a request of this face and operation passes."""
        return min(limit.value for limit in self.caps(face, operation))


def _read_int(path: Path, pattern: str) -> int:
    match = re.search(pattern, path.read_text())
    if match is None:
        raise LookupError(f"{pattern!r} not found in {path}: the benchmark's way of finding P is stale")
    return int(match.group(1))


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(_ROOT))
    except ValueError:
        return path.name if "site-packages" not in str(path) else str(path).split("site-packages/")[1]


def find_parallelism() -> Parallelism:
    """Reads each cap from its source: the SDK's dynamic provider server, the Python default executor
    the harness runs the program's registrations on, the harness's delete pool, the plugin's call pool
    and the shared HTTP client's connection pool."""
    dynamic_main = Path(pulumi.dynamic.__file__).parent / "__main__.py"
    workers = _read_int(dynamic_main, r"ThreadPoolExecutor\(max_workers=(\d+)\)")
    # asyncio.run's loop runs the SDK's RegisterResource calls (run_in_executor(None, ...)) on the
    # default ThreadPoolExecutor; each call blocks until the engine has carried out the step.
    with concurrent.futures.ThreadPoolExecutor() as default_pool:
        executor = default_pool._max_workers
    engine_py = _ROOT / "tests" / "harness" / "engine.py"
    deletes = _read_int(engine_py, r"ThreadPoolExecutor\(max_workers=min\((\d+), len\(chain\)\)\)")
    pool: Any = shared_http_client()
    connections = int(pool._transport._pool._max_connections)
    return Parallelism(
        dynamic_server=Limit(
            workers, f"`ThreadPoolExecutor(max_workers={workers})` in `{_shown(dynamic_main)}`"
        ),
        program_executor=Limit(
            executor,
            f"the program's registrations: asyncio's default executor, min(32, cores + 4) = {executor} "
            "(the harness runs the program with `asyncio.run`; the SDK's `RegisterResource` blocks a "
            "thread of it until the step is done)",
        ),
        harness_deletes=Limit(
            deletes, f"the harness's delete pool, `min({deletes}, len(chain))` in `{_shown(engine_py)}`"
        ),
        plugin_calls=Limit(
            MAX_CONCURRENT_CALLS, "`MAX_CONCURRENT_CALLS` in `provider/pulumi_apikeys/plugin/server.py`"
        ),
        http_pool=Limit(
            connections, "`httpx.Limits(max_connections=...)` of `shared_http_client()` in `_http.py`"
        ),
    )


# ------------------------------------------------------------------------------- measuring


@dataclass
class Run:
    """One harness operation and what the emulator saw of it."""

    backend: str
    face: str
    operation: str
    keys: int
    result: UpResult
    wall: float
    requests: list[RecordedRequest]
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.result.ok

    @property
    def outcome(self) -> str:
        if self.result.ok:
            return "ok"
        lines = self.result.error_text.strip().splitlines() or ["(no message)"]
        return "FAILED: " + lines[0][:120].replace("|", "/")

    def intervals(self) -> list[tuple[float, float]]:
        """Each request's (arrival, end) in seconds; a request never finished ends at the last end seen."""
        ends = [r.finished.timestamp() for r in self.requests if r.finished is not None]
        last = max(ends, default=0.0)
        return [
            (r.time.timestamp(), r.finished.timestamp() if r.finished is not None else last)
            for r in self.requests
        ]

    @property
    def busy(self) -> float:
        """Seconds in which at least one request was in flight."""
        total, reach = 0.0, float("-inf")
        for start, end in sorted(self.intervals()):
            if end <= reach:
                continue
            total += end - max(start, reach)
            reach = end
        return total

    @property
    def span(self) -> float:
        """Seconds from the first request's arrival to the last one's end."""
        spans = self.intervals()
        return max(e for _, e in spans) - min(s for s, _ in spans) if spans else 0.0

    @property
    def peak(self) -> int:
        """The most requests in flight at one moment (an end counts before a start at the same time)."""
        events = sorted([(s, 1) for s, _ in self.intervals()] + [(e, -1) for _, e in self.intervals()])
        peak = current = 0
        for _, step in events:
            current += step
            peak = max(peak, current)
        return peak

    @property
    def connections(self) -> int:
        """Distinct client connections (peer ``host:port``) the requests came on."""
        return len({r.client for r in self.requests if r.client is not None})

    @property
    def throttled(self) -> int:
        return sum(1 for r in self.requests if r.throttled)

    def first_check_ms(self) -> float:
        checks = self.result.calls_to("Check")
        return (checks[0].ended - checks[0].started) * 1000 if checks else float("nan")


def _progress(message: str) -> None:
    print(f"[throughput] {message}", file=sys.stderr, flush=True)


def run_operation(
    stack: HarnessStack,
    emulator: RunningEmulator,
    plan: FaultPlan,
    operation: str,
    program: str | Path | None,
    *,
    label: tuple[str, str, int],
) -> Run:
    """``up`` of ``program`` (or ``destroy``) under ``plan``, with the emulator's log of it."""
    emulator.control.set_faults(plan)
    emulator.control.clear_requests()
    started = time.monotonic()
    result = stack.up(program) if operation == "up" else stack.destroy()
    wall = time.monotonic() - started
    backend, face, keys = label
    run = Run(backend, face, operation, keys, result, wall, emulator.control.requests())
    emulator.control.clear_faults()
    if operation == "up":
        run.state = state_figures(stack, emulator.endpoint(backend).credential)
    _progress(
        f"{backend} {face} {operation} {keys}: {wall:.1f} s, {len(run.requests)} requests, {run.outcome}"
    )
    return run


def state_figures(stack: HarnessStack, credential: str) -> dict[str, Any]:
    """What the state file holds of the stack's keys: bytes a key, the serialized provider, and leaks.

    The admin credential is searched for in the file as written (plaintext) and in the decrypted
    view (what anyone with the passphrase, or ``pulumi stack export --show-secrets``, reads), inside
    the base64 pickle of each ``__provider`` too; each key's value (read from the decrypted view) in
    the file as written.
    """
    view = stack.state()
    raw = view.raw
    document = json.loads(raw) if raw else {}
    entries = [
        r
        for r in document.get("checkpoint", {}).get("latest", {}).get("resources", [])
        if not r["type"].startswith("pulumi:providers:") and r["type"] != "pulumi:pulumi:Stack"
    ]
    bytes_per_key = sum(len(json.dumps(r, separators=(",", ":"))) for r in entries) / max(1, len(entries))
    keys = view.managed
    provider_b64 = ""
    credential_decrypted = 0
    values: list[str] = []
    for resource in keys:
        serialized = strip_secrets(resource.inputs.get("__provider", ""))
        provider_b64 = provider_b64 or serialized
        plain = json.dumps(strip_secrets({"in": resource.inputs, "out": resource.outputs}))
        pickled = base64.b64decode(serialized) if serialized else b""
        if credential in plain or credential.encode() in pickled:
            credential_decrypted += 1
        # The key's value: ``value``, or a service account's ``api_key_value`` (either spelling).
        for name in ("value", "api_key_value", "apiKeyValue"):
            value = resource.outputs.get(name)
            value = value.value if isinstance(value, Secret) else value
            if isinstance(value, str) and value:
                values.append(value)
    return {
        "keys": len(keys),
        "bytes_per_key": bytes_per_key,
        "provider_chars": len(provider_b64),
        "provider_bytes": len(base64.b64decode(provider_b64)) if provider_b64 else 0,
        "credential_plaintext": raw.count(credential),
        "credential_decrypted": credential_decrypted,
        "values": len(values),
        "values_plaintext": sum(1 for v in values if v in raw),
    }


def new_stack(root: Path, name: str, emulator: RunningEmulator, keys: int) -> HarnessStack:
    """A fresh stack with the default retry budget; ``timeout`` generous for the rate limit."""
    return fault_stack(root / name, emulator, budget={}, timeout=120.0 + 3 * keys)


def same_name_program(subject: ResourceUnderTest, keys: int) -> str:
    """``keys`` keys ``k000``... that all share one ``name``."""
    lines = [subject.key(f"k{i:03}", "bench same name") for i in range(keys)]
    return subject.program("\n".join(lines) + "\n")


# ------------------------------------------------------------------------------- the tables


def _ratio(value: float, bound: float) -> str:
    return f"{value / bound:.2f}" if bound > 0 else "n/a"


def throughput_table(runs: Sequence[Run], p: Parallelism, latency: float) -> None:
    print(
        "| backend | face | operation | N | requests | P | wall s | N x L / P s | wall ratio | "
        "API span s | API-busy s | busy ratio | peak in flight | connections | outcome |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for run in runs:
        width = p.p(run.face, run.operation)
        bound = run.keys * latency / width
        print(
            f"| {run.backend} | {run.face} | {run.operation} | {run.keys} | {len(run.requests)} | {width} | "
            f"{run.wall:.2f} | {bound:.2f} | {_ratio(run.wall, bound)} | {run.span:.2f} | {run.busy:.2f} | "
            f"{_ratio(run.busy, bound)} | {run.peak} | {run.connections} | {run.outcome} |"
        )


def describe_p(p: Parallelism) -> None:
    for face in ("dynamic", "plugin"):
        for operation in ("up", "destroy"):
            caps = " ; ".join(f"{c.value}: {c.source}" for c in p.caps(face, operation))
            print(f"- P, {face} face, {operation}: {p.p(face, operation)} = the least of {caps}.")
    print(
        "- The real CLI differs only in the engine's share: its Python language host sizes the "
        "program's executor from `--parallel` (x 4, as `pulumi/automation/_server.py` does after "
        "`pulumi-language-python-exec`), and the engine runs deletes `--parallel` at a time."
    )


def rate_table(runs: Sequence[Run], limit: RateLimit) -> None:
    print(
        "| backend | face | operation | N | admitted | 429s | wall s | bucket minimum s | ratio | "
        "peak in flight | connections | outcome |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for run in runs:
        admitted = len(run.requests) - run.throttled
        minimum = limit.minimum_seconds(admitted)
        print(
            f"| {run.backend} | {run.face} | {run.operation} | {run.keys} | {admitted} | {run.throttled} | "
            f"{run.wall:.1f} | {minimum:.1f} | {_ratio(run.wall, minimum)} | {run.peak} | "
            f"{run.connections} | {run.outcome} |"
        )


def same_name_table(pairs: Sequence[tuple[Run, Run]], p: Parallelism, latency: float) -> None:
    print(
        "| backend | names | N | wall s | API-busy s | busy ratio | peak in flight | connections | outcome |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    bound_p = p.p("dynamic", "up")
    for same, distinct in pairs:
        for label, run in (("one name for all", same), ("distinct", distinct)):
            bound = run.keys * latency / bound_p
            print(
                f"| {run.backend} | {label} | {run.keys} | {run.wall:.2f} | {run.busy:.2f} | "
                f"{_ratio(run.busy, bound)} | {run.peak} | {run.connections} | {run.outcome} |"
            )


def naive_table(naive: tuple[Run, Run], ours: tuple[Run, Run]) -> None:
    (naive_up, naive_destroy), (ours_up, ours_destroy) = naive, ours
    ns, os_ = naive_up.state, ours_up.state

    def row(what: str, a: float, b: float, fmt: str = "{:.2f}") -> None:
        print(f"| {what} | {fmt.format(a)} | {fmt.format(b)} | {_ratio(a, b)} |")

    print("| measure | naive | ours | naive/ours |")
    print("|---|---|---|---|")
    row("`up` wall s", naive_up.wall, ours_up.wall)
    row("`up` API-busy s", naive_up.busy, ours_up.busy)
    row("`up` peak in flight", naive_up.peak, ours_up.peak, "{:.0f}")
    row("`up` TCP connections", naive_up.connections, ours_up.connections, "{:.0f}")
    row("`destroy` wall s", naive_destroy.wall, ours_destroy.wall)
    row("`destroy` TCP connections", naive_destroy.connections, ours_destroy.connections, "{:.0f}")
    row("state bytes a key", ns["bytes_per_key"], os_["bytes_per_key"], "{:,.0f}")
    row("serialized provider, base64 chars", ns["provider_chars"], os_["provider_chars"], "{:,.0f}")
    row("serialized provider, pickle bytes", ns["provider_bytes"], os_["provider_bytes"], "{:,.0f}")
    row("first Check ms", naive_up.first_check_ms(), ours_up.first_check_ms(), "{:.0f}")
    print(
        f"| admin credential in the state file, plaintext (occurrences) | {ns['credential_plaintext']} | "
        f"{os_['credential_plaintext']} | - |"
    )
    print(
        "| keys whose decrypted state holds the admin credential | "
        f"{ns['credential_decrypted']} of {ns['keys']} | {os_['credential_decrypted']} of {os_['keys']} | - |"
    )
    print(
        f"| key values in the state file, plaintext | {ns['values_plaintext']} of {ns['values']} | "
        f"{os_['values_plaintext']} of {os_['values']} | - |"
    )
    print(
        f"| outcome (up / destroy) | {naive_up.outcome} / {naive_destroy.outcome} | "
        f"{ours_up.outcome} / {ours_destroy.outcome} | - |"
    )


# ------------------------------------------------------------------------------------ main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small N and a short rate window (CI)")
    parser.add_argument("--keys", type=int, default=None, help="N (default 200; --quick: 20)")
    parser.add_argument("--latency-ms", type=int, default=50, help="added to every API request")
    parser.add_argument("--backend", nargs="+", default=["openai", "capy"], choices=["openai", "capy"])
    parser.add_argument("--rate-burst", type=int, default=7, help="requests the bucket lets through at once")
    parser.add_argument(
        "--rate-window",
        type=float,
        default=None,
        help="seconds the bucket takes to refill (default 3; --quick: 0.5)",
    )
    args = parser.parse_args(argv)
    keys = args.keys or (20 if args.quick else 200)
    window = args.rate_window or (0.5 if args.quick else 3.0)
    latency = args.latency_ms / 1000
    limit = RateLimit(burst=args.rate_burst, window_seconds=window)
    plan = FaultPlan(latency_ms=args.latency_ms)
    limited = FaultPlan(latency_ms=args.latency_ms, rate_limit=limit)
    p = find_parallelism()
    subjects = {s.backend: s for s in under_test() if s.backend in args.backend}

    throughput: list[Run] = []
    rated: list[Run] = []
    same_names: list[tuple[Run, Run]] = []
    naive: dict[str, tuple[Run, Run]] = {}
    ours: dict[str, tuple[Run, Run]] = {}
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as workdir, start_emulator(EmulatorConfig(port=0)) as emulator:
        root = Path(workdir)

        def pair(
            name: str, backend: str, face: str, program: str | Path, faults: FaultPlan
        ) -> tuple[Run, Run]:
            emulator.control.reset()
            stack = new_stack(root, name, emulator, keys)
            if isinstance(program, Path):
                stack.set_config("naive:keys", str(keys))
                stack.set_config("naive:prefix", "bench")
                stack.set_config("naive:organizationId", CAPY_ORGANIZATION)
            label = (backend, face, keys)
            up = run_operation(stack, emulator, faults, "up", program, label=label)
            down = run_operation(stack, emulator, faults, "destroy", None, label=label)
            return up, down

        for backend, subject in subjects.items():
            for face, face_subject in (("dynamic", subject), ("plugin", subject.on_plugin())):
                program = many_keys(face_subject, keys, prefix="bench")
                runs = pair(f"{backend}-{face}", backend, face, program, plan)
                throughput.extend(runs)
                if face == "dynamic":
                    ours[backend] = runs

        print(f"## Throughput: {keys} creates, then {keys} deletes, at {args.latency_ms} ms added latency\n")
        print(
            "Each operation through the harness against the emulator; wall time around the operation, API "
            "span and API-busy time (the union of request intervals) from the emulator's request log, "
            f"ratios to N x L / P (L = {args.latency_ms} ms), connections the distinct peer addresses.\n"
        )
        throughput_table(throughput, p, latency)
        print()
        describe_p(p)
        print()

        for backend, subject in subjects.items():
            for face, face_subject in (("dynamic", subject), ("plugin", subject.on_plugin())):
                program = many_keys(face_subject, keys, prefix="bench")
                rated.extend(pair(f"{backend}-{face}-limited", backend, face, program, limited))
        print(f"## Under the rate limit: {args.rate_burst} requests, refilled over {window:g} s\n")
        print(
            "The same operations against the emulator's token bucket (per API and credential, no "
            "retry header, as the real Admin API), default settings, each from a full bucket; the "
            "bucket's minimum is (admitted - burst) x window / burst.\n"
        )
        rate_table(rated, limit)
        print()

        for backend, subject in subjects.items():
            emulator.control.reset()
            stack = new_stack(root, f"{backend}-same-name", emulator, keys)
            same = run_operation(
                stack,
                emulator,
                plan,
                "up",
                same_name_program(subject, keys),
                label=(backend, "dynamic", keys),
            )
            same_names.append((same, ours[backend][0]))
        print(f"## {keys} creates of one key name against {keys} distinct names (dynamic face)\n")
        print(
            "One `up` of keys that all declare the same `name` (distinct resource names), beside the "
            "distinct-name `up` of the throughput table; busy ratio to N x L / P with "
            f"P = {p.p('dynamic', 'up')}.\n"
        )
        same_name_table(same_names, p, latency)
        print()

        for backend in subjects:
            naive[backend] = pair(f"{backend}-naive", backend, "naive", NAIVE_PROGRAMS[backend], plan)
        for backend in subjects:
            print(
                f"## The naive provider against ours, {backend}: {keys} creates and deletes, dynamic face\n"
            )
            print(
                f"`benchmarks/baselines/naive_{backend}` (the provider defined in the program, the "
                "credential in its constructor, `httpx.post` per call, the value a plain output) against "
                "the dynamic face's runs above, same N and latency; state bytes a key = compact JSON of a "
                "key's checkpoint entry; first Check = the first Check call, from request to answer.\n"
            )
            naive_table(naive[backend], ours[backend])
            print()

    for run in [*throughput, *rated, *[s for s, _ in same_names], *[r for n in naive.values() for r in n]]:
        if not run.ok:
            problems.append(f"{run.backend} {run.face} {run.operation}: {run.outcome}")
    for run in throughput:
        width = p.p(run.face, run.operation)
        if run.connections > width:
            problems.append(
                f"{run.backend} {run.face} {run.operation}: {run.connections} TCP connections, "
                f"more than P = {width}"
            )
    for problem in problems:
        print(f"throughput.py: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
