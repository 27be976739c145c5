"""The command line: ``pulumi-apikeys emulator`` and ``python -m pulumi_apikeys.emulator``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx
import pytest
from click.testing import CliRunner

from pulumi_apikeys import __version__
from pulumi_apikeys.cli import main


def test_emulator_help_lists_its_options() -> None:
    result = CliRunner().invoke(main, ["emulator", "--help"])

    assert result.exit_code == 0
    for option in ("--port", "--admin-key", "--state-file", "--fault", "--fault-script", "--seed"):
        assert option in result.output


def test_version_is_printed() -> None:
    result = CliRunner().invoke(main, ["--version"])

    assert result.exit_code == 0
    assert __version__ in result.output


@pytest.mark.parametrize(
    "arguments",
    [
        ["--fault", "meteor=0.5"],
        ["--fault", "drop"],
        ["--fault", "drop=often"],
        ["--fault", "drop=2"],
        ["--fault-script", "drop,meteor"],
        ["--owner-kind", "robot"],
    ],
)
def test_unusable_options_are_usage_errors(arguments: list[str]) -> None:
    result = CliRunner().invoke(main, ["emulator", "--port", "0", *arguments])

    assert result.exit_code == 2


@pytest.fixture
def emulator_process():
    """``python -m pulumi_apikeys.emulator --port 0`` with a scripted fault, killed if a test leaves it."""
    env = {**os.environ, "APIKEYS_EMULATOR_ADMIN_KEY": "sk-admin-from-env"}
    process = subprocess.Popen(
        [sys.executable, "-m", "pulumi_apikeys.emulator", "--port", "0", "--fault-script", "rate_limit"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    yield process
    if process.poll() is None:
        process.kill()
    process.communicate()


def test_the_module_prints_the_base_url_first_then_serves_until_sigterm(emulator_process) -> None:
    base_url = emulator_process.stdout.readline().strip()

    assert base_url.startswith("http://127.0.0.1:")
    assert base_url.endswith("/v1")
    with httpx.Client(
        base_url=base_url, headers={"Authorization": "Bearer sk-admin-from-env"}, trust_env=False
    ) as api:
        assert api.get("/organization/admin_api_keys").status_code == 429  # the scripted fault
        assert api.get("/organization/admin_api_keys").status_code == 200

    emulator_process.send_signal(signal.SIGTERM)

    assert emulator_process.wait(timeout=30) == 0
    assert emulator_process.stdout.read() == ""  # the URL was the only line
