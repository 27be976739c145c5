"""``pulumi-apikeys demo``: the example program, deployed by the Pulumi CLI to an emulator on loopback.

The same steps serve ``make demo`` and the integration tests: an emulator on a free loopback port;
``examples/openai-admin-keys`` run by the Automation API on a local file backend with the passphrase
secrets provider; ``pulumi up``; the stack outputs, secrets shown as ``[secret]``; ``pulumi destroy``.
No request leaves the machine, except a one-time download of the Pulumi CLI if none is found.
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
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pulumi_apikeys.emulator import EmulatorConfig, start_emulator
from pulumi_apikeys.emulator.server import EmulatorStartupError
from pulumi_apikeys.errors import ApiKeysError
from pulumi_apikeys.openai.client import AdminApiKeysClient

if TYPE_CHECKING:
    # Imported where used: pulumi.automation takes about 0.2 s to import, which every other
    # subcommand would otherwise pay.
    from pulumi import automation as auto

__all__ = [
    "PASSPHRASE",
    "PROJECT_NAME",
    "STACK_NAME",
    "PulumiCliUnavailable",
    "cli_env",
    "default_cli_root",
    "demo_command",
    "find_example_dir",
    "format_outputs",
    "open_stack",
    "pulumi_command",
    "workspace_options",
]

PROJECT_NAME = "openai-admin-keys"
"""The example's project name (its ``Pulumi.yaml``); project config keys are ``openai-admin-keys:…``."""
STACK_NAME = "dev"
PASSPHRASE = "pulumi-apikeys-demo"  # noqa: S105 - a demo value, printed for the user to reuse
"""Encrypts the demo stack's secrets; it only ever guards credentials of a local emulator."""
INSTALL_DOCS = "https://www.pulumi.com/docs/install/"
_EXAMPLE = Path("examples") / PROJECT_NAME
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


def find_example_dir(explicit: Path | None = None) -> Path:
    """The example program: ``explicit``, else ``examples/openai-admin-keys`` here or in the source tree."""
    if explicit is not None:
        candidates = [explicit]
    else:
        # parents[3]: the repository root when the package runs from its source tree (make, pip -e).
        candidates = [Path.cwd() / _EXAMPLE, Path(__file__).resolve().parents[3] / _EXAMPLE]
    for candidate in candidates:
        if (candidate / "__main__.py").is_file():
            return candidate.resolve()
    tried = ", ".join(str(c) for c in candidates)
    raise click.ClickException(
        f"The example program is not at {tried}: run this from the repository root or pass --example DIR."
    )


def cli_env(base_url: str) -> dict[str, str]:
    """Environment variables for every Pulumi command of the demo stack, program and provider included."""
    env = {
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        # The language host takes any installed package named pulumi-* for a resource plugin and
        # would try to download "pulumi-resource-apikeys"; a dynamic provider needs no plugin.
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        # The stack config names the emulator; these make sure a real endpoint or admin key in the
        # caller's environment can never be used instead.
        "OPENAI_BASE_URL": base_url,
        "OPENAI_ADMIN_KEY": "",
    }
    if sys.prefix == sys.base_prefix:
        # Not in a virtual environment: run the program and the provider with this interpreter,
        # the one that can import pulumi_apikeys.
        env["PULUMI_PYTHON_CMD"] = sys.executable
    return env


def workspace_options(
    *, example_dir: Path, workdir: Path, base_url: str, command: auto.PulumiCommand | None = None
) -> auto.LocalWorkspaceOptions:
    """A workspace in ``workdir`` whose program is ``example_dir``, with state under ``workdir/state``.

    The Automation API writes ``Pulumi.yaml`` and ``Pulumi.<stack>.yaml`` into its work dir, so the
    work dir is ``workdir`` and the project's ``main`` points at the example, which stays untouched.
    """
    from pulumi import automation as auto

    options: dict[str, str] = {"toolchain": "pip"}
    if sys.prefix != sys.base_prefix:
        # The virtual environment running this command has pulumi_apikeys; the program and the
        # dynamic provider (python -m pulumi.dynamic) must import it too.
        options["virtualenv"] = sys.prefix
    state = workdir / "state"
    state.mkdir(parents=True, exist_ok=True)
    project = auto.ProjectSettings(
        name=PROJECT_NAME,
        runtime=auto.ProjectRuntimeInfo(name="python", options=options),
        main=str(example_dir),
        backend=auto.ProjectBackend(url=state.resolve().as_uri()),
    )
    return auto.LocalWorkspaceOptions(
        work_dir=str(workdir),
        env_vars=cli_env(base_url),
        secrets_provider="passphrase",
        project_settings=project,
        pulumi_command=command,
    )


def open_stack(
    *,
    command: auto.PulumiCommand,
    example_dir: Path,
    workdir: Path,
    base_url: str,
    admin_key: str,
    stack_name: str = STACK_NAME,
) -> auto.Stack:
    """The demo stack, created or selected, its config pointing at the API at ``base_url``.

    The admin key is stored as a secret, encrypted with the demo passphrase.
    """
    from pulumi import automation as auto

    workdir.mkdir(parents=True, exist_ok=True)
    opts = workspace_options(example_dir=example_dir, workdir=workdir, base_url=base_url, command=command)
    stack = auto.create_or_select_stack(stack_name, work_dir=str(workdir), opts=opts)
    stack.set_all_config(
        {
            "apikeys:openaiBaseUrl": auto.ConfigValue(value=base_url),
            "apikeys:openaiAdminKey": auto.ConfigValue(value=admin_key, secret=True),
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


def _show_keys(client: AdminApiKeysClient) -> None:
    keys = list(client.list())
    click.echo(f"The emulator holds {len(keys) or 'no'} key{'' if len(keys) == 1 else 's'}.")
    width = max((len(key.name or "-") for key in keys), default=0)
    for key in keys:
        click.echo(f"    {key.id}  {(key.name or '-').ljust(width)}  {key.redacted_value}")


@click.command("demo")
@click.option(
    "--destroy/--keep",
    default=True,
    show_default=True,
    help="Destroy the stack at the end, or keep it (and the emulator's keys) in the work dir.",
)
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory for Pulumi.yaml, the stack config and state; default: a temporary one.",
)
@click.option(
    "--example",
    "example",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help=f"The Pulumi program to run [default: {_EXAMPLE}].",
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
    """Deploy the example's two Admin API keys with `pulumi up` to an emulator on loopback.

    Shows the stack outputs (the key values as [secret]) and the keys the emulator now holds, then
    destroys the stack. Needs the Pulumi CLI; downloads it (once) if it is missing.
    """
    from pulumi.automation.errors import CommandError

    example_dir = find_example_dir(example)
    command = pulumi_command(cli_root=cli_root, install=install, say=lambda line: click.echo(line, err=True))
    temporary = workdir is None
    work = Path(tempfile.mkdtemp(prefix="pulumi-apikeys-demo-")) if workdir is None else workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    succeeded = False
    # The emulator keeps its keys next to the stack state, so a kept stack finds them on the next run.
    config = EmulatorConfig(port=0, state_file=work / "emulator-state.json")
    try:
        with start_emulator(config) as emulator:
            click.echo(f"Emulator ready at {emulator.base_url}")
            click.echo(f"Program {example_dir}; stack {STACK_NAME} in {work}, state in {work / 'state'}")
            stack = open_stack(
                command=command,
                example_dir=example_dir,
                workdir=work,
                base_url=emulator.base_url,
                admin_key=emulator.admin_key,
            )
            click.echo(f"$ pulumi config set apikeys:openaiBaseUrl {emulator.base_url}")
            click.echo("$ pulumi config set --secret apikeys:openaiAdminKey [secret]")
            click.echo("\n$ pulumi up --yes")
            stack.up(on_output=click.echo, on_error=_echo_err, show_secrets=False)
            click.echo("\n$ pulumi stack output")
            click.echo(format_outputs(stack.outputs()))
            click.echo("(secret values are shown by: pulumi stack output --show-secrets)\n")
            client = AdminApiKeysClient(base_url=emulator.base_url, admin_key=emulator.admin_key)
            _show_keys(client)
            if destroy:
                click.echo("\n$ pulumi destroy --yes")
                stack.destroy(on_output=click.echo, on_error=_echo_err)
                _show_keys(client)
            succeeded = True
    except CommandError:
        # Pulumi's own output, streamed above, says what failed; its repetition would only bury it.
        raise click.ClickException(
            f"pulumi failed (its output is above); the stack is kept in {work}"
        ) from None
    except (OSError, EmulatorStartupError, ApiKeysError) as exc:
        raise click.ClickException(f"{exc}; the stack is kept in {work}") from None
    finally:
        if temporary and succeeded and destroy:
            shutil.rmtree(work, ignore_errors=True)
    if not destroy:
        click.echo(
            f"\nThe stack is kept in {work}. To look at it:\n"
            f"    cd {work} && PULUMI_CONFIG_PASSPHRASE={PASSPHRASE} pulumi stack output --show-secrets\n"
            f"Run the demo again with --workdir {work} to update or destroy it."
        )


def _echo_err(line: str) -> None:
    click.echo(line, err=True)
