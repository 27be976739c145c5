"""What the real-CLI tests share: one ``pulumi install`` of the provider plugin at a time."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

try:
    import fcntl
except ImportError:  # Windows: no flock; the tests there run one process at a time or not at all
    fcntl = None  # type: ignore[assignment]

LOCK_FILE = Path(tempfile.gettempdir()) / "pulumi-apikeys-plugin-install.lock"
"""Shared by every pytest-xdist worker (and every checkout) on the machine."""


@contextmanager
def _plugin_install_lock() -> Iterator[None]:
    # `pulumi install` creates the plugin's venv in provider/venv, the same folder for every test:
    # two workers creating it at once would each see the other's half-made venv.
    if fcntl is None:
        yield
        return
    with LOCK_FILE.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture
def plugin_install_lock() -> Callable[[], AbstractContextManager[None]]:
    """``with plugin_install_lock():`` around anything that runs ``pulumi install``
    (``demo.install_packages``, the demo)."""
    return _plugin_install_lock
