"""``pulumi-apikeys demo``: the example programs, deployed by the Pulumi CLI to an emulator on loopback.

The same steps serve ``make demo`` and the integration tests: an emulator on a free loopback port,
serving both APIs; ``examples/openai-admin-keys`` and ``examples/capy-project-keys``, each a stack
run by the Automation API on one local file backend with the passphrase secrets provider;
``pulumi up``; the stack outputs, secrets shown as ``[secret]``; ``pulumi destroy``. No request
leaves the machine, except a one-time download of the Pulumi CLI if none is found.
"""

from __future__ import annotations

import importlib.metadata
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.error
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pulumi_apikeys.capy.client import CapyApiKeysClient
from pulumi_apikeys.emulator import EmulatorConfig, RunningEmulator, start_emulator
from pulumi_apikeys.emulator.server import EmulatorStartupError
from pulumi_apikeys.errors import ApiKeysError
from pulumi_apikeys.openai.client import AdminApiKeysClient

if TYPE_CHECKING:
    # Imported where used: pulumi.automation takes about 0.2 s to import, which every other
    # subcommand would otherwise pay.
    from pulumi import automation as auto

__all__ = [
    "CAPY_ORGANIZATION",
    "CAPY_PROJECT_NAME",
    "EXAMPLES",
    "PASSPHRASE",
    "PROJECT_NAME",
    "STACK_NAME",
    "Endpoints",
    "PulumiCliUnavailable",
    "cli_env",
    "default_cli_root",
    "demo_command",
    "find_example_dir",
    "format_outputs",
    "open_stack",
    "pulumi_command",
    "stack_config",
    "workspace_options",
]

PROJECT_NAME = "openai-admin-keys"
"""The OpenAI example's project name (its ``Pulumi.yaml``); its config keys are ``openai-admin-keys:…``."""
CAPY_PROJECT_NAME = "capy-project-keys"
"""The capy example's project name (its ``Pulumi.yaml``), run beside the OpenAI one."""
EXAMPLES = (PROJECT_NAME, CAPY_PROJECT_NAME)
"""The examples the demo runs, in order; each is ``examples/<project name>``."""
CAPY_ORGANIZATION = "org_demo"
"""The capy organization of the demo's capy keys (stack config ``capy-project-keys:organizationId``)."""
STACK_NAME = "dev"
PASSPHRASE = "pulumi-apikeys-demo"  # noqa: S105 - a demo value, printed for the user to reuse
"""Encrypts the demo stack's secrets; it only ever guards credentials of a local emulator."""
INSTALL_DOCS = "https://www.pulumi.com/docs/install/"
_EXAMPLES_DIR = Path("examples")
_DOWNLOAD_TIMEOUT = 30.0
"""Seconds a stalled download may hang before the CLI install gives up."""


class PulumiCliUnavailable(click.ClickException):
    """No usable Pulumi CLI: the message says why and how to install one (exit status 1)."""


def sdk_version() -> str:
    """The installed Pulumi SDK's version; the CLI installed for the demo matches it."""
    return importlib.metadata.version("pulumi")


def default_cli_root() -> Path:
    """Where the demo installs the Pulumi CLI when none is found: one copy per SDK version."""
    return Path.home() / ".pulumi-apikeys" / "cli" / sdk_version()


def install_hint(version: str) -> str:
    """What to run to install the CLI by hand."""
    return (
        "Install it with\n"
        f"    curl -fsSL https://get.pulumi.com | sh -s -- --version {version}\n"
        f"or see {INSTALL_DOCS}, then run this again.\n"
        "Everything else works without it: the tests (make test), the emulator (pulumi-apikeys emulator)\n"
        "and the same keys through the command line (make demo-cli)."
    )


def pulumi_command(
    *, cli_root: Path | None = None, install: bool = True, say: Callable[[str], None] | None = None
) -> auto.PulumiCommand:
    """A Pulumi CLI to drive: the one on PATH, else one in ``~/.pulumi/bin`` or ``cli_root``, else installed.

    Raises ``PulumiCliUnavailable`` with one line on what went wrong and the install instructions.
    """
    from pulumi import automation as auto
    from pulumi.automation.errors import InvalidVersionError

    version = sdk_version()
    root = cli_root or default_cli_root()
    # ~/.pulumi/bin is where get.pulumi.com installs; a shell opened before the install lacks it on PATH.
    candidates = [None, Path.home() / ".pulumi", root]
    for candidate in candidates:
        binary = shutil.which("pulumi") if candidate is None else candidate / "bin" / "pulumi"
        if binary is None or not Path(binary).is_file():
            continue
        try:
            return auto.PulumiCommand(root=None if candidate is None else str(candidate))
        except InvalidVersionError as exc:
            raise PulumiCliUnavailable(
                f"The Pulumi CLI at {binary} does not suit the Pulumi SDK {version}: {exc}\n"
                + install_hint(version)
            ) from None
        except (OSError, subprocess.CalledProcessError) as exc:
            raise PulumiCliUnavailable(
                f"The Pulumi CLI at {binary} does not run ({exc}).\n" + install_hint(version)
            ) from None

    if not install:
        raise _unavailable(f"it is not on PATH nor in {root}, and --no-install forbids downloading it")
    if say is not None:
        say(f"The Pulumi CLI is not on PATH: installing v{version} into {root} ...")
    try:
        with _socket_timeout(_DOWNLOAD_TIMEOUT):
            return auto.PulumiCommand.install(root=str(root))
    except Exception as exc:  # noqa: BLE001 - any failure means "no CLI"; the message says which
        raise _unavailable(
            f"it is not on PATH, and installing v{version} into {root} failed: {_why(exc)}"
        ) from None


def _unavailable(reason: str) -> PulumiCliUnavailable:
    return PulumiCliUnavailable(f"This demo drives the Pulumi CLI: {reason}.\n" + install_hint(sdk_version()))


@contextmanager
def _socket_timeout(seconds: float) -> Iterator[None]:
    # The SDK downloads the install script with urlopen and no timeout: on a network that drops
    # packets instead of refusing them, that would hang forever.
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


def _why(exc: BaseException) -> str:
    """One line on why the CLI install failed."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"get.pulumi.com answered {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return f"cannot reach get.pulumi.com ({exc.reason})"
    if isinstance(exc, subprocess.CalledProcessError):
        output = exc.output.decode(errors="replace") if isinstance(exc.output, bytes) else exc.output or ""
        lines = [line.strip() for line in output.splitlines() if line.strip()]
        return f"the install script exited with status {exc.returncode}" + (f": {lines[-1]}" if lines else "")
    if isinstance(exc, TimeoutError):
        return f"the download stalled for more than {_DOWNLOAD_TIMEOUT:.0f} s"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


@dataclass(frozen=True)
class Endpoints:
    """Where the demo's stacks find each API, and the credentials it accepts (the emulator's own)."""

    openai_base_url: str
    openai_admin_key: str = field(repr=False)
    capy_base_url: str
    capy_api_key: str = field(repr=False)

    @classmethod
    def of(cls, emulator: RunningEmulator) -> Endpoints:
        """The APIs ``emulator`` serves."""
        return cls(
            openai_base_url=emulator.base_url,
            openai_admin_key=emulator.admin_key,
            capy_base_url=emulator.capy_base_url,
            capy_api_key=emulator.capy_key,
        )


def find_example_dir(explicit: Path | None = None, project: str = PROJECT_NAME) -> Path:
    """An example program: ``explicit``, else ``examples/<project>`` here or in the source tree."""
    if explicit is not None:
        candidates = [explicit]
    else:
        relative = _EXAMPLES_DIR / project
        # parents[3]: the repository root when the package runs from its source tree (make, pip -e).
        candidates = [Path.cwd() / relative, Path(__file__).resolve().parents[3] / relative]
    for candidate in candidates:
        if (candidate / "__main__.py").is_file():
            return candidate.resolve()
    tried = ", ".join(str(c) for c in candidates)
    raise click.ClickException(
        f"The example program is not at {tried}: run this from the repository root or pass --example DIR."
    )


def stack_config(project: str, endpoints: Endpoints) -> dict[str, tuple[str, bool]]:
    """The config the demo sets on the stack of ``project``, as ``{key: (value, secret)}``.

    Each example gets the settings of its own API (the capy one also its organization); any other
    program (``--example``) gets both APIs', as one program may declare keys of both.
    """
    openai = {
        "apikeys:openaiBaseUrl": (endpoints.openai_base_url, False),
        "apikeys:openaiAdminKey": (endpoints.openai_admin_key, True),
    }
    capy = {
        "apikeys:capyBaseUrl": (endpoints.capy_base_url, False),
        "apikeys:capyApiKey": (endpoints.capy_api_key, True),
    }
    if project == PROJECT_NAME:
        return openai
    if project == CAPY_PROJECT_NAME:
        return {**capy, f"{CAPY_PROJECT_NAME}:organizationId": (CAPY_ORGANIZATION, False)}
    return {**openai, **capy}


def cli_env(endpoints: Endpoints) -> dict[str, str]:
    """Environment variables for every Pulumi command of the demo stacks, program and provider included."""
    env = {
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        # The language host takes any installed package named pulumi-* for a resource plugin and
        # would try to download "pulumi-resource-apikeys"; a dynamic provider needs no plugin.
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        # The stack config names the emulator; these make sure a real endpoint or credential in the
        # caller's environment can never be used instead.
        "OPENAI_BASE_URL": endpoints.openai_base_url,
        "OPENAI_ADMIN_KEY": "",
        "CAPY_BASE_URL": endpoints.capy_base_url,
        "CAPY_API_KEY": "",
    }
    if sys.prefix == sys.base_prefix:
        # Not in a virtual environment: run the program and the provider with this interpreter,
        # the one that can import pulumi_apikeys.
        env["PULUMI_PYTHON_CMD"] = sys.executable
    return env


def workspace_options(
    *,
    example_dir: Path,
    workdir: Path,
    endpoints: Endpoints,
    project_name: str = PROJECT_NAME,
    state_dir: Path | None = None,
    command: auto.PulumiCommand | None = None,
) -> auto.LocalWorkspaceOptions:
    """A workspace in ``workdir`` whose program is ``example_dir``, with state under ``state_dir``.

    The Automation API writes ``Pulumi.yaml`` and ``Pulumi.<stack>.yaml`` into its work dir, so the
    work dir is ``workdir`` and the project's ``main`` points at the example, which stays untouched.
    The state goes to ``workdir/state`` unless ``state_dir`` says otherwise: one file backend holds
    the stacks of several projects.
    """
    from pulumi import automation as auto

    options: dict[str, str] = {"toolchain": "pip"}
    if sys.prefix != sys.base_prefix:
        # The virtual environment running this command has pulumi_apikeys; the program and the
        # dynamic provider (python -m pulumi.dynamic) must import it too.
        options["virtualenv"] = sys.prefix
    state = workdir / "state" if state_dir is None else state_dir
    state.mkdir(parents=True, exist_ok=True)
    project = auto.ProjectSettings(
        name=project_name,
        runtime=auto.ProjectRuntimeInfo(name="python", options=options),
        main=str(example_dir),
        backend=auto.ProjectBackend(url=state.resolve().as_uri()),
    )
    return auto.LocalWorkspaceOptions(
        work_dir=str(workdir),
        env_vars=cli_env(endpoints),
        secrets_provider="passphrase",
        project_settings=project,
        pulumi_command=command,
    )


def open_stack(
    *,
    command: auto.PulumiCommand,
    example_dir: Path,
    workdir: Path,
    endpoints: Endpoints,
    project_name: str = PROJECT_NAME,
    state_dir: Path | None = None,
    stack_name: str = STACK_NAME,
) -> auto.Stack:
    """The stack of ``project_name``, created or selected, its config pointing at ``endpoints``.

    The config is ``stack_config(project_name, endpoints)``; the credentials are stored as secrets,
    encrypted with the demo passphrase.
    """
    from pulumi import automation as auto

    workdir.mkdir(parents=True, exist_ok=True)
    opts = workspace_options(
        example_dir=example_dir,
        workdir=workdir,
        endpoints=endpoints,
        project_name=project_name,
        state_dir=state_dir,
        command=command,
    )
    stack = auto.create_or_select_stack(stack_name, work_dir=str(workdir), opts=opts)
    stack.set_all_config(
        {
            key: auto.ConfigValue(value=value, secret=secret)
            for key, (value, secret) in stack_config(project_name, endpoints).items()
        }
    )
    return stack


def format_outputs(outputs: Mapping[str, auto.OutputValue]) -> str:
    """Stack outputs as ``pulumi stack output`` shows them: a table, secret values as ``[secret]``."""
    if not outputs:
        return "    (no outputs)"
    rows = [(name, "[secret]" if out.secret else str(out.value)) for name, out in sorted(outputs.items())]
    width = max(len("OUTPUT"), *(len(name) for name, _ in rows))
    lines = [f"    {'OUTPUT'.ljust(width)}  VALUE"]
    lines += [f"    {name.ljust(width)}  {value}" for name, value in rows]
    return "\n".join(lines)


def _show_keys(endpoints: Endpoints) -> None:
    """The live keys of both APIs (capy's in the demo organization), and how many revoked ones stay listed."""
    openai = AdminApiKeysClient(base_url=endpoints.openai_base_url, admin_key=endpoints.openai_admin_key)
    capy = CapyApiKeysClient(base_url=endpoints.capy_base_url, api_key=endpoints.capy_api_key)
    rows = [("openai", key.id, key.name or "-", key.redacted_value) for key in openai.list()]
    capy_keys = list(capy.list(CAPY_ORGANIZATION))
    rows += [
        ("capy", key.id, key.name, f"{key.key_prefix}...  {', '.join(key.scopes)}")
        for key in capy_keys
        if not key.is_gone
    ]
    revoked = sum(key.is_gone for key in capy_keys)
    plural = "" if len(rows) == 1 else "s"
    click.echo(f"The emulator holds {len(rows) or 'no'} live key{plural}{':' if rows else '.'}")
    widths = [max((len(row[i]) for row in rows), default=0) for i in range(3)]
    for backend, key_id, name, shown in rows:
        click.echo(
            f"    {backend.ljust(widths[0])}  {key_id.ljust(widths[1])}  {name.ljust(widths[2])}  {shown}"
        )
    if revoked:
        click.echo(
            f"    ({revoked} revoked capy key{' stays' if revoked == 1 else 's stay'} listed in "
            f"{CAPY_ORGANIZATION}, as the capy API keeps revoked keys)"
        )


@click.command("demo")
@click.option(
    "--destroy/--keep",
    default=True,
    show_default=True,
    help="Destroy the stacks at the end, or keep them (and the emulator's keys) in the work dir.",
)
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory for each project's Pulumi.yaml and stack config (one subdirectory per project) and "
    "the state; default: a temporary one.",
)
@click.option(
    "--example",
    "example",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="Run only this Pulumi program (its project named after its directory) "
    f"[default: {', '.join(str(_EXAMPLES_DIR / name) for name in EXAMPLES)}].",
)
@click.option(
    "--cli-root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to look for, or install, the Pulumi CLI if it is not on PATH "
    "[default: ~/.pulumi-apikeys/cli/<SDK version>].",
)
@click.option("--install/--no-install", default=True, show_default=True, help="Download the CLI if missing.")
def demo_command(
    destroy: bool, workdir: Path | None, example: Path | None, cli_root: Path | None, install: bool
) -> None:
    """Deploy the examples' keys with `pulumi up` to an emulator on loopback.

    Runs examples/openai-admin-keys (two OpenAI Admin API keys) and examples/capy-project-keys (two
    capy API keys) as two stacks against the same emulator. Shows the stack outputs (the key values
    as [secret]) and the keys the emulator now holds, then destroys the stacks. Needs the Pulumi CLI;
    downloads it (once) if it is missing.
    """
    from pulumi.automation.errors import CommandError

    if example is None:
        examples = [(project, find_example_dir(None, project)) for project in EXAMPLES]
    else:
        found = find_example_dir(example)
        examples = [(found.name, found)]
    command = pulumi_command(cli_root=cli_root, install=install, say=lambda line: click.echo(line, err=True))
    temporary = workdir is None
    work = Path(tempfile.mkdtemp(prefix="pulumi-apikeys-demo-")) if workdir is None else workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    state_dir = work / "state"
    succeeded = False
    # The emulator keeps its keys next to the stack state, so a kept stack finds them on the next run.
    config = EmulatorConfig(port=0, state_file=work / "emulator-state.json")
    try:
        with start_emulator(config) as emulator:
            endpoints = Endpoints.of(emulator)
            click.echo(
                f"Emulator ready: OpenAI at {endpoints.openai_base_url}, capy at {endpoints.capy_base_url}"
            )
            stacks: list[tuple[str, auto.Stack]] = []
            for project, example_dir in examples:
                stack_dir = work / project
                click.echo(f"\n== {project}: program {example_dir}; stack {STACK_NAME} in {stack_dir}")
                stack = open_stack(
                    command=command,
                    example_dir=example_dir,
                    workdir=stack_dir,
                    endpoints=endpoints,
                    project_name=project,
                    state_dir=state_dir,
                )
                stacks.append((project, stack))
                for key, (value, secret) in stack_config(project, endpoints).items():
                    shown = f"--secret {key} [secret]" if secret else f"{key} {value}"
                    click.echo(f"$ pulumi config set {shown}")
                click.echo("\n$ pulumi up --yes")
                stack.up(on_output=click.echo, on_error=_echo_err, show_secrets=False)
                click.echo("\n$ pulumi stack output")
                click.echo(format_outputs(stack.outputs()))
                click.echo("(secret values are shown by: pulumi stack output --show-secrets)")
            click.echo()
            _show_keys(endpoints)
            if destroy:
                for project, stack in reversed(stacks):
                    click.echo(f"\n== {project}\n$ pulumi destroy --yes")
                    stack.destroy(on_output=click.echo, on_error=_echo_err)
                click.echo()
                _show_keys(endpoints)
            succeeded = True
    except CommandError:
        # Pulumi's own output, streamed above, says what failed; its repetition would only bury it.
        raise click.ClickException(
            f"pulumi failed (its output is above); the stacks are kept in {work}"
        ) from None
    except (OSError, EmulatorStartupError, ApiKeysError) as exc:
        raise click.ClickException(f"{exc}; the stacks are kept in {work}") from None
    finally:
        if temporary and succeeded and destroy:
            shutil.rmtree(work, ignore_errors=True)
    if not destroy:
        looks = "".join(
            f"    cd {work / project} && PULUMI_CONFIG_PASSPHRASE={PASSPHRASE} "
            "pulumi stack output --show-secrets\n"
            for project, _ in examples
        )
        click.echo(
            f"\nThe stacks are kept in {work}. To look at them:\n{looks}"
            f"Run the demo again with --workdir {work} to update or destroy them."
        )


def _echo_err(line: str) -> None:
    click.echo(line, err=True)
