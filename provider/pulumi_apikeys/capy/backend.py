"""The capy backend as the registry sees it: its resources, settings, secret shapes and parts."""

from __future__ import annotations

from pulumi_apikeys.capy.declaration import API_KEY, BASE_URL, CAPY_API_KEY
from pulumi_apikeys.core.backend import Backend, LazyRef

__all__ = ["BACKEND"]

BACKEND = Backend(
    name="capy",
    title="capy",
    credential=CAPY_API_KEY,
    base_url=BASE_URL,
    resources=(API_KEY,),
    secret_patterns=(r"capy_live_[A-Za-z0-9_\-]{6,}",),
    emulator=LazyRef("pulumi_apikeys.capy.emulator_service:SERVICE"),
    cli=LazyRef("pulumi_apikeys.capy.cli:capy_group"),
    demo=LazyRef("pulumi_apikeys.capy.demo:DEMO"),
)
