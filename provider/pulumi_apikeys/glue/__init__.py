"""What every backend's Pulumi resource shares: stack config, input checks, import by adoption.

Backends build on these and never on each other: ``openai.resource`` and (later) ``capy.resource``
each pair a ``pulumi.dynamic.ResourceProvider`` with a ``pulumi.dynamic.Resource``.
"""
