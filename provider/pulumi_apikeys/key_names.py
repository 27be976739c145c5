"""What makes a key name acceptable, said once for every backend, client and provider alike."""

from __future__ import annotations

__all__ = ["MAX_NAME_LENGTH", "name_problem", "type_word"]

MAX_NAME_LENGTH = 256
"""The longest name accepted. Neither API documents a limit; names are labels shown in dashboards,
and refusing a 10,000-character name here beats an opaque 400 (or a truncated label) later."""


def type_word(value: object) -> str:
    """What ``value`` is, in the words of the program that declared it: numbers reach a provider as
    floats, so Python's type names ("float" for ``42``) would only confuse."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def name_problem(value: object, prop: str = "name") -> str | None:
    """Why ``value`` cannot be a key's name (a sentence naming ``prop``), or ``None`` if it can."""
    if value is None:
        return f"{prop} is required: give the key a non-empty name"
    if not isinstance(value, str):
        return f"{prop} must be a string, not {type_word(value)}"
    if not value.strip():
        return f"{prop} must not be empty or only whitespace"
    if len(value) > MAX_NAME_LENGTH:
        return f"{prop} must be at most {MAX_NAME_LENGTH} characters, not {len(value)}"
    if any(not ch.isprintable() for ch in value):
        return f"{prop} must not contain control characters such as newlines or tabs"
    return None
