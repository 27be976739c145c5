"""``pulumi-apikeys <backend> import-code``: Python adopting existing keys, proved through the harness."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from pulumi_apikeys import registry
from pulumi_apikeys.cli.import_writers import ImportEntry, ImportSet, import_code
from pulumi_apikeys.emulator import RunningEmulator
from pulumi_apikeys.openai.declaration import ADMIN_API_KEY
from tests.backends import stack_config
from tests.cli.conftest import ORG
from tests.harness import HarnessStack
from tests.harness.state import FAST_KDF_ITERATIONS

IMPORT_LINE = {
    "openai": "from pulumi_apikeys.openai import AdminApiKey",
    "capy": "from pulumi_apikeys.capy import ApiKey",
}


def ruff(*args: str, source: str) -> subprocess.CompletedProcess[str]:
    """ruff on ``source`` with its defaults, as in a user's project (not this repository's settings)."""
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--isolated", "--stdin-filename", "program.py", "-"],
        input=source,
        capture_output=True,
        text=True,
        check=False,
    )


def calls(source: str) -> dict[str, ast.Call]:
    """Each top-level ``variable = Class(...)`` of the code, by variable."""
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            [target] = node.targets
            assert isinstance(target, ast.Name)
            found[target.id] = node.value
    return found


def keywords(call: ast.Call) -> dict[str, object]:
    """The call's keyword arguments as values; ``opts`` as the ``import_`` it gives."""
    values: dict[str, object] = {}
    for kw in call.keywords:
        assert kw.arg is not None
        if kw.arg == "opts":
            assert isinstance(kw.value, ast.Call)
            [option] = kw.value.keywords
            assert option.arg == "import_"
            values["import_"] = ast.literal_eval(option.value)
        else:
            values[kw.arg] = ast.literal_eval(kw.value)
    return values


def test_the_code_compiles_and_ruff_leaves_it_as_it_is(openai_cli, capy_cli, openai_client, capy_client):
    for name in ('Say "hi"', "it's", "back\\slash", "x" * 120):
        openai_client.create(name=name)
    capy_client.create(organization_id=ORG, name="CI", scopes=[f"deploy:environment-{i}" for i in range(8)])

    for source in (openai_cli("import-code").stdout, capy_cli("import-code", "--organization", ORG).stdout):
        compile(source, "program.py", "exec")
        formatted = ruff("format", "--diff", source=source)
        assert formatted.returncode == 0, formatted.stdout + formatted.stderr
        linted = ruff("check", "--select", "E4,E7,E9,F,I,W", source=source)
        assert linted.returncode == 0, linted.stdout + linted.stderr


def test_the_code_imports_the_dynamic_resource_and_pulumi(openai_cli, capy_cli, openai_client, capy_client):
    openai_client.create(name="k")
    capy_client.create(organization_id=ORG, name="k", scopes=["keys:read"])
    for backend, source in (
        ("openai", openai_cli("import-code").stdout),
        ("capy", capy_cli("import-code", "--organization", ORG).stdout),
    ):
        lines = source.splitlines()
        assert lines.index("import pulumi") + 1 == lines.index(IMPORT_LINE[backend])


def test_a_capy_key_is_declared_with_every_current_input_scopes_sorted_and_its_plain_id(
    capy_cli, capy_client
):
    created = capy_client.create(
        organization_id=ORG, name="CI deployer", scopes=["write", "keys:read"]
    ).api_key
    source = capy_cli("import-code", "--organization", ORG).stdout
    [(variable, call)] = calls(source).items()
    assert variable == "ci_deployer"
    assert ast.literal_eval(call.args[0]) == "ci-deployer"
    assert keywords(call) == {
        "organization_id": ORG,
        "name": "CI deployer",
        "scopes": ["keys:read", "write"],
        "import_": created.id,  # the dynamic resource takes the plain id; the organization is an input
    }


def test_an_openai_key_is_declared_by_name_leaving_out_its_lifetime_with_a_comment_saying_why(
    openai_cli, openai_client
):
    created = openai_client.create(name="CI deployer", expires_in_seconds=86400)
    source = openai_cli("import-code").stdout
    [call] = calls(source).values()
    assert keywords(call) == {"name": "CI deployer", "import_": created.id}
    comments = " ".join(line[2:] for line in source.splitlines() if line.startswith("# "))
    assert "expires_in_seconds is left out: the API shows none for an existing key" in comments
    assert "would replace the key" in comments


@pytest.mark.parametrize("backend", ["openai", "capy"])
def test_the_rotation_settings_are_left_to_the_program_with_a_comment_saying_so(
    backend, openai_cli, capy_cli, openai_client, capy_client
):
    if backend == "openai":
        openai_client.create(name="CI deployer")
        source = openai_cli("import-code").stdout
    else:
        capy_client.create(organization_id=ORG, name="CI deployer", scopes=["keys:read"])
        source = capy_cli("import-code", "--organization", ORG).stdout
    [call] = calls(source).values()
    comments = " ".join(line[2:] for line in source.splitlines() if line.startswith("# "))

    assert not {"rotation_triggers", "rotate_after_seconds", "renew_before_seconds"} & set(keywords(call))
    assert (
        "rotation_triggers, rotate_after_seconds and renew_before_seconds are not declared: they are "
        "settings of the program, not of the key; declaring rotation_triggers later would replace the key."
    ) in comments
    assert "rotate_after_seconds is left out" not in comments


def test_the_resource_names_are_those_import_file_gives(openai_cli, openai_client):
    for name in ("CI deployer", "CI deployer", "import", "9 lives"):
        openai_client.create(name=name)
    resource_names = [
        ast.literal_eval(call.args[0]) for call in calls(openai_cli("import-code").stdout).values()
    ]
    assert resource_names == ["ci-deployer", "ci-deployer-2", "import", "9-lives"]
    assert list(calls(openai_cli("import-code").stdout)) == [
        "ci_deployer", "ci_deployer_2", "import_key", "key_9_lives"
    ]  # fmt: skip


def test_revoked_capy_keys_are_not_declared(capy_cli, capy_client):
    live = capy_client.create(organization_id=ORG, name="live", scopes=["keys:read"]).api_key
    old = capy_client.create(organization_id=ORG, name="old", scopes=["keys:read"]).api_key
    capy_client.revoke(ORG, old.id)
    result = capy_cli("import-code", "--organization", ORG)
    assert [keywords(call)["import_"] for call in calls(result.stdout).values()] == [live.id]
    assert "1 key skipped (revoked or inactive)" in result.stderr


def test_name_filters_the_declared_keys_too(openai_cli, openai_client):
    wanted = openai_client.create(name="CI deployer")
    openai_client.create(name="Nightly")
    [call] = calls(openai_cli("import-code", "--name", "CI*").stdout).values()
    assert keywords(call)["import_"] == wanted.id


def test_output_writes_the_python_file(openai_cli, openai_client, tmp_path):
    openai_client.create(name="k")
    target = tmp_path / "imported.py"
    result = openai_cli("import-code", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "k = AdminApiKey(" in target.read_text()
    assert result.stderr.startswith(f"1 key of the organization written to {target} as ")


def test_a_key_that_cannot_be_declared_as_it_is_is_left_out_with_a_comment():
    keys = ImportSet(
        ADMIN_API_KEY,
        (
            ImportEntry("key-nameless", "key_nameless", "key_nameless", None, {}),
            ImportEntry("named", "key_named", "key_named", "named", {"name": "named"}),
        ),
        listed=2,
        pattern=None,
        skipped=0,
        skipped_as="",
        where="the organization",
    )

    source, refused = import_code(keys, command="pulumi-apikeys openai import-code")

    assert list(calls(source)) == ["named"]
    assert refused == [("key_nameless", "name is required: give the key a non-empty name")]
    assert "# Not declared: key_nameless (no name) cannot be declared as it is: name is required" in source


def test_no_key_id_or_name_can_break_out_of_a_comment():
    keys = ImportSet(
        ADMIN_API_KEY,
        (
            ImportEntry("bad-id", "key_1\nimport os", "key_1\nimport os", "ok", {"name": "ok"}),
            ImportEntry("bad-name", "key_2", "key_2", "a\u2028b\nc", {"name": "a\u2028b\nc"}),
        ),
        listed=2,
        pattern=None,
        skipped=0,
        skipped_as="",
        where="the organization",
    )

    source, refused = import_code(keys, command="pulumi-apikeys openai import-code")

    assert [key_id for key_id, _ in refused] == ["key_1\nimport os", "key_2"]
    assert "\u2028" not in source
    code = [line for line in source.split("\n") if line and not line.startswith("# ")]
    assert code == ["import pulumi", "from pulumi_apikeys.openai import AdminApiKey"]


@pytest.fixture(params=["openai", "capy"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_running_the_code_adopts_every_key_with_nothing_created_or_replaced(
    backend, openai_cli, capy_cli, openai_client, capy_client, emulator: RunningEmulator, tmp_path: Path
):
    if backend == "openai":
        existing = [openai_client.create(name=name).id for name in ("CI deployer", "CI deployer", "Nightly")]
        source = openai_cli("import-code").stdout
    else:
        existing = [
            capy_client.create(organization_id=ORG, name=name, scopes=scopes).api_key.id
            for name, scopes in (("CI deployer", ["write", "keys:read"]), ("CI deployer", ["keys:read"]))
        ]
        revoked = capy_client.create(organization_id=ORG, name="old", scopes=["keys:read"]).api_key.id
        capy_client.revoke(ORG, revoked)
        source = capy_cli("import-code", "--organization", ORG).stdout
    resource = registry.backend(backend).resources[0]
    stack = HarnessStack(
        tmp_path / "stack",
        project="imported",
        config=stack_config(registry.backend(backend), emulator),
        kdf_iterations=FAST_KDF_ITERATIONS,
    )
    emulator.control.clear_requests()

    adopted = stack.up(source)
    adoption_methods = {r.method for r in emulator.control.requests()}
    state = stack.state()
    emulator.control.clear_requests()
    again = stack.up(source)

    assert adopted.ok, adopted
    names = [ast.literal_eval(call.args[0]) for call in calls(source).values()]
    # import_ becomes adoption: the engine runs a create that fetches the key and posts nothing.
    assert sorted(adopted.steps) == sorted(("create", stack.urn(resource.type_name, n)) for n in names)
    assert adoption_methods == {"GET"}
    assert [state.resource(name).id for name in names] == existing
    assert again.ok, again
    assert sorted(again.steps) == sorted(("same", stack.urn(resource.type_name, n)) for n in names)
    assert emulator.control.requests() == []
