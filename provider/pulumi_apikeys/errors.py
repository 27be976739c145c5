"""The exceptions this package raises, in one tree.

::

    ApiKeysError                     anything this package raises on purpose
    ├── ConfigurationError           a missing or unusable credential, base URL or setting
    ├── InvalidArgumentError         a bad argument, caught before any request is sent
    ├── AdoptionError                a key to import or get is missing, or not as declared
    ├── OrphanedKeyError             a create's outcome is unknown and its cleanup failed: keys may be left
    ├── EmulatorStartupError         the emulator could not start (its extra missing, no server)
    ├── UnknownCursorError           an emulated list asked to start after an id never held
    └── ApiError                     a call to a vendor API failed
        ├── ApiConnectionError       no response: refused, reset, dropped mid-way
        │   └── ApiTimeoutError      no response in time
        ├── UnreadableResponseError  a response that is not the documented shape
        └── ApiStatusError           the API answered with an error status
            ├── BadRequestError           400, 422
            ├── AuthenticationError       401
            ├── PermissionDeniedError     403
            ├── NotFoundError             404
            ├── ConflictError             409
            ├── RateLimitedError          429
            └── ServerError               5xx

Every ``ApiError`` names the call that failed (``"<backend>.<collection>.<verb>"``, e.g.
``"acme.keys.create"``) and, where the API sent them, the HTTP status, the API's own message and
the request id to quote to the vendor. Messages pass through redaction before they are stored, so
no credential or key value is ever part of an exception's text (Pulumi prints provider
exceptions, tracebacks and all, to the user).

Nothing else reaches a caller: the few other exception classes are signals inside one module
(``_http``'s retry verdict, ``_pacing.PaceTimeout`` which ``_http`` turns into an ``ApiError``, the
emulator's dropped connection), and the command line's ``PulumiCliUnavailable`` is a click
exception, printed as one line.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AdoptionError",
    "ApiConnectionError",
    "ApiError",
    "ApiKeysError",
    "ApiStatusError",
    "ApiTimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "EmulatorStartupError",
    "InvalidArgumentError",
    "NotFoundError",
    "OrphanedKeyError",
    "PermissionDeniedError",
    "RateLimitedError",
    "ServerError",
    "UnknownCursorError",
    "UnreadableResponseError",
    "status_error_class",
]


class ApiKeysError(Exception):
    """Base class of every exception this package raises on purpose."""


class ConfigurationError(ApiKeysError):
    """A credential, base URL or setting is missing or unusable; the message says how to fix it."""


class InvalidArgumentError(ApiKeysError, ValueError):
    """An argument was refused before any request was sent (an empty id, a name of the wrong type)."""


class AdoptionError(ApiKeysError):
    """A key named by ``import_`` or ``get`` does not exist, or differs from what the program declares."""


class PartialUpdateError(ApiKeysError):
    """An update stopped part-way: ``outputs`` is the resource as it now is, to record in state.

    A face that can report a partial failure to the engine (the plugin) hands ``outputs`` over;
    the engine records them and updates the resource again on the next ``up``.
    """

    def __init__(self, message: str, outputs: dict[str, Any]) -> None:
        super().__init__(message)
        self.outputs = outputs


class OrphanedKeyError(ApiKeysError):
    """A create's outcome is unknown and the cleanup could not finish: keys may be left behind.

    ``suspects`` are the ids of keys that may be ours and could not be deleted; ``None`` when the
    search itself failed, so nothing is known about which key it might be.
    """

    def __init__(self, message: str, suspects: list[str] | None) -> None:
        super().__init__(message)
        self.suspects = suspects


class EmulatorStartupError(ApiKeysError, RuntimeError):
    """The emulator could not start: its optional dependencies are missing, or its server did not come up."""


class UnknownCursorError(ApiKeysError, LookupError):
    """An emulated list was asked to start after an id its store never held."""


class ApiError(ApiKeysError):
    """A call to a vendor API failed.

    Attributes:
        call: which operation failed, e.g. ``"acme.keys.create"``.
        message: the API's message (or ours, when there was no response), already redacted.
        status: the HTTP status, when a response arrived.
        request_id: the vendor's request id (``x-request-id``), when it sent one.
    """

    def __init__(
        self,
        call: str,
        message: str,
        *,
        status: int | None = None,
        request_id: str | None = None,
    ) -> None:
        self.call = call
        self.message = message
        self.status = status
        self.request_id = request_id
        super().__init__(self._render())

    def _render(self) -> str:
        head = f"{self.call} failed"
        if self.status is not None:
            head += f" with HTTP {self.status}"
        text = f"{head}: {self.message}"
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only fields would otherwise be lost when the exception crosses a process boundary
        # (pickled by multiprocessing or by Pulumi's provider host).
        return (_rebuild, (type(self), self.call, self.message, self.status, self.request_id))


def _rebuild(
    cls: type[ApiError], call: str, message: str, status: int | None, request_id: str | None
) -> ApiError:
    return cls(call, message, status=status, request_id=request_id)


class ApiConnectionError(ApiError):
    """No response arrived: the connection was refused, reset, or dropped before the answer."""


class ApiTimeoutError(ApiConnectionError):
    """No response arrived within the configured timeout."""


class UnreadableResponseError(ApiError):
    """The API answered, but not with the documented shape (not JSON, a missing or mistyped field)."""


class ApiStatusError(ApiError):
    """The API answered with an error status."""


class BadRequestError(ApiStatusError):
    """400 or 422: the API refused the request's content."""


class AuthenticationError(ApiStatusError):
    """401: the credential is missing, wrong, revoked or expired."""


class PermissionDeniedError(ApiStatusError):
    """403: the credential is valid but may not do this."""


class NotFoundError(ApiStatusError):
    """404: no such object (or path)."""


class ConflictError(ApiStatusError):
    """409: the request conflicts with the object's current state."""


class RateLimitedError(ApiStatusError):
    """429: too many requests; ``retry_after`` is the wait the API asked for, in seconds, if any."""

    retry_after: float | None = None


class ServerError(ApiStatusError):
    """5xx: the API failed on its side."""


_BY_STATUS: dict[int, type[ApiStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: BadRequestError,
    429: RateLimitedError,
}


def status_error_class(status: int) -> type[ApiStatusError]:
    """The exception class for an HTTP error status."""
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, ApiStatusError)
