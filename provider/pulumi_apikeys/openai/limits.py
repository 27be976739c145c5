"""What the Admin API accepts, apart from its models: a declaration checks inputs against these
without importing pydantic (a Check in the provider process never needs it)."""

from __future__ import annotations

__all__ = ["EXPIRES_IN_SECONDS_MAX", "EXPIRES_IN_SECONDS_MIN"]

EXPIRES_IN_SECONDS_MIN = 1
"""The shortest lifetime the API accepts for a key, in seconds."""
EXPIRES_IN_SECONDS_MAX = 31_536_000
"""The longest lifetime the API accepts for a key, in seconds (365 days)."""
