"""How the plugin starts, what it prints and where its messages go, as the engine sees it."""

from __future__ import annotations

import signal

import pytest
from google.protobuf import empty_pb2
from pulumi.runtime.proto import engine_pb2, provider_pb2

from pulumi_apikeys._version import __version__
from tests.plugin.conftest import configure, stack_args
from tests.plugin.driver import LAUNCHES

URN = "urn:pulumi:dev::keys::apikeys:openai:AdminApiKey::ci"


@pytest.mark.parametrize("launch", sorted(LAUNCHES))
def test_the_plugin_prints_its_port_and_nothing_else_on_stdout(start_plugin, emulator, launch):
    plugin = start_plugin(launch)
    configure(plugin, stack_args(emulator))
    plugin.stub.Check(provider_pb2.CheckRequest(urn=URN, news=_struct({"name": "CI"})))

    rest, _stderr = plugin.stop()

    assert plugin.port_line.strip().isdigit()
    assert rest == ""


@pytest.mark.parametrize("launch", sorted(LAUNCHES))
def test_an_interrupt_from_a_terminal_ends_the_plugin_quietly(start_plugin, emulator, launch):
    plugin = start_plugin(launch)
    configure(plugin, stack_args(emulator))

    _out, stderr = plugin.stop(signal.SIGINT)

    assert plugin.proc.returncode == 0
    assert "Traceback" not in stderr
    assert "Event loop is closed" not in stderr


@pytest.mark.parametrize("launch", sorted(LAUNCHES))
def test_the_plugin_reports_the_package_version(start_plugin, launch):
    plugin = start_plugin(launch)

    assert plugin.stub.GetPluginInfo(empty_pb2.Empty()).version == __version__


def test_the_engine_address_is_the_last_argument_after_the_engines_flags(start_plugin, engine):
    # buildPluginArguments: --logtostderr -v=N --tracing X, then the engine's address.
    start_plugin(flags=["--logtostderr", "-v=9", "--tracing", "127.0.0.1:1"], APIKEYS_LOG_LEVEL="chatty")

    # The plugin's first message reached the address given last, not the tracing endpoint.
    engine.wait_for("APIKEYS_LOG_LEVEL")


def test_the_packages_log_records_reach_the_engine_not_stderr(start_plugin, emulator, engine):
    plugin = start_plugin(APIKEYS_LOG_LEVEL="debug")
    configure(plugin, stack_args(emulator))
    _read_missing_key(plugin)

    line = engine.wait_for("/organization/admin_api_keys/key_missing")
    _out, stderr = plugin.stop()

    assert line.severity == engine_pb2.DEBUG
    assert "admin_api_keys" not in stderr


def test_a_bad_log_level_is_reported_through_the_engine(start_plugin, engine):
    start_plugin(APIKEYS_LOG_LEVEL="chatty")

    line = engine.wait_for("APIKEYS_LOG_LEVEL='chatty'")

    assert line.severity == engine_pb2.WARNING


def test_no_credential_reaches_a_log_message(start_plugin, emulator, engine):
    plugin = start_plugin(APIKEYS_LOG_LEVEL="debug")
    configure(plugin, stack_args(emulator))
    _read_missing_key(plugin)
    engine.wait_for("key_missing")

    credentials = [emulator.endpoint("openai").credential, emulator.endpoint("capy").credential]
    assert not [line for line in engine.lines if any(c in line.message for c in credentials)]


def _read_missing_key(plugin):
    """A refresh of a key that is gone: one GET, logged at debug level, answered with a blank id."""
    state = _struct({"name": "CI", "redactedValue": "sk-...abc", "createdAt": 1.0, "owner": {}})
    response = plugin.stub.Read(provider_pb2.ReadRequest(urn=URN, id="key_missing", properties=state))
    assert response.id == ""


def _struct(values):
    from tests.plugin.driver import struct

    return struct(values)
