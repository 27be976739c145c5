"""A fleet `up` and `destroy` against the Admin API's real rate limit, scaled down, with default settings.

The emulator enforces the token bucket a peer measured on OpenAI's Admin API (7 requests at once, then
429 with no retry header until it refills over 60 s), here with the window scaled down (6 s by default)
so that a run takes minutes, not hours. For each backend and fleet size it deploys N keys through the
engine-faithful test harness (the dynamic provider server over gRPC, as `pulumi up` runs it), then
destroys them, each operation starting from a full bucket, and reports the wall time beside the least
time the bucket allows, ``(requests - burst) x window / burst``, and the 429s received.

Then, on a fake clock, the pacer alone against three shapes of limit (a continuous token bucket, a
sliding log, fixed windows) at the real 60 s window: what the scaled runs cannot show in minutes.

    .venv/bin/python benchmarks/rate_limited_fleet.py [--keys 30 100] [--backend openai capy]
        [--burst 7] [--window 6]

Only 127.0.0.1 is contacted; every operation is bounded by the harness's timeout.
"""

from __future__ import annotations

import argparse
import heapq
import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.backends import under_test
from tests.faults.conftest import fault_stack
from tests.faults.programs import many_keys

from pulumi_apikeys._pacing import PaceModel, Permit
from pulumi_apikeys.emulator import (
    EmulatorConfig,
    FaultPlan,
    RateLimit,
    start_emulator,
)

WORKERS = 4
"""Operations the dynamic provider server runs at once (its gRPC thread pool)."""


def fleet_rows(backend: str, keys: int, limit: RateLimit) -> list[str]:
    """Deploys and destroys ``keys`` keys of ``backend``; one Markdown row per operation."""
    subject = next(subject for subject in under_test() if subject.backend == backend)
    program = many_keys(subject, keys, prefix="bench")
    rows = []
    with tempfile.TemporaryDirectory() as workdir, start_emulator(EmulatorConfig(port=0)) as emulator:
        # The default retry budget: no apikeys:* timing setting at all.
        stack = fault_stack(Path(workdir), emulator, budget={}, timeout=60.0 + 3 * keys)
        for operation in ("up", "destroy"):
            emulator.control.set_faults(FaultPlan(rate_limit=limit))
            emulator.control.clear_requests()
            started = time.monotonic()
            result = stack.up(program) if operation == "up" else stack.destroy()
            seconds = time.monotonic() - started
            requests = emulator.control.requests()
            refused = sum(1 for r in requests if r.throttled)
            admitted = len(requests) - refused
            minimum = limit.minimum_seconds(admitted)
            outcome = "ok" if result.ok else "FAILED: " + result.error_text.splitlines()[0]
            rows.append(
                f"| {backend} | {operation} | {keys} | {admitted} | {refused} | {seconds:.1f} | "
                f"{minimum:.1f} | {seconds / minimum:.2f} | {outcome} |"
            )
            print(rows[-1], flush=True)
    return rows


class _Limit:
    """A server limit of ``burst`` requests per ``window`` seconds, in one of three shapes."""

    def __init__(self, shape: str, burst: int, window: float) -> None:
        self.shape, self.burst, self.window = shape, burst, window
        self.tokens, self.updated, self.log = float(burst), 0.0, []  # type: ignore[var-annotated]
        self.current, self.used = -1, 0

    def admits(self, now: float) -> bool:
        if self.shape == "token bucket":
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.burst / self.window)
            self.updated = now
            if self.tokens >= 1:
                self.tokens -= 1
                return True
            return False
        if self.shape == "sliding log":
            self.log = [t for t in self.log if t > now - self.window]
            if len(self.log) < self.burst:
                self.log.append(now)
                return True
            return False
        window = math.floor(now / self.window)
        if window != self.current:
            self.current, self.used = window, 0
        self.used += 1
        return self.used <= self.burst


def simulated(shape: str, keys: int, burst: int, window: float, latency: float = 0.05) -> tuple[float, int]:
    """``keys`` creates by ``WORKERS`` workers through one ``PaceModel``: (seconds to the last, 429s)."""
    model, limit = PaceModel(), _Limit(shape, burst, window)
    queue: list[int] = []
    answers: list[tuple[float, int, int, Permit, bool]] = []  # (due, order, worker, permit, admitted)
    now, pending, done, refused, last, seq = 0.0, keys, 0, 0, 0.0, 0
    for worker in range(min(WORKERS, keys)):
        queue.append(worker)
        pending -= 1
    while done < keys:
        while queue and model.wait(now) <= 0:
            worker = queue.pop(0)
            permit = model.send(now)
            seq += 1
            heapq.heappush(answers, (now + latency, seq, worker, permit, limit.admits(now + latency / 2)))
        wait = model.wait(now) if queue else math.inf
        now = min(answers[0][0] if answers else math.inf, now + wait)
        while answers and answers[0][0] <= now:
            _, _, worker, permit, admitted = heapq.heappop(answers)
            if admitted:
                model.succeeded(permit, now)
                done, last = done + 1, now
                if pending:
                    pending -= 1
                    queue.append(worker)
            else:
                model.throttled_by(permit, now, None)
                refused += 1
                queue.append(worker)
    return last, refused


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--keys", type=int, nargs="+", default=[30, 100], help="fleet sizes")
    parser.add_argument("--backend", nargs="+", default=["openai", "capy"], choices=["openai", "capy"])
    parser.add_argument("--burst", type=int, default=7, help="requests the bucket lets through at once")
    parser.add_argument("--window", type=float, default=6.0, help="seconds the bucket takes to refill")
    parser.add_argument("--retry-after", action="store_true", help="the 429s carry retry-after")
    args = parser.parse_args()
    limit = RateLimit(burst=args.burst, window_seconds=args.window, retry_after=args.retry_after)

    print(f"## Fleet against a {args.burst}/{args.window:g} s bucket, default settings, via the harness\n")
    print("| backend | operation | keys | admitted | 429s | seconds | bucket minimum | ratio | outcome |")
    print("|---|---|---|---|---|---|---|---|---|")
    for backend in args.backend:
        for keys in args.keys:
            fleet_rows(backend, keys, limit)

    print(f"\n## The pacer alone, {WORKERS} workers, 50 ms latency, fake clock, {args.burst} per 60 s\n")
    print("| limit shape | keys | seconds | minimum | ratio | 429s |")
    print("|---|---|---|---|---|---|")
    for shape in ("token bucket", "sliding log", "fixed windows"):
        for keys in args.keys:
            seconds, refused = simulated(shape, keys, args.burst, 60.0)
            minimum = max(0, keys - args.burst) * 60.0 / args.burst
            ratio = seconds / minimum
            print(f"| {shape} | {keys} | {seconds:.0f} | {minimum:.0f} | {ratio:.2f} | {refused} |")


if __name__ == "__main__":
    main()
