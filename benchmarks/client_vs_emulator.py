"""Latency of the Admin API keys client against the emulator, and how it rides out faults.

Starts the emulator as its own process on loopback (so client and server do not share a GIL),
then times each call and a faulty run. Every loop is bounded; only 127.0.0.1 is contacted.

    .venv/bin/python benchmarks/client_vs_emulator.py [--keys 200] [--seed 7]

Prints one table; the figures quoted in notes come from here.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from pulumi_apikeys.emulator import EmulatorControl, FaultKind, FaultPlan
from pulumi_apikeys.errors import ApiError
from pulumi_apikeys.openai.client import AdminApiKeysClient
from pulumi_apikeys.settings import RetryPolicy

ADMIN_KEY = "sk-admin-benchmark"


@contextmanager
def emulator_process() -> Iterator[str]:
    """The emulator as a child process; yields its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "pulumi_apikeys.emulator", "--port", "0", "--admin-key", ADMIN_KEY],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        if not base_url.endswith("/v1"):
            raise RuntimeError(f"the emulator did not start: {base_url!r}")
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)


def timed(calls: int, call: Callable[[int], object]) -> list[float]:
    """Milliseconds each of ``calls`` calls took."""
    samples = []
    for i in range(calls):
        started = time.perf_counter()
        call(i)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def row(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return (
        f"{name:<34} n={len(samples):<5} p50={statistics.median(samples):7.2f} ms  "
        f"p95={p95:7.2f} ms  max={ordered[-1]:7.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--keys", type=int, default=200, help="keys to create, read and delete")
    parser.add_argument("--seed", type=int, default=7, help="seed of the emulator's fault rolls")
    args = parser.parse_args()

    with emulator_process() as base_url:
        control = EmulatorControl(base_url.removesuffix("/v1"))
        client = AdminApiKeysClient(admin_key=ADMIN_KEY, base_url=base_url)
        ids: list[str] = []
        print(row("create", timed(args.keys, lambda i: ids.append(client.create(name=f"bench-{i}").id))))
        print(row("retrieve", timed(args.keys, lambda i: client.retrieve(ids[i]))))
        for limit in (20, 100):

            def list_all(_: int, page: int = limit) -> object:
                return list(client.list(limit=page))

            print(row(f"list all {args.keys} keys, limit={limit}", timed(5, list_all)))

        # Faults on reads: 10% mixed transient faults; the client's retries should absorb them.
        quick = RetryPolicy(backoff_initial=0.01, backoff_max=0.1)
        faulty = AdminApiKeysClient(admin_key=ADMIN_KEY, base_url=base_url, policy=quick)
        rates: dict[FaultKind, float] = {
            "rate_limit": 0.04,
            "server_error": 0.02,
            "unavailable": 0.02,
            "drop": 0.02,
        }
        control.set_faults(FaultPlan(rates=rates, retry_after_ms=5, seed=args.seed))
        failures = 0

        def retrieve_or_count(i: int) -> None:
            nonlocal failures
            try:
                faulty.retrieve(ids[i])
            except ApiError:
                failures += 1

        print(row("retrieve, 10% transient faults", timed(args.keys, retrieve_or_count)))
        injected = sum(1 for r in control.requests() if r.fault is not None)
        print(f"{'':34} faults injected={injected}  user-visible failures={failures}/{args.keys}")
        control.clear_faults()

        print(row("delete", timed(args.keys, lambda i: client.delete(ids[i]))))


if __name__ == "__main__":
    main()
