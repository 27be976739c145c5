"""Declare API keys as code with Pulumi.

The backends live in their own subpackages (``pulumi_apikeys.openai``); the exception tree in
``pulumi_apikeys.errors``; the fake API server used by the tests and the demo in
``pulumi_apikeys.emulator``.
"""

from pulumi_apikeys._version import __version__

__all__ = ["__version__"]
