"""Two ``hotelbox relay`` processes sharing one PostgreSQL queue behind a load balancer, a real
``hotelbox run`` box, fake Meta and Graph: the relay holding the box's link is SIGKILLed while
guests are writing. Meta's retries and the box's reconnection land on the other relay, and every
message is answered exactly once, in order per guest."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from hotelbox.relay.protocol import new_key
from tests.e2e.processes import Proc, World, write_config
from tests.fakes.graph import FakeGraph
from tests.fakes.netem import Balancer
from tests.support import free_port


class Cluster(World):
    def __init__(self, tmp: Path, graph: FakeGraph, queue_url: str, balancer_port: int) -> None:
        super().__init__(tmp, graph)
        self.relay_port = balancer_port  # Meta and the box only know the balancer's address
        self.config = write_config(tmp, balancer_port, graph.url, new_key())
        self.ports = [free_port(), free_port()]
        self.relays = [
            Proc(
                f"relay-{name}",
                ["relay"],
                tmp,
                self.config,
                env={
                    "HOTELBOX_RELAY__PORT": str(port),
                    "HOTELBOX_RELAY__RELAY_ID": f"relay-{name}",
                    "HOTELBOX_RELAY__QUEUE_URL": queue_url,
                },
            )
            for name, port in zip("ab", self.ports, strict=True)
        ]
        self.relay = self.relays[0]
        self.box = Proc("box", ["run"], tmp, self.config)
        self.webhook = f"http://127.0.0.1:{balancer_port}/wa/webhook"
        graph.webhook_url = self.webhook
        self.meta.url = self.webhook

    async def holder(self) -> int | None:
        """Which relay holds the box's link now (asked directly, not through the balancer)."""
        async with aiohttp.ClientSession() as http:
            for i, port in enumerate(self.ports):
                with contextlib.suppress(aiohttp.ClientError, OSError):
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                        if "hotel-1" in (await resp.json())["connected"]:
                            return i
        return None

    async def wait_holder(self, within_s: float = 60) -> int:
        deadline = asyncio.get_running_loop().time() + within_s
        while asyncio.get_running_loop().time() < deadline:
            found = await self.holder()
            if found is not None:
                return found
            await asyncio.sleep(0.1)
        raise AssertionError(f"the box never connected\n{self.box.log()}")


@pytest.fixture
async def cluster(tmp_path: Path, nlu_cache: Path, postgres: Any) -> AsyncIterator[Cluster]:
    async with FakeGraph() as graph:
        ports: list[tuple[str, int]] = []
        async with Balancer(ports) as balancer:
            c = Cluster(tmp_path, graph, postgres.new_database(), balancer.port)
            ports += [("127.0.0.1", p) for p in c.ports]
            try:
                yield c
            finally:
                await c.meta.close()
                await c.box.stop()
                for relay in c.relays:
                    await relay.stop()


@pytest.mark.timeout(300)
async def test_killing_the_relay_that_holds_the_link_loses_nothing(cluster: Cluster) -> None:
    for relay in cluster.relays:
        await relay.start()
    cluster.box.supervise()
    first = await cluster.wait_holder()
    asking = asyncio.create_task(cluster.guests_ask(guests=6, per_guest=5, concurrency=6))
    await cluster.graph.wait_sent(6, 60)  # mid-stream
    victim = cluster.relays[first]
    victim.keep_running = False
    victim.kill()
    asked = await asking
    await cluster.check_answered_once_in_order(asked)
    assert await cluster.holder() == 1 - first  # the other relay serves the box now
    assert victim.proc is not None
    assert victim.proc.returncode is not None  # and the killed one stayed dead
