"""The inbox: everything a conversation must react to, stored before anyone is told "got it".

A guest message becomes, in one transaction, a guest/identity/conversation (when new), a
transcript row and an inbox row unique by (channel, channel message id) — so the same
message delivered twice is stored once and answered once. Internal events (the PMS result of
a booking) go through the same queue, keyed so that they are also recorded once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from hotelbox.messages import Inbound
from hotelbox.store import conversations, media
from hotelbox.store.database import AConn, Conn, fetchall, insert, one, utcnow


@dataclass(frozen=True)
class Accepted:
    inbox_id: int
    conversation_id: int
    message_id: int | None
    duplicate: bool


@dataclass(frozen=True)
class InboxItem:
    id: int
    conversation_id: int
    message_id: int | None
    kind: str  # message | event
    payload: dict[str, Any]
    attempts: int
    received_at: str | None = None
    merged: tuple[int, ...] = ()  # earlier inbox rows folded into this one (one turn, see bursts.py)


def accept(conn: Conn, inbound: Inbound) -> Accepted:
    """Store a guest's message durably (with its conversation); the caller may then ack it."""
    existing = one(
        conn,
        "SELECT id, conversation_id, message_id FROM inbox WHERE channel = ? AND channel_message_id = ?",
        (inbound.channel, inbound.channel_message_id),
    )
    if existing:
        return Accepted(existing["id"], existing["conversation_id"], existing["message_id"], True)
    conversation_id = conversations.get_or_create(
        conn,
        inbound.channel,
        inbound.sender,
        phone=inbound.phone,
        display_name=inbound.display_name,
        language=inbound.language_hint,
    )
    message_id = conversations.add_message(
        conn,
        conversation_id,
        direction="in",
        author="guest",
        channel=inbound.channel,
        kind=inbound.kind,
        text=inbound.text,
        payload={"inbound": inbound.to_json()},
        channel_message_id=inbound.channel_message_id,
    )
    if inbound.payload.get("media"):  # downloaded now (WhatsApp) or already on disk (web, console)
        media.add(conn, message_id, inbound.channel, inbound.payload["media"])
    if inbound.sent_at is not None:  # the guest's own clock of record (WhatsApp's 24-hour window)
        sent = inbound.sent_at.astimezone(UTC).isoformat(timespec="milliseconds")
        conn.execute(
            "UPDATE conversations SET guest_sent_at = max(coalesce(guest_sent_at, ''), ?) WHERE id = ?",
            (sent, conversation_id),
        )
    inbox_id = insert(
        conn,
        "INSERT INTO inbox (channel, channel_message_id, conversation_id, message_id, kind, payload,"
        " received_at) VALUES (?, ?, ?, ?, 'message', ?, ?)",
        (
            inbound.channel,
            inbound.channel_message_id,
            conversation_id,
            message_id,
            json.dumps(inbound.to_json(), ensure_ascii=False),
            utcnow(),
        ),
    )
    return Accepted(inbox_id, conversation_id, message_id, False)


def add_event(conn: Conn, conversation_id: int, key: str, payload: dict[str, Any]) -> int | None:
    """Queue an internal event for a conversation; the same ``key`` is queued once."""
    cur = conn.execute(
        "INSERT INTO inbox (channel, channel_message_id, conversation_id, kind, payload, received_at)"
        " VALUES ('internal', ?, ?, 'event', ?, ?) ON CONFLICT (channel, channel_message_id) DO NOTHING",
        (key, conversation_id, json.dumps(payload, ensure_ascii=False), utcnow()),
    )
    return cur.lastrowid if cur.rowcount == 1 else None


async def pending(conn: AConn, conversation_id: int, limit: int = 20) -> list[InboxItem]:
    rows = await fetchall(
        conn,
        "SELECT id, conversation_id, message_id, kind, payload, attempts, received_at FROM inbox"
        " WHERE conversation_id = ? AND status = 'pending' ORDER BY id LIMIT ?",
        (conversation_id, limit),
    )
    return [
        InboxItem(
            r["id"],
            r["conversation_id"],
            r["message_id"],
            r["kind"],
            json.loads(r["payload"]),
            r["attempts"],
            r["received_at"],
        )
        for r in rows
    ]


async def conversations_with_pending(conn: AConn, channels: list[str]) -> list[int]:
    """Conversations of these channels with unfinished work (for recovery at start)."""
    marks = ",".join("?" * len(channels))
    rows = await fetchall(
        conn,
        "SELECT DISTINCT i.conversation_id FROM inbox i JOIN conversations c ON c.id = i.conversation_id"
        f" WHERE i.status = 'pending' AND c.channel IN ({marks}) ORDER BY i.conversation_id",
        tuple(channels),
    )
    return [r["conversation_id"] for r in rows]


def finish(conn: Conn, inbox_id: int, status: str = "done", error: str | None = None) -> bool:
    """Mark an item processed; False if it was not pending any more (processed elsewhere)."""
    cur = conn.execute(
        "UPDATE inbox SET status = ?, error = ?, processed_at = ? WHERE id = ? AND status = 'pending'",
        (status, error, utcnow(), inbox_id),
    )
    return cur.rowcount == 1


def record_attempt(conn: Conn, inbox_id: int, error: str) -> int:
    conn.execute("UPDATE inbox SET attempts = attempts + 1, error = ? WHERE id = ?", (error[:500], inbox_id))
    row = one(conn, "SELECT attempts FROM inbox WHERE id = ?", (inbox_id,))
    return int(row["attempts"]) if row else 0
