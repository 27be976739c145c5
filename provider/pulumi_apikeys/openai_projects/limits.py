"""What the projects API accepts, apart from its models: a declaration checks inputs against these
without importing pydantic (a Check in the provider process never needs it)."""

from __future__ import annotations

__all__ = ["EXPIRES_IN_SECONDS_MAX", "EXPIRES_IN_SECONDS_MIN"]

EXPIRES_IN_SECONDS_MIN = 1
"""The shortest key lifetime we send, in seconds."""
EXPIRES_IN_SECONDS_MAX = 31_536_000
"""The longest key lifetime we send (365 days): the Admin keys' documented bound, assumed here too
(the SDK states none for project keys; an organization policy may set a lower one)."""
