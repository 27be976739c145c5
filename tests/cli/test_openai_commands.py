"""``pulumi-apikeys openai …`` against the emulator, and how a backend's group joins the command line."""

from __future__ import annotations

import json
import re
import stat

import click
import pytest
from click.testing import CliRunner

from pulumi_apikeys import registry
from pulumi_apikeys.cli import main
from pulumi_apikeys.core.backend import Backend, LazyRef
from pulumi_apikeys.core.stack_config import Setting
from pulumi_apikeys.openai.cli import openai_group
from pulumi_apikeys.openai.client import AdminApiKeysClient


@pytest.fixture
def api(emulator):
    """Where the emulator serves the Admin API, and the admin key it accepts."""
    return emulator.endpoint("openai")


@pytest.fixture
def cli(api, monkeypatch):
    """Runs ``pulumi-apikeys openai ARGS`` configured for the emulator through the environment."""
    monkeypatch.setenv("OPENAI_ADMIN_KEY", api.credential)
    monkeypatch.setenv("OPENAI_BASE_URL", api.base_url)

    def run(*args: str):
        return CliRunner().invoke(main, ["openai", *args])

    return run


@pytest.fixture
def client(api):
    return AdminApiKeysClient(admin_key=api.credential, base_url=api.base_url)


def test_create_writes_the_value_to_a_file_only_its_owner_can_read(cli, tmp_path, api):
    value_file = tmp_path / "deployer.key"
    result = cli("create", "--name", "CI deployer", "--value-file", str(value_file))
    assert result.exit_code == 0, result.output
    value = value_file.read_text().strip()
    assert stat.S_IMODE(value_file.stat().st_mode) == 0o600
    assert value not in result.output
    AdminApiKeysClient(admin_key=value, base_url=api.base_url).list_page()


def test_create_prints_the_value_only_when_asked(cli):
    result = cli("create", "--name", "k", "--print-value")
    assert result.exit_code == 0
    assert result.output.startswith("sk-admin-")


def test_create_without_a_destination_for_the_value_creates_nothing(cli, emulator):
    result = cli("create", "--name", "k")
    assert result.exit_code == 2
    assert "--value-file" in result.output
    assert emulator.control.requests() == []


def test_create_refuses_to_overwrite_an_existing_value_file(cli, tmp_path, emulator):
    existing = tmp_path / "taken.key"
    existing.write_text("another key\n")
    result = cli("create", "--name", "k", "--value-file", str(existing))
    assert result.exit_code == 2
    assert existing.read_text() == "another key\n"
    assert emulator.control.requests() == []


def test_list_shows_ids_names_and_redacted_values(cli, client):
    created = client.create(name="CI deployer")
    result = cli("list")
    assert result.exit_code == 0
    assert created.id in result.output
    assert "CI deployer" in result.output
    assert created.redacted_value in result.output
    assert created.value.get_secret_value() not in result.output


def test_list_filters_by_exact_name_and_prints_ids(cli, client):
    wanted = client.create(name="wanted")
    client.create(name="wanted-not")
    result = cli("list", "--name", "wanted", "--ids")
    assert result.output.splitlines() == [wanted.id]


def test_list_as_json_is_one_key_object_per_line(cli, client):
    created = client.create(name="k")
    [line] = cli("list", "--json").output.splitlines()
    assert json.loads(line)["id"] == created.id


def test_get_prints_the_key_as_json(cli, client):
    created = client.create(name="k")
    result = cli("get", created.id)
    assert json.loads(result.output)["name"] == "k"


def test_delete_twice_reports_the_second_as_already_gone(cli, client):
    created = client.create(name="k")
    assert cli("delete", created.id).output.strip() == f"deleted {created.id}"
    assert cli("delete", created.id).output.strip() == f"{created.id} was already gone"


def test_an_api_error_is_one_line_without_a_traceback_or_the_credential(cli, monkeypatch):
    monkeypatch.setenv("OPENAI_ADMIN_KEY", "sk-admin-not-the-right-one")
    result = cli("list")
    assert result.exit_code == 1
    assert result.output.startswith("Error: openai.admin_api_keys.list failed with HTTP 401")
    assert "Traceback" not in result.output
    assert "sk-admin-not-the-right-one" not in result.output


def test_a_missing_admin_key_says_which_variable_to_set(cli, monkeypatch):
    monkeypatch.delenv("OPENAI_ADMIN_KEY")
    result = cli("list")
    assert result.exit_code == 1
    assert "OPENAI_ADMIN_KEY" in result.output


def test_the_base_url_option_wins_over_the_environment(cli, api, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "https://unreachable.invalid/v1")
    result = cli("--base-url", api.base_url, "list")
    assert result.exit_code == 0
    assert result.output.strip() == "no keys"


def test_the_openai_group_is_the_one_its_backend_names():
    ctx = click.Context(main)

    assert registry.backend("openai").cli == LazyRef("pulumi_apikeys.openai.cli:openai_group")
    assert main.get_command(ctx, "openai") is openai_group
    assert "openai" in main.list_commands(ctx)


@click.group("gadget")
def gadget_group() -> None:
    """Gadget vendor keys."""


@gadget_group.command("hello")
def gadget_hello() -> None:
    click.echo("hello from the gadget backend")


GADGET = Backend(
    name="gadget",
    title="Gadget",
    credential=Setting("gadgetKey", "GADGET_KEY", "gadget key", secret=True),
    base_url=Setting("gadgetBaseUrl", "GADGET_BASE_URL", "gadget base URL"),
    resources=(),
    cli=LazyRef(f"{__name__}:gadget_group"),
)


def test_every_registered_backend_with_a_group_gets_its_subcommand():
    with registry.temporarily_registered(GADGET):
        listed = CliRunner().invoke(main, ["--help"]).output
        ran = CliRunner().invoke(main, ["gadget", "hello"])

    assert re.search(r"^  gadget +Gadget vendor keys\.$", listed, re.MULTILINE)
    assert ran.exit_code == 0, ran.output
    assert ran.output == "hello from the gadget backend\n"
    assert "gadget" not in main.list_commands(click.Context(main))  # gone with its backend


def test_the_generic_commands_are_there_whatever_the_backends():
    assert {"demo", "emulator", "schema"} <= set(main.list_commands(click.Context(main)))
