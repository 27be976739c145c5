"""What every backend's key commands print alike: one-line errors, key tables, timestamps.

Written once so that ``pulumi-apikeys openai …`` and ``pulumi-apikeys capy …`` (and any backend's
group) fail, list and show dates the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from functools import wraps
from typing import ParamSpec, TypeVar

import click

from pulumi_apikeys.errors import ApiKeysError

__all__ = ["print_table", "reporting_errors", "when"]

P = ParamSpec("P")
R = TypeVar("R")


def reporting_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn the package's errors into a one-line message and exit status 1, not a traceback."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except ApiKeysError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


def when(moment: int | datetime | None) -> str:
    """A timestamp (Unix seconds or an aware datetime) as UTC to the second; ``-`` for none."""
    if moment is None:
        return "-"
    if isinstance(moment, datetime):
        aware = moment.astimezone(timezone.utc)
    else:
        aware = datetime.fromtimestamp(moment, tz=timezone.utc)
    return aware.strftime("%Y-%m-%d %H:%M:%SZ")


def print_table(rows: Sequence[Mapping[str, str]]) -> None:
    """Rows as aligned columns under upper-case headers (the first row's keys); ``no keys`` if none."""
    if not rows:
        click.echo("no keys")
        return
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in columns}
    click.echo("  ".join(c.upper().ljust(widths[c]) for c in columns).rstrip())
    for r in rows:
        click.echo("  ".join(r[c].ljust(widths[c]) for c in columns).rstrip())
