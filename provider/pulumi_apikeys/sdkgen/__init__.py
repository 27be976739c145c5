"""SDKs for the provider plugin, generated from its package schema (``pulumi_apikeys.schema``).

``python_sdk_files`` is the typed Python SDK in the shape ``pulumi package gen-sdk --language python``
gives one (``sdk/python`` at the top of the repository, a test keeps them equal). Regenerate it with
``python -m pulumi_apikeys.sdkgen`` from the top of the repository.
"""

from __future__ import annotations

from pulumi_apikeys.sdkgen.python import python_sdk_files, write_python_sdk

__all__ = ["python_sdk_files", "write_python_sdk"]
