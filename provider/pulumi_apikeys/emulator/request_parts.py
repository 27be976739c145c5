"""What every emulated vendor API does the same way: read the bearer token and a JSON body checked
against the vendor's request model, note the key a create made, and reset or count its store.

Each vendor words its own errors; these helpers only say what was wrong (``BodyProblem``).
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from typing import Generic, Literal, Protocol, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from pulumi_apikeys.emulator.context import find_request_context

__all__ = [
    "BodyProblem",
    "CountedStore",
    "StoreBacked",
    "bearer_token",
    "is_credential",
    "note_created_key",
    "read_body",
]

RequestT = TypeVar("RequestT", bound=BaseModel)


class CountedStore(Protocol):
    """What a service's store must offer for ``StoreBacked``."""

    def __len__(self) -> int: ...

    def reset(self) -> None: ...


StoreT = TypeVar("StoreT", bound=CountedStore)


class StoreBacked(Generic[StoreT]):
    """``reset`` and ``key_count`` of a service over one store (``self.store``)."""

    store: StoreT

    def reset(self) -> None:
        """Forget every key (and whatever else the store keeps), as a fresh emulator would."""
        self.store.reset()

    def key_count(self) -> int:
        """How many keys the store holds (a vendor that keeps revoked keys counts them)."""
        return len(self.store)


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header; ``None`` if there is none."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def is_credential(token: str, credential: str) -> bool:
    """Whether ``token`` is the configured credential (compared in constant time)."""
    return hmac.compare_digest(token.encode(), credential.encode())


@dataclass(frozen=True)
class BodyProblem:
    """Why a request body is not a valid create request."""

    kind: Literal["not_json", "not_object", "invalid"]
    location: tuple[str | int, ...] = ()
    """For ``invalid``: where the first wrong field is (empty: the body itself)."""
    message: str = ""
    """For ``invalid``: pydantic's message for it."""


async def read_body(request: Request, model: type[RequestT]) -> RequestT | BodyProblem:
    """The body as ``model``, or what is wrong with it (the first problem only, as APIs report)."""
    try:
        payload = json.loads(await request.body())
    except ValueError:
        return BodyProblem("not_json")
    if not isinstance(payload, dict):
        return BodyProblem("not_object")
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        error = exc.errors(include_url=False, include_input=False)[0]
        return BodyProblem("invalid", tuple(error["loc"]), error["msg"])


def note_created_key(request: Request, key_id: str) -> None:
    """Records in the request's log entry which key it created (the fault suite's audits read it)."""
    context = find_request_context(request.scope)
    if context is not None and context.log_entry is not None:
        context.log_entry.key_id = key_id
