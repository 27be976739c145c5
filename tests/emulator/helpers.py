"""Small helpers for the emulator's tests."""

from __future__ import annotations

KEYS = "/organization/admin_api_keys"
"""The Admin API keys collection, relative to the emulator's base URL."""


def bearer(key: str) -> dict[str, str]:
    """An Authorization header presenting ``key``."""
    return {"Authorization": f"Bearer {key}"}
