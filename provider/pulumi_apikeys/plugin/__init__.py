"""The provider plugin face: the package ``apikeys`` for every Pulumi language, and ``pulumi import``.

A thin adapter, as ``pulumi_apikeys.dynamic`` is: the engine's requests are converted
(``wire``) and handed to the one lifecycle (``core.lifecycle``) by ``provider.KeysProvider``;
``server`` starts it as the engine expects; ``engine_log`` carries what it says to the user.
It is served by the Pulumi SDK's ``pulumi.provider.experimental`` server (SDK >= 3.171): an
experimental API, so only ``provider`` and ``server`` touch it.
"""
