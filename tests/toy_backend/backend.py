"""The toy backend as the registry sees it."""

from __future__ import annotations

from pulumi_apikeys.core.backend import Backend, LazyRef
from tests.toy_backend.declaration import API_KEY, BASE_URL, TOY_KEY

BACKEND = Backend(
    name="toy",
    title="toy",
    credential=API_KEY,
    base_url=BASE_URL,
    resources=(TOY_KEY,),
    secret_patterns=(r"toy_sk_[A-Za-z0-9_\-]{8,}",),
    emulator=LazyRef("tests.toy_backend.emulator_service:SERVICE"),
)
