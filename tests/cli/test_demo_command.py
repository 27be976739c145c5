"""``pulumi-apikeys demo`` without the Pulumi CLI: finding one, failing clearly, and the stack set-up.

The demo's run with the real CLI is covered by ``tests/integration``, which skips where there is none.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import urllib.error
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from pulumi import automation as auto

from pulumi_apikeys.capy.client import CapyApiKeysClient
from pulumi_apikeys.cli import demo, main
from pulumi_apikeys.openai.client import AdminApiKeysClient

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "openai-admin-keys"
CAPY_EXAMPLE = REPO / "examples" / "capy-project-keys"
ENDPOINTS = demo.Endpoints(
    openai_base_url="http://127.0.0.1:9/v1",
    openai_admin_key="sk-admin-x",
    capy_base_url="http://127.0.0.1:9",
    capy_api_key="capy_live_x",
)
CLI = "from pulumi_apikeys.cli import main; main()"


@pytest.fixture
def no_pulumi(tmp_path, monkeypatch) -> Path:
    """A PATH and a home without any Pulumi CLI; returns the home."""
    home = tmp_path / "home"
    empty = tmp_path / "empty-bin"
    home.mkdir()
    empty.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("PATH", str(empty))
    return home


@pytest.fixture
def no_emulator(monkeypatch) -> None:
    """The demo must stop before it starts anything."""

    def refuse(config):
        pytest.fail("the demo started an emulator although it has no Pulumi CLI")

    monkeypatch.setattr(demo, "start_emulator", refuse)


def fake_pulumi(bin_dir: Path, version: str) -> Path:
    """A ``pulumi`` executable that only answers ``pulumi version``."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    script = bin_dir / "pulumi"
    script.write_text(f"#!/bin/sh\necho v{version}\n")
    script.chmod(0o755)
    return script


def invoke_demo(*args: str):
    # cwd-independent: the example is found through the source tree, as `make demo` would.
    return CliRunner().invoke(main, ["demo", *args])


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (
            urllib.error.URLError(socket.gaierror(-2, "Name or service not known")),
            "cannot reach get.pulumi.com ([Errno -2] Name or service not known)",
        ),
        (
            subprocess.CalledProcessError(
                1, ["install.sh"], output=b"downloading...\nerror: no such version\n"
            ),
            "the install script exited with status 1: error: no such version",
        ),
        (TimeoutError("timed out"), "the download stalled"),
    ],
)
def test_without_a_cli_a_failed_install_says_what_to_install(
    no_pulumi, no_emulator, monkeypatch, failure, reason
) -> None:
    attempts: list[str] = []

    def failing_install(cls, root=None, version=None, skip_version_check=False):
        attempts.append(root)
        raise failure

    monkeypatch.setattr(auto.PulumiCommand, "install", classmethod(failing_install))

    result = invoke_demo()

    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # a message, not a crash
    assert "Traceback" not in result.output
    assert reason in result.output
    assert f"curl -fsSL https://get.pulumi.com | sh -s -- --version {demo.sdk_version()}" in result.output
    assert demo.INSTALL_DOCS in result.output
    assert "make test" in result.output  # the rest works without the CLI
    assert attempts == [str(no_pulumi / ".pulumi-apikeys" / "cli" / demo.sdk_version())]


def test_no_install_does_not_download(no_pulumi, no_emulator, monkeypatch, tmp_path) -> None:
    def forbidden(*args, **kwargs):
        pytest.fail("--no-install downloaded the CLI")

    monkeypatch.setattr(auto.PulumiCommand, "install", classmethod(forbidden))

    result = invoke_demo("--no-install", "--cli-root", str(tmp_path / "cli"))

    assert result.exit_code == 1
    assert "--no-install" in result.output
    assert "curl -fsSL https://get.pulumi.com" in result.output


def test_the_real_install_fails_fast_offline(no_pulumi, tmp_path) -> None:
    """With no network (DNS fails at once) the whole command is over in seconds, with one message.

    Where get.pulumi.com resolves this would download the CLI, so it is only run where it cannot.
    """
    try:
        socket.getaddrinfo("get.pulumi.com", 443)
    except OSError:
        pass
    else:
        pytest.skip("get.pulumi.com resolves here: the real install would download the CLI")
    completed = subprocess.run(
        [sys.executable, "-c", CLI, "demo", "--cli-root", str(tmp_path / "cli")],
        capture_output=True,
        text=True,
        env=dict(os.environ),  # the fixture's: no pulumi on PATH or in HOME
        timeout=60,
        check=False,
    )

    assert completed.returncode == 1
    assert "cannot reach get.pulumi.com" in completed.stderr
    assert "curl -fsSL https://get.pulumi.com" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_a_cli_on_path_is_used(no_pulumi, tmp_path, monkeypatch) -> None:
    bin_dir = tmp_path / "bin"
    fake_pulumi(bin_dir, demo.sdk_version())
    monkeypatch.setenv("PATH", str(bin_dir))

    command = demo.pulumi_command(install=False)

    assert command.command == "pulumi"
    assert str(command.version) == demo.sdk_version()


def test_a_cli_installed_by_get_pulumi_com_but_not_on_path_is_found(no_pulumi) -> None:
    fake_pulumi(no_pulumi / ".pulumi" / "bin", demo.sdk_version())

    command = demo.pulumi_command(install=False)

    assert command.command == str(no_pulumi / ".pulumi" / "bin" / "pulumi")


def test_a_cli_of_another_major_version_is_refused_with_the_install_hint(
    no_pulumi, tmp_path, monkeypatch
) -> None:
    monkeypatch.delenv("PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK", raising=False)
    bin_dir = tmp_path / "bin"
    fake_pulumi(bin_dir, "2.25.0")
    monkeypatch.setenv("PATH", str(bin_dir))

    with pytest.raises(demo.PulumiCliUnavailable) as raised:
        demo.pulumi_command(install=False)

    assert "does not suit the Pulumi SDK" in raised.value.message
    assert "curl -fsSL https://get.pulumi.com" in raised.value.message


def test_a_missing_example_is_a_clear_error(tmp_path) -> None:
    result = invoke_demo("--example", str(tmp_path))

    assert result.exit_code == 1
    assert "--example" in result.output
    assert "Traceback" not in result.output


def test_the_examples_are_found_from_the_source_tree(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)

    assert demo.find_example_dir() == EXAMPLE
    assert demo.find_example_dir(None, demo.CAPY_PROJECT_NAME) == CAPY_EXAMPLE
    assert demo.EXAMPLES == (demo.PROJECT_NAME, demo.CAPY_PROJECT_NAME)


@pytest.mark.parametrize(
    ("example", "name"), [(EXAMPLE, demo.PROJECT_NAME), (CAPY_EXAMPLE, demo.CAPY_PROJECT_NAME)]
)
def test_each_example_project_is_the_one_the_demo_configures(example, name) -> None:
    project = yaml.safe_load((example / "Pulumi.yaml").read_text())

    assert project["name"] == name == example.name
    assert project["runtime"]["name"] == "python"
    # The example asks for the same Pulumi SDK as the package does, and for the package itself.
    sdk = re.search(r'"(pulumi>=[^"]+)"', (REPO / "pyproject.toml").read_text()).group(1)
    assert (example / "requirements.txt").read_text().split() == [sdk, "pulumi-apikeys"]


def test_each_stack_gets_the_settings_of_its_own_api_the_credentials_as_secrets() -> None:
    assert demo.stack_config(demo.PROJECT_NAME, ENDPOINTS) == {
        "apikeys:openaiBaseUrl": ("http://127.0.0.1:9/v1", False),
        "apikeys:openaiAdminKey": ("sk-admin-x", True),
    }
    assert demo.stack_config(demo.CAPY_PROJECT_NAME, ENDPOINTS) == {
        "apikeys:capyBaseUrl": ("http://127.0.0.1:9", False),
        "apikeys:capyApiKey": ("capy_live_x", True),
        "capy-project-keys:organizationId": (demo.CAPY_ORGANIZATION, False),
    }
    # A program of one's own may declare keys of both APIs.
    assert set(demo.stack_config("mine", ENDPOINTS)) == {
        "apikeys:openaiBaseUrl",
        "apikeys:openaiAdminKey",
        "apikeys:capyBaseUrl",
        "apikeys:capyApiKey",
    }


def test_the_capy_example_defaults_to_the_demo_organization() -> None:
    assert (
        f'config.get("organizationId") or {demo.CAPY_ORGANIZATION!r}'.replace("'", '"')
        in (CAPY_EXAMPLE / "__main__.py").read_text()
    )


def test_the_workspace_runs_the_example_from_the_work_dir_without_touching_it(
    no_pulumi, tmp_path, monkeypatch
) -> None:
    bin_dir = tmp_path / "bin"
    fake_pulumi(bin_dir, demo.sdk_version())
    monkeypatch.setenv("PATH", str(bin_dir))
    workdir = tmp_path / "work"
    workdir.mkdir()
    before = sorted(p.name for p in EXAMPLE.iterdir())
    options = demo.workspace_options(
        example_dir=EXAMPLE,
        workdir=workdir,
        endpoints=ENDPOINTS,
        command=demo.pulumi_command(install=False),
    )

    auto.LocalWorkspace(**options.__dict__)  # writes Pulumi.yaml, as create_or_select_stack does

    project = yaml.safe_load((workdir / "Pulumi.yaml").read_text())
    assert project["name"] == demo.PROJECT_NAME
    assert project["main"] == str(EXAMPLE)
    assert project["backend"]["url"] == (workdir / "state").resolve().as_uri()
    assert project["runtime"]["name"] == "python"
    if sys.prefix != sys.base_prefix:
        assert project["runtime"]["options"]["virtualenv"] == sys.prefix
    assert sorted(p.name for p in EXAMPLE.iterdir()) == before
    assert options.secrets_provider == "passphrase"
    env = options.env_vars or {}
    assert env["PULUMI_CONFIG_PASSPHRASE"] == demo.PASSPHRASE
    assert env["OPENAI_BASE_URL"] == "http://127.0.0.1:9/v1"  # never the real API, whatever the caller has
    assert env["OPENAI_ADMIN_KEY"] == ""  # the key comes from the stack config only
    assert env["CAPY_BASE_URL"] == "http://127.0.0.1:9"
    assert env["CAPY_API_KEY"] == ""
    assert "sk-admin-x" not in repr(ENDPOINTS)
    assert "capy_live_x" not in repr(ENDPOINTS)


def test_the_stacks_of_both_projects_share_one_state_backend(no_pulumi, tmp_path, monkeypatch) -> None:
    bin_dir = tmp_path / "bin"
    fake_pulumi(bin_dir, demo.sdk_version())
    monkeypatch.setenv("PATH", str(bin_dir))
    state = tmp_path / "work" / "state"
    projects = {}
    for name, example in ((demo.PROJECT_NAME, EXAMPLE), (demo.CAPY_PROJECT_NAME, CAPY_EXAMPLE)):
        workdir = tmp_path / "work" / name
        workdir.mkdir(parents=True)
        options = demo.workspace_options(
            example_dir=example,
            workdir=workdir,
            endpoints=ENDPOINTS,
            project_name=name,
            state_dir=state,
            command=demo.pulumi_command(install=False),
        )
        auto.LocalWorkspace(**options.__dict__)
        projects[name] = yaml.safe_load((workdir / "Pulumi.yaml").read_text())

    assert {name: p["name"] for name, p in projects.items()} == {n: n for n in demo.EXAMPLES}
    assert {p["backend"]["url"] for p in projects.values()} == {state.resolve().as_uri()}
    assert projects[demo.CAPY_PROJECT_NAME]["main"] == str(CAPY_EXAMPLE)


def test_outputs_show_secrets_as_secret() -> None:
    outputs = {
        "deployer_key": auto.OutputValue("sk-admin-very-secret-value", secret=True),
        "deployer_id": auto.OutputValue("key_abc", secret=False),
        "deployer_expires_at": auto.OutputValue(1_760_000_000, secret=False),
    }

    shown = demo.format_outputs(outputs)

    assert "sk-admin-very-secret-value" not in shown
    assert shown.splitlines() == [
        "    OUTPUT               VALUE",
        "    deployer_expires_at  1760000000",
        "    deployer_id          key_abc",
        "    deployer_key         [secret]",
    ]


class FakeStack:
    """Stands in for the Automation API's stack: ``up`` creates the OpenAI example's keys via the client."""

    def __init__(self, endpoints: demo.Endpoints) -> None:
        self.api = AdminApiKeysClient(
            base_url=endpoints.openai_base_url, admin_key=endpoints.openai_admin_key
        )
        self.outs: dict[str, auto.OutputValue] = {}

    def up(self, on_output, on_error, show_secrets):
        assert show_secrets is False
        for label, name in (("deployer", "CI deployer"), ("reports", "Nightly reports")):
            created = self.api.create(name=name)
            self.outs[f"{label}_id"] = auto.OutputValue(created.id, secret=False)
            self.outs[f"{label}_key"] = auto.OutputValue(created.value.get_secret_value(), secret=True)
        on_output("Resources: + 3 created")

    def outputs(self):
        return self.outs

    def destroy(self, on_output, on_error):
        for label in ("deployer", "reports"):
            self.api.delete(self.outs[f"{label}_id"].value)
        self.outs = {}
        on_output("Resources: - 3 deleted")


class FakeCapyStack:
    """The same for the capy example: ``up`` creates its keys, ``destroy`` revokes them."""

    def __init__(self, endpoints: demo.Endpoints) -> None:
        self.api = CapyApiKeysClient(base_url=endpoints.capy_base_url, api_key=endpoints.capy_api_key)
        self.outs: dict[str, auto.OutputValue] = {}

    def up(self, on_output, on_error, show_secrets):
        assert show_secrets is False
        for label, name, scopes in (
            ("deployer", "CI deployer", ["keys:read", "deploy"]),
            ("dashboards", "Dashboards", ["keys:read"]),
        ):
            created = self.api.create(organization_id=demo.CAPY_ORGANIZATION, name=name, scopes=scopes)
            self.outs[f"{label}_id"] = auto.OutputValue(created.api_key.id, secret=False)
            self.outs[f"{label}_key"] = auto.OutputValue(
                created.plaintext_api_key.get_secret_value(), secret=True
            )
        on_output("Resources: + 3 created")

    def outputs(self):
        return self.outs

    def destroy(self, on_output, on_error):
        for label in ("deployer", "dashboards"):
            self.api.revoke(demo.CAPY_ORGANIZATION, self.outs[f"{label}_id"].value)
        self.outs = {}
        on_output("Resources: - 3 deleted")


@pytest.fixture
def fake_pulumi_run(monkeypatch) -> list[tuple[str, Path]]:
    """The demo with its CLI and stacks faked; returns the projects and work dirs it opened stacks in."""
    opened: list[tuple[str, Path]] = []

    def fake_open_stack(*, command, example_dir, workdir, endpoints, project_name, state_dir):
        assert example_dir == {demo.PROJECT_NAME: EXAMPLE, demo.CAPY_PROJECT_NAME: CAPY_EXAMPLE}[project_name]
        assert workdir == state_dir.parent / project_name
        opened.append((project_name, workdir))
        return (FakeCapyStack if project_name == demo.CAPY_PROJECT_NAME else FakeStack)(endpoints)

    monkeypatch.setattr(demo, "pulumi_command", lambda **kwargs: object())
    monkeypatch.setattr(demo, "open_stack", fake_open_stack)
    return opened


def test_the_demo_runs_both_examples_shows_outputs_with_secrets_hidden_then_destroys(fake_pulumi_run) -> None:
    result = invoke_demo()

    assert result.exit_code == 0, result.output
    output = result.output
    assert "$ pulumi config set --secret apikeys:openaiAdminKey [secret]" in output
    assert "$ pulumi config set --secret apikeys:capyApiKey [secret]" in output
    assert f"$ pulumi config set capy-project-keys:organizationId {demo.CAPY_ORGANIZATION}" in output
    assert len(re.findall(r"^    deployer_key +\[secret\]$", output, re.MULTILINE)) == 2
    assert "    dashboards_key  [secret]" in output
    assert "sk-admin-" not in output.replace("sk-admin...", "")  # no value, no admin key
    assert not re.search(r"capy_live_[A-Za-z0-9_-]{20,}", output)  # key prefixes only, no value
    assert "capy_live_local" not in output  # nor the emulator's own capy key
    assert "The emulator holds 4 live keys:" in output
    assert output.index("== openai-admin-keys") < output.index("== capy-project-keys")
    assert output.rstrip().endswith(
        "The emulator holds no live keys.\n"
        f"    (2 revoked capy keys stay listed in {demo.CAPY_ORGANIZATION}, "
        "as the capy API keeps revoked keys)"
    )
    assert [project for project, _ in fake_pulumi_run] == list(demo.EXAMPLES)
    for _, workdir in fake_pulumi_run:
        assert not workdir.parent.exists()  # the temporary work dir is removed


def test_the_key_listing_shows_both_apis_keys(fake_pulumi_run) -> None:
    output = invoke_demo("--keep").output

    listing = output[output.index("The emulator holds 4 live keys:") :].splitlines()[1:5]
    assert [line.split()[0] for line in listing] == ["openai", "openai", "capy", "capy"]
    assert any("deploy, keys:read" in line for line in listing)


def test_an_explicit_example_runs_alone_named_after_its_directory(fake_pulumi_run) -> None:
    result = invoke_demo("--example", str(CAPY_EXAMPLE))

    assert result.exit_code == 0, result.output
    assert [project for project, _ in fake_pulumi_run] == [demo.CAPY_PROJECT_NAME]
    assert "apikeys:openaiAdminKey" not in result.output


def test_keep_leaves_the_stack_and_says_how_to_look_at_it(fake_pulumi_run, tmp_path) -> None:
    workdir = tmp_path / "kept"

    result = invoke_demo("--keep", "--workdir", str(workdir))

    assert result.exit_code == 0, result.output
    assert "pulumi destroy" not in result.output
    assert f"--workdir {workdir}" in result.output
    for project in demo.EXAMPLES:
        assert f"cd {workdir / project} && PULUMI_CONFIG_PASSPHRASE=" in result.output
    assert (workdir / "emulator-state.json").exists()  # the keys outlive this emulator
