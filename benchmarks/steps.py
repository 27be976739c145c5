"""API requests per step, for every key resource on both faces, and for the bulk import-file listing.

Each step runs through the engine-faithful harness against the emulator (no added latency); the
emulator's request log (method and path of every request it received) is cleared before the step
and read after it. The steps, in order on one fresh stack per resource and face:

create (1 POST), no-op ``up`` (0), ``refresh`` (the resource's own lookup: 1 GET for openai; capy
lists the organization's keys), update in place of ``rotate_after_seconds`` (0), replace by renaming
(1 POST, then 1 DELETE), ``destroy`` (1 DELETE), import by id with ``import_=`` of a key made outside
Pulumi (the lookup again). Each key resource's rotating pair then on its own stack: create (1 POST),
no-op ``up`` (0), ``refresh`` (the current key's lookup), a rotation by renaming with no previous key
yet (1 POST), a second one (the lookup of the previous key, whose last use the diff names, then its
DELETE, then 1 POST), ``destroy`` (2 DELETEs, in either order), import by id. Then, per backend,
``pulumi-apikeys <backend> import-file`` listing N keys (N = 250; ``--quick``: 30), in-process
through click's ``CliRunner``: ceil(N / page) list requests,
the page being what the client asks for (openai: ``limit=100``) or the server's default (capy asks
for none; the emulator's default is 100).

    .venv/bin/python benchmarks/steps.py [--quick] [--keys 250]

Only Markdown goes to stdout (progress to stderr). Exits 1 if any count differs from the expected
one or any step fails; timings are not measured here.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import math
import os
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from click.testing import CliRunner
from tests.backends import ResourceUnderTest, every_face
from tests.backends.openai_projects import KEYS_PATH as PROJECT_KEYS_PATH
from tests.backends.openai_projects import PROJECT
from tests.faults.conftest import fault_stack
from tests.harness import HarnessStack, UpResult
from tests.rotation.pair_helpers import PairUnderTest, every_pair

from pulumi_apikeys.capy.emulator_service import DEFAULT_PAGE_SIZE as CAPY_DEFAULT_PAGE
from pulumi_apikeys.cli import main as cli_main
from pulumi_apikeys.emulator import EmulatorConfig, RunningEmulator, start_emulator
from pulumi_apikeys.openai.client import _PAGE_LIMIT_MAX as OPENAI_PAGE  # what list() asks for

Request = tuple[str, str]
"""``(method, path)`` as the emulator logged it."""

ROTATE = ", rotate_after_seconds={}"
"""The in-place update: a rotation setting far in the future, so nothing is due."""


@dataclass
class Row:
    """One step's requests against what is expected of it."""

    resource: str
    face: str
    step: str
    requests: list[Request]
    expected: list[Request]
    outcome: str = "ok"
    ordered: bool = True
    """Whether the order is part of what is expected (create before delete); not for deletes at once."""

    @property
    def matches(self) -> bool:
        if self.outcome != "ok":
            return False
        if self.ordered:
            return self.requests == self.expected
        return sorted(self.requests) == sorted(self.expected)


def _progress(message: str) -> None:
    print(f"[steps] {message}", file=sys.stderr, flush=True)


_ID = re.compile(r"/[a-z_]+_[0-9a-f]{16,}\b")
"""A key id in a path (``key_…``, ``ak_…``): shown as ``{id}``, the table compares the real ones."""


def _shown(requests: Sequence[Request]) -> str:
    """``1: POST /v1/...``, or ``0``; a long run of one request is summarised."""
    if not requests:
        return "0"
    requests = [(m, _ID.sub("/{id}", p)) for m, p in requests]
    kinds = sorted({f"{m} {p}" for m, p in requests})
    if len(kinds) == 1 and len(requests) > 1:
        return f"{len(requests)}: {len(requests)} x {kinds[0]}"
    return f"{len(requests)}: " + ", then ".join(f"{m} {p}" for m, p in requests)


def _name(subject: ResourceUnderTest) -> str:
    return f"{subject.resource.module}:{subject.resource.name}"


def _outcome(result: UpResult) -> str:
    if result.ok:
        return "ok"
    lines = result.error_text.strip().splitlines() or ["(no message)"]
    return "FAILED: " + lines[0][:120].replace("|", "/")


def measured(emulator: RunningEmulator, operation: Callable[[], UpResult]) -> tuple[list[Request], str]:
    """The requests ``operation`` made (query strings dropped: the path is what is counted)."""
    emulator.control.clear_requests()
    result = operation()
    requests = [(r.method, r.path.split("?", 1)[0]) for r in emulator.control.requests()]
    return requests, _outcome(result)


def steps_of(subject: ResourceUnderTest, stack: HarnessStack, emulator: RunningEmulator) -> list[Row]:
    """The lifecycle of one key on one face, then an import by id."""
    rows: list[Row] = []
    label = (_name(subject), subject.face)
    rotate = ROTATE.format(365 * 86400)

    def step(name: str, operation: Callable[[], UpResult], expected: Callable[[], list[Request]]) -> None:
        requests, outcome = measured(emulator, operation)
        rows.append(Row(*label, name, requests, expected(), outcome))
        _progress(f"{label[0]} {label[1]} {name}: {len(requests)} requests, {outcome}")

    def key_id() -> str:
        return stack.state().resource("ci").id

    program = subject.one_key("ci", "bench steps")
    step("create", lambda: stack.up(program), lambda: [("POST", subject.collection_path)])
    first_id = key_id() if rows[-1].outcome == "ok" else "?"
    step("no-op up", lambda: stack.up(program), list)
    step("refresh", stack.refresh, lambda: subject.lookup_requests(first_id))
    step("update rotate_after_seconds", lambda: stack.up(subject.one_key("ci", "bench steps", rotate)), list)
    if "scopes" in subject.resource.api_updated_inputs:
        # A change the API applies in place (project keys): one update request, same key.
        scoped = f"{rotate}, scopes=['api.model.read']"
        step(
            "update scopes in place",
            lambda: stack.up(subject.one_key("ci", "bench steps", scoped)),
            lambda: [("POST", subject.item_path(first_id))],
        )
    step(
        "replace (rename)",
        lambda: stack.up(subject.one_key("ci", "bench steps renamed", rotate)),
        lambda: [("POST", subject.collection_path), ("DELETE", subject.item_path(first_id))],
    )
    renamed_id = key_id() if rows[-1].outcome == "ok" else "?"
    step("destroy", stack.destroy, lambda: [("DELETE", subject.item_path(renamed_id))])

    # A key made outside Pulumi, adopted by id: the declared inputs match it, so nothing is replaced.
    outside = subject.create_out_of_band(emulator, "bench import")
    importing = subject.one_key(
        "ci", "bench import", f", opts=pulumi.ResourceOptions(import_={subject.import_id(outside)!r})"
    )
    step("import by id", lambda: stack.up(importing), lambda: subject.lookup_requests(outside))
    stack.destroy()
    return rows


def pair_steps(pair: PairUnderTest, stack: HarnessStack, emulator: RunningEmulator) -> list[Row]:
    """The rotating pair's lifecycle on one face: two rotations (by renaming: the first has nothing
    to retire, the second retires the old previous first), then an import by id."""
    rows: list[Row] = []
    subject = pair.key
    label = (f"{pair.pair.module}:{pair.pair.name}", pair.face)

    def step(
        name: str,
        operation: Callable[[], UpResult],
        expected: Callable[[], list[Request]],
        ordered: bool = True,
    ) -> None:
        requests, outcome = measured(emulator, operation)
        rows.append(Row(*label, name, requests, expected(), outcome, ordered))
        _progress(f"{label[0]} {label[1]} {name}: {len(requests)} requests, {outcome}")

    def slots() -> tuple[str | None, str | None]:
        return pair.slots(stack.state())

    create = ("POST", subject.collection_path)
    step("create", lambda: stack.up(pair.one_pair("bench pair")), lambda: [create])
    first, _ = slots()
    step("no-op up", lambda: stack.up(pair.one_pair("bench pair")), list)
    step("refresh", stack.refresh, lambda: subject.lookup_requests(first or "?"))
    step(
        "rotate (rename), no previous yet", lambda: stack.up(pair.one_pair("bench pair 2")), lambda: [create]
    )
    _, previous = slots()
    # The diff looks the key it retires up, to name its last use (the rotation issue's preview).
    step(
        "rotate (rename)",
        lambda: stack.up(pair.one_pair("bench pair 3")),
        lambda: [
            *subject.lookup_requests(previous or "?"),
            ("DELETE", subject.item_path(previous or "?")),
            create,
        ],
    )
    current, previous = slots()
    step(
        "destroy",
        stack.destroy,
        lambda: [
            ("DELETE", subject.item_path(current or "?")),
            ("DELETE", subject.item_path(previous or "?")),
        ],
        ordered=False,
    )
    outside = subject.create_out_of_band(emulator, "bench pair import")
    adopt = f", opts=pulumi.ResourceOptions(import_={pair.import_id(outside)!r})"
    step(
        "import by id",
        lambda: stack.up(pair.one_pair("bench pair import", extra=adopt)),
        lambda: subject.lookup_requests(outside),
    )
    stack.destroy()
    return rows


def bulk_listing(subject: ResourceUnderTest, emulator: RunningEmulator, keys: int, workdir: Path) -> Row:
    """``import-file`` of ``keys`` keys made outside Pulumi: its requests against ceil(N / page) lists."""
    emulator.control.reset()
    for i in range(keys):
        subject.create_out_of_band(emulator, f"bench bulk {i:03}")
    endpoint = emulator.endpoint(subject.backend)
    listed = subject.collection_path
    if subject.backend == "openai":
        env = {"OPENAI_BASE_URL": endpoint.base_url, "OPENAI_ADMIN_KEY": endpoint.credential}
        args = ["openai", "import-file"]
        page = OPENAI_PAGE
    elif subject.backend == "openai_projects":
        env = {"OPENAI_BASE_URL": endpoint.base_url, "OPENAI_ADMIN_KEY": endpoint.credential}
        args = ["openai_projects", "import-file", "--project", PROJECT]
        page = OPENAI_PAGE
        listed = PROJECT_KEYS_PATH  # keys are made under their account, listed under the project
    else:
        env = {"CAPY_BASE_URL": endpoint.base_url, "CAPY_API_KEY": endpoint.credential}
        args = ["capy", "import-file", "--organization", subject.get_inputs["organization_id"]]
        page = CAPY_DEFAULT_PAGE
    output = workdir / f"{subject.backend}-import.json"
    emulator.control.clear_requests()
    # The CLI reads its credential from the environment only; patched for this call alone.
    with mock.patch.dict(os.environ, env):
        result = CliRunner().invoke(cli_main, [*args, "--output", str(output), "--force"])
    log = emulator.control.requests()
    requests = [(r.method, r.path.split("?", 1)[0]) for r in log]
    # What the client asked for, from the log's queries: openai's `limit`; capy sends none.
    asked = sorted({r.query.get("limit", "none") for r in log})
    outcome = "ok" if result.exit_code == 0 else f"FAILED: exit {result.exit_code}: {result.output[-200:]}"
    expected = [("GET", listed)] * math.ceil(keys / page)
    _progress(f"{subject.backend} import-file {keys}: {len(requests)} requests, {outcome}")
    return Row(
        _name(subject),
        "cli",
        f"import-file, N = {keys}, page {page} (limit asked: {', '.join(asked)})",
        requests,
        expected,
        outcome,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small N for the bulk listing (CI)")
    parser.add_argument("--keys", type=int, default=None, help="N keys listed (default 250; --quick: 30)")
    args = parser.parse_args(argv)
    keys = args.keys or (30 if args.quick else 250)

    subjects = every_face()

    def lifecycle(subject: ResourceUnderTest, root: Path) -> list[Row]:
        # An emulator each: the request log is the emulator's, so subjects run side by side.
        with start_emulator(EmulatorConfig(port=0)) as emulator:
            stack = fault_stack(
                root / f"{subject.id.replace(':', '-').replace('/', '-')}", emulator, budget={}
            )
            rows = steps_of(subject, stack, emulator)
            pair = next((p for p in every_pair() if p.key == subject), None)
            if pair is not None:
                pair_stack = fault_stack(
                    root / f"{subject.id.replace(':', '-').replace('/', '-')}-pair", emulator, budget={}
                )
                rows += pair_steps(pair, pair_stack, emulator)
            if subject.face == "dynamic" and subject.resource.listing is not None:
                rows.append(bulk_listing(subject, emulator, keys, root))
            return rows

    # Two at a time, the machine's cores: each step is mostly a harness child process starting.
    with tempfile.TemporaryDirectory() as workdir, concurrent.futures.ThreadPoolExecutor(2) as pool:
        done = list(pool.map(lambda s: lifecycle(s, Path(workdir)), subjects))
    rows = [row for subject_rows in done for row in subject_rows if row.face != "cli"]
    rows += [row for subject_rows in done for row in subject_rows if row.face == "cli"]

    print("## API requests per step\n")
    print(
        "Each step through the harness against the emulator, its requests (method and path, query "
        "dropped) read from the emulator's request log, cleared before the step; import-file runs the "
        "command line in-process against the same emulator.\n"
    )
    print("| resource | face | step | requests | expected | outcome |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        mark = "" if row.matches else " **(differs)**"
        print(
            f"| `{row.resource}` | {row.face} | {row.step} | {_shown(row.requests)}{mark} | "
            f"{_shown(row.expected)} | {row.outcome} |"
        )
    print()
    wrong = [row for row in rows if not row.matches]
    for row in wrong:
        print(
            f"steps.py: {row.resource} {row.face} {row.step}: {row.requests} != {row.expected} "
            f"({row.outcome})",
            file=sys.stderr,
        )
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
