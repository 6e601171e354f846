"""The outbox: every message the box sends is a row here before any channel sees it.

A reply is written (transcript row + outbox row) in the same transaction as the dialogue
state that produced it. Senders claim rows in order per conversation; a row is "sending"
while a channel has it, "sent" once the channel accepted it. A row left "sending" by a crash
is retried where the channel can send idempotently, and marked "uncertain" where it cannot.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hotelbox.messages import Reply
from hotelbox.store import conversations
from hotelbox.store.database import AConn, Conn, fetchall, insert, utcnow


@dataclass(frozen=True)
class OutboxItem:
    id: int
    conversation_id: int
    message_id: int
    channel: str
    recipient: str
    payload: dict[str, Any]
    attempts: int
    status: str

    @property
    def reply(self) -> Reply:
        return Reply.from_json(self.payload)


def enqueue(
    conn: Conn,
    conversation_id: int,
    channel: str,
    recipient: str,
    reply: Reply,
    author: str = "bot",
    reply_to: int | None = None,
) -> int:
    """Add a reply to the transcript and the outbox (durable when the transaction commits)."""
    payload = reply.to_json()
    message_id = conversations.add_message(
        conn,
        conversation_id,
        direction="out",
        author=author,
        channel=channel,
        kind="text",
        text=reply.text,
        payload={"reply": payload},
        language=reply.lang,
        reply_to=reply_to,
    )
    now = utcnow()
    return insert(
        conn,
        "INSERT INTO outbox (conversation_id, message_id, channel, recipient, payload, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            conversation_id,
            message_id,
            channel,
            recipient,
            json.dumps(payload, ensure_ascii=False),
            now,
            now,
        ),
    )


def _item(r: Any) -> OutboxItem:
    return OutboxItem(
        r["id"],
        r["conversation_id"],
        r["message_id"],
        r["channel"],
        r["recipient"],
        json.loads(r["payload"]),
        r["attempts"],
        r["status"],
    )


async def due(conn: AConn, channels: list[str], limit: int = 200) -> list[OutboxItem]:
    """Rows ready to send, oldest first; a conversation's later rows wait behind a retrying one."""
    marks = ",".join("?" * len(channels))
    rows = await fetchall(
        conn,
        f"SELECT * FROM outbox WHERE status IN ('pending', 'sending') AND channel IN ({marks})"
        " ORDER BY id LIMIT ?",
        (*channels, limit),
    )
    now = utcnow()
    blocked: set[int] = set()
    ready = []
    for r in rows:
        if r["conversation_id"] in blocked:
            continue
        if r["next_attempt_at"] and r["next_attempt_at"] > now:
            blocked.add(r["conversation_id"])
            continue
        ready.append(_item(r))
    return ready


def mark_sending(conn: Conn, outbox_id: int) -> None:
    conn.execute(
        "UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ?",
        (utcnow(), outbox_id),
    )


def mark_sent_many(conn: Conn, delivered: list[tuple[OutboxItem, str | None]]) -> None:
    """Rows the channels accepted. Each send counts as an attempt unless "sending" counted it."""
    now = utcnow()
    conn.executemany(
        "UPDATE outbox SET status = 'sent', channel_message_id = ?, last_error = NULL, updated_at = ?,"
        " attempts = attempts + (status = 'pending') WHERE id = ? AND status IN ('pending', 'sending')",
        [(cmid, now, item.id) for item, cmid in delivered],
    )
    conn.executemany(
        "UPDATE messages SET channel_message_id = ? WHERE id = ?",
        [(cmid, item.message_id) for item, cmid in delivered if cmid],
    )


def mark_retry(conn: Conn, item: OutboxItem, error: str, delay_s: float) -> None:
    when = (datetime.now(UTC) + timedelta(seconds=delay_s)).isoformat(timespec="milliseconds")
    conn.execute(
        "UPDATE outbox SET attempts = attempts + (status = 'pending'), status = 'pending', last_error = ?,"
        " next_attempt_at = ?, updated_at = ? WHERE id = ?",
        (error[:500], when, utcnow(), item.id),
    )


def mark_final(conn: Conn, item: OutboxItem, status: str, error: str | None) -> None:
    conn.execute(
        "UPDATE outbox SET attempts = attempts + (status = 'pending'), status = ?, last_error = ?,"
        " updated_at = ? WHERE id = ?",
        (status, error[:500] if error else None, utcnow(), item.id),
    )
