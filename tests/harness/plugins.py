"""Where a package's provider plugin comes from and how the engine starts it, with the standard library only.

Kept free of the SDK and gRPC, as ``process.py`` is: the parent (``HarnessStack``) and the child both use it.

- ``PluginSource``: a package's plugin, as a project names it in Pulumi.yaml (``plugins.providers[].path``,
  local ``packages:`` entries), found first by ``getPluginInfoAndPath``
  (``sdk/go/common/workspace/plugins.go``).
- ``EngineFlags``: the CLI's ``--logflow --logtostderr -v=N --tracing URL``, which the engine hands on to
  every plugin (``buildPluginArguments`` in ``sdk/go/common/resource/plugin/plugin.go``).
- ``SemVer``: the ``blang/semver`` parsing and ordering the engine applies to provider versions, and the
  default provider names built from them (``ProviderRequest.DefaultName``,
  ``pkg/resource/deploy/providers/provider.go``).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "DYNAMIC_PACKAGE",
    "EngineFlags",
    "PluginSource",
    "SemVer",
    "default_provider_name",
    "missing_plugin_message",
    "plugin_arguments",
    "plugin_environment",
    "provider_request_key",
]

DYNAMIC_PACKAGE = "pulumi-python"
"""The Python dynamic provider's package, bundled with the CLI (``IsPluginBundled``): no plugin source."""


@dataclass(frozen=True)
class PluginSource:
    """Where a package's resource plugin is, as a project's Pulumi.yaml says, and how it is launched.

    ``PluginSource.directory(path)``: a plugin folder (``plugins.providers[].path``, or a local
    ``packages:`` entry) with ``PulumiPlugin.yaml`` (``runtime: python``) and ``__main__.py``; the engine
    hands it to the Python language host, whose ``RunPlugin`` runs ``<python> <dir> <args...>`` in the
    program's directory (``sdk/python/cmd/pulumi-language-python/main.go``).

    ``PluginSource.module(name)``: ``<python> -m <name> <args...>``, standing in for a
    ``pulumi-resource-<pkg>`` console script on ``$PATH`` (an ambient plugin), run in the program's directory
    as ``ExecPlugin`` runs binaries.

    The python is the harness's own interpreter (``sys.executable``): the test venv stands in for the
    plugin's ``venv``, which ``pulumi install`` would create from its ``requirements.txt``. ``version``, if
    given, is the project plugin's ``version``: a request for another version then finds no plugin, as
    ``getPluginInfoAndPath`` skips an incompatible project plugin.
    """

    kind: Literal["directory", "module"]
    target: str
    version: str | None = None

    @classmethod
    def directory(cls, path: str | os.PathLike[str], *, version: str | None = None) -> PluginSource:
        """A plugin folder holding ``PulumiPlugin.yaml`` and ``__main__.py``."""
        return cls("directory", str(Path(path).resolve()), version)

    @classmethod
    def module(cls, name: str, *, version: str | None = None) -> PluginSource:
        """A module run with ``python -m``."""
        return cls("module", name, version)

    def command(self, python: str, args: list[str]) -> list[str]:
        """The command line that starts the plugin with ``args`` (flags first, the engine's address last)."""
        if self.kind == "directory":
            return [python, self.target, *args]
        return [python, "-m", self.target, *args]

    def binary(self, package: str, python: str) -> str:
        """The path the engine resolves for the plugin (``GetPluginPath``), as messages and Handshake name it.

        For a folder, ``<dir>/pulumi-resource-<pkg>`` (``getPluginPath`` joins the file name even when no such
        file exists, and ``ExecPlugin`` then runs the folder); for a module, the console script it stands for.
        """
        base = self.target if self.kind == "directory" else str(Path(python).parent)
        return str(Path(base) / f"pulumi-resource-{package}")

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "target": self.target, "version": self.version}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PluginSource:
        return cls(data["kind"], data["target"], data.get("version"))


@dataclass(frozen=True)
class EngineFlags:
    """The CLI's logging and tracing flags, as the engine passes them on to plugins.

    ``pulumi --logflow --logtostderr -v=9 --tracing URL up``: ``buildPluginArguments`` puts
    ``--logtostderr`` and ``-v=N`` before the engine's address only with ``--logflow``, and ``--tracing X``
    whenever a tracing endpoint is set. The harness does no tracing or glog logging itself: the flags only
    reach the plugins' command lines, so a test can prove a plugin parses the real argument order.
    """

    logflow: bool = False
    logtostderr: bool = False
    verbose: int = 0
    tracing: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "logflow": self.logflow,
            "logtostderr": self.logtostderr,
            "verbose": self.verbose,
            "tracing": self.tracing,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EngineFlags:
        return cls(**data)


def plugin_arguments(flags: EngineFlags, engine_address: str) -> list[str]:
    """``buildPluginArguments``: ``[--logtostderr] [-v=N] [--tracing X] ENGINE_ADDRESS``, in that order."""
    args: list[str] = []
    if flags.logflow:
        if flags.logtostderr:
            args.append("--logtostderr")
        if flags.verbose > 0:
            args.append(f"-v={flags.verbose}")
    if flags.tracing:
        args += ["--tracing", flags.tracing]
    return [*args, engine_address]


def plugin_environment(
    base: dict[str, str], *, project: str, package_config: dict[str, str]
) -> dict[str, str]:
    """A resource plugin's environment: the engine's own, plus what ``NewProvider`` adds.

    ``pkg/host/host.go`` (``Provider``) marshals the decrypted config of the plugin's own package, keyed by
    bare name, as ``PULUMI_CONFIG``; ``provider_plugin.go`` (``NewProvider``) sets it and ``PULUMI_PROJECT``.
    The program's own ``PULUMI_CONFIG*`` never reaches a plugin.
    """
    env = {k: v for k, v in base.items() if not k.startswith("PULUMI_CONFIG")}
    env["PULUMI_PROJECT"] = project
    # Go's json.Marshal of a map[string]string: keys sorted, no spaces.
    env["PULUMI_CONFIG"] = json.dumps(dict(sorted(package_config.items())), separators=(",", ":"))
    return env


def missing_plugin_message(package: str, version: SemVer | None) -> str:
    """``workspace.MissingError``: no project plugin, none on ``$PATH`` and none in the plugin cache.

    The real engine would then try to download the plugin (``loadProvider``, ``InstallPlugin``); the harness
    behaves as with ``PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true`` and reports the miss as it is.
    """
    if version is not None:
        return (
            f"no resource plugin 'pulumi-resource-{package}' found in the workspace at version v{version} "
            "or on your $PATH"
        )
    return f"no resource plugin 'pulumi-resource-{package}' found in the workspace or on your $PATH"


_NUMERIC = re.compile(r"^(0|[1-9][0-9]*)$")
_IDENTIFIER = re.compile(r"^[0-9A-Za-z-]+$")


@dataclass(frozen=True, order=False)
class SemVer:
    """A semantic version as ``github.com/blang/semver`` parses, prints and orders it."""

    major: int
    minor: int
    patch: int
    pre: tuple[str, ...] = field(default=())
    build: tuple[str, ...] = field(default=())

    @classmethod
    def parse(cls, text: str) -> SemVer:
        """``semver.Parse``: strict ``MAJOR.MINOR.PATCH[-PRE][+BUILD]``; raises ``ValueError`` otherwise."""
        rest, _, build_text = text.partition("+")
        core, dash, pre_text = rest.partition("-")
        parts = core.split(".")
        if len(parts) != 3:
            raise ValueError(f"No Major.Minor.Patch elements found: {text!r}")
        for part in parts:
            if not _NUMERIC.match(part):
                raise ValueError(f"Invalid version number {part!r} in {text!r}")
        pre = tuple(pre_text.split(".")) if dash else ()
        for ident in pre:
            if not ident or not _IDENTIFIER.match(ident) or (ident.isdigit() and not _NUMERIC.match(ident)):
                raise ValueError(f"Invalid prerelease identifier {ident!r} in {text!r}")
        build = tuple(build_text.split(".")) if build_text else ()
        for ident in build:
            if not ident or not _IDENTIFIER.match(ident):
                raise ValueError(f"Invalid build identifier {ident!r} in {text!r}")
        return cls(int(parts[0]), int(parts[1]), int(parts[2]), pre, build)

    @classmethod
    def parse_tolerant(cls, text: str) -> SemVer:
        """``semver.ParseTolerant``: spaces trimmed, a ``v`` prefix dropped, missing parts and leading 0s
        fixed."""
        text = text.strip().removeprefix("v")
        rest, plus, build_text = text.partition("+")
        core, dash, pre_text = rest.partition("-")
        parts = core.split(".")
        if len(parts) < 3:
            parts += ["0"] * (3 - len(parts))
        parts = [p.lstrip("0") or "0" for p in parts]
        fixed = ".".join(parts) + (f"-{pre_text}" if dash else "") + (f"+{build_text}" if plus else "")
        return cls.parse(fixed)

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.pre:
            text += "-" + ".".join(self.pre)
        if self.build:
            text += "+" + ".".join(self.build)
        return text

    def _key(self) -> tuple[Any, ...]:
        # A release sorts after its prereleases; numeric identifiers sort before alphanumeric ones.
        pre_key = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in self.pre)
        return (self.major, self.minor, self.patch, 0 if self.pre else 1, pre_key)

    def __lt__(self, other: SemVer) -> bool:
        return self._key() < other._key()

    def __ge__(self, other: SemVer) -> bool:
        """``Version.GTE`` (build metadata is ignored)."""
        return not self < other


def default_provider_name(version: SemVer | None) -> str:
    """``ProviderRequest.DefaultName``: ``default``, then ``_MAJOR_MINOR_PATCH`` and each pre/build part."""
    name = "default"
    if version is not None:
        name += f"_{version.major}_{version.minor}_{version.patch}"
        name += "".join(f"_{part}" for part in version.pre)
        name += "".join(f"_{part}" for part in version.build)
    return name


def provider_request_key(package: str, version: SemVer | None) -> str:
    """``ProviderRequest.String``: the key the engine caches default providers under."""
    return package + (f"-{version}" if version is not None else "")
