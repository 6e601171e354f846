"""The commit of one turn (store/turns.py) against a real SQLite file: each outcome."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hotelbox.dialogue.state import BookingAction, DialogueState, Turn
from hotelbox.messages import Inbound, Reply
from hotelbox.nlu.understanding import Understanding
from hotelbox.speech.notes import Heard
from hotelbox.speech.stt import Transcript
from hotelbox.store import Store, conversations, inbox
from hotelbox.store.conversations import Conversation
from hotelbox.store.database import AConn, fetchone
from hotelbox.store.inbox import InboxItem
from hotelbox.store.turns import TurnCommit, TurnOutcome, VersionConflict, commit_turn

REQUEST = {"check_in": "2030-01-01", "check_out": "2030-01-03", "adults": 2, "children": 0, "room_type": "1"}


async def _message(store: Store, address: str, text: str | None = "hola") -> tuple[InboxItem, Conversation]:
    """A guest's pending message as the pipeline reads it: its inbox row and its conversation."""
    accepted = await store.write(
        lambda c: inbox.accept(
            c, Inbound(channel="webchat", channel_message_id=address, sender=address, text=text)
        )
    )
    items = await store.read(lambda c: inbox.pending(c, accepted.conversation_id))
    conv = await store.read(lambda c: conversations.load(c, accepted.conversation_id))
    assert conv is not None
    assert len(items) == 1
    return items[0], conv


async def _count(store: Store, table: str, conversation_id: int) -> int:
    async def count(c: AConn) -> int:
        row = await fetchone(
            c, f"SELECT count(*) AS n FROM {table} WHERE conversation_id = ?", (conversation_id,)
        )
        assert row is not None
        return int(row["n"])

    return await store.read(count)


def _understood(lang: str = "es") -> Understanding:
    return Understanding("hola", lang, 0.99, "greet", 0.9)


async def test_a_committed_turn_queues_replies_voice_notes_pms_writes_and_the_handoff(tmp_path: Path) -> None:
    async with Store(tmp_path / "s.db") as store:
        item, conv = await _message(store, "session-aaaa")
        first, second = Reply(text="Hola", lang="es"), Reply(text="¿Fechas?", lang="es")
        turn = Turn(
            state=DialogueState(lang="es"),
            replies=[first, second],
            actions=[BookingAction("create", REQUEST)],
            handoff="asked_for_human",
            guest_updates={"name": "Ana"},
        )
        result = await store.write(
            lambda c: commit_turn(
                c, item, conv, turn, _understood(), None, replies=[first, second], voiced=[second]
            )
        )
        assert result == TurnCommit(TurnOutcome.COMMITTED, replies=2, voice_notes=1)
        assert await _count(store, "outbox", conv.id) == 2
        assert await _count(store, "voice_jobs", conv.id) == 1
        assert await _count(store, "pms_outbox", conv.id) == 1
        assert await store.read(lambda c: inbox.pending(c, conv.id)) == []
        after = await store.read(lambda c: conversations.load(c, conv.id))
        assert after is not None
        assert (after.control, after.attention, after.guest_name) == (
            "waiting_staff",
            "asked_for_human",
            "Ana",
        )
        assert after.version == conv.version + 2  # the dialogue saved, then the handoff
        assert after.language == "es"
        async with store.reader() as c:
            cur = await c.execute(
                "SELECT action FROM audit_log WHERE conversation_id = ? ORDER BY id", (conv.id,)
            )
            actions = [r[0] for r in await cur.fetchall()]
            cur = await c.execute("SELECT after_outbox_id FROM voice_jobs")
            after_outbox = (await cur.fetchone())[0]
            cur = await c.execute("SELECT max(id) FROM outbox")
            last_text = (await cur.fetchone())[0]
            cur = await c.execute("SELECT idempotency_key FROM pms_outbox")
            key = (await cur.fetchone())[0]
        assert actions == ["booking.create.requested", "handoff"]
        assert after_outbox == last_text  # the voice note goes after the text replies
        assert key == f"hb-{item.id}-0-create"


async def test_a_finished_row_is_already_done_and_nothing_is_written(tmp_path: Path) -> None:
    async with Store(tmp_path / "s.db") as store:
        item, conv = await _message(store, "session-bbbb")
        turn = Turn(state=DialogueState(lang="es"), replies=[Reply(text="Hola", lang="es")])
        replies = list(turn.replies)
        first = await store.write(lambda c: commit_turn(c, item, conv, turn, replies=replies))
        assert first.outcome is TurnOutcome.COMMITTED
        again = await store.write(lambda c: commit_turn(c, item, conv, turn, replies=replies))
        assert again == TurnCommit(TurnOutcome.ALREADY)
        assert await _count(store, "outbox", conv.id) == 1


async def test_no_turn_stores_what_was_heard_and_understood(tmp_path: Path) -> None:
    async with Store(tmp_path / "s.db") as store:
        item, conv = await _message(store, "session-cccc", text=None)
        heard = Heard(Transcript("quiero una habitación", "es", 0.97, 2.0, 0.4, "tiny"), seconds=0.5)
        result = await store.write(lambda c: commit_turn(c, item, conv, None, _understood(), heard))
        assert result == TurnCommit(TurnOutcome.STORED)
        assert await _count(store, "outbox", conv.id) == 0
        async with store.reader() as c:
            cur = await c.execute(
                "SELECT text, language, payload FROM messages WHERE id = ?", (item.message_id,)
            )
            row = await cur.fetchone()
        assert row is not None
        assert (row[0], row[1]) == ("quiero una habitación", "es")
        payload = json.loads(row[2])
        assert payload["understanding"]["intent"] == "greet"
        assert payload["transcript"]["text"] == "quiero una habitación"
        after = await store.read(lambda c: conversations.load(c, conv.id))
        assert after is not None
        assert after.version == conv.version


async def test_staff_taking_over_meanwhile_suppresses_the_turn(tmp_path: Path) -> None:
    async with Store(tmp_path / "s.db") as store:
        item, conv = await _message(store, "session-dddd")
        await store.write(lambda c: conversations.set_control(c, conv.id, "staff"))
        turn = Turn(
            state=DialogueState(lang="es"),
            replies=[Reply(text="Hola", lang="es")],
            actions=[BookingAction("create", REQUEST)],
        )
        result = await store.write(lambda c: commit_turn(c, item, conv, turn, replies=list(turn.replies)))
        assert result == TurnCommit(TurnOutcome.SUPPRESSED)
        assert await _count(store, "outbox", conv.id) == 0
        assert await _count(store, "pms_outbox", conv.id) == 0
        assert await store.read(lambda c: inbox.pending(c, conv.id)) == []  # done: staff answer it


async def test_a_stale_version_raises_and_the_whole_commit_rolls_back(tmp_path: Path) -> None:
    async with Store(tmp_path / "s.db") as store:
        item, conv = await _message(store, "session-eeee")
        # another turn of the same conversation saved first
        await store.write(
            lambda c: conversations.save_dialogue(
                c, conv.id, expected_version=conv.version, dialogue={}, language=None
            )
        )
        turn = Turn(state=DialogueState(lang="es"), replies=[Reply(text="Hola", lang="es")])
        with pytest.raises(VersionConflict):
            await store.write(lambda c: commit_turn(c, item, conv, turn, replies=list(turn.replies)))
        assert [i.id for i in await store.read(lambda c: inbox.pending(c, conv.id))] == [item.id]
        assert await _count(store, "outbox", conv.id) == 0
