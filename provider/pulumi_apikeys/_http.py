"""The one HTTP layer every backend shares.

It owns, once for all backends:

- the connection pool: one ``httpx.Client`` per process, made on first use (never at import or
  pickling time), shared by every thread, keep-alive, redirects off so the credential is never
  forwarded to another host;
- timeouts: per attempt, and a total bound across attempts so a call can never hang, which a
  caller can tighten for a group of calls with ``time_budget`` (one provider operation);
- retries with backoff and jitter (via tenacity), honouring ``retry-after-ms`` / ``retry-after``
  and ``x-should-retry``, and only where repeating the request is safe (see ``_retry_decision``);
- pacing: every request to one API with one credential waits its turn at the process's
  ``Pacer``, which learns the rate the API allows from its 429s (see ``pulumi_apikeys._pacing``);
  a 429 is retried for as long as the time budget lasts and does not use up ``max_retries``;
- error mapping onto ``pulumi_apikeys.errors`` with the API's message and request id;
- redaction: no exception text or log line carries the credential or a key value;
- response reading with a size cap and parsing into the backend's pydantic models.
"""

from __future__ import annotations

import email.utils
import logging
import math
import os
import platform
import threading
import time
from collections.abc import Callable, Mapping
from typing import Literal, TypeVar
from urllib.parse import quote

import httpx
import tenacity
from pydantic import BaseModel, SecretStr, ValidationError

from pulumi_apikeys._budget import backoff_delay, budget_left, time_budget
from pulumi_apikeys._pacing import Pacer, PaceTimeout, Permit, pacer_for
from pulumi_apikeys._version import __version__
from pulumi_apikeys.errors import (
    ApiConnectionError,
    ApiError,
    ApiTimeoutError,
    InvalidArgumentError,
    RateLimitedError,
    UnreadableResponseError,
    status_error_class,
)
from pulumi_apikeys.redaction import redact
from pulumi_apikeys.settings import RetryPolicy

__all__ = [
    "MAX_RESPONSE_BYTES",
    "USER_AGENT",
    "ApiHttpClient",
    "ErrorMessageParser",
    "Method",
    "backoff_delay",
    "budget_left",
    "describe_validation_error",
    "path_segment",
    "shared_http_client",
    "time_budget",
]

_log = logging.getLogger("pulumi_apikeys.http")

USER_AGENT = f"pulumi-apikeys/{__version__} python/{platform.python_version()} httpx/{httpx.__version__}"

MAX_RESPONSE_BYTES = 8 * 1024 * 1024
"""A response body larger than this is refused: a full page of 100 keys is about 50 KB."""

Method = Literal["GET", "POST", "DELETE"]
ErrorMessageParser = Callable[[bytes], "str | None"]
"""Pulls the API's own error message out of an error response body; ``None`` if it cannot."""

ModelT = TypeVar("ModelT", bound=BaseModel)

_MIN_ATTEMPT_SECONDS = 0.25

# Requests a server may receive twice without a second effect (RFC 9110 §9.2.2).
_IDEMPOTENT: frozenset[str] = frozenset({"GET", "DELETE"})
# Failures that prove the request never reached the server, so any method may be sent again.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

_shared_lock = threading.Lock()
_shared: tuple[int, httpx.Client] | None = None


def shared_http_client() -> httpx.Client:
    """The process's one ``httpx.Client``, made on first use and remade in a forked child."""
    global _shared
    with _shared_lock:
        # A client inherited through fork shares sockets with the parent: never reuse it.
        if _shared is None or _shared[0] != os.getpid():
            _shared = (
                os.getpid(),
                httpx.Client(
                    follow_redirects=False,
                    # As many kept alive as may be open: with 32 calls in flight (the plugin under
                    # a high --parallel), a smaller idle pool would close and reopen connections.
                    limits=httpx.Limits(max_connections=32, max_keepalive_connections=32),
                ),
            )
        return _shared[1]


def path_segment(value: object, what: str) -> str:
    """``value`` encoded as one URL path segment; refuses anything that could name another path.

    Every character outside the unreserved set is percent-encoded (``/``, ``?``, ``#`` included), and
    ``.``/``..`` are refused outright because some servers collapse them even when encoded.
    """
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{what} must be a string, not {type(value).__name__}")
    if not value or not value.strip():
        raise InvalidArgumentError(f"{what} must be a non-empty string")
    if value in (".", "..") or any(not ch.isprintable() for ch in value):
        raise InvalidArgumentError(f"{what} {value!r} is not a valid identifier")
    return quote(value, safe="")


def describe_validation_error(exc: ValidationError, limit: int = 5) -> str:
    """Which fields were missing or mistyped, without the input values (they may hold secrets)."""
    problems = [
        f"{'.'.join(str(part) for part in err['loc']) or '(body)'}: {err['msg']}"
        for err in exc.errors(include_input=False, include_url=False)
    ]
    more = f" (and {len(problems) - limit} more)" if len(problems) > limit else ""
    return "; ".join(problems[:limit]) + more


class _Failure(Exception):
    """One failed attempt, with what the retry loop needs to decide; never escapes this module.

    ``throttled``: the API refused the request with 429 without acting on it. Such a failure is
    retried for as long as the time budget lasts (the pacer spaces the attempts) and is not
    counted against ``max_retries``, which bounds the failures that say something is wrong.
    """

    def __init__(
        self, error: ApiError, retryable: bool, server_wait: float | None = None, *, throttled: bool = False
    ) -> None:
        super().__init__(error.message)
        self.error = error
        self.retryable = retryable
        self.server_wait = server_wait
        self.throttled = throttled


class ApiHttpClient:
    """One vendor API as seen through the shared HTTP layer.

    A backend client builds one of these with its base URL, credential and error-body parser,
    then calls ``request`` with the operation's name (used in every error) and the model to parse
    the answer into::

        http = ApiHttpClient(base_url="https://api.acme.example/v1", credential=key,
                             error_message=acme_error_message)
        key = http.request("acme.keys.retrieve", "GET",
                           f"/keys/{path_segment(key_id, 'key_id')}", model=AcmeKey)

    It holds no connection of its own (that is ``shared_http_client``) and no mutable state of its
    own (the pacer it shares is thread-safe), so one instance may serve many threads. ``pacer``
    defaults to the process's pacer for this base URL and credential.
    """

    def __init__(
        self,
        *,
        base_url: str,
        credential: SecretStr,
        credential_source: str = "the credential",
        error_message: ErrorMessageParser,
        policy: RetryPolicy | None = None,
        http_client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        pacer: Pacer | None = None,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._credential = credential
        self._credential_source = credential_source
        self._error_message = error_message
        self._policy = policy or RetryPolicy()
        self._http_client = http_client
        self._sleep = sleep
        self._pacer = pacer or pacer_for(self._base_url, credential.get_secret_value())

    @property
    def policy(self) -> RetryPolicy:
        """The retry and timeout policy in force."""
        return self._policy

    def request(
        self,
        call: str,
        method: Method,
        path: str,
        *,
        model: type[ModelT],
        params: Mapping[str, str | int] | None = None,
        json: Mapping[str, object] | None = None,
    ) -> ModelT:
        """Send the request (retrying where safe) and parse a 2xx answer into ``model``.

        Raises an ``ApiError`` subclass: the status error for the API's answer, ``ApiConnectionError``
        or ``ApiTimeoutError`` when no answer came, ``UnreadableResponseError`` when the answer is not
        the documented shape.
        """
        status, request_id, content = self._send_with_retries(call, method, path, params, json)
        try:
            return model.model_validate_json(content)
        except ValidationError as exc:
            raise UnreadableResponseError(
                call,
                "the response is not the documented shape: " + describe_validation_error(exc),
                status=status,
                request_id=request_id,
            ) from None

    def _send_with_retries(
        self,
        call: str,
        method: Method,
        path: str,
        params: Mapping[str, str | int] | None,
        json: Mapping[str, object] | None,
    ) -> tuple[int, str | None, bytes]:
        policy = self._policy
        now = time.monotonic()
        deadline = now + policy.total_timeout
        left = budget_left()
        if left is not None and now + left < deadline:
            if left <= 0:
                raise ApiTimeoutError(call, "not sent: the operation's time budget is spent")
            deadline = now + left
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(lambda exc: isinstance(exc, _Failure) and exc.retryable),
            # Never start a wait that would end past the total bound: fail with the last error instead.
            stop=tenacity.stop_any(
                _RetriesSpent(policy.max_retries), tenacity.stop_before_delay(deadline - now)
            ),
            wait=self._wait,
            # A 429's retry waits in the pacer, not here: tenacity's zero wait is no sleep at all.
            sleep=lambda seconds: self._sleep(seconds) if seconds > 0 else None,
            before_sleep=lambda state: _log_retry(call, state),
            reraise=True,
        )
        last_throttle: list[ApiError] = []
        try:
            for attempt in retrying:
                with attempt:
                    return self._attempt(call, method, path, params, json, deadline, last_throttle)
        except _Failure as failure:
            raise failure.error from None
        raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover

    def _wait(self, state: tenacity.RetryCallState) -> float:
        failure = _failure_of(state)
        if failure is not None and failure.throttled:
            return 0.0  # the pacer holds the next attempt (and every other thread's) as long as needed
        if failure is not None and failure.server_wait is not None and failure.server_wait > 0:
            return failure.server_wait
        return backoff_delay(self._policy, state.attempt_number)

    def _attempt(
        self,
        call: str,
        method: Method,
        path: str,
        params: Mapping[str, str | int] | None,
        json: Mapping[str, object] | None,
        deadline: float,
        last_throttle: list[ApiError],
    ) -> tuple[int, str | None, bytes]:
        client = self._http_client or shared_http_client()
        floor = self._policy.min_interval
        try:
            permit = self._pacer.acquire(deadline=deadline, floor=floor)
        except PaceTimeout as exc:
            raise _Failure(_out_of_slots(call, exc, last_throttle), retryable=False) from None
        idempotent = method in _IDEMPOTENT
        try:
            response = self._send(client, method, path, params, json, deadline)
        except httpx.TransportError as exc:
            self._pacer.failed(permit)
            raise self._transport_failure(call, exc, idempotent) from None
        except BaseException:
            self._pacer.failed(permit)  # whatever happened, the slot is not held for ever
            raise
        self._report(permit, response, floor)
        try:
            try:
                content = _read_capped(response, call)
            finally:
                response.close()
        except httpx.TransportError as exc:
            raise self._transport_failure(call, exc, idempotent) from None
        request_id = response.headers.get("x-request-id")
        _log.debug("%s: %s %s -> %d (request id %s)", call, method, path, response.status_code, request_id)
        if 200 <= response.status_code < 300:
            return response.status_code, request_id, content
        failure = self._status_failure(call, response, content, idempotent)
        if failure.throttled:
            last_throttle[:] = [failure.error]
        raise failure

    def _send(
        self,
        client: httpx.Client,
        method: Method,
        path: str,
        params: Mapping[str, str | int] | None,
        json: Mapping[str, object] | None,
        deadline: float,
    ) -> httpx.Response:
        """One request on the wire, its response still to be read (streamed)."""
        # The last attempt gets what is left of the total bound, with a small floor so that an
        # attempt started just before the bound is not doomed; the bound is overrun by at most that.
        per_attempt = min(self._policy.timeout, max(deadline - time.monotonic(), _MIN_ATTEMPT_SECONDS))
        request = client.build_request(
            method,
            self._base_url + path,
            params=params,
            json=json,
            headers={
                "Authorization": f"Bearer {self._credential.get_secret_value()}",
                "Accept": "application/json",
                "User-Agent": USER_AGENT,
            },
            timeout=httpx.Timeout(per_attempt, connect=min(per_attempt, 10.0)),
        )
        return client.send(request, stream=True)

    def _report(self, permit: Permit, response: httpx.Response, floor: float) -> None:
        """Tells the pacer how the request ended, as soon as the status is known."""
        if response.status_code == 429:
            self._pacer.throttled_by(permit, server_wait=_server_wait(response.headers))
        else:
            # Any other answer means the API took the request in: it spent one of its tokens.
            self._pacer.succeeded(permit, floor=floor)

    def _transport_failure(self, call: str, exc: httpx.TransportError, idempotent: bool) -> _Failure:
        detail = self._redact(f"{type(exc).__name__}: {exc}".rstrip(": "))
        if isinstance(exc, httpx.TimeoutException):
            error: ApiError = ApiTimeoutError(call, f"no response within the timeout ({detail})")
        else:
            error = ApiConnectionError(call, f"no response from the API ({detail})")
        # A request that was sent may have been acted on: only repeat it if doing so is harmless.
        return _Failure(error, retryable=idempotent or isinstance(exc, _NOT_SENT))

    def _status_failure(
        self, call: str, response: httpx.Response, content: bytes, idempotent: bool
    ) -> _Failure:
        status = response.status_code
        message = self._error_message(content) or _fallback_message(response, content)
        if status == 401:
            # The API cannot know where the key came from; we can, and that is what the user must fix.
            message = f"{message.rstrip()} The credential was refused: check {self._credential_source}."
        cls = status_error_class(status)
        request_id = response.headers.get("x-request-id")
        error = cls(call, self._redact(message), status=status, request_id=request_id)
        server_wait = _server_wait(response.headers)
        if isinstance(error, RateLimitedError):
            error.retry_after = server_wait
        retryable = self._retry_decision(status, response.headers, idempotent, server_wait)
        return _Failure(error, retryable, server_wait, throttled=status == 429)

    def _retry_decision(
        self, status: int, headers: httpx.Headers, idempotent: bool, server_wait: float | None
    ) -> bool:
        """Whether an error answer is worth another attempt.

        A 429 means the server refused the request without acting on it, so any method may be
        repeated. Other statuses (408, 409, 5xx) leave a POST's outcome unknown: only idempotent
        requests are repeated. The server's ``x-should-retry: false`` and waits longer than
        ``max_retry_after`` are obeyed by not retrying at all.
        """
        if server_wait is not None and server_wait > self._policy.max_retry_after:
            return False
        hint = headers.get("x-should-retry")
        if hint == "false":
            return False
        if status == 429:
            return True
        if not idempotent:
            return False
        return hint == "true" or status in (408, 409) or status >= 500

    def _redact(self, text: str) -> str:
        return redact(text, [self._credential.get_secret_value()])


class _RetriesSpent(tenacity.stop.stop_base):
    """Stops once ``max_retries`` failures other than 429 have been retried; 429s are not counted."""

    def __init__(self, max_retries: int) -> None:
        self._max_retries = max_retries
        self._failures = 0

    def __call__(self, state: tenacity.RetryCallState) -> bool:
        failure = _failure_of(state)
        if failure is None or not failure.throttled:
            self._failures += 1
        return self._failures > self._max_retries


def _out_of_slots(call: str, timeout: PaceTimeout, last_throttle: list[ApiError]) -> ApiError:
    """The error for a request the pacer cannot send within the time budget."""
    when = "is not in sight" if timeout.wait == float("inf") else f"is {timeout.wait:.1f} s away"
    reason = f"the API is rate limiting, and the next request slot {when}, past the operation's time budget"
    if not last_throttle:
        return RateLimitedError(call, f"not sent: {reason}")
    last = last_throttle[0]
    error = type(last)(
        last.call, f"{last.message}; gave up: {reason}", status=last.status, request_id=last.request_id
    )
    if isinstance(last, RateLimitedError) and isinstance(error, RateLimitedError):
        error.retry_after = last.retry_after
    return error


def _log_retry(call: str, state: tenacity.RetryCallState) -> None:
    failure = _failure_of(state)
    reason = failure.error.message if failure is not None else "unknown failure"
    if failure is not None and failure.throttled:
        _log.info(
            "%s: attempt %d was rate limited (%s); retrying when the pacer allows",
            call,
            state.attempt_number,
            reason,
        )
        return
    _log.info(
        "%s: attempt %d failed (%s); retrying in %.2fs",
        call,
        state.attempt_number,
        reason,
        state.upcoming_sleep,
    )


def _failure_of(state: tenacity.RetryCallState) -> _Failure | None:
    exc = state.outcome.exception() if state.outcome is not None else None
    return exc if isinstance(exc, _Failure) else None


def _read_capped(response: httpx.Response, call: str) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise UnreadableResponseError(
                call,
                f"the response body is larger than {MAX_RESPONSE_BYTES} bytes; refusing to read it",
                status=response.status_code,
                request_id=response.headers.get("x-request-id"),
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _fallback_message(response: httpx.Response, content: bytes) -> str:
    kind = response.headers.get("content-type", "no content type").split(";")[0]
    reason = response.reason_phrase or "error"
    return f"{reason} (the body, {len(content)} bytes of {kind}, is not the API's error format)"


def _server_wait(headers: httpx.Headers) -> float | None:
    """Seconds the server asked us to wait: ``retry-after-ms``, else ``retry-after`` (seconds or date)."""
    for header, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        raw = headers.get(header)
        if raw is None:
            continue
        try:
            seconds = float(raw) * scale
        except ValueError:
            continue
        # "inf" means "not any time soon": larger than any wait we honour. NaN means nothing.
        return 1e9 if math.isinf(seconds) else (None if math.isnan(seconds) else seconds)
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)
