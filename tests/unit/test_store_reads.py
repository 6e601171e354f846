"""The reads that moved into the store (issue 19): conversations, outbox and PMS writes, against
a real SQLite file."""

from __future__ import annotations

from pathlib import Path

from hotelbox.messages import Inbound, Reply
from hotelbox.store import Store, bookings, conversations, inbox, outbox
from hotelbox.store.database import Conn


def _chat(c: Conn, session: str) -> tuple[int, int, int]:
    """A guest's voice note and the bot's reply; (conversation, guest's message, reply's outbox id)."""
    accepted = inbox.accept(
        c,
        Inbound(
            channel="webchat",
            channel_message_id=f"{session}-1",
            sender=session,
            kind="audio",
            phone="+34600000001",
            payload={"media": {"id": "m1", "mime_type": "audio/ogg"}},
        ),
    )
    sent = outbox.enqueue(c, accepted.conversation_id, "webchat", session, Reply(text="hola", lang="es"))
    return accepted.conversation_id, accepted.message_id, sent


async def test_conversation_reads(tmp_path: Path) -> None:
    async with Store(tmp_path / "s.db") as store:
        mine, voice, _ = await store.write(lambda c: _chat(c, "session-aaaa"))
        other, other_voice, _ = await store.write(lambda c: _chat(c, "session-bbbb"))

        assert await store.read(lambda c: conversations.find(c, "webchat", "session-aaaa")) == mine
        assert await store.read(lambda c: conversations.find(c, "webchat", "nobody")) is None
        assert await store.read(lambda c: conversations.find(c, "email", "session-aaaa")) is None

        at = "2030-01-01T10:00:00.000+00:00"
        await store.write(
            lambda c: c.execute("UPDATE conversations SET guest_sent_at = ? WHERE id = ?", (at, mine))
        )
        assert await store.read(lambda c: conversations.guest_reach(c, mine)) == ("+34600000001", at)
        assert await store.read(lambda c: conversations.guest_reach(c, 999)) == (None, None)

        assert await store.read(lambda c: conversations.message_author(c, voice)) == "guest"
        assert await store.read(lambda c: conversations.message_author(c, 999)) is None

        payload = await store.read(lambda c: conversations.last_inbound_payload(c, mine, "webchat"))
        assert payload is not None
        assert payload["inbound"]["kind"] == "audio"
        assert await store.read(lambda c: conversations.last_inbound_payload(c, mine, "email")) is None

        row = await store.read(lambda c: conversations.message_audio(c, voice))
        assert row is not None
        assert row["mime_type"] == "audio/ogg"
        # a guest's page reads only its own conversation's messages
        assert await store.read(lambda c: conversations.message_audio(c, other_voice, mine)) is None
        assert await store.read(lambda c: conversations.message_audio(c, other_voice, other)) is not None

        recent = await store.read(lambda c: conversations.recent_messages(c, mine))
        assert [r["direction"] for r in recent] == ["in", "out"]  # oldest first
        assert [
            r["direction"] for r in await store.read(lambda c: conversations.recent_messages(c, mine, 1))
        ] == ["out"]


async def test_bot_sends_and_pms_writes_by_status(tmp_path: Path) -> None:
    async with Store(tmp_path / "s.db") as store:
        _, _, sent = await store.write(lambda c: _chat(c, "session-cccc"))
        assert await store.read(lambda c: outbox.bot_sends_since(c, "webchat", "session-cccc", "2000")) == {}
        await store.write(lambda c: c.execute("UPDATE outbox SET status = 'sent' WHERE id = ?", (sent,)))
        since = await store.read(lambda c: outbox.bot_sends_since(c, "webchat", "session-cccc", "2000"))
        assert list(since) == [sent]
        assert await store.read(lambda c: outbox.bot_sends_since(c, "email", "session-cccc", "2000")) == {}
        assert await store.read(lambda c: outbox.bot_sends_since(c, "webchat", "session-cccc", "9999")) == {}

        assert await store.read(bookings.writes_by_status) == {}
        request = {
            "check_in": "2030-01-01",
            "check_out": "2030-01-03",
            "adults": 2,
            "children": 0,
            "room_type": "1",
        }
        await store.write(lambda c: bookings.queue_create(c, 1, 1, "k-1", request))
        await store.write(lambda c: bookings.queue_create(c, 1, 1, "k-2", request))
        await store.write(lambda c: c.execute("UPDATE pms_outbox SET status = 'failed' WHERE id = 1"))
        assert await store.read(bookings.writes_by_status) == {"failed": 1, "pending": 1}
