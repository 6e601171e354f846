"""Front desk sessions (``staff_sessions``): the database keeps the SHA-256 of each session
token, never the token; :mod:`hotelbox.web.auth` decides what is valid."""

from __future__ import annotations

import sqlite3

from hotelbox.store.database import AConn, Conn, fetchone, utcnow


def start(conn: Conn, token_hash: str, user_id: int, csrf: str, remote: str) -> None:
    now = utcnow()
    conn.execute(
        "INSERT INTO staff_sessions (token_hash, user_id, csrf, created_at, last_seen, remote) VALUES (?,?,?,?,?,?)",
        (token_hash, user_id, csrf, now, now, remote),
    )


async def find(conn: AConn, token_hash: str) -> sqlite3.Row | None:
    """The session of an enabled user, with that user (``csrf``, ``last_seen``, ``id``,
    ``name``, ``role``, ``language``)."""
    return await fetchone(
        conn,
        "SELECT s.csrf, s.last_seen, u.id, u.name, u.role, u.language FROM staff_sessions s"
        " JOIN staff_users u ON u.id = s.user_id WHERE s.token_hash = ? AND u.disabled = 0",
        (token_hash,),
    )


def touch(conn: Conn, token_hash: str) -> None:
    """The session was used now (idle sessions expire)."""
    conn.execute("UPDATE staff_sessions SET last_seen = ? WHERE token_hash = ?", (utcnow(), token_hash))


def end(conn: Conn, token_hash: str) -> None:
    conn.execute("DELETE FROM staff_sessions WHERE token_hash = ?", (token_hash,))


def end_all_of(conn: Conn, user_name: str) -> None:
    """Every session of a user ends (new password, account disabled)."""
    conn.execute(
        "DELETE FROM staff_sessions WHERE user_id = (SELECT id FROM staff_users WHERE name = ?)", (user_name,)
    )


def purge_idle(conn: Conn, last_seen_before: str) -> int:
    """Sessions idle since before that time are gone for good; how many."""
    return conn.execute("DELETE FROM staff_sessions WHERE last_seen < ?", (last_seen_before,)).rowcount
