"""A fake of the vendor APIs, served over real HTTP, with fault injection.

It speaks OpenAI's organization Admin API keys API closely enough for the official SDK, and capy's
organization API keys API (under ``/v1/organizations``) as its seed documents it; keeps keys in
memory or in a state file (never their values), and can delay, fail, drop or hang requests on
demand. A control API under ``/_emulator/`` (loopback only) changes faults, reads the request log
and resets state.

Example::

    with start_emulator(EmulatorConfig(port=0)) as emulator:
        emulator.control.set_faults(FaultPlan(script=["rate_limit"]))
        ...  # point a client at emulator.base_url with emulator.admin_key
"""

from pulumi_apikeys.emulator.config import EmulatorConfig, OwnerKind
from pulumi_apikeys.emulator.control import EmulatorControl
from pulumi_apikeys.emulator.faults import FaultKind, FaultPlan, RateLimit
from pulumi_apikeys.emulator.request_log import RecordedRequest
from pulumi_apikeys.emulator.server import RunningEmulator, run_forever, start_emulator

__all__ = [
    "EmulatorConfig",
    "EmulatorControl",
    "FaultKind",
    "FaultPlan",
    "OwnerKind",
    "RateLimit",
    "RecordedRequest",
    "RunningEmulator",
    "run_forever",
    "start_emulator",
]
