"""Where credentials, base URLs and timeouts come from, and the checks they must pass.

Order of precedence for every setting: an explicit argument, then the environment variable, then
the default (credentials have none). Nothing here reads Pulumi stack config; the provider layer
resolves that and passes the result in explicitly.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pulumi_apikeys.errors import ConfigurationError
from pulumi_apikeys.redaction import redact

if TYPE_CHECKING:
    # Imported where a credential is made: a Check or a Diff never needs pydantic.
    from pydantic import SecretStr

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "DEFAULT_TOTAL_TIMEOUT",
    "RetryPolicy",
    "checked_base_url",
    "credential_source",
    "is_loopback_host",
    "resolve_base_url",
    "resolve_credential",
]

DEFAULT_TIMEOUT = 600.0
"""Seconds one attempt may take (connect, send, each read) before it counts as timed out; the
official SDK's default, so no call gives up on a slow API sooner than the SDK would."""
DEFAULT_MAX_RETRIES = 3
"""Further attempts after the first; one more than the official SDK's 2."""
DEFAULT_TOTAL_TIMEOUT = 2400.0
"""Seconds one operation may take across all its attempts and waits: bounds how long ``pulumi up``
waits on one key. The SDK's own worst case is 3 attempts of 600 s plus 2 waits of up to 120 s
(2040 s); this is that, rounded up. Pipelines that would rather fail fast set it lower."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long a call is retried.

    ``backoff`` waits ``min(initial * 2**n, max) * (1 - 0.25 * random())`` seconds before retry
    ``n + 1`` (the official SDK's schedule), unless the server said how long to wait. A server wait
    over ``max_retry_after`` is not honoured: the call fails at once with the server's answer.
    ``max_retries`` bounds failures other than 429: a request the API refused with 429 (and so did
    not act on) is retried, paced, for as long as ``total_timeout`` lasts.
    ``max_requests_per_minute`` spaces every request to the API with this credential at least
    ``60 / max_requests_per_minute`` seconds apart from the start; ``None`` leaves the pacing to
    what the API's 429s teach.
    """

    max_retries: int = DEFAULT_MAX_RETRIES
    timeout: float = DEFAULT_TIMEOUT
    total_timeout: float = DEFAULT_TOTAL_TIMEOUT
    backoff_initial: float = 0.5
    backoff_max: float = 8.0
    max_retry_after: float = 120.0
    max_requests_per_minute: float | None = None

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ConfigurationError(f"max_retries must be 0 or more, not {self.max_retries}")
        if self.timeout <= 0 or self.total_timeout <= 0:
            raise ConfigurationError("timeouts must be positive numbers of seconds")
        if self.max_requests_per_minute is not None and not self.max_requests_per_minute > 0:
            raise ConfigurationError(
                f"max_requests_per_minute must be a positive number, not {self.max_requests_per_minute}"
            )

    @property
    def min_interval(self) -> float:
        """The fewest seconds between two requests that ``max_requests_per_minute`` allows (0: no floor)."""
        return 0.0 if self.max_requests_per_minute is None else 60.0 / self.max_requests_per_minute


def resolve_credential(explicit: str | SecretStr | None, *, env_var: str, what: str) -> SecretStr:
    """The credential passed in, else the one in ``env_var``; a ``ConfigurationError`` if neither."""
    from pydantic import SecretStr

    if isinstance(explicit, SecretStr):
        explicit = explicit.get_secret_value()
    value = explicit if explicit is not None else os.environ.get(env_var)
    if value is None or not value.strip():
        raise ConfigurationError(
            f"No {what} is configured: pass it explicitly or set the {env_var} variable."
        )
    if value != value.strip() or any(ch.isspace() or not ch.isprintable() for ch in value):
        # A pasted key with a newline would otherwise fail later as a confusing 401.
        raise ConfigurationError(
            f"The {what} contains whitespace or control characters; check how it was set."
        )
    return SecretStr(value)


def credential_source(explicit: object, *, env_var: str, what: str) -> str:
    """Where ``resolve_credential`` took the credential from, for messages that ask to fix it."""
    if explicit is not None:
        return f"the {what} passed to the client"
    return f"the {what} in the environment variable {env_var}"


def resolve_base_url(explicit: str | None, *, env_var: str, default: str | None, what: str) -> str:
    """The base URL passed in, else ``env_var``, else ``default``; checked by ``checked_base_url``."""
    value = explicit or os.environ.get(env_var) or default
    if not value:
        raise ConfigurationError(
            f"No {what} base URL is configured and there is no public default: "
            f"pass it explicitly or set the {env_var} variable."
        )
    return checked_base_url(value, what=what)


def checked_base_url(value: str, *, what: str) -> str:
    """``value`` without a trailing slash, if it is a usable base URL.

    Refused: anything that is not ``https://host/...``, except ``http://`` to a loopback host (the
    emulator): the credential is sent with every request and must never cross a network in
    cleartext. Also refused: user info, query strings and fragments, which have no place in a base.
    """
    # Imported here: only making a client checks a URL, and a check or diff must not load httpx.
    import httpx

    shown = redact(value)  # echoed in messages: a pasted URL can carry a token
    try:
        url = httpx.URL(value.strip())
    except (httpx.InvalidURL, TypeError):
        raise ConfigurationError(f"The {what} base URL {shown!r} is not a valid URL.") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(
            f"The {what} base URL {shown!r} is not an absolute http(s) URL (expected e.g. https://host/v1)."
        )
    if url.userinfo or url.query or url.fragment:
        raise ConfigurationError(
            f"The {what} base URL must not contain user info, a query or a fragment; got {url.host!r}..."
        )
    if url.scheme == "http" and not is_loopback_host(url.host):
        raise ConfigurationError(
            f"The {what} base URL {shown!r} uses plain http to a host that is not loopback: the credential "
            "would cross the network in cleartext. Use https:// (http:// is allowed only for 127.0.0.1, "
            "::1 and localhost)."
        )
    return str(url).rstrip("/")


def is_loopback_host(host: str | None) -> bool:
    """True for ``localhost`` and addresses in 127.0.0.0/8, ``::1`` or IPv4-mapped loopback."""
    if host is None:
        return False
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback
