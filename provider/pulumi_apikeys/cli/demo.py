"""``pulumi-apikeys demo``: the example programs, deployed by the Pulumi CLI to an emulator on loopback.

The same steps serve ``make demo`` and the integration tests: an emulator on a free loopback port,
serving every backend's API; one example program per part of a registered backend in the demo
(``Backend.demo``: a ``DemoPart``, or a tuple of them), each a stack run by the Automation API on
one local file backend with the passphrase secrets provider; ``pulumi up``; the stack outputs,
secrets shown as ``[secret]``; the keys the emulator holds; ``pulumi destroy``. No request leaves
the machine, except a one-time download of the Pulumi CLI if none is found.

Two kinds of example: a Python program of the dynamic resources runs in place (the stack's
``Pulumi.yaml``, written into the work dir, points its ``main`` at the example); an example that
uses the provider plugin (its ``Pulumi.yaml`` has a ``packages:`` section, e.g. Pulumi YAML) is
copied into the work dir, its local package paths made absolute, and ``pulumi install`` creates the
plugin's venv and the program's local SDK before ``pulumi up`` (``install_packages``).
"""

from __future__ import annotations

import importlib.metadata
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.error
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pulumi_apikeys import registry
from pulumi_apikeys.cli.demo_part import DemoPart
from pulumi_apikeys.core.backend import Backend
from pulumi_apikeys.emulator import EmulatorConfig, RunningEmulator, start_emulator
from pulumi_apikeys.emulator.server import EmulatorStartupError
from pulumi_apikeys.emulator.service import ServiceEndpoint
from pulumi_apikeys.errors import ApiKeysError

if TYPE_CHECKING:
    # Imported where used: pulumi.automation takes about 0.2 s to import, which every other
    # subcommand would otherwise pay.
    from pulumi import automation as auto

__all__ = [
    "PASSPHRASE",
    "STACK_NAME",
    "Endpoints",
    "PulumiCliUnavailable",
    "cli_env",
    "default_cli_root",
    "demo_command",
    "demo_parts",
    "examples",
    "find_example_dir",
    "format_outputs",
    "install_packages",
    "is_plugin_example",
    "open_stack",
    "prepare_plugin_project",
    "pulumi_command",
    "stack_config",
    "workspace_options",
]

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


def demo_parts() -> tuple[tuple[Backend, DemoPart], ...]:
    """Each part of the demo with its backend: the registry's order, each backend's parts in its order.

    A backend's ``demo`` names one ``DemoPart`` or a tuple of them (one example per face, say).
    Loaded on each call, not when this module is imported: a backend's demo module imports
    ``pulumi_apikeys.cli.demo_part``, so importing it from here at import time would be circular.
    """
    parts: list[tuple[Backend, DemoPart]] = []
    for backend in registry.registered():
        if backend.demo is None:
            continue
        loaded = backend.demo.load()
        for part in loaded if isinstance(loaded, tuple) else (loaded,):
            if not isinstance(part, DemoPart):
                raise TypeError(f"{backend.demo.path} holds a {type(part).__name__}, not a DemoPart")
            parts.append((backend, part))
    return tuple(parts)


def examples() -> tuple[str, ...]:
    """The examples the demo runs, in order; each is ``examples/<project name>``."""
    return tuple(part.project for _, part in demo_parts())


class Endpoints(Mapping[str, ServiceEndpoint]):
    """Where the demo's stacks find each backend's API, by backend name, and the credential it
    accepts (the emulator's own); in the registry's order."""

    def __init__(self, by_backend: Mapping[str, ServiceEndpoint]) -> None:
        self._by_backend = dict(by_backend)

    @classmethod
    def of(cls, emulator: RunningEmulator) -> Endpoints:
        """The APIs ``emulator`` serves, of the registered backends."""
        endpoints: dict[str, ServiceEndpoint] = {}
        for backend in registry.registered():
            try:
                endpoints[backend.name] = emulator.endpoint(backend.name)
            except KeyError:  # a backend without an emulator service
                continue
        return cls(endpoints)

    def __getitem__(self, name: str) -> ServiceEndpoint:
        return self._by_backend[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_backend)

    def __len__(self) -> int:
        return len(self._by_backend)

    def __repr__(self) -> str:
        # A ServiceEndpoint's repr leaves out its credential.
        return f"Endpoints({self._by_backend!r})"

    def backends(self) -> tuple[Backend, ...]:
        """The registered backends these endpoints serve, in the registry's order."""
        return tuple(backend for backend in registry.registered() if backend.name in self._by_backend)


def find_example_dir(explicit: Path | None = None, project: str | None = None) -> Path:
    """An example program: ``explicit``, else ``examples/<project>`` here or in the source tree.

    ``project`` defaults to the demo's first example (that of the first backend with a demo part).
    """
    if explicit is not None:
        candidates = [explicit]
    else:
        if project is None:
            project = _first_example()
        relative = _EXAMPLES_DIR / project
        # parents[3]: the repository root when the package runs from its source tree (make, pip -e).
        candidates = [Path.cwd() / relative, Path(__file__).resolve().parents[3] / relative]
    for candidate in candidates:
        # A Python program (the dynamic resources), or any project (Pulumi YAML is all Pulumi.yaml).
        if (candidate / "__main__.py").is_file() or (candidate / "Pulumi.yaml").is_file():
            return candidate.resolve()
    tried = ", ".join(str(c) for c in candidates)
    raise click.ClickException(
        f"The example program is not at {tried}: run this from the repository root or pass --example DIR."
    )


def _first_example() -> str:
    found = examples()
    if not found:
        raise click.ClickException("No backend has an example for the demo: pass --example DIR.")
    return found[0]


def _api_config(backend: Backend, endpoint: ServiceEndpoint) -> dict[str, tuple[str, bool]]:
    """The stack config pointing ``backend``'s settings at ``endpoint``; the credential is a secret."""
    return {
        backend.base_url.config_key: (endpoint.base_url, backend.base_url.secret),
        backend.credential.config_key: (endpoint.credential, True),
    }


def stack_config(project: str, endpoints: Endpoints) -> dict[str, tuple[str, bool]]:
    """The config the demo sets on the stack of ``project``, as ``{key: (value, secret)}``.

    A backend's example gets the settings of that backend's API, then its part's own config; any
    other program (``--example``) gets the settings of every API ``endpoints`` has, in the
    registry's order, as one program may declare keys of several.
    """
    for backend, part in demo_parts():
        if part.project == project:
            own = {key: (value, False) for key, value in part.config.items()}
            return {**_api_config(backend, endpoints[backend.name]), **own}
    config: dict[str, tuple[str, bool]] = {}
    for backend in endpoints.backends():
        config.update(_api_config(backend, endpoints[backend.name]))
    return config


def cli_env(endpoints: Endpoints) -> dict[str, str]:
    """Environment variables for every Pulumi command of the demo stacks, program and provider included."""
    env = {
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        # The language host takes any installed package named pulumi-* for a resource plugin and
        # would try to download "pulumi-resource-apikeys"; a dynamic provider needs no plugin.
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
    }
    # The stack config names the emulator; these make sure a real endpoint or credential in the
    # caller's environment can never be used instead, whichever backend's.
    for backend in registry.registered():
        env[backend.credential.env_var] = ""
    for backend in endpoints.backends():
        env[backend.base_url.env_var] = endpoints[backend.name].base_url
    if sys.prefix == sys.base_prefix:
        # Not in a virtual environment: run the program and the provider with this interpreter,
        # the one that can import pulumi_apikeys.
        env["PULUMI_PYTHON_CMD"] = sys.executable
    return env


_PROJECT_FILE = "Pulumi.yaml"
_NOT_COPIED = ("Pulumi.*.yaml", "sdks", "node_modules", "venv", "bin", "__pycache__")
"""What a plugin example's copy leaves behind: stack settings, and what ``pulumi install`` makes."""
_LOCAL_SOURCE_PREFIXES = ("./", "..", "/")
"""A ``packages:`` source that is a local path, as the CLI tells them (``IsLocalPluginPath``,
``pkg/resource/plugin/host.go``); anything else (a name, a git URL) is left as it is."""


def _read_project(example_dir: Path) -> dict[str, Any]:
    import yaml  # type: ignore[import-untyped]  # PyYAML comes with the Pulumi SDK, its stubs do not

    loaded = yaml.safe_load((example_dir / _PROJECT_FILE).read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, dict) else {}


def is_plugin_example(example_dir: Path) -> bool:
    """Whether the example uses the provider plugin: its ``Pulumi.yaml`` has a ``packages:`` section."""
    return (example_dir / _PROJECT_FILE).is_file() and bool(_read_project(example_dir).get("packages"))


def _absolute_source(name: str, spec: Any, example_dir: Path) -> Any:
    """A ``packages:`` entry with its local path resolved against the example's directory.

    The CLI reads a local path relative to the directory holding ``Pulumi.yaml``
    (``resolvePluginPath``), which for the copy is no longer the example's.
    """
    source = spec.get("source") if isinstance(spec, dict) else spec
    if not isinstance(source, str) or not source.startswith(_LOCAL_SOURCE_PREFIXES):
        return spec
    path = (example_dir / source).resolve()
    if not path.is_dir():
        raise click.ClickException(
            f"The example {example_dir} takes its package {name!r} from {path}, which is not a directory."
        )
    if isinstance(spec, dict):
        return {**spec, "source": str(path)}
    # A string source is split at its first "@" (name@version: PackageSpec in project.go).
    return str(path) if "@" not in str(path) else {"source": str(path)}


def prepare_plugin_project(example_dir: Path, workdir: Path, *, project_name: str, state_dir: Path) -> Path:
    """Copies a plugin example into ``workdir`` as a project of its own; returns its ``Pulumi.yaml``.

    The example stays untouched: ``pulumi install`` writes ``sdks/`` (and ``package.json``, for
    Node.js) into the project, so the project is a copy. Its ``Pulumi.yaml`` is the example's with
    the project named ``project_name``, the state in ``state_dir`` and each local ``packages:`` path
    made absolute (the plugin's folder). The stack settings already in ``workdir`` are kept: they
    hold the salt the stack's secrets are encrypted with.
    """
    import yaml

    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(example_dir, workdir, ignore=shutil.ignore_patterns(*_NOT_COPIED), dirs_exist_ok=True)
    project = _read_project(example_dir)
    project["name"] = project_name
    project["backend"] = {"url": state_dir.resolve().as_uri()}
    project["packages"] = {
        name: _absolute_source(name, spec, example_dir) for name, spec in project["packages"].items()
    }
    header = (
        f"# A copy of {example_dir}, made by pulumi-apikeys demo:\n"
        "# its packages' local paths made absolute, the backend set. Edit the example, not this copy.\n"
    )
    written = workdir / _PROJECT_FILE
    text = header + yaml.safe_dump(project, sort_keys=False, allow_unicode=True)
    written.write_text(text, encoding="utf-8")
    return written


def install_packages(stack: auto.Stack, *, on_output: Callable[[str], None] | None = None) -> None:
    """``pulumi install`` in the stack's project: the plugin's venv, the local SDK, the program's own
    dependencies (npm for Node.js). What ``pulumi package add`` does, for a ``packages:`` entry the
    project already has."""
    from pulumi import automation as auto

    workspace = stack.workspace
    if not isinstance(workspace, auto.LocalWorkspace):
        raise TypeError(f"pulumi install runs in a LocalWorkspace, not a {type(workspace).__name__}")
    workspace.install(on_output=on_output)


def workspace_options(
    *,
    example_dir: Path,
    workdir: Path,
    endpoints: Endpoints,
    project_name: str | None = None,
    state_dir: Path | None = None,
    command: auto.PulumiCommand | None = None,
) -> auto.LocalWorkspaceOptions:
    """A workspace in ``workdir`` whose program is ``example_dir``, with state under ``state_dir``.

    The project is ``project_name``, by default the example's directory name (an example's
    directory is named after its project).

    The Automation API writes ``Pulumi.yaml`` and ``Pulumi.<stack>.yaml`` into its work dir, so the
    work dir is ``workdir`` and the project's ``main`` points at the example, which stays untouched.
    The state goes to ``workdir/state`` unless ``state_dir`` says otherwise: one file backend holds
    the stacks of several projects.

    An example that uses the provider plugin is copied into ``workdir`` instead
    (``prepare_plugin_project``): the Automation API's project settings cannot say ``packages:``.
    """
    from pulumi import automation as auto

    state = workdir / "state" if state_dir is None else state_dir
    if is_plugin_example(example_dir):
        state.mkdir(parents=True, exist_ok=True)
        prepare_plugin_project(
            example_dir,
            workdir,
            project_name=example_dir.name if project_name is None else project_name,
            state_dir=state,
        )
        return auto.LocalWorkspaceOptions(
            work_dir=str(workdir),
            env_vars=cli_env(endpoints),
            secrets_provider="passphrase",
            pulumi_command=command,
        )
    options: dict[str, str] = {"toolchain": "pip"}
    if sys.prefix != sys.base_prefix:
        # The virtual environment running this command has pulumi_apikeys; the program and the
        # dynamic provider (python -m pulumi.dynamic) must import it too.
        options["virtualenv"] = sys.prefix
    state.mkdir(parents=True, exist_ok=True)
    project = auto.ProjectSettings(
        name=example_dir.name if project_name is None else project_name,
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
    project_name: str | None = None,
    state_dir: Path | None = None,
    stack_name: str = STACK_NAME,
) -> auto.Stack:
    """The stack of ``project_name``, created or selected, its config pointing at ``endpoints``.

    The project defaults to the example's directory name. The config is ``stack_config(project_name,
    endpoints)``; the credentials are stored as secrets, encrypted with the demo passphrase. A plugin
    example (``is_plugin_example``) needs ``install_packages`` before its first ``up``.
    """
    from pulumi import automation as auto

    if project_name is None:
        project_name = example_dir.name
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
    """One table of the live keys of every demo backend's API, and each backend's note below it.

    A backend with several parts is listed once (its first part's ``list_keys``): its parts' keys
    live in the same API.
    """
    rows: list[tuple[str, str, str, str]] = []
    notes: list[str] = []
    listed: set[str] = set()
    for backend, part in demo_parts():
        if backend.name not in endpoints or backend.name in listed:
            continue
        listed.add(backend.name)
        listing = part.list_keys(endpoints[backend.name])
        rows += [(backend.name, row.id, row.name, row.shown) for row in listing.rows]
        if listing.note:
            notes.append(listing.note)
    plural = "" if len(rows) == 1 else "s"
    click.echo(f"The emulator holds {len(rows) or 'no'} live key{plural}{':' if rows else '.'}")
    widths = [max((len(row[i]) for row in rows), default=0) for i in range(3)]
    for api, key_id, name, shown in rows:
        click.echo(f"    {api.ljust(widths[0])}  {key_id.ljust(widths[1])}  {name.ljust(widths[2])}  {shown}")
    for note in notes:
        click.echo(f"    ({note})")


_HELP = """Deploy the examples' keys with `pulumi up` to an emulator on loopback.

Runs {examples} as {stacks} against the same emulator. Shows the stack outputs (the key values
as [secret]) and the keys the emulator now holds, then destroys the stacks. Needs the Pulumi CLI;
downloads it (once) if it is missing.
"""
"""The demo's help; the examples, known once the backends' parts are loaded, are filled in when shown."""
_EXAMPLE_HELP = "Run only this Pulumi program (its project named after its directory)"
_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _count(n: int, noun: str) -> str:
    return f"{_NUMBERS[n] if n < len(_NUMBERS) else n} {noun}{'' if n == 1 else 's'}"


def _and(items: Iterable[str]) -> str:
    listed = list(items)
    return ", ".join(listed[:-1]) + " and " + listed[-1] if len(listed) > 1 else "".join(listed)


class _DemoCommand(click.Command):
    """The demo command, whose help names the examples of the registered backends."""

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        parts = [part for _, part in demo_parts()]
        self.help = _HELP.format(
            examples=_and(f"{_EXAMPLES_DIR / part.project} ({part.summary})" for part in parts),
            stacks=_count(len(parts), "stack"),
        )
        for param in self.params:
            if isinstance(param, click.Option) and param.name == "example":
                defaults = ", ".join(str(_EXAMPLES_DIR / part.project) for part in parts)
                param.help = f"{_EXAMPLE_HELP} [default: {defaults}]."
        super().format_help(ctx, formatter)


@click.command("demo", cls=_DemoCommand, help=_HELP)
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
    help=f"{_EXAMPLE_HELP}.",
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
    """Deploy the examples' keys with `pulumi up` to an emulator on loopback (see ``_HELP``)."""
    from pulumi.automation.errors import CommandError

    if example is None:
        programs = [(project, find_example_dir(None, project)) for project in examples()]
    else:
        found = find_example_dir(example)
        programs = [(found.name, found)]
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
            served = ", ".join(f"{b.title} at {endpoints[b.name].base_url}" for b in endpoints.backends())
            click.echo(f"Emulator ready: {served}")
            stacks: list[tuple[str, auto.Stack]] = []
            for project, example_dir in programs:
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
                if is_plugin_example(example_dir):
                    click.echo("\n$ pulumi install    # the provider plugin's venv and the program's sdks/")
                    install_packages(stack, on_output=click.echo)
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
            for project, _ in programs
        )
        click.echo(
            f"\nThe stacks are kept in {work}. To look at them:\n{looks}"
            f"Run the demo again with --workdir {work} to update or destroy them."
        )


def _echo_err(line: str) -> None:
    click.echo(line, err=True)
