"""The benchmark scripts run: their quick versions, so that none can rot between two `make bench`."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUN_ALL = ROOT / "benchmarks" / "run_all.py"


def _scripts() -> list[str]:
    spec = importlib.util.spec_from_file_location("benchmarks_run_all", RUN_ALL)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return [benchmark.script for benchmark in module.BENCHMARKS]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("script", _scripts())
def test_the_benchmark_runs_in_its_quick_version_and_writes_its_tables(script: str, tmp_path: Path):
    results = tmp_path / "RESULTS.md"

    done = subprocess.run(
        [sys.executable, str(RUN_ALL), "--quick", "--only", script, "--output", str(results)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=290,
    )

    written = results.read_text() if results.exists() else ""
    assert done.returncode == 0, done.stderr + written
    assert written.startswith("# Benchmark results")
    assert "\n| " in written or "```" in written, written


def test_an_update_replaces_only_the_rerun_scripts_section():
    spec = importlib.util.spec_from_file_location("benchmarks_run_all_update", RUN_ALL)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    previous = (
        "# Benchmark results\n\n- Commit: a\n\n"
        "<!-- benchmarks/steps.py: 1 s, commit a -->\n\nsteps table\n\n"
        "<!-- benchmarks/overhead.py: 2 s, commit a -->\n\nold overhead\n\n"
        "<!-- benchmarks/state_size.py: 3 s, commit a -->\n\nstate table\n"
    )
    rerun = "<!-- benchmarks/overhead.py: 4 s, commit b -->\n\nnew"

    result = module.updated(previous, {"overhead.py": rerun})

    assert "old overhead" not in result
    assert result.index("steps table") < result.index("new") < result.index("state table")
    assert result.startswith("# Benchmark results\n\n- Commit: a\n")
