"""The Pulumi package schema of the provider plugin ``apikeys``, generated from the declarations.

It covers the built-in backends (``registry.BUILTIN_BACKENDS``): a backend registered from outside
(a plugin, a test's toy vendor) is not part of this package. ``schema.json`` at the top of the
repository is this function's output, the plugin's ``GetSchema`` answers it, and the typed SDK in
``sdk/python`` is generated from it (``pulumi_apikeys.sdkgen``); tests keep all three equal.
Regenerate it with ``pulumi-apikeys schema > schema.json``.

Names on the plugin's wire are the declared names in camelCase (``Property.wire_name``); every
Pulumi SDK maps them back to its own style (Python's to the declared snake_case names).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from pulumi_apikeys import registry
from pulumi_apikeys._version import __version__
from pulumi_apikeys.core.declaration import (
    PLUGIN_PACKAGE,
    Declared,
    KeyResource,
    Listing,
    Property,
    plugin_token,
)
from pulumi_apikeys.core.lifecycle import stack_settings
from pulumi_apikeys.core.lifecycles import declarations
from pulumi_apikeys.core.stack_config import Setting

__all__ = [
    "GO_IMPORT_BASE_PATH",
    "LISTING_RESULT",
    "NODEJS_PACKAGE",
    "PULUMI_SDK_REQUIREMENT",
    "PYTHON_PACKAGE",
    "package_schema",
    "package_schema_json",
    "provider_settings",
]

PYTHON_PACKAGE = "pulumi_apikeys_native"
"""The generated Python SDK's package: not ``pulumi_apikeys``, which holds the dynamic resources."""
NODEJS_PACKAGE = "@pulumi-apikeys/apikeys"
GO_IMPORT_BASE_PATH = "github.com/pulumi-apikeys/pulumi-apikeys/sdk/go/apikeys"
REPOSITORY = "https://" + GO_IMPORT_BASE_PATH.removesuffix("/sdk/go/apikeys")
PULUMI_SDK_REQUIREMENT = ">=3.171,<4"
"""The Python SDK the generated code needs: 3.171 brought the server the plugin runs on, and with it
every call the generated code makes (``type_token``, ``invoke_output``)."""
LISTING_RESULT = "keys"
"""The one property of what a lookup function returns: the records of the keys it found."""


def provider_settings(resources: Iterable[KeyResource[Any, Any]]) -> tuple[Setting, ...]:
    """Every setting any of ``resources`` reads, each once: the provider's configuration."""
    by_key: dict[str, Setting] = {}
    for resource in resources:
        for setting in stack_settings(resource):
            if by_key.setdefault(setting.key, setting) != setting:
                raise ValueError(f"two different settings are named {setting.key!r}")
    return tuple(by_key.values())


def _setting(setting: Setting) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "type": setting.type,
        "description": f"The {setting.what}. Unset, the provider reads the environment variable "
        f"`{setting.env_var}`.",
    }
    if setting.secret:
        entry["secret"] = True
    return entry


def _type_ref(module: str, name: str) -> str:
    return f"#/types/{plugin_token(module, name)}"


def _property(prop: Property, module: str, *, of_resource: bool = False) -> dict[str, Any]:
    """A property's spec; ``replaceOnChanges`` only on a resource's (the metaschema allows it on any
    property, and codegen reads it from the resource's ``properties`` to set ``replace_on_changes``)."""
    entry: dict[str, Any] = (
        {"$ref": _type_ref(module, prop.object_type.name)}
        if prop.object_type is not None
        else {"type": prop.type}
    )
    if prop.items is not None:
        # An array's elements, or a map's values (an object with no declared type).
        entry["additionalProperties" if prop.type == "object" else "items"] = {"type": prop.items}
    entry["description"] = prop.description
    if prop.secret:
        entry["secret"] = True
    if of_resource and prop.replaces:
        entry["replaceOnChanges"] = True
    return entry


def _object(
    props: Iterable[Property], module: str, *, description: str | None = None, optional: bool = False
) -> dict[str, Any]:
    """An object type spec: wire-named properties, the required ones listed (none if ``optional``)."""
    props = tuple(props)
    entry: dict[str, Any] = {"type": "object"}
    if description is not None:
        entry["description"] = description
    entry["properties"] = {p.wire_name: _property(p, module) for p in props}
    required = [p.wire_name for p in props if p.required and not optional]
    if required:
        entry["required"] = required
    return entry


def _resource(resource: Declared) -> dict[str, Any]:
    outputs = [p for p in resource.properties if p.output]
    inputs = resource.plugin_inputs
    return {
        "description": resource.description,
        "type": "object",
        "properties": {p.wire_name: _property(p, resource.module, of_resource=True) for p in outputs},
        "required": [p.wire_name for p in outputs if p.required],
        "inputProperties": {p.wire_name: _property(p, resource.module, of_resource=True) for p in inputs},
        "requiredInputs": [p.wire_name for p in inputs if p.required],
        # What a `get` may pass besides the id: the declared inputs, which a lookup may need (capy's
        # keys are found through their organization). Unset, SDKs would offer `get` the id alone.
        "stateInputs": _object(
            resource.declared_inputs,
            resource.module,
            description=f"What a `get` of an existing {resource.name} may need besides its id.",
            optional=True,
        ),
    }


def _record(resource: KeyResource[Any, Any], listing: Listing[Any, Any]) -> dict[str, Any]:
    return _object(
        resource.record_properties,
        resource.module,
        description=f"A {resource.name} as `{listing.name}` lists it: every output but the value.",
    )


def _function(resource: KeyResource[Any, Any], listing: Listing[Any, Any]) -> dict[str, Any]:
    result = {
        "type": "array",
        "items": {"$ref": _type_ref(resource.module, listing.record_name)},
        "description": "The keys found, in the API's order.",
    }
    return {
        "description": listing.description,
        "inputs": _object(listing.arguments, resource.module),
        "outputs": {"type": "object", "properties": {LISTING_RESULT: result}, "required": [LISTING_RESULT]},
    }


def _types(resources: Iterable[KeyResource[Any, Any]]) -> dict[str, Any]:
    types: dict[str, Any] = {}
    for resource in resources:
        for prop in resource.properties:
            if prop.object_type is not None:
                types[plugin_token(resource.module, prop.object_type.name)] = _object(
                    prop.object_type.properties, resource.module, description=prop.object_type.description
                )
        if resource.listing is not None:
            token = plugin_token(resource.module, resource.listing.record_name)
            types[token] = _record(resource, resource.listing)
    return types


def _language() -> dict[str, Any]:
    """What each SDK generator reads (``pkg/codegen/{python,nodejs,go}/importer.go``, and pulumi-dotnet's)."""
    sdk = PULUMI_SDK_REQUIREMENT.removeprefix(">=").split(",")[0]
    return {
        "csharp": {
            "rootNamespace": "PulumiApiKeys",
            "packageReferences": {"Pulumi": "3.*"},
            "respectSchemaVersion": True,
        },
        "go": {
            "importBasePath": GO_IMPORT_BASE_PATH,
            "generateResourceContainerTypes": True,
            "respectSchemaVersion": True,
        },
        "nodejs": {
            "packageName": NODEJS_PACKAGE,
            "dependencies": {"@pulumi/pulumi": f"^{sdk}.0"},
            "respectSchemaVersion": True,
        },
        "python": {
            "packageName": PYTHON_PACKAGE,
            "pythonRequires": ">=3.10",
            "requires": {"pulumi": PULUMI_SDK_REQUIREMENT},
            "pyproject": {"enabled": True},
            "respectSchemaVersion": True,
        },
    }


def package_schema() -> dict[str, Any]:
    """The package schema as a JSON-ready dict."""
    resources = registry.key_resources(registry.builtin())
    config = {setting.key: _setting(setting) for setting in provider_settings(resources)}
    return {
        "name": PLUGIN_PACKAGE,
        "displayName": "API Keys",
        "version": __version__,
        "description": "API keys as code: each API's keys as Pulumi resources, their values kept secret.",
        "keywords": ["pulumi", PLUGIN_PACKAGE, *dict.fromkeys(r.module for r in resources), "kind/native"],
        "repository": REPOSITORY,
        "meta": {"moduleFormat": "(.*)"},
        "config": {"variables": config},
        "provider": {
            "description": (
                f"The `{PLUGIN_PACKAGE}` provider: each API's credential and base URL, and the retry "
                f"budget. The default provider reads them from the stack config (`{PLUGIN_PACKAGE}:<name>`)."
            ),
            "type": "object",
            "inputProperties": config,
        },
        "resources": {declared.plugin_type_name: _resource(declared) for declared in declarations(resources)},
        "types": _types(resources),
        "functions": {
            plugin_token(resource.module, resource.listing.name): _function(resource, resource.listing)
            for resource in resources
            if resource.listing is not None
        },
        "language": _language(),
    }


def package_schema_json() -> str:
    """The package schema as the text of ``schema.json``: sorted keys, two-space indent, final newline."""
    return json.dumps(package_schema(), indent=2, sort_keys=True) + "\n"
