"""A small file-backed dynamic resource to prove the harness's engine rules on their own.

Each ``ToyThing`` is a JSON file ``<store>/<id>.json``; every provider operation is appended to
``<store>/ops.log`` (one JSON line, wall-clock time), so tests can see what happened and in which order.
The module is importable (``tests.harness.toy_provider``), so the provider is pickled by reference, as a
real package's provider would be. Inputs steer the provider into the paths the engine must handle:

- ``key``: a change replaces; ``content``: a change updates in place;
- ``diff_mode="unknown"``: ``diff`` returns ``changes=None`` (DIFF_UNKNOWN);
- ``dbr_from_diff``: the diff asks for delete-before-replace;
- ``fail_on="create"|"update"|"delete"|"read"``: that operation raises;
- ``check_fail``: ``check`` reports this reason against ``key``;
- ``password``: echoed to the outputs (to see secret inputs re-marked); ``token``: a generated secret;
- ``delay``: seconds ``create`` and ``delete`` take (to see calls overlap).
"""

from __future__ import annotations

import json
import os
import secrets
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)

__all__ = ["RenamedToyThing", "ToyProvider", "ToyThing", "read_ops", "stored_ids", "toy_program"]

_INPUTS = (
    "key",
    "content",
    "store",
    "password",
    "diff_mode",
    "dbr_from_diff",
    "fail_on",
    "check_fail",
    "delay",
)
_OPS_LOCK = threading.Lock()


def _log_op(store: str, op: str, thing_id: str, key: Any) -> None:
    line = json.dumps({"op": op, "id": thing_id, "key": key, "time": time.time(), "pid": os.getpid()})
    with _OPS_LOCK, (Path(store) / "ops.log").open("a") as log:
        log.write(line + "\n")


def read_ops(store: Path) -> list[dict[str, Any]]:
    """The operations the toy provider carried out in ``store``, oldest first."""
    path = store / "ops.log"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def stored_ids(store: Path) -> set[str]:
    """The IDs of the things that exist in ``store`` now."""
    return {p.stem for p in store.glob("toy-*.json")}


class ToyProvider(ResourceProvider):
    """The provider; ``flavor`` only changes the pickled ``__provider``, to see which one the engine keeps."""

    def __init__(self, flavor: str = "v1") -> None:
        super().__init__()
        self.flavor = flavor
        self.greeting: str | None = None

    def configure(self, req: ConfigureRequest) -> None:
        # Full ``namespace:key`` names: dynamic providers receive the whole stack config.
        self.greeting = req.config.get("toy:greeting")

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        if news.get("check_fail"):
            return CheckResult(news, [CheckFailure("key", news["check_fail"])])
        return CheckResult(news, [])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        if news.get("diff_mode") == "unknown":
            return DiffResult()
        replaces = ["key"] if olds.get("key") != news.get("key") else []
        changes = bool(replaces) or olds.get("content") != news.get("content")
        return DiffResult(
            changes=changes, replaces=replaces, delete_before_replace=bool(news.get("dbr_from_diff"))
        )

    def _outputs(self, props: dict[str, Any], token: str) -> dict[str, Any]:
        return {**{k: props.get(k) for k in _INPUTS}, "token": token, "configured": self.greeting}

    def create(self, props: dict[str, Any]) -> CreateResult:
        if props.get("fail_on") == "create":
            raise RuntimeError(f"toy create failed for key {props.get('key')!r}")
        thing_id = f"toy-{secrets.token_hex(4)}"
        _log_op(props["store"], "create-start", thing_id, props.get("key"))
        time.sleep(float(props.get("delay") or 0))
        path = Path(props["store"]) / f"{thing_id}.json"
        path.write_text(json.dumps({"key": props.get("key"), "content": props.get("content")}))
        _log_op(props["store"], "create", thing_id, props.get("key"))
        return CreateResult(thing_id, self._outputs(props, secrets.token_hex(8)))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        if props.get("fail_on") == "read":
            raise RuntimeError(f"toy read failed for {id_}")
        path = Path(props["store"]) / f"{id_}.json"
        _log_op(props["store"], "read", id_, props.get("key"))
        if not path.exists():
            return ReadResult(None, {})
        stored = json.loads(path.read_text())
        outs = {**self._outputs(props, props.get("token") or ""), **stored}
        inputs = {**{k: outs.get(k) for k in _INPUTS}, "token": None, "configured": None}
        return ReadResult(id_, outs, inputs)

    def update(self, id_: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        if news.get("fail_on") == "update":
            raise RuntimeError(f"toy update failed for {id_}")
        path = Path(news["store"]) / f"{id_}.json"
        path.write_text(json.dumps({"key": news.get("key"), "content": news.get("content")}))
        _log_op(news["store"], "update", id_, news.get("key"))
        return UpdateResult(self._outputs(news, _olds.get("token") or ""))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if props.get("fail_on") == "delete":
            raise RuntimeError(f"toy delete failed for {id_}")
        time.sleep(float(props.get("delay") or 0))
        (Path(props["store"]) / f"{id_}.json").unlink(missing_ok=True)
        _log_op(props["store"], "delete", id_, props.get("key"))


class ToyThing(Resource, module="toy", name="Thing"):
    """A toy resource; its type token is ``pulumi-python:dynamic/toy:Thing``."""

    key: pulumi.Output[str]
    content: pulumi.Output[str]
    password: pulumi.Output[str | None]
    token: pulumi.Output[str]
    configured: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        *,
        key: pulumi.Input[str] | None,
        content: pulumi.Input[str] | None,
        store: str,
        password: pulumi.Input[str] | None = None,
        diff_mode: str = "normal",
        dbr_from_diff: bool = False,
        fail_on: str | None = None,
        check_fail: str | None = None,
        delay: float = 0.0,
        flavor: str = "v1",
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "key": key,
            "content": content,
            "store": store,
            "password": password,
            "diff_mode": diff_mode,
            "dbr_from_diff": dbr_from_diff,
            "fail_on": fail_on,
            "check_fail": check_fail,
            "delay": delay,
            # Outputs are attributes only if seeded in the props.
            "token": None,
            "configured": None,
        }
        opts = pulumi.ResourceOptions.merge(pulumi.ResourceOptions(additional_secret_outputs=["token"]), opts)
        super().__init__(ToyProvider(flavor), resource_name, props, opts)

    @classmethod
    def get(
        cls, resource_name: str, id: str, *, store: str, opts: pulumi.ResourceOptions | None = None
    ) -> ToyThing:
        """A read-only reference to an existing thing."""
        return cls(
            resource_name,
            key=None,
            content=None,
            store=store,
            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id)),
        )


class RenamedToyThing(ToyThing, module="toy", name="RenamedThing"):
    """The same resource under a new type token, ``pulumi-python:dynamic/toy:RenamedThing``."""


def toy_program(body: str, *, store: Path) -> str:
    """A program's source: the imports a toy program needs, ``STORE`` bound to ``store``, then ``body``."""
    header = (
        "import pulumi\n"
        "from tests.harness.toy_provider import RenamedToyThing, ToyThing\n"
        f"STORE = {str(store)!r}\n"
    )
    return header + textwrap.dedent(body)
