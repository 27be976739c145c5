"""The emulator composes the registered backends' services, each keyed by its backend's name."""

from __future__ import annotations

import pydantic
import pytest
from pydantic import BaseModel
from starlette.testclient import TestClient

from pulumi_apikeys.capy.emulator_service import SERVICE as CAPY
from pulumi_apikeys.emulator import (
    EmulatorConfig,
    EmulatorService,
    RunningEmulator,
    ServiceEndpoint,
    ServiceFlag,
    ServiceSpec,
)
from pulumi_apikeys.emulator.app import build_app
from pulumi_apikeys.emulator.registered import registered_services
from pulumi_apikeys.emulator.state_file import StateSection
from pulumi_apikeys.errors import ConfigurationError
from pulumi_apikeys.openai.emulator_service import DEFAULT_ADMIN_KEY

LOOPBACK = ("127.0.0.1", 50000)


def test_the_registered_services_are_served_in_registry_order_openai_first(emulator: RunningEmulator) -> None:
    served = list(emulator.endpoints())

    assert served == [spec.name for spec in registered_services()]
    assert served[:2] == ["openai", "capy"]


def test_each_service_has_its_own_base_url_under_the_root_url(emulator: RunningEmulator) -> None:
    assert emulator.endpoint("openai").base_url == emulator.root_url + "/v1"
    assert emulator.endpoint("capy").base_url == emulator.root_url


def test_each_services_credential_is_its_configured_one(emulator_factory) -> None:
    running = emulator_factory(
        EmulatorConfig(
            port=0, services={"openai": {"admin_key": "sk-admin-mine"}, "capy": {"api_key": "capy_live_x"}}
        )
    )

    assert (running.endpoint("openai").credential, running.endpoint("capy").credential) == (
        "sk-admin-mine",
        "capy_live_x",
    )


def test_a_service_left_unconfigured_keeps_its_defaults(emulator: RunningEmulator) -> None:
    assert emulator.endpoint("openai").credential == DEFAULT_ADMIN_KEY


def test_an_endpoint_leaves_its_credential_out_of_its_repr() -> None:
    endpoint = ServiceEndpoint(base_url="http://127.0.0.1:1/v1", credential="sk-admin-secret")

    assert "sk-admin-secret" not in repr(endpoint)


def test_an_unknown_service_has_no_endpoint(emulator: RunningEmulator) -> None:
    with pytest.raises(KeyError, match=r"no emulator service named 'nope' \(known: openai, capy"):
        emulator.endpoint("nope")


def test_options_for_a_service_not_served_are_refused() -> None:
    with pytest.raises(ConfigurationError, match=r"no emulator service named 'opnai'"):
        build_app(EmulatorConfig(services={"opnai": {"admin_key": "sk-admin-x"}}))


def test_an_option_a_service_does_not_have_is_refused() -> None:
    with pytest.raises(pydantic.ValidationError, match="admin_key"):
        build_app(EmulatorConfig(services={"capy": {"admin_key": "sk-admin-x"}}))


def test_the_config_repr_leaves_the_services_credentials_out() -> None:
    config = EmulatorConfig(services={"openai": {"admin_key": "sk-admin-secret"}})

    assert "sk-admin-secret" not in repr(config)


def test_an_emulator_serves_only_the_services_it_is_given() -> None:
    app = build_app(EmulatorConfig(), [CAPY])

    with TestClient(app, client=LOOPBACK) as client:
        response = client.get("/v1/organization/admin_api_keys")

    assert list(app.emulator.services) == ["capy"]
    assert (response.status_code, response.json()) == (
        404,
        {"error": "Invalid URL (GET /v1/organization/admin_api_keys)"},
    )


def test_a_path_no_service_owns_is_answered_in_the_first_services_error_format() -> None:
    with TestClient(build_app(EmulatorConfig()), client=LOOPBACK) as client:
        response = client.get("/nothing/here")

    assert response.status_code == 404
    assert set(response.json()["error"]) == {"message", "type", "param", "code"}  # OpenAI's


class _NoDefault(BaseModel):
    api_key: str


class _WithDefault(BaseModel):
    api_key: str = "k"


def _never_built(options: BaseModel, state: StateSection | None) -> EmulatorService:
    raise AssertionError("a refused spec is never built")


def test_a_spec_whose_options_lack_a_default_is_refused() -> None:
    with pytest.raises(ValueError, match="need defaults: api_key"):
        ServiceSpec(name="vendor", options=_NoDefault, build=_never_built)


def test_a_spec_with_a_flag_for_no_option_is_refused() -> None:
    with pytest.raises(ValueError, match="flags for no option: page_size"):
        ServiceSpec(
            name="vendor",
            options=_WithDefault,
            build=_never_built,
            flags=(ServiceFlag("page_size", "The page size."),),
        )
