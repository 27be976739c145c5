"""The toy plugin's "cloud": JSON files in a directory, and the journals tests read. Standard library only.

- ``<store>/<id>.json``: a widget, ``{"inputs": {...}, "outputs": {...}}``, secrets as ``{"@secret": value}``;
- ``<store>/launches.jsonl``: one line per plugin process (its argv, parsed flags, cwd and environment);
- ``<store>/configures.jsonl``: one line per ``Configure`` (what the engine sent: variables, args, flags);
- ``<store>/ops.jsonl``: one line per create, read, update, delete and invoke, with the provider that did it;
- ``<store>/handshakes.jsonl``: one line per ``Handshake`` answered (with ``handshake: "true"`` config).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

__all__ = ["SECRET_KEY", "append", "records", "widget_ids", "write_widget"]

SECRET_KEY = "@secret"


def append(store: str | Path, journal: str, record: dict[str, Any]) -> None:
    """Append one JSON line to ``<store>/<journal>.jsonl`` (one short write: processes share journals)."""
    line = json.dumps({**record, "pid": os.getpid(), "time": time.time()}, sort_keys=True)
    with (Path(store) / f"{journal}.jsonl").open("a") as out:
        out.write(line + "\n")


def records(store: Path, journal: str) -> list[dict[str, Any]]:
    """The lines of ``<store>/<journal>.jsonl``, oldest first (none if it does not exist)."""
    path = store / f"{journal}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def widget_ids(store: Path) -> set[str]:
    """The IDs of the widgets that exist in ``store`` now."""
    return {p.stem for p in store.glob("widget-*.json")}


def write_widget(store: Path, widget_id: str, inputs: dict[str, Any], outputs: dict[str, Any]) -> None:
    """Make a widget exist, as if created outside Pulumi (for imports)."""
    (store / f"{widget_id}.json").write_text(json.dumps({"inputs": inputs, "outputs": outputs}))
