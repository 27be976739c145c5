"""The emulator's ASGI app: the services' APIs and the control API, behind the emulator's own layers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from pulumi_apikeys.emulator.config import EmulatorConfig
from pulumi_apikeys.emulator.context import RequestContextMiddleware
from pulumi_apikeys.emulator.control_api import ControlApi
from pulumi_apikeys.emulator.fault_layer import FaultMiddleware
from pulumi_apikeys.emulator.service import ServiceSpec
from pulumi_apikeys.emulator.state import EmulatorState
from pulumi_apikeys.emulator.surface import ApiSurface, ErrorRenderers

__all__ = ["EmulatorApp", "build_app"]


class EmulatorApp(Starlette):
    """Starlette serving the services' surfaces and the control API.

    ``emulator`` is the live state (services, faults, log), for tests that need to look inside.
    The first surface's error format answers for paths no surface owns.
    """

    def __init__(self, state: EmulatorState, surfaces: Sequence[ApiSurface]) -> None:
        self.emulator = state
        self.renderers = ErrorRenderers(surfaces)
        routes = [route for surface in surfaces for route in surface.routes]
        routes.append(ControlApi(state).mount())
        super().__init__(
            routes=routes,
            exception_handlers={HTTPException: self._http_error, Exception: self._crash},
        )

    def build_middleware_stack(self) -> ASGIApp:
        # The emulator's layers wrap Starlette's whole stack, error handling included, rather than
        # sit inside it: the outermost layer must receive the server's own `send` (dropping a
        # connection needs it), and even a crash's 500 must carry a request id and reach the log.
        starlette_stack = super().build_middleware_stack()
        with_faults = FaultMiddleware(
            starlette_stack,
            self.emulator.faults,
            self.renderers,
            log=self.emulator.log,
            stopping=self.emulator.stopping,
        )
        return RequestContextMiddleware(with_faults, self.emulator.log)

    async def _http_error(self, request: Request, exc: Exception) -> Response:
        """Unknown paths (404) and methods (405), in the error format of the vendor owning the path."""
        assert isinstance(exc, HTTPException)
        render = self.renderers.for_path(request.url.path)
        where = f"{request.method} {request.url.path}"
        if exc.status_code == 404:
            message = f"Invalid URL ({where})"
        elif exc.status_code == 405:
            message = f"Method not allowed ({where})"
        else:
            message = exc.detail
        return render(exc.status_code, message, type="invalid_request_error", headers=exc.headers)

    async def _crash(self, request: Request, exc: Exception) -> Response:
        """A bug in the emulator: answer as the API does when it fails, not with a traceback."""
        render = self.renderers.for_path(request.url.path)
        return render(500, "The emulator failed while handling the request.", type="server_error")


def build_app(config: EmulatorConfig, specs: Sequence[ServiceSpec[Any]] | None = None) -> EmulatorApp:
    """The emulator app for ``config``: each service of ``specs``, then the control API.

    ``specs`` defaults to the registered backends' services, in registry order: the first
    registered one's error format answers for paths no service owns.
    """
    state = EmulatorState.from_config(config, specs)
    return EmulatorApp(state, [service.surface() for service in state.services.values()])
