"""The retry budget users set per stack: ``apikeys:maxRetries``, ``requestTimeout``, ``totalTimeout``
and ``maxRequestsPerMinute``.

Each may also come from the environment (``APIKEYS_MAX_RETRIES``, ``APIKEYS_REQUEST_TIMEOUT``,
``APIKEYS_TOTAL_TIMEOUT``, ``APIKEYS_MAX_REQUESTS_PER_MINUTE``); unset, the defaults in
``pulumi_apikeys.settings`` apply, which are at least as patient as the official SDK's (and no
request rate is imposed before the API asks for one). Bad values fail the operation with a message naming both
places the value may have come from.
"""

from __future__ import annotations

import math

from pulumi_apikeys.core.stack_config import Setting, StackConfig
from pulumi_apikeys.errors import ConfigurationError
from pulumi_apikeys.settings import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT,
    RetryPolicy,
)

__all__ = [
    "MAX_REQUESTS_PER_MINUTE",
    "MAX_REQUESTS_PER_MINUTE_LIMIT",
    "MAX_RETRIES",
    "MAX_RETRIES_LIMIT",
    "MAX_SECONDS",
    "REQUEST_TIMEOUT",
    "RETRY_SETTINGS",
    "TOTAL_TIMEOUT",
    "retry_policy",
]

MAX_RETRIES = Setting(
    "maxRetries", "APIKEYS_MAX_RETRIES", "number of retries after a failed request", type="integer"
)
REQUEST_TIMEOUT = Setting(
    "requestTimeout", "APIKEYS_REQUEST_TIMEOUT", "seconds one request attempt may take", type="number"
)
TOTAL_TIMEOUT = Setting(
    "totalTimeout", "APIKEYS_TOTAL_TIMEOUT", "seconds one operation may take in all", type="number"
)
MAX_REQUESTS_PER_MINUTE = Setting(
    "maxRequestsPerMinute",
    "APIKEYS_MAX_REQUESTS_PER_MINUTE",
    "most requests a minute to one API",
    type="number",
)
RETRY_SETTINGS: tuple[Setting, ...] = (MAX_RETRIES, REQUEST_TIMEOUT, TOTAL_TIMEOUT, MAX_REQUESTS_PER_MINUTE)

MAX_RETRIES_LIMIT = 20
"""More retries than this is a typo, not patience (each can wait up to two minutes)."""
MAX_SECONDS = 86_400.0
"""No timeout may exceed a day: a longer one is indistinguishable from a hang."""
MAX_REQUESTS_PER_MINUTE_LIMIT = 60_000.0
"""A thousand requests a second: past this a limit limits nothing."""


def retry_policy(config: StackConfig) -> RetryPolicy:
    """The policy the stack config (then the environment) asks for, defaults filling the rest."""
    return RetryPolicy(
        max_retries=_whole_number(config, MAX_RETRIES, DEFAULT_MAX_RETRIES),
        timeout=_seconds(config, REQUEST_TIMEOUT, DEFAULT_TIMEOUT),
        total_timeout=_seconds(config, TOTAL_TIMEOUT, DEFAULT_TOTAL_TIMEOUT),
        max_requests_per_minute=_rate(config, MAX_REQUESTS_PER_MINUTE),
    )


def _where(setting: Setting) -> str:
    return f"{setting.config_key} (or {setting.env_var})"


def _whole_number(config: StackConfig, setting: Setting, default: int) -> int:
    raw = config.get(setting)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_RETRIES_LIMIT:
        raise ConfigurationError(
            f"{_where(setting)} must be a whole number from 0 to {MAX_RETRIES_LIMIT}, not {raw!r}."
        )
    return value


def _seconds(config: StackConfig, setting: Setting, default: float) -> float:
    value = _positive(config, setting, MAX_SECONDS, "seconds")
    return default if value is None else value


def _rate(config: StackConfig, setting: Setting) -> float | None:
    return _positive(config, setting, MAX_REQUESTS_PER_MINUTE_LIMIT, "requests")


def _positive(config: StackConfig, setting: Setting, limit: float, unit: str) -> float | None:
    """The setting as a number above 0 and at most ``limit``; ``None`` when unset."""
    raw = config.get(setting)
    if raw is None:
        return None
    try:
        value = float(raw.strip())
    except ValueError:
        value = math.nan
    if not 0 < value <= limit:  # NaN fails this too
        raise ConfigurationError(
            f"{_where(setting)} must be a number of {unit} above 0 and at most {limit:.0f}, not {raw!r}."
        )
    return value
