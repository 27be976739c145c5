"""What the rotating pair's tests share: each built-in key resource's pair as a test drives it, in a
program (on either face) or through its lifecycle, and what the emulator's request log says of it.

``PairUnderTest`` is derived from a key resource's ``ResourceUnderTest`` (``every_face()``), so no
test names a backend: the pair's class is ``Rotating`` + the key's, imported from the same module.
"""

from __future__ import annotations

import json
import textwrap
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from pulumi_apikeys import registry
from pulumi_apikeys.core.reconcile import LEDGER, KeyLedger
from pulumi_apikeys.core.rotating_pair import PairLifecycle, RotatingPair, rotating_pair
from pulumi_apikeys.core.stack_config import StackConfig
from pulumi_apikeys.emulator import RecordedRequest, RunningEmulator
from tests.backends import Face, ResourceUnderTest, every_face, stack_config
from tests.harness import Secret, StateView, UpResult

__all__ = [
    "SECRET_SIGNATURE",
    "PairUnderTest",
    "authenticates",
    "builtin_subjects",
    "every_pair",
    "live_counts",
    "never_unknown",
    "pair_lifecycle",
    "wait_until",
]

SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"
"""How Pulumi marks a secret in the checkpoint: this signature key beside the ciphertext."""

SLOT_OUTPUTS = (
    "current_id",
    "current_value",
    "previous_id",
    "previous_value",
    "rotated_at",
    "next_rotation_at",
)
"""The pair's outputs a program exports, by their declared names (the stack outputs' names too)."""


def never_unknown(value: object) -> bool:
    """A plain ``up``: every value is known."""
    del value
    return False


def builtin_subjects(face: Face | None = None) -> list[ResourceUnderTest]:
    """The built-in key resources (the plugin serves only those), on ``face`` or on both."""
    builtin = {r.type_name for r in registry.key_resources(registry.builtin())}
    return [s for s in every_face() if s.resource.type_name in builtin and (face is None or s.face == face)]


@dataclass(frozen=True)
class PairUnderTest:
    """The rotating pair of one key resource, on one face."""

    key: ResourceUnderTest
    """The key resource's own description (its face included)."""

    @property
    def pair(self) -> RotatingPair[Any, Any]:
        return rotating_pair(self.key.resource)

    @property
    def face(self) -> Face:
        return self.key.face

    @property
    def id(self) -> str:
        """The pytest id: the pair's type token, short (``plugin/`` first for the plugin face)."""
        short = f"{self.pair.module}:{self.pair.name}"
        return short if self.face == "dynamic" else f"plugin/{short}"

    @property
    def class_name(self) -> str:
        """The pair's class in a program: ``Rotating`` + the key's class name."""
        return f"Rotating{self.key.class_name}"

    @property
    def import_line(self) -> str:
        """The program line importing the pair's class, from the module the key's class comes from."""
        module = self.key.import_line.split(" import ", 1)[0]
        return f"{module} import {self.class_name}"

    @property
    def token(self) -> str:
        """The type token in URNs."""
        return self.pair.type_name if self.face == "dynamic" else self.pair.plugin_type_name

    def shown(self, name: str) -> str:
        """A property's name as this face spells it in state and in messages."""
        return self.key.shown(name)

    def declare(self, resource_name: str, key_name_source: str, period_source: str, extra: str = "") -> str:
        """The program expression declaring a pair, its name and period given as source text."""
        others = "".join(f", {k}={v!r}" for k, v in self.key.other_inputs.items())
        return (
            f"{self.class_name}({resource_name!r}, name={key_name_source}{others}, "
            f"rotate_after_seconds={period_source}{extra})"
        )

    def program(self, body: str) -> str:
        """A program's source: the imports, then ``body``."""
        return f"import pulumi\n{self.import_line}\n" + textwrap.dedent(body)

    def one_pair(self, key_name: str = "CI", period: int = 3600, extra: str = "") -> str:
        """A program declaring one pair ``pair`` and exporting its slots and schedule."""
        exports = "".join(f'pulumi.export("{name}", pair.{name})\n' for name in SLOT_OUTPUTS)
        return self.program(f"pair = {self.declare('pair', repr(key_name), repr(period), extra)}\n{exports}")

    def outputs(self, state: StateView, resource_name: str = "pair") -> dict[str, Any]:
        """The pair's outputs in the checkpoint, by their declared names, secrets unwrapped."""
        stored = state.resource(resource_name).outputs
        plain = {}
        for prop in self.pair.properties:
            if prop.output and self.shown(prop.name) in stored:
                value = stored[self.shown(prop.name)]
                plain[prop.name] = value.value if isinstance(value, Secret) else value
        return plain

    def slots(self, state: StateView, resource_name: str = "pair") -> tuple[str | None, str | None]:
        """``(current_id, previous_id)`` as the checkpoint records them."""
        outputs = self.outputs(state, resource_name)
        return outputs.get("current_id"), outputs.get("previous_id")

    def secret_outputs_are_sealed(self, state: StateView, resource_name: str = "pair") -> list[str]:
        """The pair's value outputs that state holds *not* as Pulumi stores secrets (empty: all sealed).

        Sealed: a ``Secret`` in the decrypted view, an envelope of ciphertext in the file, and the
        plaintext nowhere in it.
        """
        raw = json.loads(state.raw)["checkpoint"]["latest"]["resources"]
        urn = state.resource(resource_name).urn
        (stored,) = [r for r in raw if r["urn"] == urn and not r.get("delete")]
        decrypted = state.resource(resource_name).outputs
        unsealed = []
        for name in ("current_value", "previous_value"):
            shown = self.shown(name)
            if shown not in decrypted:
                continue
            value = decrypted[shown]
            envelope = stored["outputs"].get(shown)
            if (
                not isinstance(value, Secret)
                or not isinstance(envelope, dict)
                or set(envelope) != {SECRET_SIGNATURE, "ciphertext"}
                or value.value in state.raw
            ):
                unsealed.append(name)
        return unsealed

    def import_id(self, key_id: str) -> str:
        """The id ``import_=`` (or ``pulumi import``) takes for the key with this id, on this face."""
        return self.key.import_id(key_id)

    def provider_output(self, result: UpResult) -> str:
        """What the provider told the user during ``result`` (see ``ResourceUnderTest``)."""
        return self.key.provider_output(result)


def every_pair() -> list[PairUnderTest]:
    """The pair of every built-in key resource that has one, on both faces."""
    return [PairUnderTest(subject) for subject in builtin_subjects() if subject.resource.pair]


def pair_lifecycle(
    subject: ResourceUnderTest,
    emulator: RunningEmulator,
    *,
    ledger: KeyLedger = LEDGER,
    settings: Mapping[str, str] | None = None,
) -> PairLifecycle[Any, Any]:
    """The pair's lifecycle, configured against ``emulator`` as a stack would (plus ``settings``,
    e.g. ``{"apikeys:maxRetries": "0"}``).

    ``ledger`` is the process's by default, as in a provider: the API client reconciles a lost
    create against that one.
    """
    values = {
        key: value.value if isinstance(value, Secret) else str(value)
        for key, value in stack_config(subject.settings, emulator).items()
    }
    values.update(settings or {})
    return PairLifecycle(
        rotating_pair(subject.resource), StackConfig(values), is_unknown=never_unknown, ledger=ledger
    )


def authenticates(subject: ResourceUnderTest, emulator: RunningEmulator, value: str) -> bool:
    """Whether a consumer holding ``value`` gets an answer from the API: it lists the keys with it.

    The emulators accept, besides their configured credential, the value of any live key they
    created (capy's: for its own organization); each use sets the key's ``last_used_at``.
    """
    with httpx.Client(trust_env=False, timeout=10) as http:
        response = http.get(
            emulator.root_url + (subject.use_path or subject.collection_path),
            headers={"Authorization": f"Bearer {value}"},
        )
    return response.status_code == 200


def live_counts(
    subject: ResourceUnderTest, requests: Sequence[RecordedRequest], *, initial: Iterable[str] = ()
) -> list[int]:
    """How many keys existed after each create or delete the log shows, replayed in order from the
    keys ``initial`` (those alive when the log starts).

    A create counts once it committed (its log entry names the new key, answered or not); a delete
    once it was answered 2xx. Other requests change nothing.
    """
    live: set[str] = set(initial)
    counts = []
    for request in sorted(requests, key=lambda r: r.seq):
        if request.method == "POST" and request.path == subject.collection_path and request.key_id:
            live.add(request.key_id)
        elif request.method == "DELETE" and request.status is not None and 200 <= request.status < 300:
            gone = [key_id for key_id in live if request.path == subject.item_path(key_id)]
            if not gone:
                continue  # a key that was not there (already deleted): nothing changes
            live.difference_update(gone)
        else:
            continue
        counts.append(len(live))
    return counts


def wait_until(moment: float, *, poll: float = 0.05, limit: float = 30.0) -> None:
    """Returns once the clock has passed ``moment`` (Unix seconds): waits for the event itself.

    Raises:
        AssertionError: ``moment`` is more than ``limit`` seconds away (a wrong schedule, not a wait).
    """
    left = moment - time.time()
    assert left <= limit, f"{moment} is {left:.1f} s away: not a schedule a test waits for"
    while time.time() <= moment:
        time.sleep(poll)
