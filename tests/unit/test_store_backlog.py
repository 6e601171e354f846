"""The pending backlog (store/backlog.py) against a real SQLite file."""

from __future__ import annotations

from pathlib import Path

from hotelbox.messages import Inbound, Reply
from hotelbox.store import Store, backlog, bookings, inbox, outbox
from hotelbox.store.database import Conn, utc_in, utcnow

REQUEST = {"check_in": "2030-01-01", "check_out": "2030-01-03", "adults": 2, "children": 0, "room_type": "1"}


def _guest_writes(c: Conn, address: str) -> int:
    """One pending message, two replies and a PMS write for a new guest; its conversation id."""
    accepted = inbox.accept(
        c, Inbound(channel="webchat", channel_message_id=address, sender=address, text="hola")
    )
    conversation = accepted.conversation_id
    outbox.enqueue(c, conversation, "webchat", address, Reply(text="uno", lang="es"))
    later = outbox.enqueue(c, conversation, "webchat", address, Reply(text="dos", lang="es"))
    c.execute("UPDATE outbox SET next_attempt_at = ? WHERE id = ?", (utc_in(3600), later))
    guest = c.execute("SELECT guest_id FROM conversations WHERE id = ?", (conversation,)).fetchone()[0]
    bookings.queue_create(c, conversation, guest, f"key-{address}", REQUEST)
    return conversation


async def test_the_backlog_counts_the_box_or_one_conversation_and_what_is_due(tmp_path: Path) -> None:
    async with Store(tmp_path / "s.db") as store:
        assert await store.read(backlog.pending) == backlog.Backlog(inbox=0, outbox=0, pms=0, uncertain=0)
        first = await store.write(lambda c: _guest_writes(c, "session-aaaa"))
        await store.write(lambda c: _guest_writes(c, "session-bbbb"))

        box = await store.read(backlog.pending)
        assert (box.inbox, box.outbox, box.pms, box.uncertain) == (2, 4, 2, 0)
        assert box.total == 8

        mine = await store.read(lambda c: backlog.pending(c, first))
        assert (mine.inbox, mine.outbox, mine.pms) == (1, 2, 1)
        # due now: the reply waiting out its retry delay does not count
        due = await store.read(lambda c: backlog.pending(c, first, due_at=utcnow()))
        assert (due.inbox, due.outbox, due.pms) == (1, 1, 1)
        # a PMS write backing off after a failure is not due either
        await store.write(lambda c: c.execute("UPDATE pms_outbox SET next_attempt_at = ?", (utc_in(60),)))
        assert (await store.read(lambda c: backlog.pending(c, first, due_at=utcnow()))).pms == 0
        assert (await store.read(backlog.pending)).pms == 2


async def test_uncertain_sends_are_counted_apart(tmp_path: Path) -> None:
    async with Store(tmp_path / "s.db") as store:
        await store.write(lambda c: _guest_writes(c, "session-cccc"))
        await store.write(
            lambda c: c.execute(
                "UPDATE outbox SET status = 'uncertain', uncertain_since = ? WHERE id = 1", (utcnow(),)
            )
        )
        pending = await store.read(backlog.pending)
        assert (pending.outbox, pending.uncertain, pending.total) == (1, 1, 3)
