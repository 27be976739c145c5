"""A toy third vendor, written the way a new backend would be: one folder, registered from outside.

It guards the design: adding it edited no product module, and it gets a working dynamic resource
(``ToyKey``), an emulator service and every shared test table (``tests/backends``) for free.
Importing this package registers the backend, in whichever process imports it (the test
session, a harness program, the provider server that unpickles ``ToyKeyProvider``); the root
``conftest.py`` imports ``under_test``, which describes it to the shared tables.
"""

from __future__ import annotations

from pulumi_apikeys import registry
from tests.toy_backend.backend import BACKEND

if all(backend.name != BACKEND.name for backend in registry.registered()):
    registry.register(BACKEND)
