"""Input checks for ``check()``: each problem becomes a ``CheckProblem`` naming its property.

The engine shows every failure at once, before any API call, so checks collect rather than raise.
Values the engine does not know yet (a preview with unresolved outputs) pass unchecked: they are
checked again, known, before anything is created. What "not known yet" looks like is the Pulumi
face's business; it hands ``CheckFailures`` the test. A resource declares each input's check with
one of the ``InputCheck`` makers at the bottom (``name()``, ``whole_number(...)``, ...).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_apikeys.key_names import name_problem, type_word

__all__ = [
    "CheckFailures",
    "CheckProblem",
    "InputCheck",
    "IsUnknown",
    "name",
    "optional_name",
    "path_text",
    "resource_id",
    "string_map",
    "string_set",
    "whole_number",
]

IsUnknown = Callable[[object], bool]
"""Whether a value is the engine's placeholder for one not known until apply time."""

_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_ID_MAX_LENGTH = 256
_SHOWN_MAX = 40


@dataclass(frozen=True)
class CheckProblem:
    """One wrong input: which property, and why (a sentence naming it)."""

    property: str
    reason: str


def _shown(value: str) -> str:
    return repr(value if len(value) <= _SHOWN_MAX else value[:_SHOWN_MAX] + "...")


class CheckFailures:
    """The failures found so far, plus typed readers of the inputs that record them."""

    def __init__(self, is_unknown: IsUnknown) -> None:
        self.failures: list[CheckProblem] = []
        self.is_unknown = is_unknown

    def add(self, prop: str, reason: str) -> None:
        """Records that ``prop`` is wrong, and why."""
        self.failures.append(CheckProblem(prop, reason))

    def name_of(self, props: Mapping[str, Any], prop: str) -> str | None:
        """A required human-readable name, as ``key_names.name_problem`` defines one."""
        value = props.get(prop)
        if self.is_unknown(value):
            return value
        problem = name_problem(value, prop)
        if problem is not None:
            self.add(prop, problem)
            return None
        assert isinstance(value, str)  # name_problem refuses every non-string
        return value

    def whole_number(
        self, props: Mapping[str, Any], prop: str, *, minimum: int, maximum: int, unit: str
    ) -> int | None:
        """An optional integer in ``minimum..maximum``; whole floats (how numbers travel) become ints."""
        value = props.get(prop)
        if value is None or self.is_unknown(value):
            return value
        # bool is an int subclass: True must not quietly mean 1.
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.add(prop, f"{prop} must be a whole number of {unit}, not {type_word(value)}")
            return None
        if isinstance(value, float):
            if not math.isfinite(value) or not value.is_integer():
                self.add(prop, f"{prop} must be a whole number of {unit}, not {value}")
                return None
            value = int(value)
        if not minimum <= value <= maximum:
            self.add(prop, f"{prop} must be from {minimum} to {maximum} {unit}, not {value}")
            return None
        return value

    def path_text(self, props: Mapping[str, Any], prop: str, *, example: str) -> str | None:
        """A required id that goes into a URL path: not blank, no ``/ ? # ..`` or control characters.

        Looser than ``resource_id`` (the API documents no id format), but nothing it accepts can
        address another path, start a query or fragment, or climb a level.
        """
        value = props.get(prop)
        if self.is_unknown(value):
            return value
        if value is None:
            self.add(prop, f"{prop} is required: give an id such as {example!r}")
        elif not isinstance(value, str):
            self.add(prop, f"{prop} must be a string such as {example!r}, not {type_word(value)}")
        elif not value.strip():
            self.add(prop, f"{prop} must not be empty or only whitespace; expected an id such as {example!r}")
        elif len(value) > _ID_MAX_LENGTH:
            self.add(prop, f"{prop} must be at most {_ID_MAX_LENGTH} characters, not {len(value)}")
        elif any(not ch.isprintable() for ch in value):
            self.add(prop, f"{prop} must not contain control characters such as newlines or tabs")
        elif any(part in value for part in ("/", "?", "#", "..")):
            # Refused rather than percent-encoded: in an id these are a mistake, and a proxy or
            # server that decodes them could otherwise route the request somewhere else.
            self.add(
                prop,
                f"{prop} must not contain '/', '?', '#' or '..' (it is part of the API's URL path), "
                f"not {_shown(value)}",
            )
        else:
            return value
        return None

    def string_set(self, props: Mapping[str, Any], prop: str, *, what: str, example: str) -> list[str] | None:
        """A required, non-empty list of printable, non-blank strings, de-duplicated and sorted.

        Order and repetition carry no meaning, so the checked value has one stable form. Elements
        the engine does not know yet pass unchecked (and the list is then returned as given).
        """
        value = props.get(prop)
        if self.is_unknown(value):
            return value
        if value is None:
            self.add(prop, f"{prop} is required: give at least one {what}, e.g. [{example!r}]")
            return None
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            self.add(prop, f"{prop} must be a list of strings, e.g. [{example!r}], not {type_word(value)}")
            return None
        if not value:
            self.add(prop, f"{prop} must not be empty: give at least one {what}, e.g. [{example!r}]")
            return None
        ok = True
        for index, item in enumerate(value):
            where = f"{prop}[{index}]"
            if self.is_unknown(item):
                continue
            if not isinstance(item, str):
                self.add(prop, f"{where} must be a string, not {type_word(item)}")
            elif not item.strip():
                self.add(prop, f"{where} must not be empty or only whitespace")
            elif len(item) > _ID_MAX_LENGTH:
                self.add(prop, f"{where} must be at most {_ID_MAX_LENGTH} characters, not {len(item)}")
            elif any(not ch.isprintable() for ch in item):
                self.add(prop, f"{where} must not contain control characters such as newlines or tabs")
            else:
                continue
            ok = False
        if not ok:
            return None
        if any(self.is_unknown(item) for item in value):
            return list(value)
        return sorted(set(value))

    def string_map(
        self, props: Mapping[str, Any], prop: str, *, example: Mapping[str, str]
    ) -> dict[str, str] | None:
        """An optional map of printable strings to strings, keys sorted (order means nothing).

        A number or a boolean is refused, not converted: ``{"v": 1}`` and ``{"v": "1"}`` would then
        be one trigger in one language and two in another. Values not known yet pass unchecked.
        """
        value = props.get(prop)
        if value is None or self.is_unknown(value):
            return value
        if not isinstance(value, Mapping):
            self.add(
                prop,
                f"{prop} must be a map of strings to strings, e.g. {dict(example)!r}, not {type_word(value)}",
            )
            return None
        ok = True
        for key, item in value.items():
            where = f"{prop}[{key!r}]"
            if not isinstance(key, str) or not key.strip():
                self.add(prop, f"{prop} keys must be non-empty strings, not {key!r}")
            elif self.is_unknown(item):
                continue
            elif not isinstance(item, str):
                self.add(prop, f"{where} must be a string, not {type_word(item)}: convert it, e.g. str(...)")
            elif any(not ch.isprintable() for ch in key + item):
                self.add(prop, f"{where} must not contain control characters such as newlines or tabs")
            else:
                continue
            ok = False
        if not ok or not value:
            return None  # an empty map is no triggers: the same as none, never a change
        return {key: value[key] for key in sorted(value)}

    def resource_id(self, props: Mapping[str, Any], prop: str, *, example: str) -> str | None:
        """An optional API id that goes into a URL path: plain letters, digits, ``_`` and ``-`` only."""
        value = props.get(prop)
        if value is None or self.is_unknown(value):
            return value
        if not isinstance(value, str):
            kind = type_word(value)
            self.add(prop, f"the id to import must be a string such as {example!r}, not {kind}")
        elif not value:
            self.add(prop, f"the id to import must not be empty; expected an id such as {example!r}")
        elif len(value) > _ID_MAX_LENGTH or not _ID_PATTERN.fullmatch(value):
            # Refusing rather than percent-encoding: '/', '..', '?' or '#' in an id is a mistake, and
            # this way no id can ever address a different URL path.
            self.add(
                prop,
                f"the id to import must look like {example!r} (letters, digits, '_' and '-'), "
                f"not {_shown(value)}",
            )
        else:
            return value
        return None


InputCheck = Callable[[CheckFailures, Mapping[str, Any], str], Any]
"""Reads one input from the declared props: its checked value, or ``None`` with a failure recorded."""


def name() -> InputCheck:
    """A required human-readable name (``key_names.name_problem``)."""
    return lambda failures, props, prop: failures.name_of(props, prop)


def optional_name() -> InputCheck:
    """An optional name (a lookup function's filter): absent is fine, present must be a name."""
    return lambda failures, props, prop: None if props.get(prop) is None else failures.name_of(props, prop)


def whole_number(*, minimum: int, maximum: int, unit: str, required: bool = False) -> InputCheck:
    """An integer from ``minimum`` to ``maximum`` ``unit``; optional unless ``required``."""

    def check(failures: CheckFailures, props: Mapping[str, Any], prop: str) -> Any:
        if required and props.get(prop) is None:
            failures.add(
                prop, f"{prop} is required: give a whole number of {unit} from {minimum} to {maximum}"
            )
            return None
        return failures.whole_number(props, prop, minimum=minimum, maximum=maximum, unit=unit)

    return check


def path_text(*, example: str) -> InputCheck:
    """A required id that goes into a URL path, such as ``example``."""
    return lambda failures, props, prop: failures.path_text(props, prop, example=example)


def string_set(*, what: str, example: str) -> InputCheck:
    """A required, non-empty set of strings, each a ``what`` such as ``example``."""
    return lambda failures, props, prop: failures.string_set(props, prop, what=what, example=example)


def optional_string_set(*, what: str, example: str) -> InputCheck:
    """An optional set of strings, each a ``what`` such as ``example``. Absent and ``[]`` mean the
    same (no restriction), so both check as ``None``: going from one to the other is no change."""

    def check(failures: CheckFailures, props: Mapping[str, Any], prop: str) -> Any:
        value = props.get(prop)
        if value is None or (isinstance(value, (list, tuple)) and not value):
            return None
        return failures.string_set(props, prop, what=what, example=example)

    return check


def string_map(*, example: Mapping[str, str]) -> InputCheck:
    """An optional map of strings to strings, such as ``example``."""
    return lambda failures, props, prop: failures.string_map(props, prop, example=example)


def resource_id(*, example: str) -> InputCheck:
    """An optional API id such as ``example`` (the key to import)."""
    return lambda failures, props, prop: failures.resource_id(props, prop, example=example)
