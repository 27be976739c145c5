"""The property tables of every built-in resource, in Markdown, generated from their declarations.

``docs/resources.md`` at the top of the repository is ``resource_tables()``: every declaration the
built-in backends offer (``core.lifecycles.declarations``), each key resource followed by its
rotating pair; a test keeps them equal. Regenerate it with
``python -m pulumi_apikeys.docs_tables > docs/resources.md``.
"""

from __future__ import annotations

from pulumi_apikeys import registry
from pulumi_apikeys.core.declaration import Declared, Property
from pulumi_apikeys.core.lifecycles import declarations
from pulumi_apikeys.core.rotating_pair import RotatingPair
from pulumi_apikeys.core.rotation import ROTATION_TRIGGERS

__all__ = ["resource_table", "resource_tables"]

_HEADER = (
    "# Resources\n\n"
    "Generated from each resource's declaration (`python -m pulumi_apikeys.docs_tables`); do not edit.\n"
)


def _kind(prop: Property) -> str:
    if prop.object_type is not None:
        return f"object ({prop.object_type.name})"
    if prop.type == "array" and prop.items:
        return f"{prop.items}[]"
    if prop.type == "object" and prop.items:
        return f"map of {prop.items}"
    return prop.type


def _role(prop: Property) -> str:
    if prop.input and not prop.output:
        return "input only"
    if prop.input:
        return "input, required" if prop.required else "input"
    return "output"


def _wire_name(resource: Declared, prop: Property) -> str:
    """The plugin's name for it; ``adopt_id`` is the dynamic face's alone (the engine imports natively)."""
    return f"`{prop.wire_name}`" if prop.output or prop in resource.plugin_inputs else "(none)"


def _change(resource: Declared, prop: Property) -> str | None:
    """What a change of the input ``prop`` does, or ``None`` for an output or ``adopt_id``."""
    if not (prop.input and prop.output):
        return None
    if isinstance(resource, RotatingPair):
        if prop.replaces:
            return "a change replaces the pair"
        if prop.name in resource.key_inputs or prop.name == ROTATION_TRIGGERS:
            return "a change rotates the pair"
        return "a change alone is recorded in state (no key changes)"
    if prop.replaces:
        return "a change replaces the key"
    return "a change alone is recorded in state (no API call)"


def _notes(resource: Declared, prop: Property) -> str:
    notes = []
    change = _change(resource, prop)
    if change is not None:
        notes.append(change + (" (compared as a set)" if prop.compare == "set" else ""))
    if prop.secret:
        notes.append("secret")
    return "; ".join(notes)


def resource_table(resource: Declared) -> str:
    """One resource's section: its tokens, description and one row per property, named as the
    dynamic resource and the plugin's SDKs (Python's: the declared name again) spell it."""
    rows = [
        f"| `{p.name}` | {_wire_name(resource, p)} | {_kind(p)} | {_role(p)} | {_notes(resource, p)} | "
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
    """The text of ``docs/resources.md``: every resource of every built-in backend, final newline."""
    sections = [resource_table(d) for d in declarations(registry.key_resources(registry.builtin()))]
    return _HEADER + "\n" + "\n\n".join(sections) + "\n"


if __name__ == "__main__":
    print(resource_tables(), end="")
