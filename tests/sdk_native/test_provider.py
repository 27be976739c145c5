"""The SDK's ``Provider`` sends its settings as the plugin's ``Configure`` expects them."""

from __future__ import annotations

import pulumi
import pytest

from pulumi_apikeys._version import __version__
from pulumi_apikeys_native import Provider, ProviderArgs, config
from pulumi_apikeys_native.openai import AdminApiKey
from tests.sdk_native.conftest import ADMIN_API_KEY, PROVIDER, MockedEngine, secret, wire


def test_a_provider_registers_the_packages_provider_at_its_version(engine: MockedEngine):
    engine.run(lambda: Provider("explicit", openai_base_url="http://127.0.0.1:8787/v1"))

    request = engine.monitor.registration(PROVIDER)
    assert wire(request.object) == {"openaiBaseUrl": "http://127.0.0.1:8787/v1"}
    assert request.version == __version__


def test_a_providers_credentials_are_sent_as_secrets(engine: MockedEngine):
    engine.run(lambda: Provider("explicit", openai_admin_key="sk-admin", capy_api_key="capy-key"))

    assert wire(engine.monitor.registration(PROVIDER).object) == {
        "openaiAdminKey": secret("sk-admin"),
        "capyApiKey": secret("capy-key"),
    }


def test_a_providers_numbers_are_sent_as_their_json_text(engine: MockedEngine):
    engine.run(lambda: Provider("explicit", max_retries=3, request_timeout=2.5))

    assert wire(engine.monitor.registration(PROVIDER).object) == {"maxRetries": "3", "requestTimeout": "2.5"}


def test_a_provider_args_object_registers_as_keyword_arguments_do(engine: MockedEngine):
    engine.run(lambda: Provider("explicit", ProviderArgs(capy_base_url="http://capy", total_timeout=30)))

    assert wire(engine.monitor.registration(PROVIDER).object) == {
        "capyBaseUrl": "http://capy",
        "totalTimeout": "30",
    }


def test_a_resource_given_the_provider_registers_with_it(engine: MockedEngine):
    def program() -> pulumi.Output[list[object]]:
        explicit = Provider("explicit", openai_admin_key="sk-admin")
        key = AdminApiKey("deployer", name="CI deployer", opts=pulumi.ResourceOptions(provider=explicit))
        return pulumi.Output.all(explicit.urn, explicit.id, key.urn)

    provider_urn, provider_id, _ = engine.run(program)

    assert engine.monitor.registration(ADMIN_API_KEY).provider == f"{provider_urn}::{provider_id}"


def test_the_config_module_reads_the_stacks_settings_typed(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PULUMI_CONFIG", '{"apikeys:maxRetries": "4", "apikeys:openaiBaseUrl": "http://x"}')

    assert (config.max_retries, config.openai_base_url, config.capy_base_url) == (4, "http://x", None)
