"""The dynamic provider of ``ToyKey``: the shared key provider, naming its declaration."""

from __future__ import annotations

from pulumi_apikeys.dynamic.provider import KeyProvider
from tests.toy_backend.declaration import TOY_KEY


class ToyKeyProvider(KeyProvider):
    resource = TOY_KEY
