"""Values between the plugin's wire and the lifecycle: names, secrets, unknowns and numbers.

The experimental server hands over ``PropertyValue``s keyed by the schema's camelCase names
(``organizationId``); the lifecycle takes plain values keyed by the declared names
(``organization_id``). Going out, the SDK's traps are handled here, once:

- an ``int`` cannot be a ``PropertyValue`` (it raises ``TypeError``): numbers go out as floats;
- ``PropertyValue.computed()`` cannot be marshalled: a value not known yet goes out as the
  engine's sentinel string, which is also how the engine sends one in;
- a secret input stays a secret wherever it comes back out, and declared secret outputs (the
  key's value) always go out wrapped, so the engine stores them encrypted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi.provider.experimental.property_value import Computed, PropertyValue

from pulumi_apikeys.core.declaration import Property

__all__ = ["UNKNOWN", "Incoming", "is_unknown", "to_wire", "unwire"]

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""The engine's placeholder for a value not known until apply time (``plugin.UnknownStringValue``)."""


def is_unknown(value: object) -> bool:
    """True for the engine's placeholder of a value not known yet, however it arrived."""
    return isinstance(value, Computed) or (isinstance(value, str) and value == UNKNOWN)


@dataclass(frozen=True)
class Incoming:
    """Properties off the wire: plain values keyed by declared name, and which of them were secret."""

    values: dict[str, Any]
    secret: frozenset[str]


def unwire(props: Mapping[str, PropertyValue], properties: Iterable[Property]) -> Incoming:
    """The declared properties among ``props``, as plain values; names the schema lacks are dropped."""
    values: dict[str, Any] = {}
    secret: set[str] = set()
    for prop in properties:
        given = props.get(prop.wire_name)
        if given is None:
            continue
        values[prop.name] = _plain(given, prop)
        if given.contains_secret():
            secret.add(prop.name)
    return Incoming(values, frozenset(secret))


def to_wire(
    values: Mapping[str, Any],
    properties: Iterable[Property],
    *,
    secret: Iterable[str] = (),
) -> dict[str, PropertyValue]:
    """``values`` (keyed by declared name) as the wire's map: every declared property ``values``
    holds a value for, secret if declared secret or named in ``secret``.

    An absent value (``None``: a key that never expires, an imported key's value) is left out, as
    the dynamic provider's answers leave it out, so both faces keep the same state.
    """
    keep_secret = set(secret)
    wired: dict[str, PropertyValue] = {}
    for prop in properties:
        if values.get(prop.name) is None:
            continue
        value = _wired(values[prop.name], prop)
        if prop.secret or prop.name in keep_secret:
            value = value.with_secret(True)
        wired[prop.wire_name] = value
    return wired


def _plain(value: PropertyValue, prop: Property | None) -> Any:
    inner = value.value
    if isinstance(inner, Computed):
        return UNKNOWN
    if isinstance(inner, tuple):
        return [_plain(item, None) for item in inner]
    if isinstance(inner, Mapping):
        fields = {p.wire_name: p for p in prop.object_type.properties} if prop and prop.object_type else {}
        return {
            (fields[key].name if key in fields else key): _plain(item, fields.get(key))
            for key, item in inner.items()
        }
    return inner


def _wired(value: Any, prop: Property | None) -> PropertyValue:
    if value is None:
        return PropertyValue.null()
    if isinstance(value, bool):
        return PropertyValue(value)
    if isinstance(value, (int, float)):
        return PropertyValue(float(value))
    if isinstance(value, str):
        return PropertyValue(value)
    if isinstance(value, Mapping):
        fields = {p.name: p for p in prop.object_type.properties} if prop and prop.object_type else {}
        return PropertyValue(
            {
                (fields[key].wire_name if key in fields else key): _wired(item, fields.get(key))
                for key, item in value.items()
                if item is not None
            }
        )
    if isinstance(value, (list, tuple)):
        return PropertyValue([_wired(item, None) for item in value])
    raise TypeError(f"cannot send a {type(value).__name__} to the engine")
