"""The relay's queue contract, on both backends: SQLite (one relay VM) and PostgreSQL (several
relays, one database). Same inputs, same answers; plus what only the shared database must show:
two relays appending for one box at once never let the box's cursor skip an event."""

from __future__ import annotations

import asyncio
import random
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from hotelbox.relay.pgqueue import PostgresQueue
from hotelbox.relay.queue import EventQueue, SqliteQueue, now_ms

HEAD = {"x-hub-signature-256": "sha256=00", "content-type": "application/json"}


@pytest.fixture(params=["sqlite", "postgres"])
async def queue(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[EventQueue]:
    q: Any
    if request.param == "sqlite":
        q = SqliteQueue(tmp_path / "relay.db")
    else:
        q = PostgresQueue(request.getfixturevalue("postgres").new_database())
    await q.open()
    try:
        yield q
    finally:
        await q.close()


async def test_append_dedupes_per_box_and_keeps_order(queue: EventQueue) -> None:
    a = await queue.append(["hotel-1", "hotel-2"], "whatsapp.webhook", HEAD, b'{"n":1}')
    b = await queue.append(["hotel-1"], "whatsapp.webhook", HEAD, b'{"n":2}')
    again = await queue.append(["hotel-2", "hotel-1"], "whatsapp.webhook", HEAD, b'{"n":1}')  # Meta's retry
    assert again == [a[1], a[0]]
    assert b[0] > a[0]
    events = await queue.read_from("hotel-1", 0, 10)
    assert [e.seq for e in events] == [a[0], b[0]]
    assert events[0].body == b'{"n":1}'
    assert events[0].headers == HEAD
    assert [e.seq for e in await queue.read_from("hotel-1", a[0], 10)] == [b[0]]
    assert [e.seq for e in await queue.read_from("hotel-2", 0, 10)] == [a[1]]


async def test_acks_quarantine_backlog_and_purge(queue: EventQueue) -> None:
    seqs = [
        (await queue.append(["hotel-1"], "whatsapp.webhook", HEAD, f'{{"n":{n}}}'.encode()))[0]
        for n in range(5)
    ]
    assert await queue.acked_upto("hotel-1") == 0
    assert (await queue.backlog())["hotel-1"].events == 5
    await queue.mark_sent("hotel-1", seqs[:3])
    assert (await queue.read_from("hotel-1", 0, 1))[0].attempts == 1
    assert await queue.ack("hotel-1", seqs[2]) == 3
    assert await queue.ack("hotel-1", seqs[1]) == 0  # an older ack never moves it back
    assert await queue.acked_upto("hotel-1") == seqs[2]
    await queue.quarantine("hotel-1", seqs[3], "bad_mac")
    assert [e.seq for e in await queue.read_from("hotel-1", seqs[2], 10)] == [seqs[4]]
    backlog = await queue.backlog()
    assert backlog["hotel-1"].events == 2  # one queued, one quarantined (the operator's)
    assert await queue.purge(delivered_before_ms=now_ms() + 1000, undelivered_before_ms=0) == 3
    assert await queue.purge(delivered_before_ms=0, undelivered_before_ms=now_ms() + 1000) == 2
    assert await queue.backlog() == {}


async def test_a_waiter_wakes_on_append(queue: EventQueue) -> None:
    waiter = queue.waiter("hotel-1")
    waiter.clear()
    await queue.append(["hotel-1"], "whatsapp.webhook", HEAD, b"{}")
    await asyncio.wait_for(waiter.wait(), 5)


async def test_two_relays_appending_for_one_box_never_let_its_cursor_skip(postgres: Any) -> None:
    """The failure this rules out: relay A draws seq 10 and commits slowly, relay B draws 11 and
    commits first, the box reads 11 and acks it, then 10 appears behind its cursor — lost."""
    url = postgres.new_database()
    relays = [PostgresQueue(url), PostgresQueue(url)]
    for r in relays:
        await r.open()
    try:
        rng = random.Random(3)
        seen: list[int] = []
        done = asyncio.Event()

        async def box_reader() -> None:  # reads like a link session: after its cursor
            cursor = 0
            while not done.is_set() or await relays[1].read_from("hotel-1", cursor, 1):
                events = await relays[1].read_from("hotel-1", cursor, 50)
                seen.extend(e.seq for e in events)
                cursor = max([cursor, *(e.seq for e in events)])
                await asyncio.sleep(0)

        async def writer(relay: PostgresQueue, w: int, n: int) -> None:
            for k in range(n):
                await relay.append(
                    ["hotel-1", f"other-{k % 7}"], "whatsapp.webhook", HEAD, f"w{w}-{k}".encode()
                )
                if rng.random() < 0.2:
                    await asyncio.sleep(rng.uniform(0, 0.003))

        reader = asyncio.create_task(box_reader())
        await asyncio.gather(*(writer(relays[i % 2], i, 60) for i in range(8)))
        done.set()
        await reader
        everything = [e.seq for e in await relays[0].read_from("hotel-1", 0, 10_000)]
        assert len(everything) == 480
        assert sorted(seen) == everything  # nothing skipped, nothing twice
    finally:
        for r in relays:
            await r.close()


async def test_a_relay_wakes_when_another_relay_appends(postgres: Any) -> None:
    url = postgres.new_database()
    a, b = PostgresQueue(url), PostgresQueue(url)
    await a.open()
    await b.open()
    try:
        for _ in range(50):  # the LISTEN connection comes up in the background
            if b.listening:
                break
            await asyncio.sleep(0.05)
        waiter = b.waiter("hotel-9")
        waiter.clear()
        await a.append(["hotel-9"], "whatsapp.webhook", HEAD, b"{}")
        await asyncio.wait_for(waiter.wait(), 5)
    finally:
        await a.close()
        await b.close()


async def test_a_database_that_goes_down_is_a_clear_unavailable_then_comes_back() -> None:
    from hotelbox.errors import Unavailable
    from tests.fakes.postgres import Postgres

    server = Postgres().start()
    q = PostgresQueue(server.new_database())
    try:
        await q.open()
        await q.append(["hotel-1"], "whatsapp.webhook", HEAD, b"{}")
        assert server.proc is not None
        server.proc.send_signal(signal.SIGINT)  # the database server goes away
        server.proc.wait(30)
        with pytest.raises(Unavailable) as down:
            await q.append(["hotel-1"], "whatsapp.webhook", HEAD, b'{"n":2}')
        assert down.value.code == "queue_unavailable"  # the relay answers Meta 503: it retries
        assert q.health()["backend"] == "postgres"
    finally:
        await q.close()
        server.stop()
