"""``pulumi-apikeys emulator``: serve the registered backends' fake APIs until interrupted.

The fixed options set where the emulator listens, its state file and its faults; each service adds
its own flags, ``--<backend>-<option>`` (and any older spellings it keeps), made from its spec on
first use, so that listing the command line's commands loads no service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import click
from pydantic import ValidationError
from pydantic.fields import FieldInfo

from pulumi_apikeys.emulator.config import DEFAULT_PORT, EmulatorConfig
from pulumi_apikeys.emulator.extra import require_emulator_extra
from pulumi_apikeys.emulator.faults import FAULT_KINDS, FaultPlan, RateLimit
from pulumi_apikeys.emulator.registered import registered_services
from pulumi_apikeys.emulator.server import RunningEmulator, run_forever
from pulumi_apikeys.emulator.service import ServiceSpec
from pulumi_apikeys.errors import ConfigurationError, EmulatorStartupError

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


@dataclass(frozen=True)
class _ServiceFlagOption:
    """A click option made from a service's flag, and the option of the service it sets."""

    service: str
    option: str
    param: click.Option


def _click_type(field: FieldInfo) -> click.ParamType[Any]:
    """The type a flag parses its value as; pydantic validates it again, with the model's rules."""
    annotation = field.annotation
    if get_origin(annotation) is Literal:
        return click.Choice([str(choice) for choice in get_args(annotation)])
    if annotation is int:
        return click.INT
    return click.STRING


def _service_flag_options(specs: Sequence[ServiceSpec[Any]]) -> list[_ServiceFlagOption]:
    """A click option for every flag of every service, in the services' order."""
    made = []
    for spec in specs:
        for flag in spec.flags:
            field = spec.options.model_fields[flag.option]
            help_text = flag.help
            if flag.show_default and field.default is not None:
                # Said in the help rather than set as click's default: an unset flag stays unset,
                # so the options model's own default applies.
                help_text += f"  [default: {field.default}]"
            # The parameter's own name, which click wants an identifier, only matches it back to the flag.
            name = f"service__{spec.name}__{flag.option}".replace("-", "_")
            param = click.Option(
                [flag.spelling(spec.name), *flag.aliases, name],
                type=_click_type(field),
                envvar=list(flag.envvars) or None,
                show_envvar=bool(flag.envvars),
                help=help_text,
            )
            made.append(_ServiceFlagOption(spec.name, flag.option, param))
    return made


class _EmulatorCommand(click.Command):
    """The emulator command, whose services' flags join its fixed options when first needed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._specs: tuple[ServiceSpec[Any], ...] | None = None
        self._service_flags: list[_ServiceFlagOption] = []

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        self.specs()
        return super().get_params(ctx)

    def specs(self) -> tuple[ServiceSpec[Any], ...]:
        """The registered services, read on the first call, when their flags join (after ``--state-file``)."""
        if self._specs is None:
            specs = registered_services()
            flags = _service_flag_options(specs)
            taken = {spelling for param in self.params for spelling in param.opts}
            for flag in flags:
                clash = taken.intersection(flag.param.opts)
                if clash:
                    raise ValueError(f"the {flag.service!r} service's flag {clash.pop()} is taken")
                taken.update(flag.param.opts)
            at = next(index for index, param in enumerate(self.params) if param.name == "state_file") + 1
            self.params[at:at] = [flag.param for flag in flags]
            self._specs, self._service_flags = specs, flags
        return self._specs

    def service_options(self, values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        """The options that the flags given in ``values`` (click's, by parameter name) set, by service.

        Raises:
            click.UsageError: a service refuses a value (the message names the flag).
        """
        options: dict[str, dict[str, Any]] = {}
        for flag in self._service_flags:
            value = values.get(flag.param.name or "")
            if value is not None:
                options.setdefault(flag.service, {})[flag.option] = value
        for spec in self.specs():
            try:
                spec.validate_options(options.get(spec.name, {}))
            except ValidationError as exc:
                first = exc.errors(include_url=False, include_input=False)[0]
                option = str(first["loc"][0]) if first["loc"] else ""
                refused = next((flag for flag in spec.flags if flag.option == option), None)
                where = refused.spelling(spec.name) if refused is not None else spec.name
                raise click.UsageError(f"{where}: {first['msg']}") from None
        return options


@click.command("emulator", cls=_EmulatorCommand)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Port to listen on; 0 picks a free one.",
)
@click.option(
    "--state-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Keep keys in this JSON file across restarts (it never holds a key value).",
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
    state_file: Path | None,
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
    **service_values: Any,
) -> None:
    """Serve the registered backends' fake APIs until interrupted.

    Prints each service's base URL once requests are served, one a line, in the registry's order:
    the first line is the first backend's (e.g. http://127.0.0.1:8787/v1).
    """
    command = click.get_current_context().command
    assert isinstance(command, _EmulatorCommand)
    try:
        require_emulator_extra()
    except EmulatorStartupError as exc:
        raise click.ClickException(str(exc)) from None
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
    services = command.service_options(service_values)
    try:
        config = EmulatorConfig.model_validate(
            {
                "host": host,
                "port": port,
                "state_file": state_file,
                "services": services,
                "faults": FaultPlan.model_validate(plan_fields),
            }
        )
    except ValidationError as exc:
        raise click.UsageError(str(exc)) from None

    def announce(emulator: RunningEmulator) -> None:
        # Scripts read the first line to learn where the emulator is: nothing may precede it.
        for endpoint in emulator.endpoints().values():
            click.echo(endpoint.base_url)

    try:
        run_forever(config, announce)
    except (OSError, ConfigurationError) as exc:  # e.g. the port is taken, the state file unreadable
        raise click.ClickException(f"cannot start the emulator on {host}:{port}: {exc}") from None
