"""The app's structure: vendor surfaces side by side, each answering errors in its own format."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from pulumi_apikeys.emulator import EmulatorConfig, FaultPlan
from pulumi_apikeys.emulator.app import EmulatorApp
from pulumi_apikeys.emulator.state import EmulatorState
from pulumi_apikeys.emulator.surface import ApiSurface

LOOPBACK = ("127.0.0.1", 50000)


def _plain_error(
    status: int,
    message: str,
    *,
    type: str,
    code: str | None = None,
    param: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A second vendor's error format: ``{"error": "message"}``."""
    return JSONResponse({"error": message}, status_code=status, headers=headers)


async def _crash(request: Request) -> Response:
    raise RuntimeError("a bug in the emulator")


def _two_vendor_app() -> EmulatorApp:
    state = EmulatorState.from_config(EmulatorConfig())
    other = ApiSurface(
        name="other",
        path_prefix="/v1/organizations",
        routes=[Route("/v1/organizations/{org}/crash", _crash)],
        render_error=_plain_error,
    )
    return EmulatorApp(state, [state.services["openai"].surface(), other])


def test_an_unknown_path_is_answered_in_the_format_of_the_vendor_owning_it() -> None:
    with TestClient(_two_vendor_app(), client=LOOPBACK) as client:
        other = client.get("/v1/organizations/org_1/nothing")
        openai = client.get("/v1/nothing")

    assert other.json() == {"error": "Invalid URL (GET /v1/organizations/org_1/nothing)"}
    assert openai.json()["error"]["type"] == "invalid_request_error"


def test_an_injected_fault_is_answered_in_the_format_of_the_vendor_owning_the_path() -> None:
    app = _two_vendor_app()
    app.emulator.faults.replace(FaultPlan(script=["server_error"]))

    with TestClient(app, client=LOOPBACK) as client:
        response = client.get("/v1/organizations/org_1/crash")

    assert response.status_code == 500
    assert isinstance(response.json()["error"], str)


def test_a_crash_is_a_500_with_a_request_id_and_a_log_entry() -> None:
    app = _two_vendor_app()

    with TestClient(app, client=LOOPBACK, raise_server_exceptions=False) as client:
        response = client.get("/v1/organizations/org_1/crash")

    assert response.status_code == 500
    assert "a bug" not in response.text  # no traceback or exception text leaks out
    (entry,) = app.emulator.log.records()
    assert (entry.status, entry.request_id) == (500, response.headers["x-request-id"])
