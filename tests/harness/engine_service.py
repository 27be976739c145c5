"""The engine's own gRPC service (``pulumirpc.Engine``) and the diagnostics the CLI would print.

Pulumi's host serves ``Engine`` on loopback and hands its address to every plugin as the last argument
(``pkg/host/host_server.go``; ``plugin.go``, ``buildPluginArguments``). Plugins send ``Log`` messages there,
since the CLI hides a resource plugin's stderr. The same object is the program's engine in-process, so the
program's ``pulumi.log`` lines and the plugins' messages land in one ``Diagnostics`` list, in arrival order.
"""

from __future__ import annotations

import sys
import threading
from concurrent import futures
from typing import Any, ClassVar

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

__all__ = ["Diagnostics", "EngineService"]


class Diagnostics:
    """What the CLI shows as diagnostics: ``"severity: message"`` lines, debug ones only if asked.

    ``debug`` is ``pulumi up --debug``: without it the CLI hides debug messages (the SDK's own chatter, and a
    plugin's ``Log`` at DEBUG). Lines are echoed to stderr, so a failing test's output shows them.
    """

    _SEVERITY: ClassVar[dict[int, str]] = {
        engine_pb2.DEBUG: "debug",
        engine_pb2.INFO: "info",
        engine_pb2.WARNING: "warning",
        engine_pb2.ERROR: "error",
    }

    def __init__(self, *, debug: bool = False) -> None:
        self.debug = debug
        self._lock = threading.Lock()
        self._lines: list[str] = []

    def log(self, severity: int, message: str) -> None:
        """Record one message at an ``engine_pb2`` severity."""
        if severity == engine_pb2.DEBUG and not self.debug:
            return
        line = f"{self._SEVERITY.get(severity, 'info')}: {message}"
        with self._lock:
            self._lines.append(line)
        print(line, file=sys.stderr)

    def warning(self, message: str) -> None:
        """An engine warning (``Diag().Warningf``)."""
        self.log(engine_pb2.WARNING, message)

    @property
    def lines(self) -> list[str]:
        with self._lock:
            return list(self._lines)


class EngineService(engine_pb2_grpc.EngineServicer):
    """``hostServer``: ``Log``, ``GetRootResource``, ``SetRootResource``, ``StartDebugging``.

    Also the program's in-process engine (the SDK calls ``Log(request)`` on it directly). ``serve`` starts
    the gRPC server on first use; ``address`` is what plugins get on their command line.
    """

    def __init__(self, diagnostics: Diagnostics) -> None:
        super().__init__()
        self.diagnostics = diagnostics
        self._root_urn = ""  # hostServer starts with "" and only SetRootResource changes it
        self._lock = threading.Lock()
        self._server: grpc.Server | None = None
        self._address = ""

    # ------------------------------------------------------------------------------------ service

    def Log(self, request: Any, context: Any = None) -> Any:
        """``hostServer.Log``: ephemeral messages are status lines, which the CLI does not keep."""
        if request.severity not in Diagnostics._SEVERITY:
            message = f"Unrecognized logging severity: {request.severity}"
            if context is not None:
                context.abort(grpc.StatusCode.UNKNOWN, message)
            raise ValueError(message)
        if not request.ephemeral:
            self.diagnostics.log(request.severity, request.message)
        return empty_pb2.Empty()

    def GetRootResource(self, request: Any, context: Any = None) -> Any:
        with self._lock:
            return engine_pb2.GetRootResourceResponse(urn=self._root_urn)

    def SetRootResource(self, request: Any, context: Any = None) -> Any:
        with self._lock:
            self._root_urn = request.urn
        return engine_pb2.SetRootResourceResponse()

    def StartDebugging(self, request: Any, context: Any = None) -> Any:
        """No debugger can attach to a harness run: ``host.StartDebugging`` answers as with debugging off."""
        message = "debugging is not enabled"
        if context is not None:
            context.abort(grpc.StatusCode.UNKNOWN, message)
        raise RuntimeError(message)

    def RequirePulumiVersion(self, request: Any, context: Any = None) -> Any:
        """Refused: the harness is no CLI and has no version to check a range against."""
        message = (
            "the harness does not model RequirePulumiVersion: there is no Pulumi CLI version to check "
            f"{request.pulumiVersionRange!r} against"
        )
        if context is not None:
            context.abort(grpc.StatusCode.UNIMPLEMENTED, message)
        raise NotImplementedError(message)

    # ------------------------------------------------------------------------------------ server

    def address(self) -> str:
        """Serve on loopback (once) and return ``127.0.0.1:<port>``."""
        with self._lock:
            if self._server is None:
                server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
                engine_pb2_grpc.add_EngineServicer_to_server(self, server)
                port = server.add_insecure_port("127.0.0.1:0")
                server.start()
                self._server, self._address = server, f"127.0.0.1:{port}"
            return self._address

    def stop(self) -> None:
        with self._lock:
            if self._server is not None:
                self._server.stop(grace=None)
                self._server = None
