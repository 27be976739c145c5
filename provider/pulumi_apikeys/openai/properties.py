"""The ``AdminApiKey`` resource's properties, declared once (see ``glue.spec``)."""

from __future__ import annotations

from pulumi_apikeys.glue.spec import ADOPT_ID, ObjectType, Property, ResourceSpec

__all__ = ["ADMIN_API_KEY", "ADMIN_API_KEY_TYPE"]

ADMIN_API_KEY_TYPE = "pulumi-python:dynamic/openai:AdminApiKey"

_OWNER = ObjectType(
    type_name="pulumi-python:dynamic/openai:AdminApiKeyOwner",
    description="The user or service account that owns an Admin API key.",
    properties=(
        Property("type", "string", "`user` or `service_account`."),
        Property("object", "string", "`organization.user` or `organization.service_account`."),
        Property("id", "string", "The owner's identifier."),
        Property("name", "string", "The owner's display name."),
        Property("created_at", "integer", "Unix seconds when the owner was created."),
        Property("role", "string", "`owner` for users; service accounts show `member`."),
    ),
)

ADMIN_API_KEY = ResourceSpec(
    type_name=ADMIN_API_KEY_TYPE,
    description=(
        "An OpenAI organization Admin API key. There is no update call: changing `name` or "
        "`expires_in_seconds` replaces the key (a new key is created, then the old one deleted)."
    ),
    properties=(
        Property("name", "string", "The key's name.", input=True, required=True, replaces=True),
        Property(
            "expires_in_seconds",
            "integer",
            "Lifetime in seconds, from 1 to 31536000 (365 days); omit for a key that never expires.",
            input=True,
            replaces=True,
        ),
        Property(
            ADOPT_ID,
            "string",
            "Set from `ResourceOptions(import_=...)`: the id of an existing key to adopt instead of "
            "creating one. Ignored once adopted.",
            input=True,
            output=False,
        ),
        Property(
            "redacted_value", "string", "The value with all but its ends hidden: safe to show.", required=True
        ),
        Property(
            "value",
            "string",
            "The key itself, returned by the API only when the key is created; absent for an imported key.",
            secret=True,
        ),
        Property("created_at", "integer", "Unix seconds when the key was created.", required=True),
        Property("expires_at", "integer", "Unix seconds when the key expires; absent if it never does."),
        Property("last_used_at", "integer", "Unix seconds when the key was last used; absent if never."),
        Property("owner", "object", "Who owns the key.", required=True, object_type=_OWNER),
    ),
)
