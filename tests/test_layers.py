"""Dependencies point one way: each layer imports only the layers below it (read from the source)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pulumi_apikeys import registry

PACKAGE = Path(__file__).resolve().parents[1] / "provider" / "pulumi_apikeys"
BACKENDS = sorted(module.split(".")[1] for module in registry.BUILTIN_BACKENDS)


def imports_of(folder: str) -> dict[str, set[str]]:
    """``{file: imported module names}`` for every module under ``folder`` (relative to the package)."""
    found: dict[str, set[str]] = {}
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
        found[str(path.relative_to(PACKAGE))] = names
    return found


def offenders(folder: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    return {
        path: sorted(n for n in names if n == f or n.startswith(f + "."))
        for path, names in imports_of(folder).items()
        for f in forbidden
        if any(n == f or n.startswith(f + ".") for n in names)
    }


def test_the_core_imports_no_pulumi_sdk_no_face_no_backend_no_emulator():
    forbidden = (
        "pulumi",
        "pulumi_apikeys.dynamic",
        "pulumi_apikeys.emulator",
        "pulumi_apikeys.cli",
        *(f"pulumi_apikeys.{b}" for b in BACKENDS),
    )
    assert offenders("core", forbidden) == {}


def test_rotation_lives_in_the_core_so_the_cores_rules_bind_it():
    assert {"core/rotation.py", "core/rotating_pair.py", "core/lifecycles.py"} <= set(imports_of("core"))


def test_the_dynamic_face_names_no_backend():
    assert offenders("dynamic", tuple(f"pulumi_apikeys.{b}" for b in BACKENDS)) == {}


def test_the_emulator_names_no_backend_and_not_the_command_line_or_the_client_layer():
    forbidden = ("pulumi_apikeys.cli", "pulumi_apikeys._http", *(f"pulumi_apikeys.{b}" for b in BACKENDS))
    assert offenders("emulator", forbidden) == {}


RE_EXPORTS = {"openai/__init__.py": ["pulumi_apikeys.openai_projects.resource"]}
"""The one allowed crossing: ``pulumi_apikeys.openai`` re-exports the project resources (served by
the ``openai_projects`` backend) so that a program imports every OpenAI resource from one module.
Its import is lazy (``__getattr__``) and only for the type checker otherwise."""


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_backend_imports_no_other_backend(backend: str):
    others = tuple(f"pulumi_apikeys.{b}" for b in BACKENDS if b != backend)
    found = offenders(backend, others)
    assert {path: names for path, names in found.items() if RE_EXPORTS.get(path) != names} == {}
