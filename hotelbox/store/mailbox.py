"""The hotel's mailbox as the box knows it: how far it has read (per folder and UIDVALIDITY), and
a log of every mail it saw (headers only)."""

from __future__ import annotations

from hotelbox.store.database import AConn, Conn, fetchone, utcnow


async def last_uid(conn: AConn, folder: str, uidvalidity: int) -> int:
    """The last UID stored in this folder — 0 when the folder is new or was renumbered."""
    row = await fetchone(conn, "SELECT uidvalidity, last_uid FROM mailbox_state WHERE folder = ?", (folder,))
    if row is None or row["uidvalidity"] != uidvalidity:
        return 0
    return int(row["last_uid"])


def advance(conn: Conn, folder: str, uidvalidity: int, uid: int) -> None:
    conn.execute(
        "INSERT INTO mailbox_state (folder, uidvalidity, last_uid, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (folder) DO UPDATE SET uidvalidity = excluded.uidvalidity,"
        " last_uid = CASE WHEN mailbox_state.uidvalidity = excluded.uidvalidity"
        " THEN max(mailbox_state.last_uid, excluded.last_uid) ELSE excluded.last_uid END, updated_at = excluded.updated_at",
        (folder, uidvalidity, uid, utcnow()),
    )


def log_mail(
    conn: Conn,
    folder: str,
    uidvalidity: int,
    uid: int,
    message_id: str,
    category: str,
    reason: str,
    size: int,
    sender_hash: str,
) -> bool:
    cur = conn.execute(
        "INSERT INTO email_log (folder, uidvalidity, uid, message_id, category, reason, size, sender_hash, stored_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (folder, uidvalidity, uid, message_id, category, reason, size, sender_hash, utcnow()),
    )
    return cur.rowcount == 1


def mails_from(conn: Conn, sender_hash: str, since: str) -> int:
    row = conn.execute(
        "SELECT count(*) FROM email_log WHERE sender_hash = ? AND stored_at >= ?", (sender_hash, since)
    ).fetchone()
    return int(row[0])
