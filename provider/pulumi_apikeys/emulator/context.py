"""What the emulator knows about the request in flight, and the outermost layer that sets it up.

The layer gives every response an ``x-request-id``, opens a request-log entry for API requests
(control requests are not logged) with the client's peer address, records the status that was
sent, and when the request was done.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from starlette.datastructures import MutableHeaders, QueryParams
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pulumi_apikeys.emulator.request_log import LogEntry, RequestLog

__all__ = [
    "CONTROL_PREFIX",
    "RequestContext",
    "RequestContextMiddleware",
    "find_request_context",
    "new_request_id",
]

CONTROL_PREFIX = "/_emulator"
"""Paths under this prefix belong to the control API: never logged, delayed or faulted."""

_SCOPE_KEY = "pulumi_apikeys.emulator.context"


def new_request_id() -> str:
    """A fresh request id, ``req_<hex>``, in the style vendor APIs commonly use."""
    return "req_" + secrets.token_hex(16)


@dataclass
class RequestContext:
    """The emulator's own facts about one request, kept in its ASGI scope."""

    request_id: str
    server_send: Send
    """The server's own ``send``, unwrapped: dropping a connection needs to reach the server."""
    log_entry: LogEntry | None
    """The request's log entry; ``None`` for control requests."""


def find_request_context(scope: Scope) -> RequestContext | None:
    """The context ``RequestContextMiddleware`` stored in this scope, if the request went through it."""
    context = scope.get(_SCOPE_KEY)
    return context if isinstance(context, RequestContext) else None


def _is_control_path(path: str) -> bool:
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")


def _peer(scope: Scope) -> str | None:
    """The client's ``host:port`` from the scope (``None`` when the server gives no peer)."""
    client = scope.get("client")
    if not client:
        return None
    host, port = client[0], client[1]
    return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"


def _path_as_sent(scope: Scope) -> str:
    raw_path = scope.get("raw_path")
    if isinstance(raw_path, bytes):
        return raw_path.decode("latin-1")  # HTTP/1.1 request targets are bytes; never fail on one
    path: str = scope["path"]
    return path


class RequestContextMiddleware:
    """Outermost layer: request id, request-log entry, status capture."""

    def __init__(self, app: ASGIApp, log: RequestLog) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        entry = None
        # Routing (and so the control check) uses the decoded path; the log keeps the path as sent,
        # so that a test can see how a client encoded an id (`key_x%2F..` is not `key_x/..`).
        if not _is_control_path(scope["path"]):
            entry = self.log.open(
                request_id=request_id,
                method=scope["method"],
                path=_path_as_sent(scope),
                query=dict(QueryParams(scope.get("query_string", b""))),
                client=_peer(scope),
            )
        scope[_SCOPE_KEY] = RequestContext(request_id=request_id, server_send=send, log_entry=entry)

        async def send_with_request_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("x-request-id", request_id)
                if entry is not None:
                    entry.status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_request_id)
        finally:
            if entry is not None:
                self.log.finish(entry)
