"""A vendor API as the emulator serves it: its routes, and how it words an error.

Each vendor's API is one route module that builds an ``ApiSurface``; the app serves them side by
side, and the layers that answer on a vendor's behalf (unknown paths, injected faults) ask
``ErrorRenderers`` for the vendor whose paths the request is under.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from pydantic import BaseModel
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

__all__ = ["ApiSurface", "ErrorFacts", "ErrorRenderer", "ErrorRenderers", "json_error_renderer"]


class ErrorRenderer(Protocol):
    """Builds a vendor's error response; a vendor whose errors are plainer ignores what it lacks."""

    def __call__(
        self,
        status: int,
        message: str,
        *,
        type: str,
        code: str | None = None,
        param: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response: ...


@dataclass(frozen=True)
class ErrorFacts:
    """What an error says, before a vendor words it into its own body."""

    message: str
    type: str
    code: str | None
    param: str | None


def json_error_renderer(body: Callable[[ErrorFacts], BaseModel]) -> ErrorRenderer:
    """The renderer of a vendor whose error is a JSON body: ``body`` builds it from the facts."""

    def render(
        status: int,
        message: str,
        *,
        type: str,
        code: str | None = None,
        param: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        facts = ErrorFacts(message=message, type=type, code=code, param=param)
        return JSONResponse(body(facts).model_dump(mode="json"), status_code=status, headers=headers)

    return render


@dataclass(frozen=True)
class ApiSurface:
    """One vendor API: the path prefix it owns, its routes, its error format."""

    name: str
    path_prefix: str
    routes: Sequence[BaseRoute]
    render_error: ErrorRenderer


class ErrorRenderers:
    """Picks a path's error format: the most specific surface owning it, else the first surface."""

    def __init__(self, surfaces: Sequence[ApiSurface]) -> None:
        if not surfaces:
            raise ValueError("the emulator needs at least one API surface")
        self._surfaces = surfaces

    def surface_for(self, path: str) -> ApiSurface:
        """The surface under whose prefix ``path`` lies (the most specific), else the first surface."""
        owners = [
            surface
            for surface in self._surfaces
            if path == surface.path_prefix or path.startswith(surface.path_prefix + "/")
        ]
        if not owners:
            return self._surfaces[0]
        return max(owners, key=lambda surface: len(surface.path_prefix))

    def for_path(self, path: str) -> ErrorRenderer:
        """The error renderer of the surface under whose prefix ``path`` lies."""
        return self.surface_for(path).render_error
