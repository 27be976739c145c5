"""The ``pulumi.dynamic`` face: each key resource as a Python dynamic resource, a thin adapter.

``provider.KeyProvider`` converts the engine's requests into ``core.lifecycle`` calls and the
answers into the SDK's result types; ``resource.KeyResourceBase`` registers a resource with its
provider, its secret outputs and import-by-adoption (``adoption``).
"""
