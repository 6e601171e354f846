"""Voice-reply jobs (issue 16): the voice note of a text reply, made after the text went out.

A job is written in the same transaction as the text reply it speaks. The speech runner
(:mod:`hotelbox.speech.notes`) makes the audio, then queues it in the outbox and marks the job
done in one transaction, so a crash at any point either repeats the synthesis or finds the job
done: the guest never gets the voice note twice, and a job is never lost.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hotelbox.messages import Reply
from hotelbox.store import outbox
from hotelbox.store.database import AConn, Conn, fetchall, insert, utcnow


@dataclass(frozen=True)
class VoiceJob:
    id: int
    conversation_id: int
    channel: str
    recipient: str
    reply: Reply
    reply_to: int | None
    after_outbox_id: int
    attempts: int
    created_at: str


def enqueue(
    conn: Conn,
    conversation_id: int,
    channel: str,
    recipient: str,
    reply: Reply,
    reply_to: int | None,
    after_outbox_id: int,
) -> int:
    now = utcnow()
    return insert(
        conn,
        "INSERT INTO voice_jobs (conversation_id, channel, recipient, reply, reply_to, after_outbox_id,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            conversation_id,
            channel,
            recipient,
            json.dumps(reply.to_json(), ensure_ascii=False),
            reply_to,
            after_outbox_id,
            now,
            now,
        ),
    )


def _job(r: Any) -> VoiceJob:
    return VoiceJob(
        id=r["id"],
        conversation_id=r["conversation_id"],
        channel=r["channel"],
        recipient=r["recipient"],
        reply=Reply.from_json(json.loads(r["reply"])),
        reply_to=r["reply_to"],
        after_outbox_id=r["after_outbox_id"],
        attempts=r["attempts"],
        created_at=r["created_at"],
    )


async def pending(conn: AConn, limit: int = 20) -> list[VoiceJob]:
    rows = await fetchall(
        conn, "SELECT * FROM voice_jobs WHERE status = 'pending' ORDER BY id LIMIT ?", (limit,)
    )
    return [_job(r) for r in rows]


def superseded(conn: Conn, job: VoiceJob) -> bool:
    """Something newer than the text went to that guest (the answer to a later message, staff's
    words): a late voice note of an older reply would confuse. The same turn's voice notes do not count."""
    row = conn.execute(
        "SELECT 1 FROM outbox o JOIN messages m ON m.id = o.message_id"
        " WHERE o.conversation_id = ? AND o.id > ? AND m.reply_to IS NOT ? LIMIT 1",
        (job.conversation_id, job.after_outbox_id, job.reply_to),
    ).fetchone()
    return row is not None


def finish(conn: Conn, job: VoiceJob, status: str, error: str | None = None) -> bool:
    cur = conn.execute(
        "UPDATE voice_jobs SET status = ?, error = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
        (status, error, utcnow(), job.id),
    )
    return cur.rowcount == 1


def deliver(conn: Conn, job: VoiceJob, voice: Reply) -> str:
    """Queue the voice note and close the job, in the caller's transaction. Returns the outcome:
    sent (queued), superseded, taken_over (staff have the conversation) or already."""
    if superseded(conn, job):
        return "superseded" if finish(conn, job, "skipped", "superseded") else "already"
    control = conn.execute(
        "SELECT control FROM conversations WHERE id = ?", (job.conversation_id,)
    ).fetchone()
    if control is None or control[0] != "bot":
        return "taken_over" if finish(conn, job, "skipped", "taken_over") else "already"
    if not finish(conn, job, "done"):
        return "already"
    outbox.enqueue(conn, job.conversation_id, job.channel, job.recipient, voice, reply_to=job.reply_to)
    return "sent"


def record_failure(conn: Conn, job: VoiceJob, error: str, max_attempts: int) -> bool:
    """One more failed attempt; True when the job is given up."""
    if job.attempts + 1 >= max_attempts:
        conn.execute(
            "UPDATE voice_jobs SET status = 'failed', attempts = attempts + 1, error = ?, updated_at = ?"
            " WHERE id = ? AND status = 'pending'",
            (error[:500], utcnow(), job.id),
        )
        return True
    conn.execute(
        "UPDATE voice_jobs SET attempts = attempts + 1, error = ?, updated_at = ? WHERE id = ?",
        (error[:500], utcnow(), job.id),
    )
    return False
