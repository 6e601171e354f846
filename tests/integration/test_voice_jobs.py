"""Voice-reply jobs on a real SQLite store (issue 16): queued once, never after something newer
went to the guest, never once staff have the conversation."""

from __future__ import annotations

from pathlib import Path

from hotelbox.messages import Reply
from hotelbox.store import Store, conversations, outbox, voice_jobs
from hotelbox.store.database import Conn


async def test_a_voice_job_is_sent_once_and_never_after_something_newer(tmp_path: Path) -> None:
    text = Reply("Breakfast is served from 7:30.", "en", key="breakfast", voice=True)
    voice = Reply(text.text, "en", key="breakfast:voice", audio=str(tmp_path / "v.ogg"))
    async with Store(tmp_path / "s.db") as store:

        def turn(c: Conn, address: str, reply_to: int) -> tuple[int, int]:
            conv = conversations.get_or_create(c, "whatsapp", address)
            last = outbox.enqueue(c, conv, "whatsapp", address, text, reply_to=reply_to)
            job = voice_jobs.enqueue(c, conv, "whatsapp", address, text, reply_to, last)
            return conv, job

        conv_a, _ = await store.write(lambda c: turn(c, "+34600000001", 1))
        [job] = await store.read(voice_jobs.pending)
        assert await store.write(lambda c: voice_jobs.deliver(c, job, voice)) == "sent"
        assert (
            await store.write(lambda c: voice_jobs.deliver(c, job, voice)) == "already"
        )  # a retry after a crash

        # the guest wrote again and was answered before the voice note was made: it is dropped
        conv_b, _ = await store.write(lambda c: turn(c, "+34600000002", 2))
        await store.write(
            lambda c: outbox.enqueue(c, conv_b, "whatsapp", "+34600000002", Reply("ok", "en"), reply_to=3)
        )
        [late] = await store.read(voice_jobs.pending)
        assert await store.write(lambda c: voice_jobs.deliver(c, late, voice)) == "superseded"

        # staff took the conversation over
        conv_c, _ = await store.write(lambda c: turn(c, "+34600000003", 4))
        await store.write(lambda c: conversations.set_control(c, conv_c, "staff"))
        [taken] = await store.read(voice_jobs.pending)
        assert await store.write(lambda c: voice_jobs.deliver(c, taken, voice)) == "taken_over"

        rows = await store.fetchall("SELECT status, error FROM voice_jobs ORDER BY id")
        assert [(r["status"], r["error"]) for r in rows] == [
            ("done", None),
            ("skipped", "superseded"),
            ("skipped", "taken_over"),
        ]
        audio = await store.fetchall("SELECT conversation_id FROM outbox WHERE payload LIKE '%audio%'")
        assert [r["conversation_id"] for r in audio] == [conv_a]
