"""WhatsApp under load, with the relay and the box as separate processes (as deployed): a fake
Meta posts signed webhooks at a fixed rate (open loop: a slow answer does not slow the sender)
to ``hotelbox relay``; ``hotelbox run`` holds the link and answers through the fake Graph API,
which runs in this process.

* relay accept latency: webhook POST sent → 200 received (the commit to SQLite is inside);
* end to end: webhook POST sent → the reply's Graph API request arrives (text; demo hotel).

Two loads of 100 webhooks/s for a minute each: all guest messages (statuses off), and the mix
Meta really sends — each reply followed by sent/delivered/read status webhooks, so a quarter
of the webhooks are guest messages.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from pathlib import Path
from typing import Any

import psutil

from hotelbox.pipeline import stage_summary
from tests.bench.openloop import open_loop
from tests.e2e.processes import QUESTIONS, World
from tests.fakes.graph import FakeGraph, SentMessage, encode, message_body, wamid

RATE = 100  # webhooks per second
SECONDS = 60
GUESTS = 300


async def scenario(tmp: Path, name: str, statuses: bool) -> dict[str, Any]:
    async with FakeGraph() as graph:
        graph.switches.statuses = ("sent", "delivered", "read") if statuses else ()
        world = World(tmp / name, graph)
        world.relay.supervise()
        world.box.supervise()
        try:
            await world.box_connected()
            await asyncio.sleep(1.0)
            sent_at: dict[str, list[float]] = {}
            e2e: list[float] = []
            accept: list[float] = []
            errors = 0

            def on_sent(message: SentMessage) -> None:
                queue = sent_at.get(message.recipient)
                if queue:
                    e2e.append(message.at - queue.pop(0))

            graph.on_sent = on_sent
            rng = random.Random(7)
            message_rate = RATE / 4 if statuses else RATE
            phones = [f"+3460080{g:04d}" for g in range(GUESTS)]
            guests = itertools.cycle(phones)

            async def post(phone: str) -> None:
                nonlocal errors
                question = rng.choice(QUESTIONS)[0]
                t0 = time.time()
                sent_at.setdefault(phone, []).append(t0)
                try:
                    status, seconds = await world.meta.post_raw(
                        encode(message_body(phone, text=question, wamid_=wamid()))
                    )
                    accept.append(seconds)
                    errors += status != 200
                except Exception:
                    errors += 1

            n = await open_loop(message_rate, SECONDS, lambda _: post(next(guests)))
            deadline = time.monotonic() + 60
            while len(e2e) < n and time.monotonic() < deadline:  # noqa: ASYNC110 - polling a list the server fills
                await asyncio.sleep(0.1)
            rss = {
                p.name: psutil.Process(p.proc.pid).memory_info().rss / 2**20
                for p in (world.relay, world.box)
                if p.proc
            }
        finally:
            await world.meta.close()
            await world.box.stop()
            await world.relay.stop()
    webhooks = n + (3 * n if statuses else 0)
    a, e = stage_summary(accept), stage_summary(e2e)
    print(f"### {name}: {n} guest messages in {SECONDS} s ({webhooks / SECONDS:.0f} webhooks/s in all)")
    print(f"relay accept (POST → 200): p50 {a['p50_ms']} ms, p95 {a['p95_ms']} ms, p99 {a['p99_ms']} ms")
    print(
        f"end to end (webhook → Graph request): p50 {e['p50_ms']} ms, p95 {e['p95_ms']} ms, p99 {e['p99_ms']} ms"
    )
    print(
        f"answered {len(e2e)}/{n}, refused or failed posts {errors}; RSS relay {rss.get('relay', 0):.0f} MB, box {rss.get('box', 0):.0f} MB"
    )
    return {
        "messages": n,
        "accept": a,
        "end_to_end": e,
        "answered": len(e2e),
        "errors": errors,
        "rss_mb": rss,
    }


async def run(tmp: Path) -> dict[str, Any]:
    return {
        "messages_only": await scenario(tmp, "guest messages only", statuses=False),
        "with_statuses": await scenario(tmp, "messages + Meta's status webhooks", statuses=True),
    }
