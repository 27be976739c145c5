"""The OpenAI projects backend as the registry sees it: its resources, settings and parts.

Its resources are in the ``openai`` module of the type tokens and read the Admin keys' settings:
one organization admin key administers both.
"""

from __future__ import annotations

from pulumi_apikeys.core.backend import Backend, LazyRef
from pulumi_apikeys.openai_projects.declaration import (
    ADMIN_KEY,
    BASE_URL,
    PROJECT_API_KEY,
    PROJECT_SERVICE_ACCOUNT,
)

__all__ = ["BACKEND"]

BACKEND = Backend(
    name="openai_projects",
    title="OpenAI",
    credential=ADMIN_KEY,
    base_url=BASE_URL,
    resources=(PROJECT_SERVICE_ACCOUNT, PROJECT_API_KEY),
    secret_patterns=(
        r"sk-admin-[A-Za-z0-9_\-]{8,}",  # the admin key
        r"sk-(?:proj-|svcacct-)[A-Za-z0-9_\-]{20,}",  # project and service account keys
    ),
    emulator=LazyRef("pulumi_apikeys.openai_projects.emulator_service:SERVICE"),
    cli=LazyRef("pulumi_apikeys.openai_projects.cli:projects_group"),
)
