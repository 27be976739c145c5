"""A fake of the registered backends' APIs, served over real HTTP, with fault injection.

Each backend with an emulator service (``Backend.emulator``, a ``ServiceSpec``) is served side by
side with the others, over its own store, closely enough for its client (and, where one exists,
the vendor's official SDK). Keys are kept in memory or in a state file (never their values); the
emulator can delay, fail, drop or hang requests on demand. A control API under ``/_emulator/``
(loopback only) changes faults, reads the request log and resets state.

Serving needs the ``emulator`` extra (starlette and uvicorn): ``pip install 'pulumi-apikeys[emulator]'``.
This package's models, configuration and control client import without it.

Example::

    with start_emulator(EmulatorConfig(port=0)) as emulator:
        emulator.control.set_faults(FaultPlan(script=["rate_limit"]))
        vendor = emulator.endpoint("vendor")  # point its client at vendor.base_url, vendor.credential
"""

from pulumi_apikeys.emulator.config import EmulatorConfig
from pulumi_apikeys.emulator.control import EmulatorControl
from pulumi_apikeys.emulator.control_models import EmulatorHealth
from pulumi_apikeys.emulator.faults import FaultKind, FaultPlan, RateLimit
from pulumi_apikeys.emulator.request_log import RecordedRequest
from pulumi_apikeys.emulator.server import RunningEmulator, run_forever, start_emulator
from pulumi_apikeys.emulator.service import EmulatorService, ServiceEndpoint, ServiceFlag, ServiceSpec

__all__ = [
    "EmulatorConfig",
    "EmulatorControl",
    "EmulatorHealth",
    "EmulatorService",
    "FaultKind",
    "FaultPlan",
    "RateLimit",
    "RecordedRequest",
    "RunningEmulator",
    "ServiceEndpoint",
    "ServiceFlag",
    "ServiceSpec",
    "run_forever",
    "start_emulator",
]
