"""The capy ``ApiKey`` resource's properties, declared once (see ``glue.spec``)."""

from __future__ import annotations

from pulumi_apikeys.glue.spec import ADOPT_ID, Property, ResourceSpec

__all__ = ["API_KEY", "API_KEY_TYPE"]

API_KEY_TYPE = "pulumi-python:dynamic/capy:ApiKey"

API_KEY = ResourceSpec(
    type_name=API_KEY_TYPE,
    description=(
        "A capy organization API key. There is no update call: changing `organization_id`, `name` or "
        "the set of `scopes` replaces the key (a new key is created, then the old one revoked). A key "
        "revoked or deactivated outside Pulumi is gone: refresh drops it and the next update creates "
        "a new one."
    ),
    properties=(
        Property(
            "organization_id",
            "string",
            "The organization that owns the key, e.g. `org_abc`.",
            input=True,
            required=True,
            replaces=True,
        ),
        Property("name", "string", "The key's name.", input=True, required=True, replaces=True),
        Property(
            "scopes",
            "array",
            "What the key may do. A set: order and repetition do not matter, and the output lists each "
            "scope once, sorted.",
            input=True,
            required=True,
            replaces=True,
            items="string",
        ),
        Property(
            ADOPT_ID,
            "string",
            "Set from `ResourceOptions(import_=...)`: the id of an existing key of the organization to "
            "adopt instead of creating one. Ignored once adopted.",
            input=True,
            output=False,
        ),
        Property(
            "key_prefix",
            "string",
            "The first characters of the key, e.g. `capy_live_ab`: safe to show.",
            required=True,
        ),
        Property(
            "value",
            "string",
            "The key itself, returned by the API only when the key is created; absent for an imported key.",
            secret=True,
        ),
        Property(
            "project_id", "string", "The project the key is scoped to; absent for an organization-wide key."
        ),
        Property("created_by_user_id", "string", "The user who created the key, if a user did."),
        Property("device_name", "string", "The device the key was created for, if any."),
        Property("source", "string", "How the key was created, e.g. `api`."),
        Property(
            "is_active",
            "boolean",
            "Whether the key authenticates; always true while it is managed.",
            required=True,
        ),
        Property(
            "created_at", "string", "When the key was created (ISO-8601 with a time zone).", required=True
        ),
        Property("expires_at", "string", "When the key stops working (ISO-8601); absent if it never does."),
        Property(
            "last_used_at", "string", "When the key last authenticated a request (ISO-8601); absent if never."
        ),
        Property("revoked_at", "string", "When the key was revoked (ISO-8601); absent while it is managed."),
    ),
)
