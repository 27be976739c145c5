"""Many creates in flight at once: the one asyncio loop never runs the API calls one at a time."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from pulumi.runtime.proto import provider_pb2

from pulumi_apikeys.emulator import FaultPlan
from tests.plugin.driver import struct

COUNT = 8


def test_creates_sent_together_reach_the_api_together(plugin, emulator):
    # The emulator holds every create until COUNT of them are held at once: if the plugin ran its
    # handlers' API calls one after another, the first would be held alone and answered 503.
    emulator.control.set_faults(FaultPlan(gather=COUNT, gather_timeout_seconds=60, methods=["POST"]))

    def create(index: int) -> str:
        urn = f"urn:pulumi:dev::keys::apikeys:openai:AdminApiKey::k{index}"
        checked = plugin.stub.Check(provider_pb2.CheckRequest(urn=urn, news=struct({"name": f"k{index}"})))
        return plugin.stub.Create(provider_pb2.CreateRequest(urn=urn, properties=checked.inputs)).id

    with ThreadPoolExecutor(max_workers=COUNT) as pool:
        ids = list(pool.map(create, range(COUNT)))

    posts = [r for r in emulator.control.requests() if r.method == "POST"]
    assert len(set(ids)) == COUNT
    assert [r.status for r in posts] == [200] * COUNT
