"""The Pulumi package schema of this package's resources, generated from their declarations.

It covers the built-in backends (``registry.BUILTIN_BACKENDS``): a backend registered from outside
(a plugin, a test's toy vendor) is not part of this package. ``schema.json`` at the top of the
repository is this function's output; a test keeps them equal.
Regenerate it with ``pulumi-apikeys schema > schema.json``. The package is ``pulumi-python``
because that is the package of every Python dynamic resource's type token.
"""

from __future__ import annotations

import json
from typing import Any

from pulumi_apikeys import registry
from pulumi_apikeys._version import __version__

__all__ = ["package_schema", "package_schema_json"]


def package_schema() -> dict[str, Any]:
    """The package schema as a JSON-ready dict."""
    resources = registry.key_resources(registry.builtin())
    return {
        "name": "pulumi-python",
        "displayName": "pulumi-apikeys",
        "version": __version__,
        "description": "API keys as code: Python dynamic resources from the pulumi-apikeys package.",
        "meta": {"moduleFormat": "(.*)"},
        "types": {
            token: schema for resource in resources for token, schema in resource.type_schemas().items()
        },
        "resources": {resource.type_name: resource.schema() for resource in resources},
    }


def package_schema_json() -> str:
    """The package schema as the text of ``schema.json``: sorted keys, two-space indent, final newline."""
    return json.dumps(package_schema(), indent=2, sort_keys=True) + "\n"
