"""The fault suite's figures: one row per scenario, printed at the end of the run."""

from __future__ import annotations

import time
from dataclasses import dataclass, fields

from tests.faults.audit import Audit

__all__ = ["FIGURES", "FaultFigures", "record_single_run", "render"]


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


FIGURES: list[FaultFigures] = []
"""Rows recorded by this session's fault tests, in the order they ran."""


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


def render(rows: list[FaultFigures]) -> list[str]:
    """The rows as a fixed-width table."""
    names = [f.name for f in fields(FaultFigures)]
    cells = [
        [str(getattr(row, n)) if n != "seconds" else f"{row.seconds:.1f}" for n in names] for row in rows
    ]
    widths = [max(len(n), *(len(c[i]) for c in cells)) for i, n in enumerate(names)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return lines
