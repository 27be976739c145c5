"""A resource plugin's process (the dynamic provider server, or a provider plugin) and its gRPC client.

The engine starts a resource plugin in the program's directory, reads the port it prints, then speaks
``pulumirpc.ResourceProvider`` to it (``pkg/resource/plugin/provider_plugin.go``, ``NewProvider``;
``sdk/go/common/resource/plugin/plugin.go``, ``newPlugin``; ``pkg/host/host.go`` calls ``GetPluginInfo``
right after loading). Every call made here is journaled with wall-clock times and the provider resource it
served, so tests can line calls up with the emulator's request log and see which provider instance acted.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import IO, Any

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import provider_pb2_grpc

__all__ = ["STATUS_DETAILS_KEY", "ProviderCall", "ProviderError", "ProviderServer"]

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
    provider: str = ""
    """The URN of the provider resource whose plugin instance served the call ("" if none was named)."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


STATUS_DETAILS_KEY = "grpc-status-details-bin"
"""The trailing metadata that carries a serialized ``google.rpc.Status`` with typed error details."""


class ProviderError(Exception):
    """A provider call failed; ``details`` is what the server sent (a Python traceback for CRUD calls).

    ``status_details`` is the raw ``grpc-status-details-bin`` trailer, if the server sent one (a plugin
    reporting a partial failure does; the SDK's dynamic provider server never does).
    """

    def __init__(
        self, method: str, urn: str, code: grpc.StatusCode, details: str, status_details: bytes | None = None
    ) -> None:
        super().__init__(f"{method} failed for {urn or 'the provider'}: {details}")
        self.method = method
        self.urn = urn
        self.code = code
        self.details = details
        self.status_details = status_details


class ProviderServer:
    """Talks to one plugin process (``python -m pulumi.dynamic``, or a provider plugin) and ends it.

    ``open`` waits for the printed port and the channel; ``connect`` also probes it with ``GetPluginInfo``
    (the dynamic path). ``call`` is safe from many threads at once: gRPC channels are, and the servers have
    worker threads (or an event loop) of their own. ``provider`` labels the journaled calls.
    """

    def __init__(
        self,
        proc: subprocess.Popen[bytes] | None,
        stderr: IO[bytes] | None,
        *,
        label: str = "the dynamic provider server",
        provider: str = "",
        output: Callable[[str], None] | None = None,
    ) -> None:
        self._proc = proc
        self._stderr = stderr
        self.label = label
        self.provider = provider
        # ``output`` gets every line the plugin writes after its port, on stdout or (when piped) stderr, as
        # ``newPlugin``'s ``runtrace`` goroutines read them; stderr lines are also kept in ``stderr``.
        self._output = output
        self._pumps: list[threading.Thread] = []
        if output is not None and proc is not None and proc.stderr is not None:
            self._pump(proc.stderr, stderr)
        self._channel: grpc.Channel | None = None
        self._stub: provider_pb2_grpc.ResourceProviderStub | None = None
        self._connect_lock = threading.Lock()
        self._calls_lock = threading.Lock()
        self._probed = False
        self._stopped = False
        self.calls: list[ProviderCall] = []

    def open(self) -> None:
        """Wait for the printed port and open the channel (``newPlugin`` up to ``dialPlugin``)."""
        with self._connect_lock:
            if self._stub is not None:
                return
            if self._proc is None or self._proc.stdout is None:
                raise RuntimeError(f"{self.label} was not started for this operation")
            port = self._read_port(self._proc.stdout)
            if self._output is not None:
                self._pump(self._proc.stdout, None)
            self._channel = grpc.insecure_channel(f"127.0.0.1:{port}")
            grpc.channel_ready_future(self._channel).result(timeout=_START_TIMEOUT)
            self._stub = provider_pb2_grpc.ResourceProviderStub(self._channel)

    def connect(self) -> None:
        """``open``, then probe the server with ``GetPluginInfo`` once."""
        self.open()
        with self._connect_lock:
            if self._probed:
                return
            self._probed = True
        self.call("GetPluginInfo", empty_pb2.Empty())

    def _pump(self, stream: IO[bytes], copy: IO[bytes] | None) -> None:
        """Read ``stream`` to its end on a thread: a pipe nobody drains would block the plugin."""
        output = self._output
        assert output is not None

        def pump() -> None:
            for raw in stream:
                if copy is not None:
                    copy.write(raw)
                    copy.flush()
                if raw.strip():
                    output(raw.decode(errors="replace").rstrip("\n"))
            stream.close()

        thread = threading.Thread(target=pump, daemon=True)
        thread.start()
        self._pumps.append(thread)

    def _read_port(self, stdout: IO[bytes]) -> int:
        # readline blocks; a reader thread lets a server that dies or hangs at start-up fail the run.
        line: list[bytes] = []
        reader = threading.Thread(target=lambda: line.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(_START_TIMEOUT)
        text = line[0].decode().strip() if line else ""
        if not text.isdigit():
            raise RuntimeError(f"{self.label} did not print its port (got {text!r}); see its stderr")
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
            trailers = exc.trailing_metadata() or ()
            status_details = next((v for k, v in trailers if k == STATUS_DETAILS_KEY), None)
            self._journal(
                ProviderCall(method, urn, resource_id, started, time.time(), False, details, self.provider)
            )
            raise ProviderError(method, urn, code, details, status_details) from None
        self._journal(ProviderCall(method, urn, resource_id, started, time.time(), True, "", self.provider))
        return response

    @property
    def launched(self) -> bool:
        """Whether a process was started for this server."""
        return self._proc is not None

    def _journal(self, call: ProviderCall) -> None:
        with self._calls_lock:
            self.calls.append(call)

    def stop(self) -> None:
        """Close the channel and end the process: terminate, then kill if it lingers. Idempotent."""
        with self._connect_lock:
            if self._stopped:
                return
            self._stopped = True
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
        for pump in self._pumps:
            pump.join(timeout=5)  # the streams end with the process
        if proc is not None and proc.stdout is not None and self._output is None:
            proc.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
