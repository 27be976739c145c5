"""``AdminApiKey``: an OpenAI organization Admin API key declared in a Pulumi program."""

from __future__ import annotations

from typing import Any

import pulumi

from pulumi_apikeys.dynamic.resource import KeyResourceBase
from pulumi_apikeys.openai.provider import AdminApiKeyProvider

__all__ = ["AdminApiKey"]


class AdminApiKey(KeyResourceBase, provider=AdminApiKeyProvider):
    """An organization Admin API key, created on ``pulumi up`` and deleted on ``pulumi destroy``.

    ::

        deployer = AdminApiKey("deployer", name="CI deployer", expires_in_seconds=90 * 86400)
        pulumi.export("deployer_key", deployer.value)   # a secret

        # Bring an existing key under management (its value stays unknown):
        legacy = AdminApiKey("legacy", name="Legacy", opts=pulumi.ResourceOptions(import_="key_abc"))

    The admin credential comes from ``pulumi config set --secret apikeys:openaiAdminKey ...``,
    else ``OPENAI_ADMIN_KEY``; the base URL from ``apikeys:openaiBaseUrl``, else
    ``OPENAI_BASE_URL``, else ``https://api.openai.com/v1``. A change of ``name`` or
    ``expires_in_seconds`` replaces the key: a new one is created, then the old one deleted
    (``delete_before_replace=True`` reverses the order).
    """

    name: pulumi.Output[str]
    """The key's name."""
    expires_in_seconds: pulumi.Output[int | None]
    """The declared lifetime in seconds, or ``None`` for a key that never expires."""
    redacted_value: pulumi.Output[str]
    """The value with all but its ends hidden, e.g. ``sk-admin...xyz``: safe to show."""
    value: pulumi.Output[str | None]
    """The key itself, a secret; ``None`` for an imported key (the API shows it only at creation)."""
    created_at: pulumi.Output[int]
    """Unix seconds when the key was created."""
    expires_at: pulumi.Output[int | None]
    """Unix seconds when the key expires; ``None`` if it never does."""
    last_used_at: pulumi.Output[int | None]
    """Unix seconds when the key was last used; ``None`` if never (refresh to update it)."""
    owner: pulumi.Output[dict[str, Any]]
    """The user or service account that owns the key."""

    def __init__(
        self,
        resource_name: str,
        *,
        name: pulumi.Input[str],
        expires_in_seconds: pulumi.Input[int] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(resource_name, {"name": name, "expires_in_seconds": expires_in_seconds}, opts)

    @staticmethod
    def get(
        resource_name: str, id: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None
    ) -> AdminApiKey:
        """A read-only reference to an existing key: read on every ``up``, never created or deleted."""
        return AdminApiKey.reference(resource_name, id, {}, opts)
