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
from hotelbox.store.database import AConn, Conn, fetchall, insert, utc_in, utcnow

MAX_RETRY_DELAY_S = 300.0  # the sender's longest back-off
# Wall-clock times stored in rows (retry at, uncertain since) are judged against the clock now. If
# the clock jumped back (a box without an RTC battery setting its time, an NTP step), a row can
# say "retry in 20 hours": anything further ahead than the longest back-off is due now.
CLOCK_SLACK_S = 60.0


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
    requested_at: str | None = None  # the channel's request was about to leave (see mark_requested)

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
        r["requested_at"],
    )


async def due(conn: AConn, channels: list[str], limit: int = 200) -> list[OutboxItem]:
    """Rows ready to send, oldest first. A conversation's later rows wait behind one that is
    retrying, or whose send is uncertain until its status (or the resend) settles it: a guest
    must not read the answer to their second question before the answer to their first."""
    marks = ",".join("?" * len(channels))
    rows = await fetchall(
        conn,
        f"SELECT * FROM outbox WHERE status IN ('pending', 'sending') AND channel IN ({marks})"
        " ORDER BY id LIMIT ?",
        (*channels, limit),
    )
    waiting = await fetchall(  # sends awaiting their status (outbox_uncertain index)
        conn,
        "SELECT id, conversation_id FROM outbox WHERE status = 'uncertain' AND uncertain_since IS NOT NULL",
    )
    first_uncertain: dict[int, int] = {}
    for w in waiting:
        first_uncertain[w["conversation_id"]] = min(
            w["id"], first_uncertain.get(w["conversation_id"], w["id"])
        )
    now, horizon = utcnow(), utc_in(MAX_RETRY_DELAY_S + CLOCK_SLACK_S)
    blocked: set[int] = set()
    ready = []
    for r in rows:
        if r["conversation_id"] in blocked:
            continue
        if r["id"] > first_uncertain.get(r["conversation_id"], r["id"]) or (
            r["next_attempt_at"] and now < r["next_attempt_at"] <= horizon
        ):
            blocked.add(r["conversation_id"])
            continue
        ready.append(_item(r))
    return ready


def mark_sending(conn: Conn, outbox_id: int) -> bool:
    """Claim a pending row for a send; False when something (a late status) settled it meanwhile."""
    return (
        conn.execute(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1, requested_at = NULL, updated_at = ?"
            " WHERE id = ? AND status = 'pending'",
            (utcnow(), outbox_id),
        ).rowcount
        == 1
    )


def mark_requested(conn: Conn, outbox_id: int) -> None:
    """Durable before the channel's request leaves the box: from here a crash may have sent it."""
    conn.execute(
        "UPDATE outbox SET requested_at = ?, updated_at = ? WHERE id = ? AND status = 'sending'",
        (utcnow(), utcnow(), outbox_id),
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
        " next_attempt_at = ?, requested_at = NULL, updated_at = ? WHERE id = ? AND status IN ('pending', 'sending')",
        (error[:500], when, utcnow(), item.id),
    )


def mark_final(conn: Conn, item: OutboxItem, status: str, error: str | None) -> None:
    conn.execute(
        "UPDATE outbox SET attempts = attempts + (status = 'pending'), status = ?, last_error = ?,"
        " updated_at = ? WHERE id = ? AND status IN ('pending', 'sending')",
        (status, error[:500] if error else None, utcnow(), item.id),
    )


# -- what happens after the channel accepted a row ------------------------------------------------
DELIVERY_RANK = {"sent": 1, "delivered": 2, "read": 3, "played": 4}


@dataclass(frozen=True)
class StatusOutcome:
    outbox_id: int | None
    conversation_id: int | None
    changed: bool  # the row moved forward (or failed)
    duplicate: bool = False


def mark_uncertain(conn: Conn, item: OutboxItem, error: str) -> None:
    """The send may or may not have happened: wait for the channel's status before resending.

    Only a row still in flight: its status may have settled it since the sender read it (after a
    restart, the relay's backlog brings statuses while the sender looks at "sending" rows)."""
    now = utcnow()
    conn.execute(
        "UPDATE outbox SET status = 'uncertain', attempts = attempts + (status = 'pending'), last_error = ?,"
        " uncertain_since = ?, updated_at = ? WHERE id = ? AND status IN ('pending', 'sending')",
        (error[:500], now, now, item.id),
    )


async def bot_sends_since(conn: AConn, channel: str, recipient: str, since: str) -> dict[int, str]:
    """Automatic replies (author ``bot``) sent to ``recipient`` on ``channel`` since ``since``:
    outbox id → when it was sent (the e-mail channel's rate cap)."""
    rows = await fetchall(
        conn,
        "SELECT o.id, o.updated_at FROM outbox o JOIN messages m ON m.id = o.message_id"
        " WHERE o.channel = ? AND o.recipient = ? AND o.status = 'sent' AND m.author = 'bot'"
        " AND o.updated_at >= ?",
        (channel, recipient, since),
    )
    return {r["id"]: r["updated_at"] for r in rows}


def requeue_uncertain(conn: Conn, channel: str, older_than_s: float) -> int:
    """Rows whose send stayed unconfirmed for ``older_than_s``: no status came, send them again."""
    cutoff = (datetime.now(UTC) - timedelta(seconds=older_than_s)).isoformat(timespec="milliseconds")
    cur = conn.execute(
        "UPDATE outbox SET status = 'pending', uncertain_since = NULL, requested_at = NULL, updated_at = ?"
        " WHERE status = 'uncertain' AND channel = ?"
        " AND (coalesce(uncertain_since, updated_at) < ? OR coalesce(uncertain_since, updated_at) > ?)",
        (utcnow(), channel, cutoff, utc_in(CLOCK_SLACK_S)),  # the second: the clock went back
    )
    return cur.rowcount


def apply_status(
    conn: Conn,
    channel_message_id: str,
    status: str,
    at: str | None,
    *,
    outbox_id: int | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> StatusOutcome:
    """Record a delivery status once; move the outbox row forward only (statuses arrive out of
    order and twice), and settle an uncertain send by it. ``failed`` is terminal."""
    new = conn.execute(
        "INSERT INTO delivery_statuses (channel_message_id, status, at, outbox_id, errors) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (channel_message_id, status, at, outbox_id, json.dumps(errors) if errors else None),
    ).rowcount
    if not new:
        return StatusOutcome(None, None, False, duplicate=True)
    row = conn.execute(
        "SELECT id, conversation_id, message_id, status, delivery FROM outbox WHERE channel_message_id = ?",
        (channel_message_id,),
    ).fetchone()
    if row is None and outbox_id is not None:
        row = conn.execute(
            "SELECT id, conversation_id, message_id, status, delivery FROM outbox WHERE id = ?", (outbox_id,)
        ).fetchone()
    if row is None:
        return StatusOutcome(None, None, False)
    now = utcnow()
    if row["status"] in ("uncertain", "sending", "pending") and status != "failed":
        # the send we were unsure of did happen: never send it again
        conn.execute(
            "UPDATE outbox SET status = 'sent', channel_message_id = ?, uncertain_since = NULL, updated_at = ?"
            " WHERE id = ?",
            (channel_message_id, now, row["id"]),
        )
        conn.execute(
            "UPDATE messages SET channel_message_id = ? WHERE id = ?", (channel_message_id, row["message_id"])
        )
    current = row["delivery"]
    if current == "failed":
        return StatusOutcome(row["id"], row["conversation_id"], False)
    if status == "failed":
        error = (
            "; ".join(f"{e.get('code')}: {e.get('title') or e.get('message')}" for e in errors or [])
            or "failed"
        )
        conn.execute(
            "UPDATE outbox SET delivery = 'failed', status = 'failed', last_error = ?, delivery_at = ?,"
            " updated_at = ? WHERE id = ?",
            (error[:500], at or now, now, row["id"]),
        )
        return StatusOutcome(row["id"], row["conversation_id"], True)
    if DELIVERY_RANK.get(status, 0) <= DELIVERY_RANK.get(current or "", 0):
        return StatusOutcome(row["id"], row["conversation_id"], False)
    conn.execute(
        "UPDATE outbox SET delivery = ?, delivery_at = ?, updated_at = ? WHERE id = ?",
        (status, at or now, now, row["id"]),
    )
    return StatusOutcome(row["id"], row["conversation_id"], True)
