"""State per key, the serialized provider, and secrets in plaintext, for each face and key resource.

For every key resource on both faces (``every_face()``), through the engine-faithful harness against
the emulator: one ``up`` of a program with no keys, then one of N keys (N = 50; ``--quick``: 5), on
the same stack. Bytes a key = (checkpoint file size with N keys - with 0) / N, the file as the
harness writes it (Pulumi's indented JSON, secrets encrypted); beside it the mean compact JSON of
one key's entry (``throughput.state_figures``, shared with the throughput benchmark).

The serialized provider: on the dynamic face the ``__provider`` string in a key's outputs (the
base64 pickle of the provider; its length as stored, and decrypted when it is a secret); on the
plugin face the provider reference each key carries (``urn::id``) and the provider resource's own
checkpoint entry, which N keys share.

The state file is then scanned, as written, for the backend's credential and every key's value
(read from the decrypted view): each must occur 0 times.

    .venv/bin/python benchmarks/state_size.py [--quick] [--keys 50]

Only Markdown goes to stdout (progress to stderr). Exits 1 if an operation fails or a secret is found
in plaintext.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # throughput.py, a sibling script

from tests.backends import ResourceUnderTest, every_face
from tests.faults.programs import many_keys
from tests.harness import HarnessStack, Secret
from tests.harness.properties import strip_secrets
from throughput import new_stack, state_figures

from pulumi_apikeys.emulator import EmulatorConfig, start_emulator


@dataclass
class Figures:
    """What one resource's stack holds, on one face."""

    resource: str
    face: str
    keys: int
    empty_bytes: int
    full_bytes: int
    entry_bytes: float
    provider_stored: int
    provider_decrypted: int
    provider_what: str
    provider_entry: int
    credential_plaintext: int
    values: int
    values_plaintext: int
    outcome: str

    @property
    def per_key(self) -> float:
        return (self.full_bytes - self.empty_bytes) / self.keys


def _progress(message: str) -> None:
    print(f"[state_size] {message}", file=sys.stderr, flush=True)


def _stored(raw_document: dict[str, Any], urn: str, key: str) -> Any:
    """The outputs' ``key`` of resource ``urn`` as the file holds it (ciphertext object if secret)."""
    for entry in raw_document["checkpoint"]["latest"]["resources"]:
        if entry["urn"] == urn:
            return entry.get("outputs", {}).get(key)
    return None


def provider_figures(stack: HarnessStack, face: str) -> tuple[int, int, str, int]:
    """(chars stored, chars decrypted, what was measured, bytes of the provider resource's entry)."""
    view = stack.state()
    document = json.loads(view.raw)
    key = view.managed[0]
    if face == "dynamic":
        stored = _stored(document, key.urn, "__provider")
        stored_text = stored if isinstance(stored, str) else json.dumps(stored, separators=(",", ":"))
        plain = strip_secrets(key.outputs.get("__provider", ""))
        what = "`__provider` output" + (
            " (a secret)" if isinstance(key.outputs.get("__provider"), Secret) else ""
        )
        return len(stored_text), len(plain), what, 0
    # The plugin face: each key names its provider by reference; the provider resource is stored once.
    entry = next(
        e for e in document["checkpoint"]["latest"]["resources"] if e["type"].startswith("pulumi:providers:")
    )
    return (
        len(key.provider),
        len(key.provider),
        "provider reference",
        len(json.dumps(entry, separators=(",", ":"))),
    )


def measure(subject: ResourceUnderTest, stack: HarnessStack, keys: int, credential: str) -> Figures:
    """Both ``up`` runs of one resource and face, and what the state file holds after the second."""
    name = f"{subject.resource.module}:{subject.resource.name}"
    empty = stack.up(subject.program("\n"))
    empty_bytes = stack.state_path.stat().st_size
    full = stack.up(many_keys(subject, keys, prefix="bench state"))
    full_bytes = stack.state_path.stat().st_size
    outcome = "ok" if empty.ok and full.ok else "FAILED: " + (empty.error_text or full.error_text)[:120]
    figures = state_figures(stack, credential)
    stored, decrypted, what, entry = provider_figures(stack, subject.face) if full.ok else (0, 0, "-", 0)
    if subject.face == "dynamic" and decrypted:
        # The pickle itself, to see that the credential is not inside it either.
        pickled = base64.b64decode(strip_secrets(stack.state().managed[0].outputs["__provider"]))
        if credential.encode() in pickled:
            outcome = "FAILED: the credential is in the pickled provider"
    result = Figures(
        name,
        subject.face,
        keys,
        empty_bytes,
        full_bytes,
        figures["bytes_per_key"],
        stored,
        decrypted,
        what,
        entry,
        figures["credential_plaintext"],
        figures["values"],
        figures["values_plaintext"],
        outcome,
    )
    _progress(f"{name} {subject.face}: {result.per_key:,.0f} bytes a key, {outcome}")
    stack.destroy()
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small N (CI)")
    parser.add_argument("--keys", type=int, default=None, help="N (default 50; --quick: 5)")
    args = parser.parse_args(argv)
    keys = args.keys or (5 if args.quick else 50)

    rows: list[Figures] = []
    with tempfile.TemporaryDirectory() as workdir, start_emulator(EmulatorConfig(port=0)) as emulator:
        for subject in every_face():
            emulator.control.reset()
            stack = new_stack(
                Path(workdir), f"{subject.id.replace(':', '-').replace('/', '-')}", emulator, keys
            )
            rows.append(measure(subject, stack, keys, emulator.endpoint(subject.backend).credential))

    print(f"## State size: {keys} keys a stack\n")
    print(
        f"Checkpoint file size after an `up` of {keys} keys minus after an `up` of none, over {keys}, "
        "per resource and face; a key's entry is its compact JSON; the serialized provider as the "
        "state file stores it (and decrypted).\n"
    )
    print(
        "| resource | face | file, 0 keys | file, N keys | bytes a key | a key's entry (compact) | "
        "serialized provider | chars stored | chars decrypted | provider resource entry | outcome |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        entry = f"{r.provider_entry:,} (shared)" if r.provider_entry else "-"
        print(
            f"| `{r.resource}` | {r.face} | {r.empty_bytes:,} | {r.full_bytes:,} | {r.per_key:,.0f} | "
            f"{r.entry_bytes:,.0f} | {r.provider_what} | {r.provider_stored:,} | {r.provider_decrypted:,} | "
            f"{entry} | {r.outcome} |"
        )
    print()
    print("## Secrets in the state file, in plaintext\n")
    print(
        "The state file as written, searched for the backend's credential and for each key's value "
        "(the values read from the decrypted view); the decrypted `__provider` pickle searched for the "
        "credential too. Every count should be 0.\n"
    )
    print("| resource | face | credential occurrences | key values found | outcome |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(
            f"| `{r.resource}` | {r.face} | {r.credential_plaintext} | {r.values_plaintext} of {r.values} | "
            f"{r.outcome} |"
        )
    print()
    problems = [
        f"{r.resource} {r.face}: {r.outcome}, credential {r.credential_plaintext}, "
        f"values {r.values_plaintext} of {r.values}"
        for r in rows
        if r.outcome != "ok" or r.credential_plaintext or r.values_plaintext or r.values != r.keys
    ]
    for problem in problems:
        print(f"state_size.py: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
