"""``pulumi-apikeys <backend> import-file``: the file ``pulumi import --file`` reads, from the emulator."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.cli.conftest import ORG

# The JSON fields of Pulumi's importFile and importSpec structs (pkg/cmd/pulumi/operations/import.go),
# which `pulumi import --file` decodes the file into.
IMPORT_FILE_FIELDS = {"nameTable", "resources", "providerInputs"}
IMPORT_SPEC_FIELDS = {
    "type", "name", "id", "parent", "provider", "version", "pluginDownloadUrl", "properties",
    "component", "remote", "inputs", "outputs", "logicalName", "parameterization", "extension",
}  # fmt: skip


def specs_pulumi_reads(text: str) -> list[dict[str, Any]]:
    """The resources of an import file, checked as ``readImportFile`` and ``parseImportFile`` do."""
    document = json.loads(text)
    assert set(document) <= IMPORT_FILE_FIELDS
    specs = document["resources"]
    for spec in specs:
        assert set(spec) <= IMPORT_SPEC_FIELDS, spec
        # What parseImportFile requires of a resource that is not a component or a provider.
        assert all(isinstance(spec[field], str) and spec[field] for field in ("type", "name", "id")), spec
        assert not spec["type"].startswith("pulumi:providers:")
    names = [spec["name"] for spec in specs]
    assert len(set(names)) == len(names), names  # a repeated name is ambiguous to the name table
    return specs


def test_the_openai_file_is_what_pulumi_import_file_reads(openai_cli, openai_client):
    created = openai_client.create(name="CI deployer")
    result = openai_cli("import-file")
    assert result.exit_code == 0, result.output
    assert specs_pulumi_reads(result.stdout) == [
        {"type": "apikeys:openai:AdminApiKey", "name": "ci-deployer", "id": created.id}
    ]


def test_the_capy_file_is_what_pulumi_import_file_reads_with_organization_and_key_in_the_id(
    capy_cli, capy_client
):
    created = capy_client.create(organization_id=ORG, name="CI deployer", scopes=["keys:read"]).api_key
    result = capy_cli("import-file", "--organization", ORG)
    assert result.exit_code == 0, result.output
    assert specs_pulumi_reads(result.stdout) == [
        {"type": "apikeys:capy:ApiKey", "name": "ci-deployer", "id": f"{ORG}/{created.id}"}
    ]


def test_the_file_is_indented_as_pulumi_writes_its_own(openai_cli, openai_client):
    openai_client.create(name="k")
    assert openai_cli("import-file").stdout.startswith('{\n    "resources": [\n        {\n')


def test_resource_names_are_readable_and_numbered_on_repeats_in_the_apis_order(openai_cli, openai_client):
    names = ["CI deployer", "Nightly reports", "CI deployer", "ci-deployer-2", "Café ☕", "日本", "9 lives"]
    created = [openai_client.create(name=name) for name in names]
    specs = specs_pulumi_reads(openai_cli("import-file").stdout)
    assert [(spec["name"], spec["id"]) for spec in specs] == [
        ("ci-deployer", created[0].id),
        ("nightly-reports", created[1].id),
        ("ci-deployer-2", created[2].id),
        ("ci-deployer-2-2", created[3].id),  # its own name was taken by the repeat before it
        ("cafe", created[4].id),
        (created[5].id.replace("_", "-"), created[5].id),  # nothing usable in the name: the id
        ("9-lives", created[6].id),
    ]


def test_the_same_keys_always_get_the_same_names(openai_cli, openai_client):
    for name in ("a", "a", "b"):
        openai_client.create(name=name)
    assert openai_cli("import-file").stdout == openai_cli("import-file").stdout


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("CI *", ["CI deployer", "CI reader"]),
        ("ci *", []),  # case-sensitive
        ("*reader", ["CI reader"]),
        ("CI [d]*", ["CI deployer"]),
        ("Nightly", ["Nightly"]),
    ],
)
def test_name_keeps_the_keys_whose_name_matches_a_case_sensitive_shell_pattern(
    openai_cli, openai_client, pattern, expected
):
    by_id = {openai_client.create(name=name).id: name for name in ("CI deployer", "Nightly", "CI reader")}
    result = openai_cli("import-file", "--name", pattern)
    if not expected:
        assert result.exit_code == 1
        return
    assert [by_id[spec["id"]] for spec in specs_pulumi_reads(result.stdout)] == expected


def test_revoked_capy_keys_are_skipped_and_counted(capy_cli, capy_client):
    live = capy_client.create(organization_id=ORG, name="live", scopes=["keys:read"]).api_key
    for name in ("old", "older"):
        capy_client.revoke(
            ORG, capy_client.create(organization_id=ORG, name=name, scopes=["keys:read"]).api_key.id
        )

    result = capy_cli("import-file", "--organization", ORG)

    assert result.exit_code == 0, result.output
    assert [spec["id"] for spec in specs_pulumi_reads(result.stdout)] == [f"{ORG}/{live.id}"]
    assert "2 keys skipped (revoked or inactive)" in result.stderr


def test_output_writes_the_file_and_says_how_many_where_and_what_to_run_next(
    openai_cli, openai_client, tmp_path
):
    for name in ("a", "b"):
        openai_client.create(name=name)
    target = tmp_path / "keys.json"

    result = openai_cli("import-file", "--output", str(target))

    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert len(specs_pulumi_reads(target.read_text())) == 2
    assert result.stderr == (
        f"2 keys of the organization written to {target} as apikeys:openai:AdminApiKey; "
        f"next: pulumi import --file {target}\n"
    )


def test_the_summary_goes_to_stderr_so_stdout_is_the_file_alone(capy_cli, capy_client):
    capy_client.create(organization_id=ORG, name="k", scopes=["keys:read"])
    result = capy_cli("import-file", "--organization", ORG)
    specs_pulumi_reads(result.stdout)
    assert result.stderr.startswith(f"1 key of organization {ORG!r} written to stdout as apikeys:capy:ApiKey")
    assert result.stderr.endswith("next: pulumi import --file <file>\n")


def test_an_existing_output_file_is_refused_before_any_api_call(openai_cli, emulator, tmp_path):
    existing = tmp_path / "keys.json"
    existing.write_text("mine\n")
    result = openai_cli("import-file", "--output", str(existing))
    assert result.exit_code == 2
    assert "--force" in result.output
    assert existing.read_text() == "mine\n"
    assert emulator.control.requests() == []


def test_force_overwrites_an_existing_output_file(openai_cli, openai_client, tmp_path):
    created = openai_client.create(name="k")
    existing = tmp_path / "keys.json"
    existing.write_text("mine\n")
    result = openai_cli("import-file", "--output", str(existing), "--force")
    assert result.exit_code == 0, result.output
    assert [spec["id"] for spec in specs_pulumi_reads(existing.read_text())] == [created.id]


def test_an_output_that_cannot_be_written_is_one_line_with_exit_1(openai_cli, openai_client, tmp_path):
    openai_client.create(name="k")
    result = openai_cli("import-file", "--output", str(tmp_path / "missing" / "keys.json"))
    assert result.exit_code == 1
    assert (
        result.output
        == f"Error: Cannot write {tmp_path / 'missing' / 'keys.json'}: No such file or directory.\n"
    )


def test_nothing_to_import_is_one_line_with_exit_1_and_writes_no_file(capy_cli, capy_client, tmp_path):
    gone = capy_client.create(organization_id=ORG, name="old", scopes=["keys:read"]).api_key
    capy_client.revoke(ORG, gone.id)
    target = tmp_path / "keys.json"

    result = capy_cli("import-file", "--organization", ORG, "--output", str(target))

    assert result.exit_code == 1
    assert result.output == (
        f"Error: No keys to import: the one key of organization {ORG!r} is revoked or inactive.\n"
    )
    assert not target.exists()


def test_a_pattern_matching_nothing_says_how_many_keys_there_are(openai_cli, openai_client):
    openai_client.create(name="k")
    result = openai_cli("import-file", "--name", "zzz*")
    assert (result.exit_code, result.output) == (
        1,
        "Error: No keys to import: none of the 1 key of the organization has a name matching 'zzz*'.\n",
    )


def test_an_empty_organization_has_nothing_to_import(openai_cli):
    result = openai_cli("import-file")
    assert (result.exit_code, result.output) == (1, "Error: No keys to import: the organization has none.\n")


@pytest.mark.parametrize("backend", ["openai", "capy"])
def test_an_api_error_is_one_line_with_exit_1_and_no_credential(openai_cli, capy_cli, monkeypatch, backend):
    wrong = {
        "openai": ("OPENAI_ADMIN_KEY", "sk-admin-wrong-one"),
        "capy": ("CAPY_API_KEY", "capy_live_wrong"),
    }
    variable, value = wrong[backend]
    monkeypatch.setenv(variable, value)
    run, args = (openai_cli, []) if backend == "openai" else (capy_cli, ["--organization", ORG])

    result = run("import-file", *args)

    assert result.exit_code == 1
    assert len(result.output.splitlines()) == 1
    assert result.output.startswith("Error: ")
    assert "HTTP 401" in result.output
    assert value not in result.output


def test_no_key_value_or_credential_is_ever_printed(
    openai_cli, capy_cli, openai_client, capy_client, emulator
):
    values = {
        openai_client.send_create(name="CI deployer").value.get_secret_value(),
        capy_client.send_create(
            organization_id=ORG, name="CI", scopes=["keys:read"]
        ).plaintext_api_key.get_secret_value(),
        emulator.endpoint("openai").credential,
        emulator.endpoint("capy").credential,
    }
    outputs = [
        *(openai_cli(command).output for command in ("import-file", "import-code")),
        *(capy_cli(command, "--organization", ORG).output for command in ("import-file", "import-code")),
        capy_cli("list", "--organization", ORG).output,
        capy_cli("list", "--organization", ORG, "--json").output,
    ]
    assert all(output for output in outputs)
    assert [value for value in values for output in outputs if value in output] == []
