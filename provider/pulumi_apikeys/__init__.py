"""Declare API keys as code with Pulumi.

Each backend lives in its own subpackage: ``pulumi_apikeys.openai`` (``AdminApiKey``) and
``pulumi_apikeys.capy`` (``ApiKey``), listed in ``pulumi_apikeys.registry``. The exception tree is
``pulumi_apikeys.errors``; the fake API server used by the tests and the demo is
``pulumi_apikeys.emulator`` (with the ``emulator`` extra).
"""

from pulumi_apikeys._version import __version__

__all__ = ["__version__"]
