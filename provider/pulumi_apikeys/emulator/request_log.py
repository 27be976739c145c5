"""The log of API requests the emulator served, for tests and operators to inspect.

Only what is safe to show is kept: method, path, query, status, the fault injected, the id of a
created key, when the request arrived and when the emulator was done with it, and the client's
connection (its peer address). Never headers or bodies: they carry credentials and key values.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from pydantic import BaseModel, ConfigDict

from pulumi_apikeys.emulator.faults import FaultKind

__all__ = ["DEFAULT_MAX_ENTRIES", "LogEntry", "RecordedRequest", "RequestLog"]

DEFAULT_MAX_ENTRIES = 10_000
"""How many entries a request log keeps before it forgets the oldest."""


class RecordedRequest(BaseModel):
    """One API request as the log shows it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seq: int
    """Arrival order, from 1 (restarts after a reset or a clear)."""
    request_id: str
    """The ``x-request-id`` the response carried (or would have, had it not been dropped)."""
    method: str
    path: str
    """The path as the client sent it, percent-encoding kept, without the query."""
    query: dict[str, str]
    """The query parameters, decoded (the last value of a repeated one)."""
    time: datetime
    """When the request arrived (UTC)."""
    status: int | None
    """The status sent; ``None`` when no response was sent (dropped, or still hanging)."""
    fault: FaultKind | None = None
    """The fault injected into this request, if any."""
    latency_ms: int = 0
    """The delay the fault plan added before the request was handled."""
    key_id: str | None = None
    """The id of the key this request created, if it created one."""
    throttled: bool = False
    """Whether the fault plan's rate limit refused this request (429, ``fault`` ``rate_limit``)."""
    client: str | None = None
    """The client's end of the connection the request came on, ``host:port`` as the server saw its
    peer (the ASGI scope's ``client``); ``None`` if the server did not say. Two requests with the same
    ``client`` came over one connection (kept alive)."""
    finished: datetime | None = None
    """When the emulator was done with the request (UTC): its answer sent, or its connection dropped;
    ``None`` while it is still in flight. From ``time`` to ``finished`` the request was in flight,
    the plan's added latency included."""


@dataclass
class LogEntry:
    """The live record of one request, filled in by the layers it passes through."""

    seq: int
    request_id: str
    method: str
    path: str
    query: dict[str, str]
    time: datetime
    status: int | None = None
    fault: FaultKind | None = None
    latency_ms: int = 0
    key_id: str | None = None
    throttled: bool = False
    client: str | None = None
    finished: datetime | None = None
    generation: int = 0
    """The log's generation when the request arrived: a reset starts a new one."""

    def snapshot(self) -> RecordedRequest:
        """The entry as it stands now."""
        # asdict copies the query dict too, so the snapshot cannot change under the caller.
        fields = asdict(self)
        del fields["generation"]
        return RecordedRequest(**fields)


class RequestLog:
    """Thread-safe, in-order log of API requests.

    An entry is added when a request arrives, so a request that never gets an answer (a hang) is
    visible while it waits. Only the newest ``max_entries`` are kept, so a long-running emulator's
    memory stays bounded.
    """

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self._lock = threading.Lock()
        self._entries: deque[LogEntry] = deque(maxlen=max_entries)
        self._next_seq = 1
        self._generation = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def open(
        self,
        *,
        request_id: str,
        method: str,
        path: str,
        query: dict[str, str],
        client: str | None = None,
    ) -> LogEntry:
        """Start the entry of a request that just arrived over the connection whose peer is ``client``."""
        with self._lock:
            entry = LogEntry(
                seq=self._next_seq,
                request_id=request_id,
                method=method,
                path=path,
                query=query,
                time=datetime.now(timezone.utc),
                client=client,
                generation=self._generation,
            )
            self._next_seq += 1
            self._entries.append(entry)
            return entry

    def finish(self, entry: LogEntry) -> None:
        """Note that the emulator is done with ``entry``'s request (answered, dropped or abandoned)."""
        with self._lock:
            entry.finished = datetime.now(timezone.utc)

    def records(self) -> list[RecordedRequest]:
        """Every entry so far, in arrival order."""
        with self._lock:
            return [entry.snapshot() for entry in self._entries]

    def clear(self) -> None:
        """Forget every entry; numbering starts again at 1."""
        with self._lock:
            self._entries.clear()
            self._next_seq = 1

    def reset(self) -> None:
        """``clear``, and start a new generation: requests that arrived before it are stale."""
        with self._lock:
            self._entries.clear()
            self._next_seq = 1
            self._generation += 1

    def is_stale(self, entry: LogEntry) -> bool:
        """Whether ``entry``'s request arrived before the last ``reset``."""
        with self._lock:
            return entry.generation != self._generation
