"""The emulator's state file: one JSON object shared by its stores, written whole and atomically.

Each store owns some of the object's top-level fields (the OpenAI key store ``version``,
``next_seq``, ``keys`` and ``tombstones``; the capy key store ``capy_keys``) and saves them after
every change. A save writes every store's fields as last saved, to a temporary file renamed over
the old one, so a crash never leaves half a file and one store's save never loses another's keys.
A file written before a store existed simply lacks that store's fields: the store starts empty.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from pulumi_apikeys.errors import ConfigurationError

__all__ = ["StateFile"]

SectionT = TypeVar("SectionT", bound=BaseModel)


class StateFile:
    """One state file; thread-safe. Construction reads it (if it exists), never writes it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._fields: dict[str, Any] = self._read() if path.exists() else {}

    def load(self, section: type[SectionT]) -> SectionT | None:
        """The fields ``section`` declares, validated; ``None`` if the file holds none of them.

        Raises:
            ConfigurationError: the fields are there but not usable.
        """
        with self._lock:
            fields = {name: value for name, value in self._fields.items() if name in section.model_fields}
        if not fields:
            return None
        try:
            return section.model_validate_json(json.dumps(fields))
        except ValidationError as exc:
            first = exc.errors(include_url=False, include_input=False)[0]
            where = ".".join(str(part) for part in first["loc"])
            reason = f"{where}: {first['msg']}" if where else first["msg"]
            raise ConfigurationError(f"the emulator state file {self.path} is not usable: {reason}") from exc

    def save(self, section: BaseModel) -> None:
        """Replace ``section``'s fields and write the whole file (to a temporary file, then renamed)."""
        with self._lock:
            self._fields.update(section.model_dump(mode="json"))
            text = json.dumps(self._fields, indent=2)
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
