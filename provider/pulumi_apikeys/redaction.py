"""Scrubbing secrets out of text before it reaches an exception, a log line or a terminal.

Two nets: the exact secrets we know (the credential in use), and patterns that catch key values we
do not know but that an API might echo back (a vendor's 401 message may quote part of the key).
The patterns are each registered backend's ``secret_patterns``, plus any ``Authorization`` value.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from pulumi_apikeys import registry

__all__ = ["REDACTED", "redact"]

REDACTED = "[REDACTED]"

_BEARER = r"""(?i:bearer)\s+[^\s"',;]+"""
"""An Authorization header value, whatever it holds."""

# Secrets shorter than this are not replaced verbatim: a 2-character "secret" would shred the text.
_MIN_KNOWN_SECRET = 6


def redact(text: str, known_secrets: Iterable[str] = ()) -> str:
    """``text`` with every known secret and every secret-shaped token replaced by ``[REDACTED]``."""
    for secret in sorted({s for s in known_secrets if len(s) >= _MIN_KNOWN_SECRET}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    patterns = tuple(pattern for backend in registry.registered() for pattern in backend.secret_patterns)
    return _compiled(patterns).sub(REDACTED, text)


@functools.lru_cache(maxsize=8)
def _compiled(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regular expression matching any of the backends' secret shapes, or a bearer token."""
    return re.compile("|".join(f"(?:{pattern})" for pattern in (*patterns, _BEARER)))
