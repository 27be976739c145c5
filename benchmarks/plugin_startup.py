"""How long the provider plugin takes to start: process start to the port on stdout.

The engine waits for that line before it sends anything, once per provider instance. The plugin is
started as the engine starts it (flags, then an engine address) from its folder (``python
provider``, as ``pulumi package add`` runs it) and as a module, ``--runs`` times each, and then asked
for the first thing the engine needs (``GetPluginInfo``, then ``Configure`` + ``GetSchema``, which
import the backends).

    .venv/bin/python benchmarks/plugin_startup.py [--runs 20]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

PROVIDER_DIR = Path(__file__).resolve().parents[1] / "provider"
LAUNCHES = {"folder": [str(PROVIDER_DIR)], "module": ["-m", "pulumi_apikeys.plugin"]}
# No engine listens here: nothing is logged during these calls, and a Log that fails is dropped.
ENGINE = "127.0.0.1:1"


def one_start(launch: list[str]) -> tuple[float, float]:
    """Seconds to the port line, and to the answer of Configure + GetSchema after it."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, *launch, "--logtostderr", "-v=1", ENGINE],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        to_port = time.perf_counter() - started
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            stub.GetPluginInfo(empty_pb2.Empty())
            stub.Configure(provider_pb2.ConfigureRequest(acceptSecrets=True))
            stub.GetSchema(provider_pb2.GetSchemaRequest())
        return to_port, time.perf_counter() - started
    finally:
        process.kill()
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    print(f"{'launch':<8} {'runs':>4}  {'to port: min / median / max (s)':<34} to first answers: median (s)")
    for name, launch in LAUNCHES.items():
        one_start(launch)  # warm the file cache and the bytecode
        runs = [one_start(launch) for _ in range(args.runs)]
        ports = [r[0] for r in runs]
        ready = [r[1] for r in runs]
        print(
            f"{name:<8} {args.runs:>4}  {min(ports):.3f} / {statistics.median(ports):.3f} / {max(ports):.3f}"
            f"{'':<13} {statistics.median(ready):.3f}"
        )


if __name__ == "__main__":
    main()
