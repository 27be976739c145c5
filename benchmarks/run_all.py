"""Runs every benchmark, one after another, and writes their tables to ``benchmarks/RESULTS.md``.

Each script prints Markdown of its own; this one adds what a reader needs to weigh the figures:
the date, the commit (and whether the tree had changes), the machine and the interpreter. The
scripts run one at a time so that none measures another's load.

    .venv/bin/python benchmarks/run_all.py                  # the whole set (`make bench`), ~15 min
    .venv/bin/python benchmarks/run_all.py --quick --output /tmp/RESULTS.md   # small N (CI)
    .venv/bin/python benchmarks/run_all.py --only overhead.py --update   # rerun one, keep the rest

``--quick`` exists so the scripts cannot rot: CI runs it, and its figures mean nothing.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


@dataclass(frozen=True)
class Benchmark:
    """One script, with the arguments of a full run and of a quick one."""

    script: str
    full: tuple[str, ...] = ()
    quick: tuple[str, ...] = ("--quick",)


BENCHMARKS = (
    Benchmark("steps.py"),
    Benchmark("throughput.py"),
    Benchmark("overhead.py"),
    Benchmark("state_size.py"),
    Benchmark("rate_limited_fleet.py", quick=("--keys", "10", "--backend", "openai", "--window", "2")),
    Benchmark("plugin_startup.py", quick=("--runs", "2")),
    Benchmark("client_vs_emulator.py", quick=("--keys", "20")),
)


def machine() -> str:
    """The machine in one line: CPU model, cores, memory, OS, Python."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def commit() -> str:
    """The commit measured, marked when the working tree differs from it."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout

    head = git("rev-parse", "--short", "HEAD").strip() or "unknown"
    changed = git("status", "--porcelain", "--untracked-files=no")
    return head + (" (with uncommitted changes)" if changed else "")


def as_markdown(output: str) -> str:
    """A script's output as Markdown: an older script's fixed-width table goes in a code block."""
    if output.lstrip().startswith("#") or "\n|" in output:
        return output.strip()
    return "```\n" + output.strip() + "\n```"


def run(benchmark: Benchmark, *, quick: bool) -> tuple[str, float, bool]:
    """The script's Markdown, its wall time, and whether it succeeded."""
    args = benchmark.quick if quick else benchmark.full
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, str(HERE / benchmark.script), *args], cwd=ROOT, capture_output=True, text=True
    )
    seconds = time.monotonic() - started
    shown = " ".join(["benchmarks/" + benchmark.script, *args])
    text = as_markdown(done.stdout)
    if done.returncode != 0:
        error = done.stderr.strip()[-4000:]
        text += f"\n\n**`{shown}` failed (exit {done.returncode}):**\n\n```\n{error}\n```"
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    marker = f"<!-- {shown}: {seconds:.0f} s, {when}, commit {commit()} -->"
    return f"{marker}\n\n{text}", seconds, done.returncode == 0


def updated(previous: str, sections: dict[str, str]) -> str:
    """``previous`` (a RESULTS.md) with the section of each script in ``sections`` replaced: from
    its ``<!-- benchmarks/<script>`` marker to the next marker. A script without one is appended."""
    parts = previous.split("\n<!-- benchmarks/")
    head, rest = parts[0], ["<!-- benchmarks/" + part for part in parts[1:]]
    for script, text in sections.items():
        at = [i for i, part in enumerate(rest) if part.startswith(f"<!-- benchmarks/{script}")]
        if at:
            rest[at[0]] = text + "\n"
        else:
            rest.append(text + "\n")
    return "\n".join([head.rstrip("\n") + "\n", *rest]).rstrip("\n") + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="small N: proves the scripts run, nothing more")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--only", nargs="+", help="run only these scripts (e.g. steps.py)")
    parser.add_argument(
        "--update",
        action="store_true",
        help="replace only these scripts' sections of --output (each section names its own commit)",
    )
    args = parser.parse_args()
    if args.update and (not args.only or not args.output.exists()):
        parser.error("--update needs --only and an existing --output")

    chosen = [b for b in BENCHMARKS if not args.only or b.script in args.only]
    sections: dict[str, str] = {}
    failed = []
    for benchmark in chosen:
        print(f"running {benchmark.script} ...", file=sys.stderr, flush=True)
        text, seconds, ok = run(benchmark, quick=args.quick)
        print(f"  {'ok' if ok else 'FAILED'} in {seconds:.0f} s", file=sys.stderr, flush=True)
        sections[benchmark.script] = text
        if not ok:
            failed.append(benchmark.script)
    if args.update:
        args.output.write_text(updated(args.output.read_text(), sections))
        print(f"updated {', '.join(sections)} in {args.output}", file=sys.stderr)
        return 1 if failed else 0

    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    header = (
        "# Benchmark results\n\n"
        f"- Date: {today}\n- Commit: {commit()}\n- Machine: {machine()}\n"
        f"- Run: `{' '.join(['benchmarks/run_all.py', *sys.argv[1:]])}`"
        + (" (quick: small N, the figures mean nothing)" if args.quick else "")
        + "\n\nEvery figure is regenerated by the command above; how each is measured is said under its "
        "heading and in its script's docstring; each section's marker names when and at which commit "
        "it ran (`--only X --update` reruns one). See `benchmarks/README.md`.\n"
    )
    args.output.write_text(header + "\n" + "\n\n".join(sections.values()) + "\n")
    print(f"wrote {args.output}", file=sys.stderr)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
