"""The store against a real SQLite file: group commit, isolation of failures, durability."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from hotelbox.config import StoreSettings
from hotelbox.errors import Unavailable
from hotelbox.messages import Inbound
from hotelbox.store import Store, inbox
from hotelbox.store.database import Conn, insert


def _add_guest(c: Conn, name: str) -> int:
    return insert(c, "INSERT INTO guests (name, created_at, updated_at) VALUES (?, 'now', 'now')", (name,))


async def test_concurrent_writes_are_grouped_into_few_transactions(tmp_path: Path) -> None:
    async with Store(tmp_path / "s.db", StoreSettings(batch_max=64)) as store:
        ids = await asyncio.gather(*(store.write(lambda c, n=n: _add_guest(c, f"g{n}")) for n in range(300)))
        assert len(set(ids)) == 300
        assert store.stats.writes == 300
        assert store.stats.transactions < 300 / 4  # batched: far fewer fsyncs than writes
    # durable: visible to a fresh, unrelated connection
    count = sqlite3.connect(tmp_path / "s.db").execute("SELECT count(*) FROM guests").fetchone()[0]
    assert count == 300


async def test_one_failing_write_does_not_take_its_batch_down(tmp_path: Path) -> None:
    async with Store(tmp_path / "s.db") as store:

        def bad(c: Conn) -> None:
            _add_guest(c, "half-done")
            raise ValueError("boom")

        results = await asyncio.gather(
            store.write(lambda c: _add_guest(c, "a")),
            store.write(bad),
            store.write(lambda c: _add_guest(c, "b")),
            return_exceptions=True,
        )
        assert isinstance(results[1], ValueError)
        names = {r["name"] for r in await store.fetchall("SELECT name FROM guests")}
        assert names == {"a", "b"}  # the failing write's own insert was rolled back


async def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    async with Store(tmp_path / "s.db") as store:
        with pytest.raises(sqlite3.IntegrityError):
            await store.write(
                lambda c: insert(
                    c,
                    "INSERT INTO conversations (guest_id, identity_id, channel, created_at, updated_at)"
                    " VALUES (999, 999, 'x', 'now', 'now')",
                )
            )


async def test_inbox_is_unique_by_channel_message_id(tmp_path: Path) -> None:
    message = Inbound(channel="webchat", channel_message_id="m-1", sender="sess-0001", text="hola")
    async with Store(tmp_path / "s.db") as store:
        first = await store.write(lambda c: inbox.accept(c, message))
        again = await store.write(lambda c: inbox.accept(c, message))
        assert not first.duplicate
        assert again.duplicate
        assert again.inbox_id == first.inbox_id
        rows = await store.fetchall("SELECT count(*) AS n FROM inbox")
        assert rows[0]["n"] == 1
        assert await store.integrity_check() == "ok"


async def test_writes_after_close_are_refused(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    await store.open()
    await store.close()
    with pytest.raises(Unavailable):
        await store.write(lambda c: _add_guest(c, "late"))


async def test_a_status_that_settled_a_send_is_never_undone_by_a_stale_sender(tmp_path: Path) -> None:
    """After a restart the relay's backlog brings statuses while the sender looks at the rows it
    read as "sending" or "pending": what a status settled must stay settled (no second send)."""
    from hotelbox.messages import Reply
    from hotelbox.store import conversations, outbox

    async with Store(tmp_path / "s.db") as store:

        def setup(c: Conn) -> list[int]:
            conv = conversations.get_or_create(c, "whatsapp", "+34600111222")
            return [
                outbox.enqueue(c, conv, "whatsapp", "+34600111222", Reply(f"r{n}", "es")) for n in range(2)
            ]

        first, second = await store.write(setup)
        items = {i.id: i for i in await store.read(lambda c: outbox.due(c, ["whatsapp"]))}
        assert await store.write(lambda c: outbox.mark_sending(c, first))
        stale = items[first]  # as the sender read it before the crash: "pending"/"sending"
        await store.write(lambda c: outbox.apply_status(c, "wamid.1", "sent", None, outbox_id=first))
        await store.write(lambda c: outbox.mark_uncertain(c, stale, "interrupted while sending"))
        await store.write(lambda c: outbox.mark_retry(c, stale, "timeout", 1.0))
        await store.write(lambda c: outbox.mark_final(c, stale, "failed", "boom"))
        # a requeued row whose late status arrives before the sender claims it is not sent again
        await store.write(lambda c: outbox.apply_status(c, "wamid.2", "delivered", None, outbox_id=second))
        assert not await store.write(lambda c: outbox.mark_sending(c, second))
        rows = await store.fetchall("SELECT id, status, channel_message_id FROM outbox ORDER BY id")
        assert [(r["status"], r["channel_message_id"]) for r in rows] == [
            ("sent", "wamid.1"),
            ("sent", "wamid.2"),
        ]
