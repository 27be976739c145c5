"""One declaration per resource of its properties, read by the provider, the resource and the schema.

Nothing here imports the Pulumi SDK, so the schema (and the command line) load without it.
``schema.json`` is generated from these declarations, and the provider's outputs, its replacing
inputs and the resource's secret outputs all come from the same place, so none can drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["ADOPT_ID", "ObjectType", "Property", "ResourceSpec"]

ADOPT_ID = "adopt_id"
"""The input holding the id of an existing resource to adopt instead of creating one (see ``adoption``)."""

PropertyType = Literal["string", "integer", "boolean", "array", "object"]


@dataclass(frozen=True)
class ObjectType:
    """A named object type, such as a key's owner."""

    type_name: str
    description: str
    properties: tuple[Property, ...]

    def schema(self) -> dict[str, Any]:
        """Its entry under ``types`` in a Pulumi package schema."""
        return {
            "type": "object",
            "description": self.description,
            "properties": {p.name: p.schema() for p in self.properties},
        }


@dataclass(frozen=True)
class Property:
    """A property of a resource: an input, an output or both."""

    name: str
    type: PropertyType
    description: str
    input: bool = False
    """Declared by the program."""
    required: bool = False
    """Required as an input if ``input``; always present as an output otherwise."""
    output: bool = True
    secret: bool = False
    """Stored and shown only as a Pulumi secret."""
    replaces: bool = False
    """A change of this input replaces the resource (there is no update call)."""
    object_type: ObjectType | None = None
    items: PropertyType | None = None
    """The type of an ``array``'s elements."""

    def schema(self) -> dict[str, Any]:
        """Its entry in a Pulumi package schema's ``properties`` or ``inputProperties``."""
        entry: dict[str, Any] = (
            {"$ref": f"#/types/{self.object_type.type_name}"}
            if self.object_type is not None
            else {"type": self.type}
        )
        if self.items is not None:
            entry["items"] = {"type": self.items}
        entry["description"] = self.description
        if self.secret:
            entry["secret"] = True
        if self.replaces:
            entry["replaceOnChanges"] = True
        return entry


@dataclass(frozen=True)
class ResourceSpec:
    """A resource: its type token and properties."""

    type_name: str
    description: str
    properties: tuple[Property, ...]

    @property
    def inputs(self) -> tuple[str, ...]:
        """The names of the inputs."""
        return tuple(p.name for p in self.properties if p.input)

    @property
    def outputs(self) -> tuple[str, ...]:
        """The names of the outputs: exactly the keys a create or read returns."""
        return tuple(p.name for p in self.properties if p.output)

    @property
    def secret_outputs(self) -> list[str]:
        """The outputs the engine must store as secrets (``additional_secret_outputs``)."""
        return [p.name for p in self.properties if p.output and p.secret]

    @property
    def replacing_inputs(self) -> tuple[str, ...]:
        """The inputs whose change replaces the resource."""
        return tuple(p.name for p in self.properties if p.input and p.replaces)

    def schema(self) -> dict[str, Any]:
        """Its entry under ``resources`` in a Pulumi package schema."""
        inputs = [p for p in self.properties if p.input]
        outputs = [p for p in self.properties if p.output]
        return {
            "description": self.description,
            "properties": {p.name: p.schema() for p in outputs},
            "required": [p.name for p in outputs if p.required],
            "inputProperties": {p.name: p.schema() for p in inputs},
            "requiredInputs": [p.name for p in inputs if p.required],
        }

    def object_types(self) -> list[ObjectType]:
        """The named object types its properties use."""
        return [p.object_type for p in self.properties if p.object_type is not None]
