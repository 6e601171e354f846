"""Guests' data: erased on request, and kept no longer than the retention settings allow.

Erasing a guest removes, in one transaction, their identities, conversations, messages, inbox
and outbox rows, media rows and the raw relay events that carried their messages; their
bookings stay with the PMS reference, dates, room and price only (what the hotel must keep for
its books), with name, e-mail and phone cleared. The files (voice notes, images) are deleted
after the commit. The audit log records that it happened, not what was erased.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from hotelbox.store import audit
from hotelbox.store.database import Conn, one, utcnow


def _files(conn: Conn, media_where: str, message_where: str, params: tuple[object, ...]) -> list[str]:
    """Files behind the selected media rows (what guests sent) and messages (our voice notes)."""
    paths = [
        r["path"]
        for r in conn.execute(f"SELECT path FROM media WHERE path IS NOT NULL AND {media_where}", params)
    ]
    for r in conn.execute(f"SELECT payload FROM messages WHERE {message_where}", params):
        payload = json.loads(r["payload"] or "{}")
        audio = payload.get("reply", {}).get("audio")
        if audio:
            paths.append(audio)
        for attachment in payload.get("inbound", {}).get("payload", {}).get("attachments", []):
            paths.append(attachment.get("path"))  # e-mail attachments (passport scans…)
    return [p for p in paths if p]


def erase_guest(conn: Conn, guest_id: int, actor: str) -> list[str]:
    """Erase a guest; returns the files to delete once this transaction has committed."""
    if one(conn, "SELECT 1 FROM guests WHERE id = ?", (guest_id,)) is None:
        raise LookupError(guest_id)
    conv_ids = [r[0] for r in conn.execute("SELECT id FROM conversations WHERE guest_id = ?", (guest_id,))]
    marks = ",".join("?" * len(conv_ids)) or "NULL"
    files = _files(
        conn,
        f"message_id IN (SELECT id FROM messages WHERE conversation_id IN ({marks}))",
        f"conversation_id IN ({marks})",
        tuple(conv_ids),
    )
    # raw webhooks that carried this guest's messages (their wamids are in our inbox)
    wamids = [
        r[0].split(":", 2)[1]
        for r in conn.execute(
            f"SELECT channel_message_id FROM inbox WHERE channel = 'whatsapp' AND conversation_id IN ({marks})",
            tuple(conv_ids),
        )
        if r[0].count(":") >= 1
    ]
    for wamid in wamids:
        conn.execute("DELETE FROM relay_events WHERE instr(CAST(body AS TEXT), ?) > 0", (wamid,))
    conn.execute(
        f"UPDATE bookings SET guest_name = NULL, email = NULL, phone = NULL, notes = NULL, guest_id = NULL,"
        f" conversation_id = NULL, updated_at = ? WHERE guest_id = ? OR conversation_id IN ({marks})",
        (utcnow(), guest_id, *conv_ids),
    )
    conn.execute("DELETE FROM guest_identities WHERE guest_id = ?", (guest_id,))  # cascades to conversations…
    conn.execute(
        "UPDATE guests SET name = NULL, email = NULL, phone = NULL, erased_at = ?, updated_at = ? WHERE id = ?",
        (utcnow(), utcnow(), guest_id),
    )
    audit.record(conn, actor, "guest.erased", details={"guest": guest_id, "conversations": len(conv_ids)})
    return files


def enforce_retention(
    conn: Conn, *, audio_days: float, message_days: float, raw_event_days: float
) -> tuple[list[str], dict[str, int]]:
    """Drop what is older than the retention settings; returns (files to delete, counts)."""
    now = datetime.now(UTC)

    def before(days: float) -> str:
        return (now - timedelta(days=days)).isoformat(timespec="milliseconds")

    files = _files(conn, "created_at < ?", "created_at < ?", (before(audio_days),))
    counts = {
        "media": conn.execute("DELETE FROM media WHERE created_at < ?", (before(audio_days),)).rowcount,
        "audio_replies": conn.execute(
            "UPDATE messages SET payload = json_remove(payload, '$.reply.audio') WHERE created_at < ?"
            " AND json_extract(payload, '$.reply.audio') IS NOT NULL",
            (before(audio_days),),
        ).rowcount,
    }
    cutoff = before(message_days)
    counts["messages"] = conn.execute(
        "UPDATE messages SET text = NULL, payload = '{}' WHERE created_at < ? AND (text IS NOT NULL OR payload != '{}')",
        (cutoff,),
    ).rowcount
    # staff's private notes speak of the guest too: they go with the texts (issue 17)
    counts["notes"] = conn.execute("DELETE FROM desk_notes WHERE created_at < ?", (cutoff,)).rowcount
    conn.execute("UPDATE inbox SET payload = '{}' WHERE received_at < ? AND status != 'pending'", (cutoff,))
    conn.execute(
        "UPDATE outbox SET payload = '{}' WHERE created_at < ? AND status NOT IN ('pending', 'sending')",
        (cutoff,),
    )
    counts["raw_events"] = conn.execute(
        "DELETE FROM relay_events WHERE stored_at < ?", (before(raw_event_days),)
    ).rowcount
    return files, counts
