"""``ProjectServiceAccount``, ``ProjectApiKey`` and ``RotatingProjectApiKey`` declared in a Pulumi
program (exported from ``pulumi_apikeys.openai``, next to the Admin keys)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi

from pulumi_apikeys.dynamic.resource import KeyResourceBase, PairOutputs, RotationSettings
from pulumi_apikeys.openai_projects.provider import (
    ProjectApiKeyProvider,
    ProjectServiceAccountProvider,
    RotatingProjectApiKeyProvider,
)

__all__ = ["ProjectApiKey", "ProjectServiceAccount", "RotatingProjectApiKey"]


class ProjectServiceAccount(KeyResourceBase, provider=ProjectServiceAccountProvider):
    """A service account of a project, with the API key the API makes with it.

    ::

        app = ProjectServiceAccount("billing", project_id="proj_abc", name="billing-api")
        pulumi.export("billing_key", app.api_key_value)   # a secret

    The resource id is the account's id. Any change of an input replaces the account: a new one
    (with a new key) is created, then the old one deleted, and its keys with it. The admin
    credential and base URL are the Admin keys' (``apikeys:openaiAdminKey``, ``OPENAI_ADMIN_KEY``;
    ``apikeys:openaiBaseUrl``, ``OPENAI_BASE_URL``). ``import_=<account id>`` adopts an existing
    account (its key's value stays unknown).
    """

    project_id: pulumi.Output[str]
    """The project."""
    name: pulumi.Output[str]
    """The account's name."""
    expires_in_seconds: pulumi.Output[int | None]
    """The declared lifetime of the initial key, in seconds; ``None``: it never expires."""
    rotation_triggers: pulumi.Output[dict[str, str] | None]
    """The declared triggers; a change of any replaces the account."""
    rotate_after_seconds: pulumi.Output[int | None]
    """The declared maximum age, in seconds."""
    role: pulumi.Output[str]
    """The account's role in the project."""
    created_at: pulumi.Output[int]
    """Unix seconds when the account was created."""
    api_key_id: pulumi.Output[str | None]
    """The id of the key made with the account; ``None`` for an imported account."""
    api_key_value: pulumi.Output[str | None]
    """That key itself, a secret; ``None`` for an imported account."""
    api_key_expires_at: pulumi.Output[int | None]
    """Unix seconds when that key expires; ``None`` if it never does."""

    def __init__(
        self,
        resource_name: str,
        *,
        project_id: pulumi.Input[str],
        name: pulumi.Input[str],
        expires_in_seconds: pulumi.Input[int] | None = None,
        rotation_triggers: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        rotate_after_seconds: pulumi.Input[int] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        inputs = {
            "project_id": project_id,
            "name": name,
            "expires_in_seconds": expires_in_seconds,
            "rotation_triggers": rotation_triggers,
            "rotate_after_seconds": rotate_after_seconds,
        }
        super().__init__(resource_name, inputs, opts)

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        *,
        project_id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> ProjectServiceAccount:
        """A read-only reference to an existing account of the project: read on every ``up``."""
        return ProjectServiceAccount.reference(resource_name, id, {"project_id": project_id}, opts)


class ProjectApiKey(RotationSettings, KeyResourceBase, provider=ProjectApiKeyProvider):
    """An API key of a project's service account: what an application authenticates with.

    ::

        app = ProjectServiceAccount("billing", project_id="proj_abc", name="billing-api")
        key = ProjectApiKey("billing-read", project_id="proj_abc", service_account_id=app.id,
                            name="billing read", scopes=["api.model.read"])
        pulumi.export("billing_read_key", key.value)   # a secret

    A change of ``scopes`` or ``expires_in_seconds`` updates the same key in place (same id, same
    value); a change of ``name``, ``project_id`` or ``service_account_id`` replaces it. A key whose
    owner lost access to the project is reported by the next diff after a refresh.
    """

    project_id: pulumi.Output[str]
    """The project."""
    service_account_id: pulumi.Output[str]
    """The service account that owns the key."""
    name: pulumi.Output[str]
    """The key's name."""
    scopes: pulumi.Output[list[str] | None]
    """The declared scopes, sorted; ``None`` (or ``[]``): every permission of the account."""
    expires_in_seconds: pulumi.Output[int | None]
    """The declared lifetime in seconds; ``None`` for a key that never expires."""
    value: pulumi.Output[str | None]
    """The key itself, a secret; ``None`` for an imported key (the API shows it only at creation)."""
    redacted_value: pulumi.Output[str]
    """The value with all but its ends hidden: safe to show."""
    created_at: pulumi.Output[int]
    """Unix seconds when the key was created."""
    expires_at: pulumi.Output[int | None]
    """Unix seconds when the key expires; ``None`` if it never does."""
    last_used_at: pulumi.Output[int | None]
    """Unix seconds when the key was last used; ``None`` if never (refresh to update it)."""
    owner_project_access: pulumi.Output[str]
    """``active``, or ``inactive`` once the owner lost access to the project."""

    def __init__(
        self,
        resource_name: str,
        *,
        project_id: pulumi.Input[str],
        service_account_id: pulumi.Input[str],
        name: pulumi.Input[str],
        scopes: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        expires_in_seconds: pulumi.Input[int] | None = None,
        rotation_triggers: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        rotate_after_seconds: pulumi.Input[int] | None = None,
        renew_before_seconds: pulumi.Input[int] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        inputs = {
            "project_id": project_id,
            "service_account_id": service_account_id,
            "name": name,
            "scopes": scopes,
            "expires_in_seconds": expires_in_seconds,
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
        project_id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> ProjectApiKey:
        """A read-only reference to an existing key of the project: read on every ``up``."""
        return ProjectApiKey.reference(resource_name, id, {"project_id": project_id}, opts)


class RotatingProjectApiKey(PairOutputs, KeyResourceBase, provider=RotatingProjectApiKeyProvider):
    """Two keys of one service account kept alive by one resource: ``current`` and ``previous``.

    ::

        pair = RotatingProjectApiKey("billing", project_id="proj_abc", service_account_id=app.id,
                                     name="billing", rotate_after_seconds=30 * 86400)
        pulumi.export("billing_key", pair.current_value)   # hand this out; a secret

    Each rotation deletes the old previous key, creates a new one, makes it current and moves the
    old current to previous: the current key always works and a consumer holding the previous
    value keeps working for one more period. A change of ``name``, ``scopes``,
    ``expires_in_seconds`` or ``rotation_triggers`` rotates the same way; a change of
    ``project_id`` or ``service_account_id`` replaces the pair.
    """

    project_id: pulumi.Output[str]
    """The project."""
    service_account_id: pulumi.Output[str]
    """The service account that owns both keys."""
    name: pulumi.Output[str]
    """The name of both keys."""
    scopes: pulumi.Output[list[str] | None]
    """The declared scopes of both keys."""
    expires_in_seconds: pulumi.Output[int | None]
    """Each key's declared lifetime in seconds, or ``None`` for keys that never expire."""

    def __init__(
        self,
        resource_name: str,
        *,
        project_id: pulumi.Input[str],
        service_account_id: pulumi.Input[str],
        name: pulumi.Input[str],
        rotate_after_seconds: pulumi.Input[int],
        scopes: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        expires_in_seconds: pulumi.Input[int] | None = None,
        rotation_triggers: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        inputs = {
            "project_id": project_id,
            "service_account_id": service_account_id,
            "name": name,
            "rotate_after_seconds": rotate_after_seconds,
            "scopes": scopes,
            "expires_in_seconds": expires_in_seconds,
            "rotation_triggers": rotation_triggers,
        }
        super().__init__(resource_name, inputs, opts)

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        *,
        project_id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> RotatingProjectApiKey:
        """A read-only reference to an existing key of the project, shown as the current key of a pair."""
        return RotatingProjectApiKey.reference(resource_name, id, {"project_id": project_id}, opts)
