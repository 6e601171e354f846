"""Guests, their channel identities, conversations and the transcript (messages)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from hotelbox.store.database import AConn, Conn, fetchall, fetchone, insert, one, utcnow


@dataclass(frozen=True)
class Conversation:
    id: int
    guest_id: int
    identity_id: int
    channel: str
    address: str  # the identity's channel address (where replies go)
    language: str | None
    control: str  # bot | waiting_staff | staff
    attention: str | None
    dialogue: dict[str, Any]
    version: int
    guest_name: str | None
    guest_email: str | None
    guest_phone: str | None  # the phone the channel vouches for, E.164

    @classmethod
    def from_row(cls, r: sqlite3.Row) -> Conversation:
        return cls(
            id=r["id"],
            guest_id=r["guest_id"],
            identity_id=r["identity_id"],
            channel=r["channel"],
            address=r["address"],
            language=r["language"],
            control=r["control"],
            attention=r["attention"],
            dialogue=json.loads(r["dialogue"] or "{}"),
            version=r["version"],
            guest_name=r["name"],
            guest_email=r["email"],
            guest_phone=r["identity_phone"] or r["guest_phone"],
        )


_SELECT = """
SELECT c.*, i.address, i.phone AS identity_phone, g.name, g.email, g.phone AS guest_phone
FROM conversations c
JOIN guest_identities i ON i.id = c.identity_id
JOIN guests g ON g.id = c.guest_id
"""


async def load(conn: AConn, conversation_id: int) -> Conversation | None:
    row = await fetchone(conn, _SELECT + " WHERE c.id = ?", (conversation_id,))
    return Conversation.from_row(row) if row else None


async def find(conn: AConn, channel: str, address: str) -> int | None:
    """The conversation of a channel address (a web chat session, a console address), if any."""
    row = await fetchone(
        conn,
        "SELECT c.id FROM conversations c JOIN guest_identities i ON i.id = c.identity_id"
        " WHERE i.channel = ? AND i.address = ?",
        (channel, address),
    )
    return int(row["id"]) if row else None


async def guest_reach(conn: AConn, conversation_id: int) -> tuple[str | None, str | None]:
    """The phone the guest's channel vouches for and when the guest last wrote (the WhatsApp
    window); both None for an unknown conversation."""
    row = await fetchone(
        conn,
        "SELECT i.phone, c.guest_sent_at FROM conversations c JOIN guest_identities i ON i.id = c.identity_id"
        " WHERE c.id = ?",
        (conversation_id,),
    )
    return (row["phone"], row["guest_sent_at"]) if row else (None, None)


async def message_author(conn: AConn, message_id: int) -> str | None:
    """Who wrote a message (``guest``, ``bot``, ``staff:<name>``…); None if there is no such message."""
    row = await fetchone(conn, "SELECT author FROM messages WHERE id = ?", (message_id,))
    return str(row["author"]) if row else None


async def last_inbound_payload(conn: AConn, conversation_id: int, channel: str) -> dict[str, Any] | None:
    """The payload of the guest's latest message on a channel (e-mail: the headers to reply to)."""
    row = await fetchone(
        conn,
        "SELECT payload FROM messages WHERE conversation_id = ? AND direction = 'in' AND channel = ?"
        " ORDER BY id DESC LIMIT 1",
        (conversation_id, channel),
    )
    return dict(json.loads(row["payload"])) if row else None


async def message_audio(
    conn: AConn, message_id: int, conversation_id: int | None = None
) -> sqlite3.Row | None:
    """A message's payload with its stored media (``payload``, ``media_path``, ``mime_type``):
    where its audio is. With ``conversation_id`` only a message of that conversation (a guest's
    page); without, any message (staff)."""
    scope = "" if conversation_id is None else " AND m.conversation_id = ?"
    return await fetchone(
        conn,
        "SELECT m.payload, d.path AS media_path, d.mime_type FROM messages m LEFT JOIN media d ON d.message_id = m.id"
        " WHERE m.id = ?" + scope,
        (message_id,) if conversation_id is None else (message_id, conversation_id),
    )


async def recent_messages(conn: AConn, conversation_id: int, limit: int = 200) -> list[sqlite3.Row]:
    """The conversation's latest messages, oldest first (``id``, ``direction``, ``text``,
    ``payload``, ``created_at``)."""
    rows = await fetchall(
        conn,
        "SELECT id, direction, text, payload, created_at FROM messages WHERE conversation_id = ?"
        " ORDER BY id DESC LIMIT ?",
        (conversation_id, limit),
    )
    return rows[::-1]


def load_now(conn: Conn, conversation_id: int) -> Conversation | None:
    """The conversation as it is inside the current write transaction."""
    row = one(conn, _SELECT + " WHERE c.id = ?", (conversation_id,))
    return Conversation.from_row(row) if row else None


def get_or_create(
    conn: Conn,
    channel: str,
    address: str,
    *,
    phone: str | None = None,
    display_name: str | None = None,
    language: str | None = None,
) -> int:
    """The conversation id for this channel address, creating guest and identity if new."""
    now = utcnow()
    row = one(
        conn,
        "SELECT c.id FROM guest_identities i JOIN conversations c ON c.identity_id = i.id"
        " WHERE i.channel = ? AND i.address = ?",
        (channel, address),
    )
    if row:
        if phone or display_name:
            conn.execute(
                "UPDATE guest_identities SET phone = coalesce(?, phone),"
                " display_name = coalesce(?, display_name) WHERE channel = ? AND address = ?",
                (phone, display_name, channel, address),
            )
        return int(row["id"])
    guest_id = insert(
        conn,
        "INSERT INTO guests (phone, language, created_at, updated_at) VALUES (?, ?, ?, ?)",
        (phone, language, now, now),
    )
    identity_id = insert(
        conn,
        "INSERT INTO guest_identities (guest_id, channel, address, phone, display_name, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (guest_id, channel, address, phone, display_name, now),
    )
    return insert(
        conn,
        "INSERT INTO conversations (guest_id, identity_id, channel, language, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (guest_id, identity_id, channel, language, now, now),
    )


def add_message(
    conn: Conn,
    conversation_id: int,
    *,
    direction: str,
    author: str,
    channel: str,
    kind: str,
    text: str | None,
    payload: dict[str, Any] | None = None,
    language: str | None = None,
    channel_message_id: str | None = None,
    reply_to: int | None = None,
) -> int:
    now = utcnow()
    message_id = insert(
        conn,
        "INSERT INTO messages (conversation_id, direction, author, channel, channel_message_id,"
        " kind, text, payload, language, reply_to, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (
            conversation_id,
            direction,
            author,
            channel,
            channel_message_id,
            kind,
            text,
            json.dumps(payload or {}, ensure_ascii=False),
            language,
            reply_to,
            now,
        ),
    )
    column = "last_inbound_at" if direction == "in" else "last_message_at"
    conn.execute(
        f"UPDATE conversations SET last_message_at = ?, {column} = ? WHERE id = ?",
        (now, now, conversation_id),
    )
    return message_id


def annotate_message(conn: Conn, message_id: int, language: str | None, extra: dict[str, Any]) -> None:
    """Store what the bot understood of an inbound message next to it (for staff)."""
    conn.execute(
        "UPDATE messages SET language = coalesce(?, language), payload = json_patch(payload, ?) WHERE id = ?",
        (language, json.dumps(extra, ensure_ascii=False), message_id),
    )


def set_message_text(conn: Conn, message_id: int, text: str) -> None:
    """What a voice note said, as the message's text (for staff and the transcript)."""
    conn.execute("UPDATE messages SET text = ? WHERE id = ? AND text IS NULL", (text, message_id))


def save_dialogue(
    conn: Conn,
    conversation_id: int,
    *,
    expected_version: int,
    dialogue: dict[str, Any],
    language: str | None,
) -> bool:
    """Save the dialogue state if nobody changed the conversation since it was read."""
    cur = conn.execute(
        "UPDATE conversations SET dialogue = ?, language = coalesce(?, language),"
        " version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
        (
            json.dumps(dialogue, ensure_ascii=False),
            language,
            utcnow(),
            conversation_id,
            expected_version,
        ),
    )
    return cur.rowcount == 1


def set_control(conn: Conn, conversation_id: int, control: str, attention: str | None = None) -> None:
    conn.execute(
        "UPDATE conversations SET control = ?, attention = coalesce(?, attention),"
        " version = version + 1, updated_at = ? WHERE id = ?",
        (control, attention, utcnow(), conversation_id),
    )


def flag_attention(conn: Conn, conversation_id: int, reason: str) -> None:
    conn.execute(
        "UPDATE conversations SET attention = ?, updated_at = ? WHERE id = ?",
        (reason, utcnow(), conversation_id),
    )


def update_guest(conn: Conn, guest_id: int, fields: dict[str, str]) -> None:
    allowed = {k: v for k, v in fields.items() if k in ("name", "email", "phone", "language") and v}
    if not allowed:
        return
    sets = ", ".join(f"{k} = ?" for k in allowed)
    conn.execute(
        f"UPDATE guests SET {sets}, updated_at = ? WHERE id = ?",
        (*allowed.values(), utcnow(), guest_id),
    )


def rekey_identity(
    conn: Conn, channel: str, old_address: str, new_address: str, phone: str | None = None
) -> bool:
    """Move a guest's identity to a new address (WhatsApp: new BSUID or number), keeping the
    conversation. If the new address already has its own conversation, both stay as they are:
    merging two guests is a front-desk decision."""
    if old_address != new_address:
        taken = one(
            conn, "SELECT 1 FROM guest_identities WHERE channel = ? AND address = ?", (channel, new_address)
        )
        if taken:
            return False
    cur = conn.execute(
        "UPDATE guest_identities SET address = ?, phone = coalesce(?, phone) WHERE channel = ? AND address = ?",
        (new_address, phone, channel, old_address),
    )
    return cur.rowcount == 1
