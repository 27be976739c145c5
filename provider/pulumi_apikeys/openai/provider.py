"""The dynamic provider behind ``AdminApiKey``: the shared key provider, serving its declaration.

Its import path, ``pulumi_apikeys.openai.provider.AdminApiKeyProvider``, is in every stack's state
(the SDK pickles the provider by reference): it stays here.
"""

from __future__ import annotations

from pulumi_apikeys.core.rotating_pair import rotating_pair
from pulumi_apikeys.dynamic.provider import KeyProvider
from pulumi_apikeys.openai.declaration import ADMIN_API_KEY

__all__ = ["AdminApiKeyProvider", "RotatingAdminApiKeyProvider"]


class AdminApiKeyProvider(KeyProvider):
    """Maps ``AdminApiKey`` onto ``/v1/organization/admin_api_keys``; holds nothing that is pickled.

    The key id is the resource id. There is no update call, so every declared change replaces the
    key (a rotation setting alone is recorded in state). ``value`` is returned once, by create;
    read carries it over from the previous state.
    """

    resource = ADMIN_API_KEY


class RotatingAdminApiKeyProvider(KeyProvider):
    """Serves ``RotatingAdminApiKey``: two Admin API keys, rotated by updates of the pair."""

    resource = rotating_pair(ADMIN_API_KEY)
