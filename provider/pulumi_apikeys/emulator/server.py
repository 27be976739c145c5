"""Serving the emulator over real HTTP: uvicorn in a background thread, on a socket we bind.

Binding the socket ourselves makes ``port=0`` work (the OS picks a free port, we read it back) and
turns "address already in use" into an immediate error in the caller's thread. Starlette and
uvicorn (the ``emulator`` extra) are imported when an emulator starts, not with this module.
"""

from __future__ import annotations

import signal
import socket
import threading
import time
from collections.abc import Callable, Sequence
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Any

from pulumi_apikeys.emulator.config import EmulatorConfig
from pulumi_apikeys.emulator.control import EmulatorControl
from pulumi_apikeys.emulator.extra import require_emulator_extra
from pulumi_apikeys.emulator.service import ServiceEndpoint, ServiceSpec
from pulumi_apikeys.errors import EmulatorStartupError

if TYPE_CHECKING:
    import uvicorn

    from pulumi_apikeys.emulator.app import EmulatorApp

__all__ = ["EmulatorStartupError", "RunningEmulator", "run_forever", "start_emulator"]

STARTUP_TIMEOUT_SECONDS = 10.0
"""How long ``start_emulator`` waits for the server to accept connections."""
_SHUTDOWN_GRACE_SECONDS = 3
"""How long a stop waits for requests in flight (a hanging fault) before cancelling them."""
_KEEP_ALIVE_SECONDS = 60
"""How long an idle connection stays open. Longer than httpx's pool keeps one (5 s), as real APIs'
are: with equal limits, a client reusing a connection just as the server closes it loses the request
(a GET retried, a create reconciled), and a test counting requests would see it."""


class RunningEmulator:
    """An emulator serving on a real socket, in a daemon thread; a context manager that stops it.

    Example::

        with start_emulator(EmulatorConfig(port=0)) as emulator:
            vendor = emulator.endpoint("vendor")
            client = VendorClient(api_key=vendor.credential, base_url=vendor.base_url)
    """

    def __init__(
        self, config: EmulatorConfig, app: EmulatorApp, server: uvicorn.Server, thread: threading.Thread
    ) -> None:
        self.config = config
        """The configuration, with the port actually bound."""
        self.app = app
        """The ASGI app; ``app.emulator`` is its live state."""
        self._server = server
        self._thread = thread

    @property
    def port(self) -> int:
        """The port the emulator listens on."""
        return self.config.port

    @property
    def root_url(self) -> str:
        """``http://HOST:PORT``, where the control API lives under ``/_emulator``."""
        return f"http://{_url_host(self.config.host)}:{self.port}"

    def endpoint(self, name: str) -> ServiceEndpoint:
        """Where the service of the backend ``name`` is served, and the credential it accepts.

        Raises:
            KeyError: no service of that name runs here (the message lists those that do).
        """
        services = self.app.emulator.services
        if name not in services:
            raise KeyError(f"no emulator service named {name!r} (known: {', '.join(services)})")
        return services[name].endpoint(self.root_url)

    def endpoints(self) -> dict[str, ServiceEndpoint]:
        """Every service's endpoint, by backend name, in registry order."""
        return {name: service.endpoint(self.root_url) for name, service in self.app.emulator.services.items()}

    @property
    def control(self) -> EmulatorControl:
        """A client of the control API."""
        return EmulatorControl(self.root_url)

    @property
    def running(self) -> bool:
        """Whether the server thread is still serving."""
        return self._thread.is_alive()

    def stop(self) -> None:
        """Stop serving and wait for the server thread to end; calling it again does nothing."""
        self.app.emulator.stopping.set()  # a hanging request would otherwise hold up the shutdown
        self._server.should_exit = True
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def __enter__(self) -> RunningEmulator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def start_emulator(
    config: EmulatorConfig, specs: Sequence[ServiceSpec[Any]] | None = None
) -> RunningEmulator:
    """Start an emulator serving ``specs`` (by default every registered backend's service) and
    return once it accepts connections.

    Raises:
        OSError: the address could not be bound (e.g. the port is in use).
        EmulatorStartupError: the ``emulator`` extra is not installed, or the server did not start
            within ``STARTUP_TIMEOUT_SECONDS``.
        ConfigurationError: ``config`` names no such service, or its state file is unusable.
    """
    require_emulator_extra()
    # Only now, the extra known to be there: importing this module needs neither.
    import uvicorn

    from pulumi_apikeys.emulator.app import build_app

    app = build_app(config, specs)
    sock = _bind(config.host, config.port)
    bound = config.model_copy(update={"port": sock.getsockname()[1]})
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_level="warning",
            log_config=None,  # leave the host program's logging alone
            lifespan="off",
            access_log=False,
            # The loopback check of the control API must see the real peer, not X-Forwarded-For.
            proxy_headers=False,
            server_header=False,
            timeout_keep_alive=_KEEP_ALIVE_SECONDS,
            timeout_graceful_shutdown=_SHUTDOWN_GRACE_SECONDS,
        )
    )
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"apikeys-emulator-{bound.port}", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise EmulatorStartupError(f"the emulator did not start on {config.host}:{bound.port}")
        time.sleep(0.01)
    return RunningEmulator(bound, app, server, thread)


def run_forever(
    config: EmulatorConfig,
    on_ready: Callable[[RunningEmulator], None],
    specs: Sequence[ServiceSpec[Any]] | None = None,
) -> None:
    """Serve until SIGINT or SIGTERM, then stop cleanly; ``on_ready`` runs once requests are served.

    Must be called from the main thread (it installs signal handlers, restored on return).
    """
    stop_requested = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop_requested.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with start_emulator(config, specs) as emulator:
            on_ready(emulator)
            # A timed wait keeps the main thread responsive and notices a server that died.
            while emulator.running and not stop_requested.wait(0.5):
                pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _bind(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def _url_host(host: str) -> str:
    """The host as a URL should name it: a wildcard address becomes loopback, IPv6 gets brackets."""
    if host in ("", "0.0.0.0"):  # noqa: S104 - recognising the wildcard, not binding to it
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host
