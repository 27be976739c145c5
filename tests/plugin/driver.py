"""The plugin as a test talks to it: started as the engine starts it, spoken to over gRPC.

``PluginProcess`` launches ``python provider <args>`` (as Pulumi's Python language host runs a
plugin folder with a ``__main__.py``) or ``python -m pulumi_apikeys.plugin <args>``, with the
engine's argument order (flags first, the engine's address last), reads the port it prints and
opens a ``ResourceProvider`` stub. ``FakeEngine`` is the engine's own gRPC service, which the plugin
sends its ``Log`` messages to; tests wait for a message, never for time to pass.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections.abc import Mapping
from concurrent import futures
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import engine_pb2_grpc, provider_pb2_grpc

__all__ = ["LAUNCHES", "PROVIDER_DIR", "FakeEngine", "LogLine", "PluginProcess", "secret", "struct"]

PROVIDER_DIR = Path(__file__).resolve().parents[2] / "provider"
LAUNCHES = {
    "folder": [str(PROVIDER_DIR)],
    "module": ["-m", "pulumi_apikeys.plugin"],
}
"""The two ways the plugin starts: the plugin folder (``pulumi package add``) and the module."""

_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_SIG_KEY = "4dabf18193072939515e22adb298388d"


def secret(value: Any) -> dict[str, Any]:
    """A secret as the engine sends one to a provider that accepts secrets."""
    return {_SIG_KEY: _SECRET_SIG, "value": value}


def struct(values: Mapping[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(dict(values))
    return message


@dataclass(frozen=True)
class LogLine:
    severity: int
    message: str


class FakeEngine(engine_pb2_grpc.EngineServicer):  # type: ignore[misc]
    """The engine's gRPC service on loopback: it keeps every ``Log`` message."""

    def __init__(self) -> None:
        self.lines: list[LogLine] = []
        self._changed = threading.Condition()
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        engine_pb2_grpc.add_EngineServicer_to_server(self, self._server)
        self.port = self._server.add_insecure_port("127.0.0.1:0")
        self._server.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def Log(self, request: Any, context: Any) -> empty_pb2.Empty:
        with self._changed:
            self.lines.append(LogLine(request.severity, request.message))
            self._changed.notify_all()
        return empty_pb2.Empty()

    def wait_for(self, text: str, timeout: float = 30.0) -> LogLine:
        """The first message containing ``text``, once it has come (fails after ``timeout``)."""
        with self._changed:
            found: list[LogLine] = []

            def arrived() -> bool:
                found[:] = [line for line in self.lines if text in line.message]
                return bool(found)

            if not self._changed.wait_for(arrived, timeout):
                raise AssertionError(f"no Log message with {text!r}; got {self.lines}")
            return found[0]

    def stop(self) -> None:
        self._server.stop(grace=None)


class PluginProcess:
    """One plugin process and a ``ResourceProvider`` stub to it."""

    def __init__(
        self,
        launch: list[str],
        engine: FakeEngine,
        *,
        flags: list[str] | None = None,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.args = [sys.executable, *launch, *(flags or []), engine.address]
        self.proc = subprocess.Popen(
            self.args,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=dict(env) if env is not None else None,
            cwd=cwd,
        )
        assert self.proc.stdout is not None
        self.port_line = self.proc.stdout.readline().decode()
        if not self.port_line.strip().isdigit():
            self.proc.kill()
            _, err = self.proc.communicate()
            raise AssertionError(
                f"the plugin printed {self.port_line!r}, not a port; stderr:\n{err.decode()}"
            )
        self.channel = grpc.insecure_channel(f"127.0.0.1:{int(self.port_line)}")
        self.stub: Any = provider_pb2_grpc.ResourceProviderStub(self.channel)

    def stop(self, how: int = signal.SIGTERM) -> tuple[str, str]:
        """Ends the process with the signal ``how`` (the engine's way by default); what it wrote to
        stdout after the port, and to stderr."""
        self.channel.close()
        self.proc.send_signal(how)
        out, err = self.proc.communicate(timeout=30)
        return out.decode(), err.decode()
