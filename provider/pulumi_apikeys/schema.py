"""The Pulumi package schema of every resource, generated from their declarations (``glue.spec``).

``schema.json`` at the top of the repository is this function's output; a test keeps them equal.
Regenerate it with ``pulumi-apikeys schema > schema.json``. The package is ``pulumi-python``
because that is the package of every Python dynamic resource's type token.
"""

from __future__ import annotations

import json
from typing import Any

from pulumi_apikeys._version import __version__
from pulumi_apikeys.capy.properties import API_KEY
from pulumi_apikeys.glue.spec import ResourceSpec
from pulumi_apikeys.openai.properties import ADMIN_API_KEY

__all__ = ["RESOURCES", "package_schema", "package_schema_json"]

RESOURCES: tuple[ResourceSpec, ...] = (ADMIN_API_KEY, API_KEY)
"""Every resource this package declares."""


def package_schema() -> dict[str, Any]:
    """The package schema as a JSON-ready dict."""
    return {
        "name": "pulumi-python",
        "displayName": "pulumi-apikeys",
        "version": __version__,
        "description": "API keys as code: Python dynamic resources from the pulumi-apikeys package.",
        "meta": {"moduleFormat": "(.*)"},
        "types": {t.type_name: t.schema() for spec in RESOURCES for t in spec.object_types()},
        "resources": {spec.type_name: spec.schema() for spec in RESOURCES},
    }


def package_schema_json() -> str:
    """The package schema as the text of ``schema.json``: sorted keys, two-space indent, final newline."""
    return json.dumps(package_schema(), indent=2, sort_keys=True) + "\n"
