"""The ASGI layer that delays API requests, enforces the rate limit and injects the faults drawn.

In order, for each API request: the plan's latency; then its ``gather`` (held until that many
requests are held together); then a request that arrived before the last
reset is dropped (as a restarted server would), so that it neither consumes the new plan's faults
nor writes to the reset store; then the rate limit's bucket for the request's API and credential
(``RateLimit``: 429 in the vendor's format when empty); then the fault drawn, if any.

Response faults (``RESPONSE_FAULTS``) let the app answer, hold its answer back, and send a damaged
one instead. They know no vendor's fields; the rules are generic, on whatever JSON the app sent:

- ``not_json``: the body ``NOT_JSON_BODY`` (the start of an object, cut off, then text).
- ``missing_fields``: the app's JSON with, in every object at any depth, its first key and every
  key named ``id`` removed (``drop_fields``). The rule needs no field names: an API object carries
  an ``id`` or leads with a required field (some vendors' lead with ``object``, which a list, a key
  and a deletion all require), so a model of any vendor's answer finds a required field missing.
- ``wrong_types``: the app's JSON with every string, at any depth, replaced by its length (a number)
  and every number by its decimal text (``swap_scalar_types``); booleans, null and keys unchanged.
- ``huge_body``: a JSON object (one long string field) of ``HUGE_BODY_BYTES``, more than the
  clients' cap ``CLIENT_RESPONSE_CAP_BYTES``, sent in chunks of 64 KiB (never built whole).
- ``truncated_body``: the ``content-length`` of the app's whole body, then the first half of that
  body (rounded down), then the connection is closed.

Each keeps the app's status and headers, with ``content-type: application/json`` and a
``content-length`` that matches what is sent (except ``truncated_body``'s, which promises more).

Only a 2xx answer is damaged. An error answer (and, for the two JSON rules, a body that is not JSON
or that the rule leaves unchanged) passes through untouched: the fault was drawn (a scripted one is
consumed) but is not injected, so it is neither counted nor logged against the request.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import anyio
from starlette.datastructures import MutableHeaders
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pulumi_apikeys.emulator.connection import drop_connection
from pulumi_apikeys.emulator.context import RequestContext, find_request_context
from pulumi_apikeys.emulator.faults import RESPONSE_FAULTS, FaultInjector, FaultKind, FaultPlan, Throttle
from pulumi_apikeys.emulator.request_log import LogEntry, RequestLog
from pulumi_apikeys.emulator.surface import ErrorRenderers

__all__ = [
    "CLIENT_RESPONSE_CAP_BYTES",
    "HUGE_BODY_BYTES",
    "NOT_JSON_BODY",
    "FaultMiddleware",
    "drop_fields",
    "swap_scalar_types",
]

_STOP_POLL_SECONDS = 0.05

NOT_JSON_BODY = b'{"id": "key_<!-- upstream cut the response here -->'
"""What ``not_json`` sends: an object cut off inside a string, then text; no JSON parser accepts it."""

# The same 8 MiB as the HTTP layer's MAX_RESPONSE_BYTES, written out rather than imported: the
# emulator stands for the vendors' servers and does not import the client that talks to them. A
# test checks that the two agree, so that huge_body stays just over what the client refuses.
CLIENT_RESPONSE_CAP_BYTES = 8 * 1024 * 1024
"""The largest response body the package's clients read (``pulumi_apikeys._http.MAX_RESPONSE_BYTES``)."""

HUGE_BODY_BYTES = CLIENT_RESPONSE_CAP_BYTES + 64 * 1024
"""The size of what ``huge_body`` sends: just over the clients' cap."""

_CHUNK_BYTES = 64 * 1024
_RATE_LIMIT_MESSAGE = "Rate limit reached for requests. Please try again later."
_HUGE_PREFIX = b'{"padding": "'
_HUGE_SUFFIX = b'"}'

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
        log: RequestLog | None = None,
        stopping: threading.Event | None = None,
    ) -> None:
        self.app = app
        self.injector = injector
        self.renderers = renderers
        self.log = log
        self.stopping = stopping or threading.Event()
        # The requests held by ``gather`` so far, and what releases them (one event loop: no lock).
        self._gathered = 0
        self._gather_release = anyio.Event()

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
        gathers = plan.gather is not None and (plan.methods is None or scope["method"] in plan.methods)
        if gathers and not await self._gather(plan.gather or 0, plan.gather_timeout_seconds):
            message = f"gather: fewer than {plan.gather} requests arrived together"
            render = self.renderers.for_path(scope["path"])
            await render(503, message, type="server_error")(scope, receive, send)
            return
        if self.log is not None and self.log.is_stale(entry):
            await drop_connection(context.server_send)
            return
        plan = self.injector.plan  # the plan may have changed during the latency
        if plan.rate_limit is not None:
            throttle = self.injector.take_token(
                self.renderers.surface_for(scope["path"]).name, _credential_digest(scope)
            )
            if throttle is not None:
                entry.fault, entry.throttled = "rate_limit", True
                await self._throttled_response(throttle, plan, scope["path"])(scope, receive, send)
                return
        fingerprint = None
        if plan.first_attempts_only or plan.max_faults_per_request is not None:
            receive, fingerprint = await _fingerprinted(scope, receive)
        fault = self.injector.draw(scope["method"], fingerprint)
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
        elif fault in RESPONSE_FAULTS:
            await self._damage_response(fault, context, entry, scope, receive, send)
        else:
            await self._fault_response(fault, plan, scope["path"])(scope, receive, send)

    async def _gather(self, count: int, timeout: float) -> bool:
        """Waits until ``count`` requests wait here together; False if ``timeout`` passes first."""
        self._gathered += 1
        release = self._gather_release
        if self._gathered >= count:
            self._gathered = 0
            self._gather_release = anyio.Event()
            release.set()
            return True
        with anyio.move_on_after(timeout):
            await release.wait()
            return True
        self._gathered -= 1
        return False

    def _throttled_response(self, throttle: Throttle, plan: FaultPlan, path: str) -> Response:
        assert plan.rate_limit is not None
        return self._rate_limited(path, throttle.headers(plan.rate_limit))

    def _rate_limited(self, path: str, headers: dict[str, str]) -> Response:
        """The vendor's 429, whether the bucket or a scripted fault refused the request."""
        return self.renderers.for_path(path)(
            429, _RATE_LIMIT_MESSAGE, type="requests", code="rate_limit_exceeded", headers=headers
        )

    def _fault_response(self, fault: FaultKind, plan: FaultPlan, path: str) -> Response:
        if fault == "rate_limit":
            return self._rate_limited(path, plan.retry_after_headers())
        render = self.renderers.for_path(path)
        if fault == "bad_gateway":
            return HTMLResponse(_BAD_GATEWAY_HTML, status_code=502)
        if fault == "unavailable":
            return render(503, "The server is overloaded or not ready yet.", type="server_error")
        return render(
            500,
            "The server had an error while processing your request. Sorry about that!",
            type="server_error",
        )

    async def _damage_response(
        self,
        fault: FaultKind,
        context: RequestContext,
        entry: LogEntry,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        answer = _HeldAnswer()
        try:
            await self.app(scope, receive, answer.hold)
        except Exception:
            # Starlette re-raises an app crash after sending its 500: let that answer out as it is.
            await answer.release(send)
            raise
        start = answer.start
        body = _damaged_body(fault, answer)
        if start is None or body is None:
            entry.fault = None
            await answer.release(send)
            return

        self.injector.record(fault)
        headers = MutableHeaders(raw=list(start["headers"]))
        headers["content-type"] = "application/json"
        headers["content-length"] = str(HUGE_BODY_BYTES if fault == "huge_body" else len(body))
        await send({"type": "http.response.start", "status": start["status"], "headers": headers.raw})
        if fault == "huge_body":
            await _send_huge_body(send)
        elif fault == "truncated_body":
            # The full length is promised and half of it sent: the client waits for the rest, in vain.
            await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
            await drop_connection(context.server_send)
        else:
            await send({"type": "http.response.body", "body": body})


def _damaged_body(fault: FaultKind, answer: _HeldAnswer) -> bytes | None:
    """The body to send in place of the held answer's; ``None`` to let the answer through untouched.

    ``huge_body`` and ``truncated_body`` get the answer's own body: they replace or cut it as it is sent.
    """
    if answer.start is None or not 200 <= answer.start["status"] < 300:
        return None
    if fault == "not_json":
        return NOT_JSON_BODY
    if fault == "missing_fields":
        return _damage_json(answer.body, drop_fields)
    if fault == "wrong_types":
        return _damage_json(answer.body, swap_scalar_types)
    return answer.body


def drop_fields(document: object) -> object:
    """``document`` with, in every object at any depth, its first key and every ``id`` key removed."""
    if isinstance(document, dict):
        first = next(iter(document), None)
        return {
            name: drop_fields(value) for name, value in document.items() if name != first and name != "id"
        }
    if isinstance(document, list):
        return [drop_fields(item) for item in document]
    return document


def swap_scalar_types(document: object) -> object:
    """``document`` with every string replaced by its length and every number by its decimal text.

    Booleans (which Python counts as numbers), ``None`` and object keys are left as they are.
    """
    if isinstance(document, dict):
        return {name: swap_scalar_types(value) for name, value in document.items()}
    if isinstance(document, list):
        return [swap_scalar_types(item) for item in document]
    if isinstance(document, str):
        return len(document)
    if isinstance(document, int | float) and not isinstance(document, bool):
        return str(document)
    return document


def _damage_json(body: bytes, rule: Callable[[object], object]) -> bytes | None:
    """``body`` parsed, damaged by ``rule`` and serialised; ``None`` if not JSON or left unchanged."""
    try:
        document = json.loads(body)
    except ValueError:
        return None
    damaged = rule(document)
    if damaged == document:
        return None
    return json.dumps(damaged, ensure_ascii=False, separators=(",", ":")).encode()


async def _send_huge_body(send: Send) -> None:
    """Send ``HUGE_BODY_BYTES`` of JSON in chunks, never holding more than one chunk of padding."""
    padding = HUGE_BODY_BYTES - len(_HUGE_PREFIX) - len(_HUGE_SUFFIX)
    chunk = b"x" * _CHUNK_BYTES
    await send({"type": "http.response.body", "body": _HUGE_PREFIX, "more_body": True})
    while padding > 0:
        piece = chunk if padding >= _CHUNK_BYTES else chunk[:padding]
        padding -= len(piece)
        await send({"type": "http.response.body", "body": piece, "more_body": True})
    await send({"type": "http.response.body", "body": _HUGE_SUFFIX})


@dataclass
class _HeldAnswer:
    """An app's answer, held back by a ``send`` that keeps its messages instead of sending them."""

    start: Message | None = None
    chunks: list[bytes] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)

    async def hold(self, message: Message) -> None:
        self.messages.append(message)
        if message["type"] == "http.response.start":
            self.start = message
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))

    async def release(self, send: Send) -> None:
        """Send the answer as the app gave it."""
        for message in self.messages:
            await send(message)


async def _fingerprinted(scope: Scope, receive: Receive) -> tuple[Receive, str]:
    """Reads the request body to fingerprint the request; returns a ``receive`` that replays it."""
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            break
    digest = hashlib.sha256()
    for part in (scope["method"], scope["path"], scope.get("query_string", b"").decode("latin-1")):
        digest.update(part.encode() + b"\0")
    for message in messages:
        digest.update(message.get("body", b""))
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay, digest.hexdigest()


def _credential_digest(scope: Scope) -> str:
    """A digest of the request's ``Authorization`` header: the bucket's key, never the key itself."""
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            return hashlib.sha256(value).hexdigest()
    return ""


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
