"""Without the ``emulator`` extra (starlette, uvicorn) the emulator says what to install.

Each scenario runs in a fresh interpreter in which importing starlette and uvicorn fails, as it does
where they are not installed.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

INSTALL = "pip install 'pulumi-apikeys[emulator]'"
MISSING = f"the emulator needs starlette and uvicorn, which are not installed: {INSTALL}"

# A module set to None in sys.modules fails to import, its submodules too.
WITHOUT_EXTRA = "import sys\nfor name in ('starlette', 'uvicorn'):\n    sys.modules[name] = None\n"


def run_python(code: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *arguments], capture_output=True, text=True, timeout=60, check=False
    )


def test_the_command_fails_with_one_line_saying_what_to_install() -> None:
    result = run_python(
        WITHOUT_EXTRA + "from pulumi_apikeys.cli import main\nmain(['emulator', '--port', '0'])"
    )

    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"Error: {MISSING}"]
    assert result.stdout == ""


def test_python_m_fails_with_one_line_saying_what_to_install() -> None:
    result = run_python(
        WITHOUT_EXTRA + "import runpy\nsys.argv = ['emulator', '--port', '0']\n"
        "runpy.run_module('pulumi_apikeys.emulator', run_name='__main__', alter_sys=True)"
    )

    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"Error: {MISSING}"]


def test_start_emulator_raises_saying_what_to_install() -> None:
    result = run_python(
        WITHOUT_EXTRA + "from pulumi_apikeys.emulator import EmulatorConfig, start_emulator\n"
        "from pulumi_apikeys.errors import EmulatorStartupError\n"
        "try:\n    start_emulator(EmulatorConfig(port=0))\n"
        "except EmulatorStartupError as exc:\n    print(exc)\n"
    )

    assert (result.returncode, result.stdout.strip()) == (0, MISSING), result.stderr


def test_the_command_line_and_its_help_work_without_the_extra() -> None:
    result = run_python(WITHOUT_EXTRA + "from pulumi_apikeys.cli import main\nmain(['emulator', '--help'])")

    assert result.returncode == 0, result.stderr
    assert "--openai-admin-key" in result.stdout


@pytest.mark.parametrize("module", ["pulumi_apikeys.emulator", "pulumi_apikeys.cli"])
def test_importing_loads_neither_starlette_nor_uvicorn(module: str) -> None:
    result = run_python(
        f"import sys\nimport {module}\nprint(sorted({{'starlette', 'uvicorn'}} & set(sys.modules)))"
    )

    assert (result.returncode, result.stdout.strip()) == (0, "[]"), result.stderr
