"""The emulator's state file: one JSON object, one section per service, written whole and atomically.

The object holds each service's section under its backend name (``{"<name>": {...}, ...}``); a
service's store loads its section once and saves it after every change. A save writes every
section as last saved, to a temporary file renamed over the old one, so a crash never leaves half a
file and one service's save never loses another's keys. A file lacking a service's section (written
before that service existed) gives that service an empty store.

Files written before sections existed held every store's fields side by side at the top level.
Such a file still loads: each service names the top-level fields that were its own
(``ServiceSpec.legacy_state_fields``), and they become its section; the next save writes sections.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from pulumi_apikeys.errors import ConfigurationError

__all__ = ["LegacyLayout", "StateFile", "StateSection"]

SectionT = TypeVar("SectionT", bound=BaseModel)

LegacyLayout = Mapping[str, Mapping[str, str]]
"""For each section name, the top-level fields it had before sections: ``{old field: its field now}``."""


class StateFile:
    """One state file; thread-safe. Construction reads it (if it exists), never writes it.

    Example::

        section = StateFile(path).section("vendor")
        snapshot = section.load(Snapshot)  # None: no keys kept yet
        section.save(Snapshot(keys=[...]))
    """

    def __init__(self, path: Path, *, legacy_layout: LegacyLayout | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        read = self._read() if path.exists() else {}
        self._sections: dict[str, Any] = _sectioned(read, legacy_layout or {})

    def section(self, name: str) -> StateSection:
        """The part of the file that belongs to the service ``name``."""
        return StateSection(self, name)

    def load(self, name: str, model: type[SectionT]) -> SectionT | None:
        """Section ``name`` validated as ``model``; ``None`` if the file has no such section.

        Raises:
            ConfigurationError: the section is there but not usable.
        """
        with self._lock:
            if name not in self._sections:
                return None
            fields = self._sections[name]
        try:
            return model.model_validate_json(json.dumps(fields))
        except ValidationError as exc:
            first = exc.errors(include_url=False, include_input=False)[0]
            where = ".".join(str(part) for part in (name, *first["loc"]))
            raise ConfigurationError(
                f"the emulator state file {self.path} is not usable: {where}: {first['msg']}"
            ) from exc

    def save(self, name: str, snapshot: BaseModel) -> None:
        """Replace section ``name`` and write the whole file (to a temporary file, then renamed)."""
        with self._lock:
            self._sections[name] = snapshot.model_dump(mode="json")
            text = json.dumps(self._sections, indent=2)
            path = self.path
            path.parent.mkdir(parents=True, exist_ok=True)
            # Same directory as the target, so os.replace is an atomic rename on one file system.
            fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as temp:
                    temp.write(text)
                    temp.flush()
                    os.fsync(temp.fileno())
                os.replace(temp_name, path)
            except BaseException:
                Path(temp_name).unlink(missing_ok=True)
                raise

    def _read(self) -> dict[str, Any]:
        try:
            text = self.path.read_bytes()
        except OSError as exc:
            raise ConfigurationError(f"cannot read the emulator state file {self.path}: {exc}") from exc
        try:
            fields = json.loads(text)
        except ValueError as exc:
            raise ConfigurationError(
                f"the emulator state file {self.path} is not usable: it is not valid JSON ({exc})"
            ) from exc
        if not isinstance(fields, dict):
            raise ConfigurationError(
                f"the emulator state file {self.path} is not usable: it is not a JSON object"
            )
        return fields


class StateSection:
    """One service's section of a state file: what its store loads and saves."""

    def __init__(self, file: StateFile, name: str) -> None:
        self.file = file
        self.name = name

    def load(self, model: type[SectionT]) -> SectionT | None:
        """The section validated as ``model``; ``None`` if the file has none (see ``StateFile.load``)."""
        return self.file.load(self.name, model)

    def save(self, snapshot: BaseModel) -> None:
        """Replace the section with ``snapshot`` and write the file (see ``StateFile.save``)."""
        self.file.save(self.name, snapshot)


def _sectioned(document: dict[str, Any], legacy: LegacyLayout) -> dict[str, Any]:
    """``document`` in sections: as it is, unless it is in the flat layout of before sections.

    A document is flat when it holds some service's old top-level field and no section of a service
    that had one; a document in sections never holds an old field at the top level.
    """
    old_fields = {old for fields in legacy.values() for old in fields}
    if any(name in document for name in legacy) or not old_fields & document.keys():
        return dict(document)
    sections: dict[str, Any] = {}
    for name, fields in legacy.items():
        section = {new: document[old] for old, new in fields.items() if old in document}
        if section:
            sections[name] = section
    return sections
