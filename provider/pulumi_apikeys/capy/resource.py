"""``ApiKey``: a capy organization API key declared in a Pulumi program."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi

from pulumi_apikeys.capy.provider import ApiKeyProvider, RotatingApiKeyProvider
from pulumi_apikeys.dynamic.resource import KeyResourceBase, PairOutputs, RotationSettings

__all__ = ["ApiKey", "RotatingApiKey"]


class ApiKey(RotationSettings, KeyResourceBase, provider=ApiKeyProvider):
    """An organization API key, created on ``pulumi up`` and revoked on ``pulumi destroy``.

    ::

        ci = ApiKey("ci", organization_id="org_abc", name="CI", scopes=["keys:read", "deploy"])
        pulumi.export("ci_key", ci.value)   # a secret

        # Bring an existing key under management (its value stays unknown):
        legacy = ApiKey("legacy", organization_id="org_abc", name="Legacy", scopes=["keys:read"],
                        opts=pulumi.ResourceOptions(import_="ak_abc"))

    The credential comes from ``pulumi config set --secret apikeys:capyApiKey ...``, else
    ``CAPY_API_KEY``; the base URL from ``apikeys:capyBaseUrl``, else ``CAPY_BASE_URL`` (there is no
    public default). ``scopes`` are a set: order and repetition do not matter. A change of
    ``organization_id``, ``name`` or the set of scopes replaces the key: a new one is created, then
    the old one revoked (``delete_before_replace=True`` reverses the order). A key revoked outside
    Pulumi is gone: ``pulumi refresh`` drops it and the next ``up`` creates a new one.

    Rotation: ``rotate_after_seconds`` replaces the key once it is that old,
    ``renew_before_seconds`` that long before an ``expires_at`` the API gives it, and any change
    of ``rotation_triggers`` replaces it at once. An expired key is replaced on the next ``up``.
    """

    organization_id: pulumi.Output[str]
    """The organization that owns the key."""
    name: pulumi.Output[str]
    """The key's name."""
    scopes: pulumi.Output[list[str]]
    """What the key may do: each scope once, sorted."""
    key_prefix: pulumi.Output[str]
    """The first characters of the key, e.g. ``capy_live_ab``: safe to show."""
    value: pulumi.Output[str | None]
    """The key itself, a secret; ``None`` for an imported key (the API shows it only at creation)."""
    project_id: pulumi.Output[str | None]
    """The project the key is scoped to; ``None`` for an organization-wide key."""
    created_by_user_id: pulumi.Output[str | None]
    """The user who created the key, if a user did."""
    device_name: pulumi.Output[str | None]
    """The device the key was created for, if any."""
    source: pulumi.Output[str | None]
    """How the key was created, e.g. ``api``."""
    is_active: pulumi.Output[bool]
    """Whether the key authenticates; always ``True`` while it is managed."""
    created_at: pulumi.Output[str]
    """When the key was created, ISO-8601 with a time zone."""
    expires_at: pulumi.Output[str | None]
    """When the key stops working (ISO-8601); ``None`` if it never does."""
    last_used_at: pulumi.Output[str | None]
    """When the key last authenticated a request (ISO-8601); ``None`` if never (refresh to update it)."""
    revoked_at: pulumi.Output[str | None]
    """When the key was revoked (ISO-8601); ``None`` while it is managed."""

    def __init__(
        self,
        resource_name: str,
        *,
        organization_id: pulumi.Input[str],
        name: pulumi.Input[str],
        scopes: pulumi.Input[Sequence[pulumi.Input[str]]],
        rotation_triggers: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        rotate_after_seconds: pulumi.Input[int] | None = None,
        renew_before_seconds: pulumi.Input[int] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        inputs = {
            "organization_id": organization_id,
            "name": name,
            "scopes": scopes,
            "rotation_triggers": rotation_triggers,
            "rotate_after_seconds": rotate_after_seconds,
            "renew_before_seconds": renew_before_seconds,
        }
        super().__init__(resource_name, inputs, opts)

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        *,
        organization_id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> ApiKey:
        """A read-only reference to an existing key of the organization: read on every ``up``, never
        created or revoked."""
        return ApiKey.reference(resource_name, id, {"organization_id": organization_id}, opts)


class RotatingApiKey(PairOutputs, KeyResourceBase, provider=RotatingApiKeyProvider):
    """Two capy API keys kept alive by one resource: ``current`` and ``previous``.

    ::

        pair = RotatingApiKey("ci", organization_id="org_abc", name="CI", scopes=["deploy"],
                              rotate_after_seconds=30 * 86400)
        pulumi.export("ci_key", pair.current_value)   # hand this out; a secret

    Each rotation (the first ``up`` after ``next_rotation_at``) revokes the old previous key,
    creates a new one, makes it current and moves the old current to previous: the current key
    always works, at most two keys exist, and a consumer still holding the previous value keeps
    working for one more period. A change of ``name``, the set of ``scopes`` or
    ``rotation_triggers`` rotates the same way; a change of ``organization_id`` replaces the pair.
    ``import_=<key id>`` adopts an existing key of the organization as the current one.
    """

    organization_id: pulumi.Output[str]
    """The organization that owns both keys."""
    name: pulumi.Output[str]
    """The name of both keys."""
    scopes: pulumi.Output[list[str]]
    """What the keys may do: each scope once, sorted."""

    def __init__(
        self,
        resource_name: str,
        *,
        organization_id: pulumi.Input[str],
        name: pulumi.Input[str],
        scopes: pulumi.Input[Sequence[pulumi.Input[str]]],
        rotate_after_seconds: pulumi.Input[int],
        rotation_triggers: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        inputs = {
            "organization_id": organization_id,
            "name": name,
            "scopes": scopes,
            "rotate_after_seconds": rotate_after_seconds,
            "rotation_triggers": rotation_triggers,
        }
        super().__init__(resource_name, inputs, opts)

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        *,
        organization_id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> RotatingApiKey:
        """A read-only reference to an existing key of the organization, shown as the current key of
        a pair: read on every ``up``, never rotated or revoked."""
        return RotatingApiKey.reference(resource_name, id, {"organization_id": organization_id}, opts)
