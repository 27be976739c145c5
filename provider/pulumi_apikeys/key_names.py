"""What makes a key name acceptable, said once for every backend, client and provider alike."""

from __future__ import annotations

__all__ = ["MAX_NAME_LENGTH", "name_problem"]

MAX_NAME_LENGTH = 256
"""The longest name accepted. Neither API documents a limit; names are labels shown in dashboards,
and refusing a 10,000-character name here beats an opaque 400 (or a truncated label) later."""


def name_problem(value: object, prop: str = "name") -> str | None:
    """Why ``value`` cannot be a key's name (a sentence naming ``prop``), or ``None`` if it can."""
    if value is None:
        return f"{prop} is required: give the key a non-empty name"
    if not isinstance(value, str):
        return f"{prop} must be a string, not {type(value).__name__}"
    if not value.strip():
        return f"{prop} must not be empty or only whitespace"
    if len(value) > MAX_NAME_LENGTH:
        return f"{prop} must be at most {MAX_NAME_LENGTH} characters, not {len(value)}"
    if any(not ch.isprintable() for ch in value):
        return f"{prop} must not contain control characters such as newlines or tabs"
    return None
