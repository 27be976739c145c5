"""The SDK's dynamic provider server (``python -u -m pulumi.dynamic``) as a subprocess, and its gRPC client.

The engine starts the ``pulumi-python`` resource plugin in the program's directory, reads the port it
prints, then speaks ``pulumirpc.ResourceProvider`` to it (``pkg/resource/plugin/provider_plugin.go``,
``NewProvider``; ``pkg/host/host.go`` calls ``GetPluginInfo`` right after loading). Every call made here is
journaled with wall-clock times so tests can line calls up with the emulator's request log.
"""

from __future__ import annotations

import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from typing import IO, Any

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import provider_pb2_grpc

__all__ = ["ProviderCall", "ProviderError", "ProviderServer"]

_START_TIMEOUT = 30.0


@dataclass(frozen=True)
class ProviderCall:
    """One gRPC call to the provider server."""

    method: str
    urn: str
    id: str
    started: float
    ended: float
    ok: bool
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class ProviderError(Exception):
    """A provider call failed; ``details`` is what the server sent (a Python traceback for CRUD calls)."""

    def __init__(self, method: str, urn: str, code: grpc.StatusCode, details: str) -> None:
        super().__init__(f"{method} failed for {urn or 'the provider'}: {details}")
        self.method = method
        self.urn = urn
        self.code = code
        self.details = details


class ProviderServer:
    """Talks to one ``python -m pulumi.dynamic`` process and ends it with the operation.

    ``connect`` waits for the printed port and the channel; ``call`` is safe from many threads at once:
    gRPC channels are, and the server has 4 worker threads of its own.
    """

    def __init__(self, proc: subprocess.Popen[bytes] | None, stderr: IO[bytes] | None) -> None:
        self._proc = proc
        self._stderr = stderr
        self._channel: grpc.Channel | None = None
        self._stub: provider_pb2_grpc.ResourceProviderStub | None = None
        self._connect_lock = threading.Lock()
        self._calls_lock = threading.Lock()
        self.calls: list[ProviderCall] = []

    def connect(self) -> None:
        """Wait for the printed port, open the channel and probe it with ``GetPluginInfo``."""
        with self._connect_lock:
            if self._stub is not None:
                return
            if self._proc is None or self._proc.stdout is None:
                raise RuntimeError("no dynamic provider server was started for this operation")
            port = self._read_port(self._proc.stdout)
            self._channel = grpc.insecure_channel(f"127.0.0.1:{port}")
            grpc.channel_ready_future(self._channel).result(timeout=_START_TIMEOUT)
            self._stub = provider_pb2_grpc.ResourceProviderStub(self._channel)
        self.call("GetPluginInfo", empty_pb2.Empty())

    def _read_port(self, stdout: IO[bytes]) -> int:
        # readline blocks; a reader thread lets a server that dies or hangs at start-up fail the run.
        line: list[bytes] = []
        reader = threading.Thread(target=lambda: line.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(_START_TIMEOUT)
        text = line[0].decode().strip() if line else ""
        if not text.isdigit():
            raise RuntimeError(
                f"the dynamic provider server did not print its port (got {text!r}); see its stderr"
            )
        return int(text)

    def call(self, method: str, request: Any, *, urn: str = "", resource_id: str = "") -> Any:
        """Call ``method`` on the server, journaling it; raises ``ProviderError`` on any gRPC error."""
        if self._stub is None:
            self.connect()
        assert self._stub is not None
        started = time.time()
        try:
            response = getattr(self._stub, method)(request)
        except grpc.RpcError as exc:
            # The error raised by a unary call is also a grpc.Call: it carries the status.
            code: grpc.StatusCode = exc.code()
            details: str = exc.details() or ""
            self._journal(ProviderCall(method, urn, resource_id, started, time.time(), False, details))
            raise ProviderError(method, urn, code, details) from None
        self._journal(ProviderCall(method, urn, resource_id, started, time.time(), True))
        return response

    def _journal(self, call: ProviderCall) -> None:
        with self._calls_lock:
            self.calls.append(call)

    def stop(self) -> None:
        """Close the channel and end the process: terminate, then kill if it lingers."""
        if self._channel is not None:
            self._channel.close()
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        if proc is not None and proc.stdout is not None:
            proc.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
