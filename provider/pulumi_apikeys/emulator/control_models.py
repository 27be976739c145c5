"""What the control API sends and takes, shared by its endpoints and its client (no starlette)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, TypeAdapter

from pulumi_apikeys.emulator.faults import FaultKind
from pulumi_apikeys.emulator.request_log import RecordedRequest

__all__ = ["RECORDED_REQUESTS", "ControlErrorBody", "ControlErrorDetail", "EmulatorHealth"]

RECORDED_REQUESTS = TypeAdapter(list[RecordedRequest])
"""(De)serialises the request log as the control API sends it: a JSON array."""


class EmulatorHealth(BaseModel):
    """What ``GET /_emulator/health`` reports."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    status: str
    """``ok`` whenever the emulator answers at all."""
    keys: dict[str, int]
    """How many keys each service's store holds, by backend name (revoked ones kept are counted)."""
    requests: int
    """How many API requests the log holds."""
    faults_injected: dict[FaultKind, int]
    """How many faults of each kind were injected since the last reset."""
    throttled: int = 0
    """How many requests the rate limit refused since the last reset."""


class ControlErrorDetail(BaseModel):
    """The ``error`` member of a control API error."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    message: str
    type: str
    # Never set, but sent (as null): the body keeps the shape control clients have always read.
    param: str | None = None
    code: str | None = None


class ControlErrorBody(BaseModel):
    """A control API error: ``{"error": {"message", "type", "param", "code"}}``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    error: ControlErrorDetail
