"""The dynamic provider behind capy's ``ApiKey``: the shared key provider, serving its declaration.

Its import path, ``pulumi_apikeys.capy.provider.ApiKeyProvider``, is in every stack's state (the
SDK pickles the provider by reference): it stays here.
"""

from __future__ import annotations

from pulumi_apikeys.capy.declaration import API_KEY
from pulumi_apikeys.core.rotating_pair import rotating_pair
from pulumi_apikeys.dynamic.provider import KeyProvider

__all__ = ["ApiKeyProvider", "RotatingApiKeyProvider"]


class ApiKeyProvider(KeyProvider):
    """Maps ``ApiKey`` onto ``/v1/organizations/{organization_id}/api-keys``; holds nothing that is pickled.

    The key id is the resource id. There is no update call, so every declared change replaces the
    key. ``value`` is returned once, by create; read carries it over from the previous state.
    """

    resource = API_KEY


class RotatingApiKeyProvider(KeyProvider):
    """Serves ``RotatingApiKey``: two capy API keys, rotated by updates of the pair."""

    resource = rotating_pair(API_KEY)
