"""The fault suite's figures: one row per scenario, printed at the end of the run.

Rows are recorded in the test's process; ``conftest`` carries each test's new rows on its report
(``user_properties``), so they reach the summary under pytest-xdist too, from every worker.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, fields

from tests.faults.audit import Audit

__all__ = ["FIGURES", "THROTTLE_FIGURES", "FaultFigures", "ThrottleFigures", "record_single_run", "render"]


@dataclass(frozen=True)
class FaultFigures:
    """What one scenario did and what it left behind."""

    scenario: str
    operations: int
    """Creates and deletes the program asked for."""
    faults_injected: int
    """Faults the emulator injected (its request log), every kind counted."""
    successes: int
    """Operations that completed on their first ``pulumi up`` / ``destroy``."""
    user_visible_failures: int
    """Operations that failed the run they were in (the user would re-run)."""
    orphaned_keys: int
    """Live keys in the API that no resource in state refers to, after the scenario."""
    lost_values: int
    """Resources in state whose value is missing or does not belong to their key."""
    seconds: float
    failures: tuple[str, ...] = ()
    """What each user-visible failure said (its error's last line): printed below the table, so a
    failure the scenario tolerates still leaves its cause in the log."""


FIGURES: list[FaultFigures] = []
"""Rows recorded by this process's fault tests, in the order they ran."""


@dataclass(frozen=True)
class ThrottleFigures:
    """One operation against the emulator's rate limit, beside the least time the bucket allows."""

    scenario: str
    keys: int
    requests_admitted: int
    responses_429: int
    failures: int
    orphaned_keys: int
    seconds: float
    """The whole operation, as the harness ran it (two interpreters started included)."""
    bucket_minimum: float
    """``(admitted - burst) x window / burst``: no client can be quicker."""

    @property
    def ratio(self) -> float:
        return self.seconds / self.bucket_minimum if self.bucket_minimum else float("inf")


THROTTLE_FIGURES: list[ThrottleFigures] = []
"""Rows recorded by this process's rate-limit scenarios."""


def record_single_run(
    scenario: str, *, operations: int, injected: int, ok: bool, audit: Audit, started: float
) -> None:
    """Records a scenario that is one ``pulumi up``: its creates succeeded, or the run failed."""
    FIGURES.append(
        FaultFigures(
            scenario=scenario,
            operations=operations,
            faults_injected=injected,
            successes=len(audit.in_state) if ok else 0,
            user_visible_failures=0 if ok else 1,
            orphaned_keys=len(audit.orphans),
            lost_values=len(audit.lost_values),
            seconds=time.monotonic() - started,
        )
    )


def _cell(value: object) -> str:
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def render(rows: list[FaultFigures] | list[ThrottleFigures]) -> list[str]:
    """The rows (all of one kind) as a fixed-width table; throttle rows get their ratio too; then
    each failure a fault row recorded, one line each."""
    names = [f.name for f in fields(rows[0]) if f.name != "failures"]
    cells = [[_cell(getattr(row, n)) for n in names] for row in rows]
    if isinstance(rows[0], ThrottleFigures):
        names.append("ratio")
        for row, line in zip(rows, cells, strict=True):
            if isinstance(row, ThrottleFigures):
                line.append(f"{row.ratio:.2f}")
    widths = [max(len(n), *(len(c[i]) for c in cells)) for i, n in enumerate(names)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    for row in rows:
        if isinstance(row, FaultFigures):
            lines += [f"failure in {row.scenario}: {text}" for text in row.failures]
    return lines
