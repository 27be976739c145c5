"""Time budgets and backoff: how long an operation may still take, and how long to wait between tries.

Apart from the HTTP layer so that the reconciler (and with it the lifecycle a Check runs) loads
without httpx and tenacity.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pulumi_apikeys.settings import RetryPolicy

__all__ = ["backoff_delay", "budget_left", "time_budget"]

# When the current operation's time budget ends (time.monotonic()); per thread, as each of the
# provider server's worker threads runs one operation.
_budget_end: ContextVar[float | None] = ContextVar("pulumi_apikeys_budget_end", default=None)


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Every call made inside (on this thread) ends within ``seconds`` from now, retries included.

    A budget opened inside another replaces it until it closes: a cleanup that must run even
    after the operation's budget is spent gets one of its own.
    """
    token = _budget_end.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _budget_end.reset(token)


def backoff_delay(policy: RetryPolicy, attempt_number: int) -> float:
    """Seconds to wait after failed attempt ``attempt_number`` (from 1), when the server said nothing."""
    base = min(policy.backoff_initial * 2.0 ** (attempt_number - 1), policy.backoff_max)
    # Jitter downwards only (as the official SDK does), so the cap stays a cap.
    return base * (1.0 - 0.25 * random.random())  # noqa: S311 - jitter, not cryptography


def budget_left() -> float | None:
    """Seconds left in the current ``time_budget``; ``None`` outside one."""
    end = _budget_end.get()
    return None if end is None else end - time.monotonic()
