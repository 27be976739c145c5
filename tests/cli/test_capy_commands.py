"""``pulumi-apikeys capy …`` against the emulator: list, get and delete, as the openai group has them."""

from __future__ import annotations

import json

import click

from pulumi_apikeys import registry
from pulumi_apikeys.capy.cli import capy_group
from pulumi_apikeys.cli import main
from pulumi_apikeys.core.backend import LazyRef
from tests.cli.conftest import ORG


def test_list_shows_ids_names_prefixes_and_which_keys_are_revoked(capy_cli, capy_client):
    live = capy_client.send_create(organization_id=ORG, name="CI deployer", scopes=["write", "keys:read"])
    old = capy_client.create(organization_id=ORG, name="Old", scopes=["keys:read"]).api_key
    capy_client.revoke(ORG, old.id)

    result = capy_cli("list", "--organization", ORG)

    assert result.exit_code == 0, result.output
    header, *rows = result.output.splitlines()
    assert header.split() == [
        "ID", "NAME", "KEY_PREFIX", "SCOPES", "STATUS", "CREATED", "EXPIRES", "LAST_USED"
    ]  # fmt: skip
    assert rows[0].split()[:2] == [live.api_key.id, "CI"]
    assert f"{live.api_key.key_prefix}  keys:read,write  active" in rows[0]
    assert rows[1].split()[:2] == [old.id, "Old"]
    assert " revoked " in rows[1]
    assert live.plaintext_api_key.get_secret_value() not in result.output


def test_list_of_an_organization_without_keys_says_so(capy_cli):
    result = capy_cli("list", "--organization", ORG)
    assert (result.exit_code, result.output) == (0, "no keys\n")


def test_list_filters_by_exact_name_and_prints_ids(capy_cli, capy_client):
    wanted = capy_client.create(organization_id=ORG, name="wanted", scopes=["keys:read"]).api_key
    capy_client.create(organization_id=ORG, name="wanted-not", scopes=["keys:read"])
    result = capy_cli("list", "--organization", ORG, "--name", "wanted", "--ids")
    assert result.output.splitlines() == [wanted.id]


def test_list_as_json_is_one_key_object_per_line(capy_cli, capy_client):
    created = capy_client.create(organization_id=ORG, name="k", scopes=["keys:read"]).api_key
    [line] = capy_cli("list", "--organization", ORG, "--json").output.splitlines()
    assert json.loads(line)["id"] == created.id


def test_list_is_scoped_to_the_organization(capy_cli, capy_client):
    capy_client.create(organization_id="org_other", name="elsewhere", scopes=["keys:read"])
    assert capy_cli("list", "--organization", ORG, "--ids").output == ""


def test_get_prints_the_key_as_json(capy_cli, capy_client):
    created = capy_client.create(organization_id=ORG, name="k", scopes=["keys:read"]).api_key
    result = capy_cli("get", "--organization", ORG, created.id)
    shown = json.loads(result.output)
    assert (shown["id"], shown["name"], shown["organization_id"], shown["is_active"]) == (
        created.id,
        "k",
        ORG,
        True,
    )


def test_get_of_a_missing_key_is_one_line_naming_it(capy_cli):
    result = capy_cli("get", "--organization", ORG, "ak_missing")
    assert result.exit_code == 1
    assert result.output == f"Error: the organization {ORG!r} has no capy API key 'ak_missing'\n"


def test_delete_revokes_and_a_second_delete_reports_it_already_revoked(capy_cli, capy_client):
    created = capy_client.create(organization_id=ORG, name="k", scopes=["keys:read"]).api_key
    assert capy_cli("delete", "--organization", ORG, created.id).output == f"revoked {created.id}\n"
    assert capy_cli("delete", "--organization", ORG, created.id).output == (
        f"{created.id} was already revoked or gone\n"
    )
    found = capy_client.find(ORG, created.id)
    assert found is not None
    assert found.is_gone


def test_every_command_needs_the_organization(capy_cli):
    for args in (["list"], ["get", "ak_abc"], ["delete", "ak_abc"], ["import-file"], ["import-code"]):
        result = capy_cli(*args)
        assert result.exit_code == 2, args
        assert "Missing option '--organization'" in result.output


def test_an_api_error_is_one_line_without_a_traceback_or_the_credential(capy_cli, monkeypatch):
    monkeypatch.setenv("CAPY_API_KEY", "capy_live_not-the-right-one")
    result = capy_cli("list", "--organization", ORG)
    assert result.exit_code == 1
    assert result.output.startswith("Error: capy.api_keys.list failed with HTTP 401")
    assert len(result.output.splitlines()) == 1
    assert "capy_live_not-the-right-one" not in result.output


def test_a_missing_api_key_says_which_variable_to_set(capy_cli, monkeypatch):
    monkeypatch.delenv("CAPY_API_KEY")
    result = capy_cli("list", "--organization", ORG)
    assert result.exit_code == 1
    assert "CAPY_API_KEY" in result.output


def test_a_missing_base_url_says_which_variable_to_set(capy_cli, monkeypatch):
    monkeypatch.delenv("CAPY_BASE_URL")
    result = capy_cli("list", "--organization", ORG)
    assert result.exit_code == 1
    assert "CAPY_BASE_URL" in result.output
    assert len(result.output.splitlines()) == 1


def test_the_base_url_option_wins_over_the_environment(capy_cli, emulator, monkeypatch):
    monkeypatch.setenv("CAPY_BASE_URL", "https://unreachable.invalid")
    result = capy_cli("--base-url", emulator.endpoint("capy").base_url, "list", "--organization", ORG)
    assert (result.exit_code, result.output) == (0, "no keys\n")


def test_no_command_takes_the_api_key_as_an_option():
    ctx = click.Context(capy_group)
    options = {
        name
        for command in [capy_group, *(capy_group.get_command(ctx, n) for n in capy_group.list_commands(ctx))]
        if command is not None
        for param in command.params
        if isinstance(param, click.Option)
        for name in param.opts
    }
    assert not {name for name in options if "key" in name or "credential" in name or "token" in name}


def test_the_capy_group_is_the_one_its_backend_names():
    ctx = click.Context(main)

    assert registry.backend("capy").cli == LazyRef("pulumi_apikeys.capy.cli:capy_group")
    assert main.get_command(ctx, "capy") is capy_group
    assert "capy" in main.list_commands(ctx)
    assert set(capy_group.list_commands(ctx)) == {"delete", "get", "import-code", "import-file", "list"}
