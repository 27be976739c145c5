"""Paths and small helpers for the projects emulator's tests."""

from __future__ import annotations

import re

SERVICE_NAME = "openai_projects"
PROJECTS = "/organization/projects"
"""The projects collection, relative to the service's base URL."""
MODELS = "/models"
"""The one data-plane call the emulator answers, relative to the base URL."""
SECRET_PATTERN = re.compile(r"sk-(?:proj-|svcacct-)?[A-Za-z0-9_\-]{20,}")
"""The OpenAI backend's pattern for key values (``openai/backend.py``): what redaction looks for."""


def accounts_path(project_id: str) -> str:
    """The project's service accounts collection."""
    return f"{PROJECTS}/{project_id}/service_accounts"


def account_path(project_id: str, account_id: str) -> str:
    """One service account."""
    return f"{accounts_path(project_id)}/{account_id}"


def keys_path(project_id: str) -> str:
    """The project's API keys collection."""
    return f"{PROJECTS}/{project_id}/api_keys"


def key_path(project_id: str, key_id: str) -> str:
    """One project API key."""
    return f"{keys_path(project_id)}/{key_id}"


def bearer(key: str) -> dict[str, str]:
    """An Authorization header presenting ``key``."""
    return {"Authorization": f"Bearer {key}"}


class FakeClock:
    """A clock a test moves by hand, so that expiry needs no waiting."""

    def __init__(self, now: float = 1_750_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
