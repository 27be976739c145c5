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

from pulumi_apikeys.cli import demo, main
from pulumi_apikeys.openai.client import AdminApiKeysClient

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "openai-admin-keys"
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


def test_the_example_is_found_from_the_source_tree(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)

    assert demo.find_example_dir() == EXAMPLE


def test_the_example_project_is_the_one_the_demo_configures() -> None:
    project = yaml.safe_load((EXAMPLE / "Pulumi.yaml").read_text())

    assert project["name"] == demo.PROJECT_NAME
    assert project["runtime"]["name"] == "python"
    # The example asks for the same Pulumi SDK as the package does, and for the package itself.
    sdk = re.search(r'"(pulumi>=[^"]+)"', (REPO / "pyproject.toml").read_text()).group(1)
    assert (EXAMPLE / "requirements.txt").read_text().split() == [sdk, "pulumi-apikeys"]


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
        base_url="http://127.0.0.1:9/v1",
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
    """Stands in for the Automation API's stack: ``up`` creates the example's keys through the client."""

    def __init__(self, base_url: str, admin_key: str) -> None:
        self.api = AdminApiKeysClient(base_url=base_url, admin_key=admin_key)
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


@pytest.fixture
def fake_pulumi_run(monkeypatch) -> list[Path]:
    """The demo with its CLI and stack faked; returns the work dirs it opened stacks in."""
    workdirs: list[Path] = []

    def fake_open_stack(*, command, example_dir, workdir, base_url, admin_key):
        assert example_dir == EXAMPLE
        workdirs.append(workdir)
        return FakeStack(base_url, admin_key)

    monkeypatch.setattr(demo, "pulumi_command", lambda **kwargs: object())
    monkeypatch.setattr(demo, "open_stack", fake_open_stack)
    return workdirs


def test_the_demo_shows_outputs_with_secrets_hidden_then_destroys(fake_pulumi_run) -> None:
    result = invoke_demo()

    assert result.exit_code == 0, result.output
    assert "$ pulumi config set --secret apikeys:openaiAdminKey [secret]" in result.output
    assert "    deployer_key  [secret]" in result.output
    assert "sk-admin-" not in result.output.replace("sk-admin...", "")  # no value, no admin key
    assert "The emulator holds 2 keys." in result.output
    assert result.output.rstrip().endswith("The emulator holds no keys.")
    [workdir] = fake_pulumi_run
    assert not workdir.exists()  # the temporary work dir is removed


def test_keep_leaves_the_stack_and_says_how_to_look_at_it(fake_pulumi_run, tmp_path) -> None:
    workdir = tmp_path / "kept"

    result = invoke_demo("--keep", "--workdir", str(workdir))

    assert result.exit_code == 0, result.output
    assert "pulumi destroy" not in result.output
    assert f"--workdir {workdir}" in result.output
    assert (workdir / "emulator-state.json").exists()  # the keys outlive this emulator
