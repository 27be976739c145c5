"""When a key is due for replacement: its triggers, its age, its expiry. Written once, for every
key resource and for the rotating pair (``core.rotating_pair``).

Three inputs every key resource has (``rotation_inputs``):

- ``rotation_triggers``: any change replaces the key (Terraform's ``keepers``);
- ``rotate_after_seconds``: once the key is older than this, by the API's ``created_at``, the next
  diff plans a replacement;
- ``renew_before_seconds``: an expiring key is replaced that long before its ``expires_at``.

A key already expired is replaced on the next ``up`` whatever the settings say (it no longer
works), and dropped on refresh. Time is the provider's clock (``now``) against the API's
timestamps; a test moves it with a time-travel library, which patches ``time.time``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from pulumi_apikeys.core import checks
from pulumi_apikeys.core.checks import CheckFailures
from pulumi_apikeys.core.declaration import Property

__all__ = [
    "CREATED_AT",
    "EXPIRES_AT",
    "LAST_USED_AT",
    "PERIOD_MAX_SECONDS",
    "RENEW_BEFORE",
    "ROTATE_AFTER",
    "ROTATION_TRIGGERS",
    "Due",
    "check_lifetime",
    "key_due",
    "known_period",
    "now",
    "period_input",
    "rotation_inputs",
    "shown_time",
    "triggers_input",
    "unix_seconds",
]

ROTATION_TRIGGERS = "rotation_triggers"
ROTATE_AFTER = "rotate_after_seconds"
RENEW_BEFORE = "renew_before_seconds"
CREATED_AT = "created_at"
EXPIRES_AT = "expires_at"
LAST_USED_AT = "last_used_at"
"""The outputs every key resource has that rotation reads (Unix seconds, or ISO-8601 text)."""

PERIOD_MAX_SECONDS = 100 * 365 * 86400
"""The longest period accepted: a century, so that any real period fits and a typo of many digits does not."""


def now() -> float:
    """The provider's clock, in Unix seconds."""
    return time.time()


def unix_seconds(value: object) -> int | None:
    """A timestamp as whole Unix seconds: from a number, or from ISO-8601 text (capy's form)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value) if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip()
        # Python 3.10's fromisoformat does not read a trailing "Z".
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return int(moment.timestamp())
    return None


def shown_time(seconds: int) -> str:
    """Unix seconds as a message shows them: ``2026-12-02T05:00:00Z``."""
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def period_input(name: str, description: str, *, required: bool = False) -> Property:
    """A period input: a positive whole number of seconds, kept in state; a change alone is an update."""
    return Property(
        name,
        "integer",
        description,
        input=True,
        required=required,
        stored_only=True,
        check=checks.whole_number(minimum=1, maximum=PERIOD_MAX_SECONDS, unit="seconds", required=required),
    )


def triggers_input(effect: str) -> Property:
    """``rotation_triggers``: free-form strings whose change has ``effect``."""
    return Property(
        ROTATION_TRIGGERS,
        "object",
        'Any strings you choose, e.g. `{"deployment": "v42"}`: a change of any of them '
        f"{effect}. Not secret: shown in diffs.",
        input=True,
        replaces=effect.startswith("replaces"),
        stored_only=True,
        check=checks.string_map(example={"deployment": "v42"}),
        items="string",
    )


def rotation_inputs() -> tuple[Property, ...]:
    """The rotation inputs of every key resource."""
    return (
        triggers_input("replaces the key (a new key is created, then the old one deleted)"),
        period_input(
            ROTATE_AFTER,
            "Replace the key once it is older than this many seconds (by the API's `created_at`): "
            "the first `up` or preview after that plans the replacement. A change of this setting "
            "alone changes no key.",
        ),
        period_input(
            RENEW_BEFORE,
            "Replace an expiring key this many seconds before its `expires_at`; shorter than "
            "`expires_in_seconds` where the key declares one. A key already expired is replaced "
            "on the next `up` in any case.",
        ),
    )


@dataclass(frozen=True)
class Due:
    """Why a key must be replaced now, and since when."""

    property: str
    """The property a diff names as the cause (``rotate_after_seconds``, ``expires_at``, ...)."""
    since: int
    """Unix seconds since when the key has been due."""
    reason: str
    """A sentence for the user: what, why and since when."""


def key_due(
    outputs: Mapping[str, Any],
    inputs: Mapping[str, Any],
    *,
    at: float,
    is_unknown: Callable[[object], bool],
    shown: Callable[[str], str] = lambda name: name,
) -> Due | None:
    """Whether the key state describes must be replaced at ``at``, under the (new) ``inputs``.

    The earliest cause wins: an expired key, one older than ``rotate_after_seconds``, one within
    ``renew_before_seconds`` of expiring. A period not known yet (a preview) decides nothing.
    """
    created = unix_seconds(outputs.get(CREATED_AT))
    expires = unix_seconds(outputs.get(EXPIRES_AT))
    causes: list[Due] = []
    if expires is not None and at >= expires:
        causes.append(Due(EXPIRES_AT, expires, f"the key expired at {shown_time(expires)}"))
    rotate_after = known_period(inputs.get(ROTATE_AFTER), is_unknown)
    if rotate_after is not None and created is not None and at >= created + rotate_after:
        causes.append(
            Due(
                ROTATE_AFTER,
                created + rotate_after,
                f"the key was created at {shown_time(created)} and {shown(ROTATE_AFTER)} is {rotate_after}: "
                f"due since {shown_time(created + rotate_after)}",
            )
        )
    renew_before = known_period(inputs.get(RENEW_BEFORE), is_unknown)
    if renew_before is not None and expires is not None and expires > at >= expires - renew_before:
        causes.append(
            Due(
                RENEW_BEFORE,
                expires - renew_before,
                f"the key expires at {shown_time(expires)} and {shown(RENEW_BEFORE)} is {renew_before}: "
                f"due since {shown_time(expires - renew_before)}",
            )
        )
    return min(causes, key=lambda due: due.since) if causes else None


def known_period(value: object, is_unknown: Callable[[object], bool]) -> int | None:
    """A period as whole seconds; ``None`` if unset or not known yet. Numbers cross gRPC as floats."""
    if value is None or is_unknown(value) or isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value)


def check_lifetime(
    failures: CheckFailures,
    checked: Mapping[str, Any],
    *,
    lifetime: str,
    shown: Callable[[str], str],
    minimum_periods: int,
    period: str,
) -> None:
    """That a declared lifetime leaves room for ``period``: at least ``minimum_periods`` of it.

    A key's ``renew_before_seconds`` must be shorter than its lifetime (``minimum_periods=1``
    strictly), or the key would be due the moment it exists; a rotating pair's keys must live
    two periods (current for one, previous for the next).
    """
    seconds, span = checked.get(lifetime), checked.get(period)
    if not isinstance(seconds, int) or not isinstance(span, int):
        return  # absent, unknown, or already reported
    if minimum_periods == 1 and span >= seconds:
        failures.add(
            shown(period),
            f"{shown(period)} ({span}) must be shorter than {shown(lifetime)} ({seconds}): "
            "the key would be due for renewal as soon as it is created",
        )
    elif minimum_periods > 1 and seconds < minimum_periods * span:
        failures.add(
            shown(lifetime),
            f"{shown(lifetime)} ({seconds}) must be at least {minimum_periods} x {shown(period)} "
            f"({minimum_periods * span}): each key is current for one period, then previous for the "
            "next, and must stay valid for both",
        )
