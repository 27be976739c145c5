"""Opt-in logs from the provider process: ``APIKEYS_LOG_LEVEL=debug pulumi up``.

The engine shows every line a provider writes to stderr in ``pulumi up``'s own output, so a
handler on stderr is all it takes. Off by default: a deployment's output is for its resources.
What is logged (requests, statuses, request ids, retries, reconciliation) never includes a
credential or a key value; the secret-hygiene tests scan these lines to hold that.
"""

from __future__ import annotations

import logging
import os
import sys
import threading

__all__ = ["LOG_LEVEL_ENV", "enable_logging_from_env"]

LOG_LEVEL_ENV = "APIKEYS_LOG_LEVEL"
"""``debug``, ``info``, ``warning`` or ``error``; unset, nothing is logged beyond warnings."""

_PACKAGE_LOGGER = "pulumi_apikeys"
_lock = threading.Lock()
_handler: logging.Handler | None = None


def enable_logging_from_env() -> None:
    """Sends the package's logs to stderr at the level ``APIKEYS_LOG_LEVEL`` names, once per process.

    An unknown level is reported on stderr and ignored: a typo must not fail a deployment.
    """
    global _handler
    raw = os.environ.get(LOG_LEVEL_ENV, "").strip()
    if not raw:
        return
    level = logging.getLevelName(raw.upper())
    if not isinstance(level, int):
        print(f"pulumi-apikeys: ignoring {LOG_LEVEL_ENV}={raw!r}: not a log level", file=sys.stderr)
        return
    with _lock:
        logger = logging.getLogger(_PACKAGE_LOGGER)
        logger.setLevel(level)
        if _handler is None:
            _handler = logging.StreamHandler(sys.stderr)
            _handler.setFormatter(logging.Formatter("pulumi-apikeys %(levelname)s %(name)s: %(message)s"))
            logger.addHandler(_handler)
