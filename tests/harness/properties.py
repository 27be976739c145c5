"""Property values as the engine holds them: plain JSON values, ``Secret`` wrappers and the unknown sentinel.

The engine keeps secretness as a wrapper around a value (``resource.Secret`` in
``sdk/go/common/resource/properties.go``); on the wire it is the signature object
``{"4dabf1...": "1b4706...", "value": ...}`` (``sdk/go/common/resource/plugin/rpc.go``, MarshalProperties).
Assets, archives, resource references and output values are not supported: the harness's monitor does not
advertise those features, so the SDK never sends them.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from google.protobuf import json_format, struct_pb2

__all__ = [
    "SECRET_SIG",
    "SIG_KEY",
    "UNKNOWN",
    "PropertyMap",
    "Secret",
    "annotate_secrets",
    "contains_secrets",
    "contains_unknowns",
    "detailed_object_diff",
    "format_property_path",
    "from_struct",
    "go_json",
    "go_multierror",
    "make_secret",
    "parse_property_path",
    "path_contains",
    "strip_secrets",
    "to_struct",
]

SIG_KEY = "4dabf18193072939515e22adb298388d"
"""The key that marks a map as a special value (``_special_sig_key`` in the SDK's ``runtime/rpc.py``)."""
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
"""The signature of a secret, on the wire and in a checkpoint (``_special_secret_sig``)."""
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""A computed value, known only after the update (``UnknownStringValue`` in ``plugin/rpc.go``)."""

# The other special signatures: refused rather than silently mangled.
_UNSUPPORTED_SIGS = {
    "c44067f5952c0a294b673a41bacd8c17": "asset",
    "0def7320c3a5731c473e5ecbe6d01bc7": "archive",
    "5cf8f73096256a8f31e491e813e4eb8e": "resource reference",
    "d0e6a833031e9bbcd3f4e8bde6ca49a4": "output value",
}

PropertyMap = dict[str, Any]


@dataclass(frozen=True)
class Secret:
    """A secret value: the engine tracks secretness per value, never per resource."""

    value: Any

    def __repr__(self) -> str:
        # Keep plaintext out of assertion messages and logs.
        return "Secret([secret])"


def make_secret(value: Any) -> Secret:
    """``value`` as a secret, without wrapping a secret twice (``resource.MakeSecret``)."""
    return value if isinstance(value, Secret) else Secret(value)


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        sig = value.get(SIG_KEY)
        if sig == SECRET_SIG:
            return Secret(_decode(value.get("value")))
        if sig is not None:
            what = _UNSUPPORTED_SIGS.get(sig, f"special value {sig!r}")
            raise NotImplementedError(f"the harness does not support {what} property values")
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    # protobuf Struct numbers are doubles; integral ones are shown as ints so state files read like
    # Pulumi's (Go marshals float64 7776000 as 7776000). Equality with the float is unaffected.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def from_struct(struct: struct_pb2.Struct | None) -> PropertyMap:
    """A property map from a wire ``Struct``: secrets become ``Secret``, unknowns stay the sentinel."""
    if struct is None:
        return {}
    decoded = _decode(json_format.MessageToDict(struct))
    assert isinstance(decoded, dict)
    return decoded


def _encode(value: Any, keep_secrets: bool) -> Any:
    if isinstance(value, Secret):
        inner = _encode(value.value, keep_secrets)
        # A provider that does not accept secrets gets plaintext (MarshalOptions.KeepSecrets=false).
        return {SIG_KEY: SECRET_SIG, "value": inner} if keep_secrets else inner
    if isinstance(value, dict):
        return {k: _encode(v, keep_secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v, keep_secrets) for v in value]
    return value


def to_struct(props: PropertyMap, *, keep_secrets: bool) -> struct_pb2.Struct:
    """The wire form of ``props``; secrets stripped unless ``keep_secrets``."""
    struct = struct_pb2.Struct()
    struct.update(_encode(props, keep_secrets))
    return struct


def strip_secrets(value: Any) -> Any:
    """``value`` with every secret unwrapped (``unwrapResourceSecretsAndOutputs`` in step_generator.go)."""
    return _encode(value, keep_secrets=False)


def contains_secrets(value: Any) -> bool:
    """Whether a secret hides anywhere inside ``value`` (``PropertyValue.ContainsSecrets``)."""
    if isinstance(value, Secret):
        return True
    if isinstance(value, dict):
        return any(contains_secrets(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_secrets(v) for v in value)
    return False


def annotate_secrets(outs: PropertyMap, ins: PropertyMap) -> PropertyMap:
    """Copy secretness from ``ins`` onto same-named ``outs``; returns a new map.

    Reproduces ``annotateSecrets`` in ``pkg/resource/plugin/provider_plugin.go``, which the engine applies
    after every Check/Create/Read/Update of a provider that answered ``acceptSecrets=False`` (the Python
    dynamic provider does): objects recurse, anything else becomes wholly secret if its input held a secret.
    """
    result = dict(outs)
    for key, in_value in ins.items():
        if key not in result:
            continue
        out_value = result[key]
        if isinstance(out_value, dict) and isinstance(in_value, dict):
            result[key] = annotate_secrets(out_value, in_value)
        elif not isinstance(out_value, Secret) and contains_secrets(in_value):
            result[key] = Secret(out_value)
    return result


def go_format(value: Any) -> str:
    """``value`` as the engine's ``fmt`` ``%v`` prints a ``resource.PropertyValue`` in a diagnostic.

    A PropertyValue is a struct ``{V}``, so every value is braced; numbers are float64 and print
    in Go's shortest ``%g`` (``3.1536001e+07``), ``nil`` as ``<nil>``, a secret as a pointer's
    address (fixed here, since the engine's varies), arrays and maps as ``[...]`` and
    ``map[k:v ...]`` (keys sorted, as ``fmt`` does).
    """
    return "{" + _go_inner(value) + "}"


def _go_inner(value: Any) -> str:
    if value is None:
        return "<nil>"
    if isinstance(value, Secret):
        # The engine holds a secret as a pointer inside the struct, and fmt prints its address.
        return "0xc000000000"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _go_float(float(value))
    if isinstance(value, list):
        return "[" + " ".join(go_format(item) for item in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{key}:{go_format(value[key])}" for key in sorted(value)) + "]"
    return str(value)


def _go_float(number: float) -> str:
    """Go's ``%v`` of a float64: shortest round-trip digits, in exponent form when the decimal
    exponent is below -4 or at least 6 (``strconv.FormatFloat(f, 'g', -1, 64)``), e.g. ``1e+06``."""
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "+Inf" if number > 0 else "-Inf"
    if number == 0:
        return "-0" if math.copysign(1.0, number) < 0 else "0"
    decimal = Decimal(repr(number)).normalize()  # repr is Python's shortest round-trip form too
    sign, digit_tuple, exponent = decimal.as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple))
    point = len(digits) + exponent  # where the decimal point falls, counted from the first digit
    minus = "-" if sign else ""
    if point - 1 < -4 or point - 1 >= _GO_SHORTEST_EXPONENT_THRESHOLD:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        power = point - 1
        return f"{minus}{mantissa}e{'-' if power < 0 else '+'}{abs(power):02d}"
    return minus + format(abs(decimal), "f")


_GO_SHORTEST_EXPONENT_THRESHOLD = 6


def contains_unknowns(value: Any) -> bool:
    """Whether an unknown hides anywhere inside ``value`` (``PropertyValue.ContainsUnknowns``)."""
    if isinstance(value, Secret):
        return contains_unknowns(value.value)
    if isinstance(value, dict):
        return any(contains_unknowns(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknowns(v) for v in value)
    return isinstance(value, str) and value == UNKNOWN


def go_json(value: Any) -> str:
    """``value`` (secrets already removed) as Go's ``json.Marshal`` writes it: keys sorted, no spaces,
    integral float64s without a fraction (``json.Marshal(5.0)`` is ``5``)."""

    def normalize(v: Any) -> Any:
        if isinstance(v, float) and v.is_integer() and abs(v) < 1e21:
            return int(v)
        if isinstance(v, dict):
            return {k: normalize(v[k]) for k in sorted(v)}
        if isinstance(v, list):
            return [normalize(item) for item in v]
        return v

    return json.dumps(normalize(value), separators=(",", ":"), ensure_ascii=False)


def go_multierror(errors: list[str]) -> str:
    """hashicorp/go-multierror's text (``ListFormatFunc``), as the engine prints the errors it collected."""
    noun = "error" if len(errors) == 1 else "errors"
    points = "".join(f"\t* {e}\n" for e in errors)
    return f"{len(errors)} {noun} occurred:\n{points}\n"


PathElement = str | int


def parse_property_path(path: str) -> list[PathElement]:
    """``resource.ParsePropertyPath`` (``sdk/go/common/resource/properties_path.go``): ``a.b[0]["c.d"]``,
    with ``*`` and ``[*]`` as wildcards; raises ``ValueError`` where Go returns an error."""
    elements: list[PathElement] = []
    if path.startswith("."):
        raise ValueError("expected property path to start with a name or index")
    rest = path
    while rest:
        if rest[0] == ".":
            rest = rest[1:]
            if not rest:
                raise ValueError("expected property path to end with a name or index")
        elif rest[0] == "[":
            if len(rest) > 1 and rest[1] == '"':
                key: list[str] = []
                i = 2
                while True:
                    if i >= len(rest):
                        raise ValueError("missing closing quote in property name")
                    if rest[i] == '"':
                        i += 1
                        break
                    if rest[i] == "\\" and i + 1 < len(rest) and rest[i + 1] == '"':
                        key.append('"')
                        i += 2
                    else:
                        key.append(rest[i])
                        i += 1
                if i >= len(rest) or rest[i] != "]":
                    raise ValueError("missing closing bracket in property access")
                elements.append("".join(key))
                rest = rest[i + 1 :]
            else:
                close = rest.find("]")
                if close == -1:
                    raise ValueError("missing closing bracket in array index")
                segment = rest[1:close]
                if segment == "*":
                    elements.append("*")
                else:
                    try:
                        elements.append(int(segment))
                    except ValueError:
                        raise ValueError(f"invalid array index: {segment!r}") from None
                rest = rest[close + 1 :]
        else:
            end = len(rest)
            for i, char in enumerate(rest):
                if char in ".[":
                    end = i
                    break
            elements.append(rest[:end])
            rest = rest[end:]
    return elements


def path_contains(path: list[PathElement], other: list[PathElement]) -> bool:
    """``PropertyPath.Contains``: ``path`` is a prefix of ``other``, ``*`` matching any one name."""
    if len(other) < len(path):
        return False
    for mine, theirs in zip(path, other[: len(path)], strict=True):
        if isinstance(mine, int):
            if not isinstance(theirs, int) or theirs != mine:
                return False
        elif mine != "*" and (not isinstance(theirs, str) or theirs != mine):
            return False
    return True


_SIMPLE_NAME = re.compile(r"^[a-zA-Z_$][a-zA-Z0-9_$]*$")


def format_property_path(path: list[PathElement]) -> str:
    """``PropertyPath.String``: names joined by dots, indices and odd names in brackets."""
    text = ""
    for element in path:
        if isinstance(element, int):
            text += f"[{element}]"
        elif _SIMPLE_NAME.match(element):
            text += ("." if text else "") + element
        else:
            text += '["' + element.replace('"', '\\"') + '"]'
    return text


def detailed_object_diff(old: PropertyMap, new: PropertyMap) -> tuple[list[str], dict[str, str]]:
    """The changed top-level keys and the detailed diff (path -> kind) of two property maps.

    ``PropertyMap.Diff`` (``properties_diff.go``) with a missing key and a null one alike, then
    ``NewDetailedDiffFromObjectDiff`` (``pkg/resource/plugin/provider.go``): objects and arrays recurse, a
    leaf is ``add``, ``delete`` or ``update``. Callers unwrap secrets first, as ``diffResource`` does.
    """
    detailed: dict[str, str] = {}
    changed = sorted(k for k in old.keys() | new.keys() if _diff_value([k], old.get(k), new.get(k), detailed))
    return changed, detailed


def _diff_value(path: list[PathElement], old: Any, new: Any, acc: dict[str, str]) -> bool:
    if old is None and new is None:
        return False
    if old is None or new is None:
        acc[format_property_path(path)] = "add" if old is None else "delete"
        return True
    if isinstance(old, dict) and isinstance(new, dict):
        changed = False
        for key in sorted(old.keys() | new.keys()):
            changed = _diff_value([*path, key], old.get(key), new.get(key), acc) or changed
        return changed
    if isinstance(old, list) and isinstance(new, list):
        changed = False
        for i in range(max(len(old), len(new))):
            if i >= len(old):
                acc[format_property_path([*path, i])] = "add"
                changed = True
            elif i >= len(new):
                acc[format_property_path([*path, i])] = "delete"
                changed = True
            else:
                changed = _diff_value([*path, i], old[i], new[i], acc) or changed
        return changed
    # Go compares the raw values: a bool never equals a number, while 5 and 5.0 are one float64.
    if old == new and isinstance(old, bool) == isinstance(new, bool):
        return False
    acc[format_property_path(path)] = "update"
    return True
