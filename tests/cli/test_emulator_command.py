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
from pulumi_apikeys.emulator import FaultPlan, RateLimit
from pulumi_apikeys.emulator import command as emulator_cli


def test_emulator_help_lists_its_options() -> None:
    result = CliRunner().invoke(main, ["emulator", "--help"])

    assert result.exit_code == 0
    for option in (
        "--port",
        "--admin-key",
        "--capy-key",
        "--state-file",
        "--fault",
        "--fault-script",
        "--seed",
        "--rate-limit",
    ):
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
        ["--rate-limit", "7"],
        ["--rate-limit", "0/60"],
        ["--rate-limit", "7/0"],
        ["--rate-limit", "seven/60"],
        ["--rate-limit-retry-after"],
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
    capy_base_url = emulator_process.stdout.readline().strip()

    assert base_url.startswith("http://127.0.0.1:")
    assert base_url.endswith("/v1")
    assert capy_base_url == base_url.removesuffix("/v1")
    with httpx.Client(
        base_url=base_url, headers={"Authorization": "Bearer sk-admin-from-env"}, trust_env=False
    ) as api:
        assert api.get("/organization/admin_api_keys").status_code == 429  # the scripted fault
        assert api.get("/organization/admin_api_keys").status_code == 200

    emulator_process.send_signal(signal.SIGTERM)

    assert emulator_process.wait(timeout=30) == 0
    # The third service's URL (OpenAI's projects: the same base URL as the Admin keys') was the last line.
    assert emulator_process.stdout.read() == base_url + "\n"


def test_every_fault_flag_becomes_part_of_the_plan(monkeypatch, tmp_path) -> None:
    started = []
    monkeypatch.setattr(emulator_cli, "run_forever", lambda config, on_ready: started.append(config))
    arguments = [
        "emulator",
        "--port", "0",
        "--admin-key", "sk-admin-flag",
        "--capy-key", "capy_live_flag",
        "--state-file", str(tmp_path / "state.json"),
        "--owner-kind", "service_account",
        "--latency-ms", "25",
        "--fault", "rate_limit=0.1",
        "--fault", "drop=0.05",
        "--fault-script", "commit_then_drop,server_error",
        "--fault-methods", "POST,DELETE",
        "--retry-after", "2",
        "--retry-after-ms", "1500",
        "--hang-seconds", "4",
        "--seed", "7",
    ]  # fmt: skip

    result = CliRunner().invoke(main, arguments)

    assert result.exit_code == 0, result.output
    [config] = started
    openai, capy = config.services["openai"], config.services["capy"]
    assert (openai["admin_key"], capy["api_key"], openai["owner_kind"], config.state_file) == (
        "sk-admin-flag",
        "capy_live_flag",
        "service_account",
        tmp_path / "state.json",
    )
    assert config.faults == FaultPlan(
        latency_ms=25,
        rates={"rate_limit": 0.1, "drop": 0.05},
        script=["commit_then_drop", "server_error"],
        methods=["POST", "DELETE"],
        retry_after_seconds=2,
        retry_after_ms=1500,
        hang_seconds=4,
        seed=7,
    )


def test_the_rate_limit_flags_become_the_plans_bucket(monkeypatch) -> None:
    started = []
    monkeypatch.setattr(emulator_cli, "run_forever", lambda config, on_ready: started.append(config))

    result = CliRunner().invoke(main, ["emulator", "--rate-limit", "7/60", "--rate-limit-retry-after"])

    assert result.exit_code == 0, result.output
    assert started[0].faults.rate_limit == RateLimit(burst=7, window_seconds=60, retry_after=True)


@pytest.fixture
def started(monkeypatch) -> list:
    """The configs the command would have served (run_forever replaced), in order."""
    configs: list = []
    monkeypatch.setattr(emulator_cli, "run_forever", lambda config, on_ready: configs.append(config))
    return configs


@pytest.mark.parametrize(
    ("arguments", "services"),
    [
        (["--openai-admin-key", "sk-admin-new"], {"openai": {"admin_key": "sk-admin-new"}}),
        (["--admin-key", "sk-admin-old"], {"openai": {"admin_key": "sk-admin-old"}}),
        (["--openai-owner-kind", "service_account"], {"openai": {"owner_kind": "service_account"}}),
        (["--owner-kind", "service_account"], {"openai": {"owner_kind": "service_account"}}),
        (
            ["--openai-owner-id", "svc_9", "--openai-owner-name", "ci"],
            {"openai": {"owner_id": "svc_9", "owner_name": "ci"}},
        ),
        (["--capy-api-key", "capy_live_new"], {"capy": {"api_key": "capy_live_new"}}),
        (["--capy-key", "capy_live_old"], {"capy": {"api_key": "capy_live_old"}}),
        (["--capy-page-size", "5"], {"capy": {"page_size": 5}}),
    ],
)
def test_each_services_options_have_flags_named_for_its_backend_and_old_spellings_still_work(
    started, arguments: list[str], services: dict
) -> None:
    result = CliRunner().invoke(main, ["emulator", *arguments])

    assert result.exit_code == 0, result.output
    assert started[0].services == services


def test_flags_left_out_leave_every_service_at_its_defaults(started) -> None:
    result = CliRunner().invoke(main, ["emulator"])

    assert result.exit_code == 0, result.output
    assert started[0].services == {}


def test_the_old_environment_variables_still_set_the_credentials(started) -> None:
    env = {"APIKEYS_EMULATOR_ADMIN_KEY": "sk-admin-env", "APIKEYS_EMULATOR_CAPY_KEY": "capy_live_env"}

    result = CliRunner().invoke(main, ["emulator"], env=env)

    assert result.exit_code == 0, result.output
    assert started[0].services == {
        "openai": {"admin_key": "sk-admin-env"},
        "capy": {"api_key": "capy_live_env"},
        # One organization admin key guards the Admin keys and the projects alike.
        "openai_projects": {"admin_key": "sk-admin-env"},
    }


def test_a_value_its_service_refuses_is_a_usage_error_naming_the_flag(started) -> None:
    result = CliRunner().invoke(main, ["emulator", "--capy-page-size", "0"])

    assert result.exit_code == 2
    assert "--capy-page-size: Input should be greater than or equal to 1" in result.output
    assert started == []


def test_help_lists_each_flag_with_its_old_spelling() -> None:
    result = CliRunner().invoke(main, ["emulator", "--help"])

    for spellings in (
        "--openai-admin-key, --admin-key",
        "--openai-owner-kind, --owner-kind",
        "--capy-api-key, --capy-key",
    ):
        assert spellings in result.output
    assert "--capy-page-size" in result.output
