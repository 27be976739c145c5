"""The control API under ``/_emulator/``: faults, request log, reset and health, for tests and ops.

It answers loopback callers only: it can wipe every key and switch faults on, so nothing outside
the machine may reach it, even when the emulator listens on a public address.
"""

from __future__ import annotations

import json

from pydantic import ValidationError
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from pulumi_apikeys.emulator.context import CONTROL_PREFIX
from pulumi_apikeys.emulator.control_models import (
    RECORDED_REQUESTS,
    ControlErrorBody,
    ControlErrorDetail,
    EmulatorHealth,
)
from pulumi_apikeys.emulator.faults import FaultPlan
from pulumi_apikeys.emulator.state import EmulatorState
from pulumi_apikeys.settings import is_loopback_host

__all__ = ["RECORDED_REQUESTS", "ControlApi", "EmulatorHealth", "LoopbackOnlyMiddleware"]


def _error(status: int, message: str, *, type: str) -> Response:
    body = ControlErrorBody(error=ControlErrorDetail(message=message, type=type))
    return JSONResponse(body.model_dump(mode="json"), status_code=status)


class LoopbackOnlyMiddleware:
    """Refuses (403) every caller that is not on this machine."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] == "http" and not is_loopback_host(client[0] if client else None):
            response = _error(
                403, "The emulator's control API answers loopback callers only.", type="permission_error"
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class ControlApi:
    """The control endpoints over one emulator's state."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    def mount(self) -> Mount:
        """The endpoints, mounted under ``/_emulator`` behind the loopback check."""
        return Mount(
            CONTROL_PREFIX,
            routes=[
                Route("/faults", self._faults, methods=["GET", "PUT"]),
                Route("/requests", self._requests, methods=["GET", "DELETE"]),
                Route("/reset", self.reset, methods=["POST"]),
                Route("/health", self.health, methods=["GET"]),
            ],
            middleware=[Middleware(LoopbackOnlyMiddleware)],
        )

    async def _faults(self, request: Request) -> Response:
        return await (self.put_faults if request.method == "PUT" else self.get_faults)(request)

    async def _requests(self, request: Request) -> Response:
        return await (self.clear_requests if request.method == "DELETE" else self.get_requests)(request)

    async def get_faults(self, request: Request) -> Response:
        """The fault plan in force, its script holding only the faults still to come."""
        return JSONResponse(self.state.faults.plan.model_dump(mode="json"))

    async def put_faults(self, request: Request) -> Response:
        """Replace the fault plan (the script starts over, the seed re-seeds the rolls)."""
        try:
            plan = FaultPlan.model_validate(json.loads(await request.body()))
        except ValueError as exc:  # ValidationError is a ValueError, as is a JSON syntax error
            message = str(exc) if isinstance(exc, ValidationError) else "the body is not valid JSON"
            return _error(400, f"Invalid fault plan: {message}", type="invalid_request_error")
        self.state.faults.replace(plan)
        return JSONResponse(self.state.faults.plan.model_dump(mode="json"))

    async def get_requests(self, request: Request) -> Response:
        """The request log, oldest first."""
        return JSONResponse(RECORDED_REQUESTS.dump_python(self.state.log.records(), mode="json"))

    async def clear_requests(self, request: Request) -> Response:
        """Empty the request log."""
        self.state.log.clear()
        return Response(status_code=204)

    async def reset(self, request: Request) -> Response:
        """Drop every key, tombstone, fault and log entry."""
        self.state.reset()
        return Response(status_code=204)

    async def health(self, request: Request) -> Response:
        """A liveness probe that also counts each service's keys, logged requests and injected faults."""
        health = EmulatorHealth(
            status="ok",
            keys={name: service.key_count() for name, service in self.state.services.items()},
            requests=len(self.state.log),
            faults_injected=self.state.faults.counts,
            throttled=self.state.faults.throttled,
        )
        return JSONResponse(health.model_dump(mode="json"))
