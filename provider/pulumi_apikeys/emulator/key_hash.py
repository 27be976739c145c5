"""How an emulated store recognises a key by its value without keeping the value."""

from __future__ import annotations

import hashlib

__all__ = ["value_sha256"]


def value_sha256(value: str) -> str:
    """The hex SHA-256 of a key value (or secret): what a store keeps in its place."""
    return hashlib.sha256(value.encode()).hexdigest()
