"""The ASGI layer that delays API requests and injects the faults the ``FaultInjector`` draws."""

from __future__ import annotations

import threading

import anyio
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pulumi_apikeys.emulator.connection import drop_connection
from pulumi_apikeys.emulator.context import find_request_context
from pulumi_apikeys.emulator.faults import FaultInjector, FaultKind, FaultPlan
from pulumi_apikeys.emulator.surface import ErrorRenderers

__all__ = ["FaultMiddleware"]

_STOP_POLL_SECONDS = 0.05

# What a proxy in front of an API sends when the API behind it is unreachable: HTML, not JSON.
_BAD_GATEWAY_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n"
    "</body>\r\n</html>\r\n"
)


class FaultMiddleware:
    """Adds the plan's latency to API requests, then injects the fault drawn for each, if any.

    Control requests (those without a request-log entry) pass untouched.
    """

    def __init__(
        self,
        app: ASGIApp,
        injector: FaultInjector,
        renderers: ErrorRenderers,
        *,
        stopping: threading.Event | None = None,
    ) -> None:
        self.app = app
        self.injector = injector
        self.renderers = renderers
        self.stopping = stopping or threading.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        context = find_request_context(scope) if scope["type"] == "http" else None
        entry = context.log_entry if context is not None else None
        if context is None or entry is None:
            await self.app(scope, receive, send)
            return

        plan = self.injector.plan
        if plan.latency_ms > 0:
            await anyio.sleep(plan.latency_ms / 1000)
            entry.latency_ms = plan.latency_ms
        fault = self.injector.draw(scope["method"])
        entry.fault = fault

        if fault is None:
            await self.app(scope, receive, send)
        elif fault == "drop":
            await drop_connection(context.server_send)
        elif fault == "commit_then_drop":
            await self.app(scope, receive, _discard)
            await drop_connection(context.server_send)
        elif fault == "commit_then_hang":
            await self.app(scope, receive, _discard)
            await _hang(receive, plan.hang_seconds, self.stopping)
            await drop_connection(context.server_send)
        else:
            await self._fault_response(fault, plan, scope["path"])(scope, receive, send)

    def _fault_response(self, fault: FaultKind, plan: FaultPlan, path: str) -> Response:
        render = self.renderers.for_path(path)
        if fault == "rate_limit":
            return render(
                429,
                "Rate limit reached for requests. Please try again later.",
                type="requests",
                code="rate_limit_exceeded",
                headers=plan.retry_after_headers(),
            )
        if fault == "bad_gateway":
            return HTMLResponse(_BAD_GATEWAY_HTML, status_code=502)
        if fault == "unavailable":
            return render(503, "The server is overloaded or not ready yet.", type="server_error")
        return render(
            500,
            "The server had an error while processing your request. Sorry about that!",
            type="server_error",
        )


async def _discard(message: Message) -> None:
    """A ``send`` that loses the response: the request was processed, its answer never leaves."""


async def _hang(receive: Receive, seconds: float, stopping: threading.Event) -> None:
    """Withhold the answer for ``seconds``; stop early if the client leaves or the server stops."""

    async def until_client_leaves() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        group.cancel_scope.cancel()

    async def until_server_stops() -> None:
        # The event is set from another thread, so it cannot wake this loop: poll it.
        while not stopping.is_set():
            await anyio.sleep(_STOP_POLL_SECONDS)
        group.cancel_scope.cancel()

    with anyio.move_on_after(seconds):
        async with anyio.create_task_group() as group:
            group.start_soon(until_client_leaves)
            group.start_soon(until_server_stops)
