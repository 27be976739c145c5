"""Scrubbing secrets out of text before it reaches an exception, a log line or a terminal.

Two nets: the exact secrets we know (the credential in use), and patterns that catch key values we
do not know but that an API might echo back (OpenAI's own 401 message quotes part of the key).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["REDACTED", "redact"]

REDACTED = "[REDACTED]"

# Shapes of vendor secrets. Each needs a run of key characters long enough that ordinary words
# ("sk-admin...xyz", a redacted value the API shows on purpose) are left alone.
_SECRET_PATTERNS = re.compile(
    r"""
    sk-admin-[A-Za-z0-9_\-]{8,}       # OpenAI admin key values
    | sk-(?:proj-|svcacct-)?[A-Za-z0-9_\-]{20,}  # other OpenAI keys
    | capy_live_[A-Za-z0-9_\-]{6,}    # the second vendor's keys
    | (?i:bearer)\s+[^\s"',;]+        # an Authorization header value, whatever it holds
    """,
    re.VERBOSE,
)

# Secrets shorter than this are not replaced verbatim: a 2-character "secret" would shred the text.
_MIN_KNOWN_SECRET = 6


def redact(text: str, known_secrets: Iterable[str] = ()) -> str:
    """``text`` with every known secret and every secret-shaped token replaced by ``[REDACTED]``."""
    for secret in sorted({s for s in known_secrets if len(s) >= _MIN_KNOWN_SECRET}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return _SECRET_PATTERNS.sub(REDACTED, text)
