"""The property tables of every built-in resource, in Markdown, generated from their declarations.

``docs/resources.md`` at the top of the repository is ``resource_tables()``; a test keeps them
equal. Regenerate it with ``python -m pulumi_apikeys.docs_tables > docs/resources.md``.
"""

from __future__ import annotations

from typing import Any

from pulumi_apikeys import registry
from pulumi_apikeys.core.declaration import KeyResource, Property

__all__ = ["resource_table", "resource_tables"]

_HEADER = (
    "# Resources\n\n"
    "Generated from each resource's declaration (`python -m pulumi_apikeys.docs_tables`); do not edit.\n"
)


def _kind(prop: Property) -> str:
    kind = f"{prop.items}[]" if prop.type == "array" and prop.items else prop.type
    return kind if prop.object_type is None else f"object ({prop.object_type.name})"


def _role(prop: Property) -> str:
    if prop.input and not prop.output:
        return "input only"
    if prop.input:
        return "input, required" if prop.required else "input"
    return "output"


def _wire_name(resource: KeyResource[Any, Any], prop: Property) -> str:
    """The plugin's name for it; ``adopt_id`` is the dynamic face's alone (the engine imports natively)."""
    return f"`{prop.wire_name}`" if prop.output or prop in resource.plugin_inputs else "(none)"


def _notes(prop: Property) -> str:
    notes = []
    if prop.replaces:
        notes.append("a change replaces the key" + (" (compared as a set)" if prop.compare == "set" else ""))
    if prop.secret:
        notes.append("secret")
    return "; ".join(notes)


def resource_table(resource: KeyResource[Any, Any]) -> str:
    """One resource's section: its tokens, description and one row per property, named as the
    dynamic resource and the plugin's SDKs (Python's: the declared name again) spell it."""
    rows = [
        f"| `{p.name}` | {_wire_name(resource, p)} | {_kind(p)} | {_role(p)} | {_notes(p)} | "
        f"{p.description} |"
        for p in resource.properties
    ]
    return "\n".join(
        [
            f"## {resource.name} (`{resource.type_name}`)",
            "",
            f"The provider plugin's resource: `{resource.plugin_type_name}`.",
            "",
            resource.description,
            "",
            "| property | plugin name | type | role | notes | description |",
            "|---|---|---|---|---|---|",
            *rows,
        ]
    )


def resource_tables() -> str:
    """The text of ``docs/resources.md``: every built-in backend's resources, final newline."""
    sections = [resource_table(r) for r in registry.key_resources(registry.builtin())]
    return _HEADER + "\n" + "\n\n".join(sections) + "\n"


if __name__ == "__main__":
    print(resource_tables(), end="")
