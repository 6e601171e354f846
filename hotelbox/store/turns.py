"""The commit of one turn: a guest's message (or an event) and everything the bot decided for it.

One transaction marks the inbox row done (and the burst folded into it), keeps what was heard and
understood next to the message, saves the dialogue state against the version it was read at, and
queues the replies, their voice notes, the PMS writes, the guest's details learnt and the
handoff. A crash before the commit leaves the message pending, to be handled again from scratch;
after it, the message is done and every send and PMS write is durable in its outbox.

Who is in control is read again inside the transaction: once staff took over, nothing the bot
was still thinking about is sent. The caller (:mod:`hotelbox.pipeline`) wakes the senders and the
PMS worker from the :class:`TurnCommit` it gets back.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hotelbox.messages import Reply, merge_replies
from hotelbox.store import audit, bookings, conversations, inbox, outbox, voice_jobs
from hotelbox.store.conversations import Conversation
from hotelbox.store.database import Conn
from hotelbox.store.inbox import InboxItem

if TYPE_CHECKING:  # domain types only read here; the store does not import the models at run time
    from hotelbox.dialogue.state import Turn
    from hotelbox.nlu.understanding import Understanding
    from hotelbox.speech.notes import Heard


class VersionConflict(Exception):
    """The conversation changed while the message was being processed; process it again."""


class TurnOutcome(enum.Enum):
    ALREADY = "already"  # another process finished this inbox row: nothing written
    STORED = "stored"  # the message is done and annotated; no turn to commit (or no conversation)
    SUPPRESSED = "suppressed"  # staff took over while the bot was thinking: nothing sent
    COMMITTED = "committed"  # the turn is saved, its sends and PMS writes queued


@dataclass(frozen=True)
class TurnCommit:
    outcome: TurnOutcome
    replies: int = 0  # replies queued in the outbox for the conversation's channel
    voice_notes: int = 0  # voice jobs queued (at most one a turn), spoken after the text went


def commit_turn(
    conn: Conn,
    item: InboxItem,
    conv: Conversation,
    turn: Turn | None,
    understanding: Understanding | None = None,
    heard: Heard | None = None,
    *,
    replies: Sequence[Reply] = (),
    voiced: Sequence[Reply] = (),
) -> TurnCommit:
    """Make one turn durable in the caller's transaction (see the module docstring).

    ``replies`` are the turn's replies as they will be sent (merged or not, empty when staff were
    in control as the message was read); ``voiced`` those of them that the turn's one voice note
    speaks (its script, the gist and the question, is made when it is spoken: speech/script.py).
    Raises :class:`VersionConflict` when the dialogue changed since ``conv`` was read, so the
    whole transaction rolls back and the message is processed again."""
    if not inbox.finish(conn, item.id):
        return TurnCommit(TurnOutcome.ALREADY)
    for merged in item.merged:  # the burst folded into this turn (bursts.py)
        inbox.finish(conn, merged)
    if item.message_id is not None and (understanding is not None or heard is not None):
        extra: dict[str, Any] = {}
        if understanding is not None:
            extra["understanding"] = understanding.to_record()
        if heard is not None:
            extra["transcript"] = heard.to_record()
            if heard.transcript is not None:
                conversations.set_message_text(conn, item.message_id, heard.transcript.text)
        conversations.annotate_message(
            conn, item.message_id, understanding.lang if understanding else None, extra
        )
    current = conversations.load_now(conn, conv.id)
    if turn is None or current is None:
        return TurnCommit(TurnOutcome.STORED)
    if current.control != "bot" and item.kind == "message":
        return TurnCommit(TurnOutcome.SUPPRESSED)
    if not conversations.save_dialogue(
        conn,
        conv.id,
        expected_version=conv.version,
        dialogue=turn.state.to_json(),
        language=turn.state.lang,
    ):
        raise VersionConflict(conv.id)
    queued = spoken = 0
    if current.control == "bot":
        last = 0
        for reply in replies:
            last = outbox.enqueue(conn, conv.id, conv.channel, conv.address, reply, reply_to=item.id)
            queued += 1
        if voiced:  # text first, voice after; one voice note per turn (issue 16)
            joined = merge_replies(list(voiced))[0]  # the replies as paragraphs: its script is made of them
            voice_jobs.enqueue(conn, conv.id, conv.channel, conv.address, joined, item.id, last)
            spoken = 1
    for n, action in enumerate(turn.actions):
        key = f"hb-{item.id}-{n}-{action.operation}"
        if action.operation == "create":
            booking_id = bookings.queue_create(conn, conv.id, conv.guest_id, key, action.data)
        else:
            booking_id = bookings.queue_change(
                conn, conv.id, conv.guest_id, action.operation, key, action.data
            )
        audit.record(
            conn,
            "bot",
            f"booking.{action.operation}.requested",
            conversation_id=conv.id,
            booking_id=booking_id,
            details={"key": key},
        )
    if turn.guest_updates:
        conversations.update_guest(conn, conv.guest_id, turn.guest_updates)
    if turn.handoff:
        conversations.set_control(conn, conv.id, "waiting_staff", turn.handoff)
        audit.record(conn, "bot", "handoff", conversation_id=conv.id, details={"reason": turn.handoff})
    elif turn.attention:
        conversations.flag_attention(conn, conv.id, turn.attention)
    return TurnCommit(TurnOutcome.COMMITTED, replies=queued, voice_notes=spoken)
