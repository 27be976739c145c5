"""``AdminApiKey``: an OpenAI organization Admin API key declared in a Pulumi program."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from pulumi_apikeys.dynamic.resource import KeyResourceBase, PairOutputs, RotationSettings
from pulumi_apikeys.openai.provider import AdminApiKeyProvider, RotatingAdminApiKeyProvider

__all__ = ["AdminApiKey", "RotatingAdminApiKey"]


class AdminApiKey(RotationSettings, KeyResourceBase, provider=AdminApiKeyProvider):
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

    Rotation: ``rotate_after_seconds`` replaces the key once it is that old,
    ``renew_before_seconds`` that long before it expires, and any change of
    ``rotation_triggers`` replaces it at once. An expired key is replaced on the next ``up``.
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
        rotation_triggers: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        rotate_after_seconds: pulumi.Input[int] | None = None,
        renew_before_seconds: pulumi.Input[int] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        inputs = {
            "name": name,
            "expires_in_seconds": expires_in_seconds,
            "rotation_triggers": rotation_triggers,
            "rotate_after_seconds": rotate_after_seconds,
            "renew_before_seconds": renew_before_seconds,
        }
        super().__init__(resource_name, inputs, opts)

    @staticmethod
    def get(
        resource_name: str, id: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None
    ) -> AdminApiKey:
        """A read-only reference to an existing key: read on every ``up``, never created or deleted."""
        return AdminApiKey.reference(resource_name, id, {}, opts)


class RotatingAdminApiKey(PairOutputs, KeyResourceBase, provider=RotatingAdminApiKeyProvider):
    """Two Admin API keys kept alive by one resource: ``current`` and ``previous``.

    ::

        pair = RotatingAdminApiKey("deployer", name="CI deployer", rotate_after_seconds=30 * 86400)
        pulumi.export("deployer_key", pair.current_value)   # hand this out; a secret

    Each rotation (the first ``up`` after ``next_rotation_at``) deletes the old previous key,
    creates a new one, makes it current and moves the old current to previous: the current key
    always works, at most two keys exist, and a consumer still holding the previous value keeps
    working for one more period. A change of ``name``, ``expires_in_seconds`` or
    ``rotation_triggers`` rotates the same way. ``expires_in_seconds``, if given, must cover two
    periods. ``import_=<key id>`` adopts an existing key as the current one.
    """

    name: pulumi.Output[str]
    """The name of both keys."""
    expires_in_seconds: pulumi.Output[int | None]
    """Each key's declared lifetime in seconds, or ``None`` for keys that never expire."""

    def __init__(
        self,
        resource_name: str,
        *,
        name: pulumi.Input[str],
        rotate_after_seconds: pulumi.Input[int],
        expires_in_seconds: pulumi.Input[int] | None = None,
        rotation_triggers: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        inputs = {
            "name": name,
            "rotate_after_seconds": rotate_after_seconds,
            "expires_in_seconds": expires_in_seconds,
            "rotation_triggers": rotation_triggers,
        }
        super().__init__(resource_name, inputs, opts)

    @staticmethod
    def get(
        resource_name: str, id: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None
    ) -> RotatingAdminApiKey:
        """A read-only reference to an existing key, shown as the current key of a pair: read on
        every ``up``, never rotated or deleted."""
        return RotatingAdminApiKey.reference(resource_name, id, {}, opts)
