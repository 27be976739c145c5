"""The dynamic providers behind ``ProjectServiceAccount``, ``ProjectApiKey`` and
``RotatingProjectApiKey``: the shared key provider, serving each declaration.

Their import paths (``pulumi_apikeys.openai_projects.provider.<Name>Provider``) are in every stack's
state (the SDK pickles a provider by reference): they stay here.
"""

from __future__ import annotations

from pulumi_apikeys.core.rotating_pair import rotating_pair
from pulumi_apikeys.dynamic.provider import KeyProvider
from pulumi_apikeys.openai_projects.declaration import PROJECT_API_KEY, PROJECT_SERVICE_ACCOUNT

__all__ = ["ProjectApiKeyProvider", "ProjectServiceAccountProvider", "RotatingProjectApiKeyProvider"]


class ProjectServiceAccountProvider(KeyProvider):
    """Maps ``ProjectServiceAccount`` onto ``/v1/organization/projects/{project_id}/service_accounts``;
    every declared change replaces the account (and its keys)."""

    resource = PROJECT_SERVICE_ACCOUNT


class ProjectApiKeyProvider(KeyProvider):
    """Maps ``ProjectApiKey`` onto a service account's keys; ``scopes`` and ``expires_in_seconds``
    are updated in place, the rest replaces the key."""

    resource = PROJECT_API_KEY


class RotatingProjectApiKeyProvider(KeyProvider):
    """Serves ``RotatingProjectApiKey``: two keys of one service account, rotated by updates of the pair."""

    resource = rotating_pair(PROJECT_API_KEY)
