"""The OpenAI backend as the registry sees it: its resources, settings, secret shapes and parts."""

from __future__ import annotations

from pulumi_apikeys.core.backend import Backend, LazyRef
from pulumi_apikeys.openai.declaration import ADMIN_API_KEY, ADMIN_KEY, BASE_URL

__all__ = ["BACKEND"]

BACKEND = Backend(
    name="openai",
    title="OpenAI",
    credential=ADMIN_KEY,
    base_url=BASE_URL,
    resources=(ADMIN_API_KEY,),
    secret_patterns=(
        r"sk-admin-[A-Za-z0-9_\-]{8,}",  # admin key values
        r"sk-(?:proj-|svcacct-)?[A-Za-z0-9_\-]{20,}",  # other OpenAI keys
    ),
    emulator=LazyRef("pulumi_apikeys.openai.emulator_service:SERVICE"),
    cli=LazyRef("pulumi_apikeys.openai.cli:openai_group"),
    demo=LazyRef("pulumi_apikeys.openai.demo:DEMO"),
)
