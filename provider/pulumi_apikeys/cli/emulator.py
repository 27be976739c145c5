"""``pulumi-apikeys emulator``: serve the fake API on loopback until interrupted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from pulumi_apikeys.emulator import EmulatorConfig, FaultPlan, RateLimit, RunningEmulator, run_forever
from pulumi_apikeys.emulator.config import DEFAULT_ADMIN_KEY, DEFAULT_CAPY_KEY, DEFAULT_PORT
from pulumi_apikeys.emulator.faults import FAULT_KINDS
from pulumi_apikeys.errors import ConfigurationError

__all__ = ["emulator_command"]

_KIND_CHOICES = ", ".join(FAULT_KINDS)


def _check_kind(kind: str) -> str:
    if kind not in FAULT_KINDS:
        raise click.BadParameter(f"unknown fault kind {kind!r} (expected one of: {_KIND_CHOICES})")
    return kind


def _parse_rates(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, float]:
    rates: dict[str, float] = {}
    for item in values:
        kind, sep, rate = item.partition("=")
        if not sep:
            raise click.BadParameter(f"expected KIND=RATE, got {item!r}")
        try:
            rates[_check_kind(kind.strip())] = float(rate)
        except ValueError:
            raise click.BadParameter(f"the rate in {item!r} is not a number") from None
    return rates


def _parse_rate_limit(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> tuple[int, float] | None:
    if value is None:
        return None
    burst, sep, window = value.partition("/")
    try:
        parsed = (int(burst), float(window))
    except ValueError:
        parsed = None
    if not sep or parsed is None or parsed[0] < 1 or not parsed[1] > 0:
        raise click.BadParameter(f"expected BURST/WINDOW_SECONDS such as 7/60, got {value!r}")
    return parsed


def _parse_list(ctx: click.Context, param: click.Parameter, value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [item.strip() for item in value.split(",") if item.strip()]


@click.command("emulator")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Port to listen on; 0 picks a free one.",
)
@click.option(
    "--admin-key",
    default=DEFAULT_ADMIN_KEY,
    envvar="APIKEYS_EMULATOR_ADMIN_KEY",
    show_envvar=True,
    help="The admin key the API accepts (besides the keys it creates).",
)
@click.option(
    "--capy-key",
    default=DEFAULT_CAPY_KEY,
    envvar="APIKEYS_EMULATOR_CAPY_KEY",
    show_envvar=True,
    help="The capy API key accepted for every organization (besides the keys it creates).",
)
@click.option(
    "--state-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Keep keys in this JSON file across restarts (it never holds a key value).",
)
@click.option(
    "--owner-kind",
    type=click.Choice(["user", "service_account"]),
    default="user",
    show_default=True,
    help="Who owns the keys the emulator creates.",
)
@click.option("--latency-ms", type=click.IntRange(min=0), default=0, help="Delay before every API request.")
@click.option(
    "--fault",
    "rates",
    multiple=True,
    metavar="KIND=RATE",
    callback=_parse_rates,
    help=f"Inject KIND into this fraction of requests (repeatable). Kinds: {_KIND_CHOICES}.",
)
@click.option(
    "--fault-script",
    metavar="KIND,KIND,...",
    callback=_parse_list,
    help="Inject these faults into the next requests, in order, before any rate applies.",
)
@click.option(
    "--fault-methods",
    metavar="METHOD,...",
    callback=_parse_list,
    help="Only inject faults into requests with these HTTP methods (e.g. POST,DELETE).",
)
@click.option("--retry-after", type=float, help="Seconds sent in retry-after on a 429 (default 1).")
@click.option("--retry-after-ms", type=click.IntRange(min=0), help="Milliseconds sent in retry-after-ms.")
@click.option("--hang-seconds", type=float, help="How long commit_then_hang withholds its answer.")
@click.option(
    "--rate-limit",
    metavar="BURST/WINDOW",
    callback=_parse_rate_limit,
    help="A token bucket per API and credential: BURST requests at once, refilled over WINDOW seconds "
    "(the real Admin API: 7/60); an empty bucket answers 429.",
)
@click.option(
    "--rate-limit-retry-after",
    is_flag=True,
    help="Send retry-after on the rate limit's 429s (the real API sends none).",
)
@click.option("--seed", type=int, help="Seed the fault rolls, for reproducible runs.")
def emulator_command(
    host: str,
    port: int,
    admin_key: str,
    capy_key: str,
    state_file: Path | None,
    owner_kind: str,
    latency_ms: int,
    rates: dict[str, float],
    fault_script: list[str] | None,
    fault_methods: list[str] | None,
    retry_after: float | None,
    retry_after_ms: int | None,
    hang_seconds: float | None,
    rate_limit: tuple[int, float] | None,
    rate_limit_retry_after: bool,
    seed: int | None,
) -> None:
    """Serve the fake OpenAI Admin API keys and capy API keys APIs until interrupted.

    Prints two lines once requests are served: the OpenAI base URL (e.g. http://127.0.0.1:8787/v1),
    then the capy base URL (e.g. http://127.0.0.1:8787).
    """
    for kind in fault_script or []:
        _check_kind(kind)
    plan_fields: dict[str, Any] = {"latency_ms": latency_ms, "rates": rates, "script": fault_script or []}
    optional = {
        "methods": fault_methods,
        "retry_after_seconds": retry_after,
        "retry_after_ms": retry_after_ms,
        "hang_seconds": hang_seconds,
        "seed": seed,
    }
    plan_fields.update({name: value for name, value in optional.items() if value is not None})
    if rate_limit is not None:
        burst, window = rate_limit
        plan_fields["rate_limit"] = RateLimit(
            burst=burst, window_seconds=window, retry_after=rate_limit_retry_after
        )
    elif rate_limit_retry_after:
        raise click.UsageError("--rate-limit-retry-after needs --rate-limit")
    try:
        config = EmulatorConfig.model_validate(
            {
                "host": host,
                "port": port,
                "admin_key": admin_key,
                "capy_key": capy_key,
                "state_file": state_file,
                "owner_kind": owner_kind,
                "faults": FaultPlan.model_validate(plan_fields),
            }
        )
    except ValidationError as exc:
        raise click.UsageError(str(exc)) from None

    def announce(emulator: RunningEmulator) -> None:
        # Scripts read the first line to learn where the emulator is: nothing may precede it.
        click.echo(emulator.base_url)
        click.echo(emulator.capy_base_url)

    try:
        run_forever(config, announce)
    except (OSError, ConfigurationError) as exc:  # e.g. the port is taken, the state file unreadable
        raise click.ClickException(f"cannot start the emulator on {host}:{port}: {exc}") from None
