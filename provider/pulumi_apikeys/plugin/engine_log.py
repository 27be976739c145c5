"""What the plugin tells the user goes through the engine's ``Log`` call, never stderr.

The engine hides a resource plugin's stderr (``plugin.go``: ``unstructuredOutput``, shown at debug
level only), unlike a dynamic provider's. So the package's log records (``APIKEYS_LOG_LEVEL``;
warnings by default) and the pacer's throttling notices are sent to the engine, which prints them
in ``pulumi up``'s output. A failed ``Log`` never fails an operation: it is dropped.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

import grpc
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

from pulumi_apikeys import _pacing
from pulumi_apikeys.core.provider_logging import LOG_LEVEL_ENV

__all__ = ["EngineLog", "send_logs_to_engine"]

_LOG_TIMEOUT_SECONDS = 5.0
_SEVERITY = {
    logging.DEBUG: engine_pb2.DEBUG,
    logging.INFO: engine_pb2.INFO,
    logging.WARNING: engine_pb2.WARNING,
    logging.ERROR: engine_pb2.ERROR,
}


class EngineLog:
    """The engine's ``Log`` call, from any thread; the channel opens on the first message."""

    def __init__(self, address: str) -> None:
        self.address = address
        self._lock = threading.Lock()
        self._stub: Any = None

    def log(self, severity: Any, message: str, *, urn: str = "") -> None:
        """Sends one message (``engine_pb2.INFO`` ...); a failure to deliver it is ignored."""
        try:
            stub = self._connect()
            stub.Log(
                engine_pb2.LogRequest(severity=severity, message=message, urn=urn),
                timeout=_LOG_TIMEOUT_SECONDS,
            )
        except grpc.RpcError:
            pass  # the engine went away or is busy: a message is not worth failing a deployment for

    def info(self, message: str) -> None:
        self.log(engine_pb2.INFO, message)

    def _connect(self) -> Any:
        with self._lock:
            if self._stub is None:
                self._stub = engine_pb2_grpc.EngineStub(grpc.insecure_channel(self.address))
            return self._stub


class _EngineHandler(logging.Handler):
    def __init__(self, engine: EngineLog) -> None:
        super().__init__()
        self.engine = engine

    def emit(self, record: logging.LogRecord) -> None:
        severity = _SEVERITY.get(
            record.levelno, engine_pb2.ERROR if record.levelno > logging.ERROR else engine_pb2.DEBUG
        )
        self.engine.log(severity, self.format(record))


def send_logs_to_engine(engine: EngineLog) -> None:
    """Routes the package's log records and the pacer's notices to ``engine`` for this process.

    The level is ``APIKEYS_LOG_LEVEL`` if it names one, else warnings and worse.
    """
    logger = logging.getLogger("pulumi_apikeys")
    raw = os.environ.get(LOG_LEVEL_ENV, "").strip()
    level = logging.getLevelName(raw.upper()) if raw else logging.WARNING
    if not isinstance(level, int):
        engine.log(engine_pb2.WARNING, f"pulumi-apikeys: ignoring {LOG_LEVEL_ENV}={raw!r}: not a log level")
        level = logging.WARNING
    logger.setLevel(level)
    handler = _EngineHandler(engine)
    handler.setFormatter(logging.Formatter("pulumi-apikeys %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    # Records stop here: nothing of the package's reaches the root logger's stderr handler.
    logger.propagate = False
    _pacing.send_notices_to(engine.info)
