"""``pulumi-apikeys demo`` without the Pulumi CLI: finding one, failing clearly, and the stack set-up.

The demo's run with the real CLI is covered by ``tests/integration``, which skips where there is none.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import urllib.error
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner
from pulumi import automation as auto

from pulumi_apikeys import registry
from pulumi_apikeys.capy import demo as capy_demo
from pulumi_apikeys.capy.client import CapyApiKeysClient
from pulumi_apikeys.cli import demo, main
from pulumi_apikeys.cli.demo_part import DemoPart, KeyListing, KeyRow, ServiceEndpoint
from pulumi_apikeys.core.backend import Backend, LazyRef
from pulumi_apikeys.core.stack_config import Setting
from pulumi_apikeys.openai import demo as openai_demo
from pulumi_apikeys.openai.client import AdminApiKeysClient

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "openai-admin-keys"
CAPY_EXAMPLE = REPO / "examples" / "capy-project-keys"
YAML_EXAMPLE = REPO / "examples" / "yaml-admin-keys"
TYPESCRIPT_EXAMPLE = REPO / "examples" / "typescript-admin-keys"
PLUGIN_DIR = REPO / "provider"
PROJECT_NAME = openai_demo.PROJECT_NAME
YAML_PROJECT_NAME = openai_demo.YAML_PROJECT_NAME
CAPY_PROJECT_NAME = capy_demo.PROJECT_NAME
CAPY_ORGANIZATION = capy_demo.ORGANIZATION
ENDPOINTS = demo.Endpoints(
    {
        "openai": ServiceEndpoint(base_url="http://127.0.0.1:9/v1", credential="sk-admin-x"),
        "capy": ServiceEndpoint(base_url="http://127.0.0.1:9", credential="capy_live_x"),
    }
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
    assert demo.find_example_dir(None, CAPY_PROJECT_NAME) == CAPY_EXAMPLE
    assert demo.find_example_dir(None, YAML_PROJECT_NAME) == YAML_EXAMPLE  # no __main__.py: all YAML
    assert demo.examples() == (PROJECT_NAME, YAML_PROJECT_NAME, CAPY_PROJECT_NAME)


@pytest.mark.parametrize(("example", "name"), [(EXAMPLE, PROJECT_NAME), (CAPY_EXAMPLE, CAPY_PROJECT_NAME)])
def test_each_example_project_is_the_one_the_demo_configures(example, name) -> None:
    project = yaml.safe_load((example / "Pulumi.yaml").read_text())

    assert project["name"] == name == example.name
    assert project["runtime"]["name"] == "python"
    # The example asks for the same Pulumi SDK as the package does, and for the package itself.
    sdk = re.search(r'"(pulumi>=[^"]+)"', (REPO / "pyproject.toml").read_text()).group(1)
    assert (example / "requirements.txt").read_text().split() == [sdk, "pulumi-apikeys"]


@pytest.mark.parametrize(
    ("example", "runtime"), [(YAML_EXAMPLE, "yaml"), (TYPESCRIPT_EXAMPLE, {"name": "nodejs"})]
)
def test_each_plugin_example_takes_the_plugin_from_this_checkout(example, runtime) -> None:
    project = yaml.safe_load((example / "Pulumi.yaml").read_text())

    assert project["name"] == example.name
    if isinstance(runtime, dict):
        assert project["runtime"]["name"] == runtime["name"]
    else:
        assert project["runtime"] == runtime
    # The packages: entry `pulumi package add ../../provider` writes, naming the plugin's folder.
    assert project["packages"] == {"apikeys": "../../provider"}
    assert (example / "../../provider").resolve() == PLUGIN_DIR
    assert demo.is_plugin_example(example)
    assert not demo.is_plugin_example(EXAMPLE)


def test_the_typescript_example_depends_on_the_sdk_as_package_add_links_it() -> None:
    manifest = json.loads((TYPESCRIPT_EXAMPLE / "package.json").read_text())

    # pulumi-language-nodejs Link: `npm pkg set dependencies[<name>]=file:<path>` and allowScripts.
    assert manifest["dependencies"]["@pulumi-apikeys/apikeys"] == "file:sdks/apikeys"
    assert manifest["allowScripts"] == {"file:sdks/apikeys": True}
    assert "@pulumi/pulumi" in manifest["dependencies"]
    assert 'from "@pulumi-apikeys/apikeys"' in (TYPESCRIPT_EXAMPLE / "index.ts").read_text()


def test_each_stack_gets_the_settings_of_its_own_api_the_credentials_as_secrets() -> None:
    assert demo.stack_config(PROJECT_NAME, ENDPOINTS) == {
        "apikeys:openaiBaseUrl": ("http://127.0.0.1:9/v1", False),
        "apikeys:openaiAdminKey": ("sk-admin-x", True),
    }
    # The plugin reads the same settings as the dynamic resources.
    assert demo.stack_config(YAML_PROJECT_NAME, ENDPOINTS) == demo.stack_config(PROJECT_NAME, ENDPOINTS)
    assert demo.stack_config(CAPY_PROJECT_NAME, ENDPOINTS) == {
        "apikeys:capyBaseUrl": ("http://127.0.0.1:9", False),
        "apikeys:capyApiKey": ("capy_live_x", True),
        "capy-project-keys:organizationId": (CAPY_ORGANIZATION, False),
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
        f'config.get("organizationId") or {CAPY_ORGANIZATION!r}'.replace("'", '"')
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
    assert project["name"] == PROJECT_NAME
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


def test_a_plugin_example_is_copied_with_its_plugin_path_made_absolute(
    no_pulumi, tmp_path, monkeypatch
) -> None:
    bin_dir = tmp_path / "bin"
    fake_pulumi(bin_dir, demo.sdk_version())
    monkeypatch.setenv("PATH", str(bin_dir))
    workdir = tmp_path / "work" / YAML_PROJECT_NAME
    workdir.mkdir(parents=True)
    (workdir / "Pulumi.dev.yaml").write_text("encryptionsalt: v1:kept\n")  # a kept stack's settings
    state = tmp_path / "work" / "state"
    before = {p.name: p.read_bytes() for p in YAML_EXAMPLE.iterdir()}

    options = demo.workspace_options(
        example_dir=YAML_EXAMPLE,
        workdir=workdir,
        endpoints=ENDPOINTS,
        project_name=YAML_PROJECT_NAME,
        state_dir=state,
        command=demo.pulumi_command(install=False),
    )
    auto.LocalWorkspace(**options.__dict__)

    project = yaml.safe_load((workdir / "Pulumi.yaml").read_text())
    original = yaml.safe_load((YAML_EXAMPLE / "Pulumi.yaml").read_text())
    assert project["name"] == YAML_PROJECT_NAME
    assert project["runtime"] == "yaml"
    assert project["packages"] == {"apikeys": str(PLUGIN_DIR)}
    assert project["backend"]["url"] == state.resolve().as_uri()
    # The program itself is the example's, unchanged.
    for section in ("config", "variables", "resources", "outputs"):
        assert project[section] == original[section]
    assert options.project_settings is None  # the copy's Pulumi.yaml is the project file
    assert options.work_dir == str(workdir)
    assert options.secrets_provider == "passphrase"
    assert (options.env_vars or {})["OPENAI_ADMIN_KEY"] == ""
    assert (workdir / "Pulumi.dev.yaml").read_text() == "encryptionsalt: v1:kept\n"
    assert {p.name: p.read_bytes() for p in YAML_EXAMPLE.iterdir()} == before


def test_a_plugin_example_whose_plugin_folder_is_missing_is_a_clear_error(tmp_path) -> None:
    example = tmp_path / "broken"
    example.mkdir()
    (example / "Pulumi.yaml").write_text("name: broken\nruntime: yaml\npackages:\n  apikeys: ../nowhere\n")

    with pytest.raises(click.ClickException) as raised:
        demo.prepare_plugin_project(
            example, tmp_path / "work", project_name="broken", state_dir=tmp_path / "state"
        )

    assert f"from {(tmp_path / 'nowhere').resolve()}, which is not a directory" in raised.value.message


def test_the_stacks_of_both_projects_share_one_state_backend(no_pulumi, tmp_path, monkeypatch) -> None:
    bin_dir = tmp_path / "bin"
    fake_pulumi(bin_dir, demo.sdk_version())
    monkeypatch.setenv("PATH", str(bin_dir))
    state = tmp_path / "work" / "state"
    projects = {}
    for name, example in ((PROJECT_NAME, EXAMPLE), (CAPY_PROJECT_NAME, CAPY_EXAMPLE)):
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

    python_projects = (PROJECT_NAME, CAPY_PROJECT_NAME)
    assert {name: p["name"] for name, p in projects.items()} == {n: n for n in python_projects}
    assert {p["backend"]["url"] for p in projects.values()} == {state.resolve().as_uri()}
    assert projects[CAPY_PROJECT_NAME]["main"] == str(CAPY_EXAMPLE)


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
            base_url=endpoints["openai"].base_url, admin_key=endpoints["openai"].credential
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


class FakeYamlStack:
    """The YAML example's stack: ``up`` creates its three OpenAI keys (the plugin's camelCase outputs)."""

    NAMES = (("deployer", "Release deployer"), ("reports", "Usage reports"), ("auditor", "Quarterly audit"))

    def __init__(self, endpoints: demo.Endpoints) -> None:
        self.api = AdminApiKeysClient(
            base_url=endpoints["openai"].base_url, admin_key=endpoints["openai"].credential
        )
        self.outs: dict[str, auto.OutputValue] = {}

    def up(self, on_output, on_error, show_secrets):
        assert show_secrets is False
        for label, name in self.NAMES:
            created = self.api.create(name=name)
            self.outs[f"{label}Id"] = auto.OutputValue(created.id, secret=False)
            self.outs[f"{label}Key"] = auto.OutputValue(created.value.get_secret_value(), secret=True)
        on_output("Resources: + 5 created")

    def outputs(self):
        return self.outs

    def destroy(self, on_output, on_error):
        for label, _ in self.NAMES:
            self.api.delete(self.outs[f"{label}Id"].value)
        self.outs = {}
        on_output("Resources: - 5 deleted")


class FakeCapyStack:
    """The same for the capy example: ``up`` creates its keys, ``destroy`` revokes them."""

    def __init__(self, endpoints: demo.Endpoints) -> None:
        self.api = CapyApiKeysClient(
            base_url=endpoints["capy"].base_url, api_key=endpoints["capy"].credential
        )
        self.outs: dict[str, auto.OutputValue] = {}

    def up(self, on_output, on_error, show_secrets):
        assert show_secrets is False
        for label, name, scopes in (
            ("deployer", "CI deployer", ["keys:read", "deploy"]),
            ("dashboards", "Dashboards", ["keys:read"]),
        ):
            created = self.api.create(organization_id=CAPY_ORGANIZATION, name=name, scopes=scopes)
            self.outs[f"{label}_id"] = auto.OutputValue(created.api_key.id, secret=False)
            self.outs[f"{label}_key"] = auto.OutputValue(
                created.plaintext_api_key.get_secret_value(), secret=True
            )
        on_output("Resources: + 3 created")

    def outputs(self):
        return self.outs

    def destroy(self, on_output, on_error):
        for label in ("deployer", "dashboards"):
            self.api.revoke(CAPY_ORGANIZATION, self.outs[f"{label}_id"].value)
        self.outs = {}
        on_output("Resources: - 3 deleted")


FAKE_STACKS = {PROJECT_NAME: FakeStack, YAML_PROJECT_NAME: FakeYamlStack, CAPY_PROJECT_NAME: FakeCapyStack}


@pytest.fixture
def installed() -> list[object]:
    """The stacks the demo ran ``pulumi install`` in (faked by ``fake_pulumi_run``)."""
    return []


@pytest.fixture
def fake_pulumi_run(monkeypatch, installed) -> list[tuple[str, Path]]:
    """The demo with its CLI and stacks faked; returns the projects and work dirs it opened stacks in."""
    opened: list[tuple[str, Path]] = []
    examples = {PROJECT_NAME: EXAMPLE, YAML_PROJECT_NAME: YAML_EXAMPLE, CAPY_PROJECT_NAME: CAPY_EXAMPLE}

    def fake_open_stack(*, command, example_dir, workdir, endpoints, project_name, state_dir):
        assert example_dir == examples[project_name]
        assert workdir == state_dir.parent / project_name
        opened.append((project_name, workdir))
        return FAKE_STACKS[project_name](endpoints)

    def fake_install(stack, *, on_output=None):
        installed.append(stack)
        if on_output is not None:
            on_output("Installing packages from Pulumi.yaml...")

    monkeypatch.setattr(demo, "pulumi_command", lambda **kwargs: object())
    monkeypatch.setattr(demo, "open_stack", fake_open_stack)
    monkeypatch.setattr(demo, "install_packages", fake_install)
    return opened


def test_the_demo_runs_every_example_shows_outputs_with_secrets_hidden_then_destroys(
    fake_pulumi_run, installed
) -> None:
    result = invoke_demo()

    assert result.exit_code == 0, result.output
    output = result.output
    assert "$ pulumi config set --secret apikeys:openaiAdminKey [secret]" in output
    assert "$ pulumi config set --secret apikeys:capyApiKey [secret]" in output
    assert f"$ pulumi config set capy-project-keys:organizationId {CAPY_ORGANIZATION}" in output
    assert len(re.findall(r"^    deployer_key +\[secret\]$", output, re.MULTILINE)) == 2
    assert "    dashboards_key  [secret]" in output
    assert re.search(r"^    deployerKey +\[secret\]$", output, re.MULTILINE)  # the YAML example's outputs
    assert "sk-admin-" not in output.replace("sk-admin...", "")  # no value, no admin key
    assert not re.search(r"capy_live_[A-Za-z0-9_-]{20,}", output)  # key prefixes only, no value
    assert "capy_live_local" not in output  # nor the emulator's own capy key
    assert "The emulator holds 7 live keys:" in output
    assert (
        output.index("== openai-admin-keys")
        < output.index("== yaml-admin-keys")
        < output.index("== capy-project-keys")
    )
    # Only the plugin example needs `pulumi install` (the plugin's venv, its SDK), before its `up`.
    yaml_part = output[output.index("== yaml-admin-keys") : output.index("== capy-project-keys")]
    assert output.count("$ pulumi install") == 1
    assert yaml_part.index("$ pulumi install") < yaml_part.index("$ pulumi up --yes")
    assert "Installing packages from Pulumi.yaml..." in yaml_part
    assert [type(stack) for stack in installed] == [FakeYamlStack]
    assert output.rstrip().endswith(
        "The emulator holds no live keys.\n"
        f"    (2 revoked capy keys stay listed in {CAPY_ORGANIZATION}, "
        "as the capy API keeps revoked keys)"
    )
    assert [project for project, _ in fake_pulumi_run] == list(demo.examples())
    for _, workdir in fake_pulumi_run:
        assert not workdir.parent.exists()  # the temporary work dir is removed


def test_the_key_listing_shows_both_apis_keys(fake_pulumi_run) -> None:
    output = invoke_demo("--keep").output

    listing = output[output.index("The emulator holds 7 live keys:") :].splitlines()[1:8]
    # The OpenAI keys of both OpenAI examples, listed once, then capy's.
    assert [line.split()[0] for line in listing] == ["openai"] * 5 + ["capy"] * 2
    assert any("Quarterly audit" in line for line in listing)
    assert any("deploy, keys:read" in line for line in listing)


def test_an_explicit_example_runs_alone_named_after_its_directory(fake_pulumi_run) -> None:
    result = invoke_demo("--example", str(CAPY_EXAMPLE))

    assert result.exit_code == 0, result.output
    assert [project for project, _ in fake_pulumi_run] == [CAPY_PROJECT_NAME]
    assert "apikeys:openaiAdminKey" not in result.output


def test_keep_leaves_the_stack_and_says_how_to_look_at_it(fake_pulumi_run, tmp_path) -> None:
    workdir = tmp_path / "kept"

    result = invoke_demo("--keep", "--workdir", str(workdir))

    assert result.exit_code == 0, result.output
    assert "pulumi destroy" not in result.output
    assert f"--workdir {workdir}" in result.output
    for project in demo.examples():
        assert f"cd {workdir / project} && PULUMI_CONFIG_PASSPHRASE=" in result.output
    assert (workdir / "emulator-state.json").exists()  # the keys outlive this emulator


def one_line(text: str) -> str:
    """Help text unwrapped: click breaks lines at spaces and after hyphens."""
    return re.sub(r"-\s+", "-", re.sub(r"\s+", " ", text))


def test_the_help_names_the_example_of_each_backend() -> None:
    result = invoke_demo("--help")

    assert result.exit_code == 0, result.output
    shown = one_line(result.output)
    assert (
        "Runs examples/openai-admin-keys (two OpenAI Admin API keys), examples/yaml-admin-keys (three "
        "OpenAI Admin API keys in Pulumi YAML, through the provider plugin) and "
        "examples/capy-project-keys (two capy API keys) as three stacks against the same emulator." in shown
    )
    assert (
        "[default: examples/openai-admin-keys, examples/yaml-admin-keys, examples/capy-project-keys]."
        in shown
    )
    # The command list shows the first sentence, as before.
    listed = CliRunner().invoke(main, ["--help"]).output
    # (the column's width is the longest group name's)
    assert re.search(r"\n  demo +Deploy the examples' keys with `pulumi up` to an", listed), listed


def test_the_stacks_point_at_the_services_the_emulator_serves(emulator) -> None:
    endpoints = demo.Endpoints.of(emulator)

    # Every registered backend the emulator serves: the built-in ones, then the tests' toy vendor.
    assert list(endpoints) == [backend.name for backend in registry.registered()]
    assert list(endpoints)[:2] == ["openai", "capy"]
    assert endpoints["openai"] == emulator.endpoint("openai")
    assert endpoints["capy"] == emulator.endpoint("capy")
    assert emulator.endpoint("openai").credential not in repr(endpoints)


def list_gadget_keys(endpoint: ServiceEndpoint) -> KeyListing:
    return KeyListing(rows=(KeyRow("gadget_1", "first", "gadget...1"),), note="1 gadget key in the attic")


GADGET_DEMO = DemoPart(
    project="gadget-keys",
    summary="a gadget key",
    list_keys=list_gadget_keys,
    config={"gadget-keys:shelf": "top"},
)
GADGET = Backend(
    name="gadget",
    title="Gadget",
    credential=Setting("gadgetKey", "GADGET_KEY", "gadget key", secret=True),
    base_url=Setting("gadgetBaseUrl", "GADGET_BASE_URL", "gadget base URL"),
    resources=(),
    demo=LazyRef(f"{__name__}:GADGET_DEMO"),
)


def test_every_registered_backend_with_a_demo_part_gets_a_stack_of_its_example() -> None:
    endpoints = demo.Endpoints(
        {
            **ENDPOINTS,
            "gadget": ServiceEndpoint(base_url="http://127.0.0.1:9/gadget", credential="gadget-secret"),
        }
    )

    with registry.temporarily_registered(GADGET):
        assert demo.examples() == (PROJECT_NAME, YAML_PROJECT_NAME, CAPY_PROJECT_NAME, "gadget-keys")
        assert demo.stack_config("gadget-keys", endpoints) == {
            "apikeys:gadgetBaseUrl": ("http://127.0.0.1:9/gadget", False),
            "apikeys:gadgetKey": ("gadget-secret", True),
            "gadget-keys:shelf": ("top", False),
        }
        assert "apikeys:gadgetKey" in demo.stack_config("mine", endpoints)
        env = demo.cli_env(endpoints)
        help_text = one_line(invoke_demo("--help").output)

    assert env["GADGET_BASE_URL"] == "http://127.0.0.1:9/gadget"
    assert env["GADGET_KEY"] == ""
    assert "and examples/gadget-keys (a gadget key) as four stacks" in help_text
    assert demo.examples() == (PROJECT_NAME, YAML_PROJECT_NAME, CAPY_PROJECT_NAME)  # gone with its backend


def test_the_key_listing_has_each_parts_rows_then_its_note(fake_pulumi_run, monkeypatch) -> None:
    served = demo.Endpoints.of

    def with_gadget(emulator):
        gadget = ServiceEndpoint(base_url="http://gadget.invalid", credential="gadget-secret")
        return demo.Endpoints({**served(emulator), "gadget": gadget})

    monkeypatch.setattr(demo.Endpoints, "of", staticmethod(with_gadget))
    with registry.temporarily_registered(GADGET):
        result = invoke_demo("--example", str(EXAMPLE))

    assert result.exit_code == 0, result.output
    output = result.output
    assert "Emulator ready: OpenAI at http://127.0.0.1:" in output
    assert ", Gadget at http://gadget.invalid\n" in output
    listing = output[output.index("The emulator holds 3 live keys:") :].splitlines()[1:5]
    assert [line.split()[0] for line in listing[:3]] == ["openai", "openai", "gadget"]
    key_id_width = len(listing[0].split()[1])
    assert listing[2] == f"    gadget  {'gadget_1'.ljust(key_id_width)}  first            gadget...1"
    assert listing[3] == "    (1 gadget key in the attic)"
