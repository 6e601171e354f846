"""Front desk accounts (``staff_users``): created, re-passworded, disabled and listed by
``hotelbox users``, read at login. Passwords arrive hashed (:mod:`hotelbox.web.auth`)."""

from __future__ import annotations

import sqlite3
from typing import Any

from hotelbox.store import sessions
from hotelbox.store.database import AConn, Conn, fetchall, fetchone, insert, utcnow


def add_user(conn: Conn, name: str, role: str, password_hash: str, language: str = "es") -> int:
    """A new account; a taken name raises :class:`sqlite3.IntegrityError`."""
    now = utcnow()
    return insert(
        conn,
        "INSERT INTO staff_users (name, role, password_hash, language, created_at, updated_at) VALUES (?,?,?,?,?,?)",
        (name, role, password_hash, language, now, now),
    )


def exists(conn: Conn, name: str) -> bool:
    """Whether an account has this name (enabled or not)."""
    return conn.execute("SELECT 1 FROM staff_users WHERE name = ?", (name,)).fetchone() is not None


def set_password(conn: Conn, name: str, password_hash: str) -> bool:
    """A new password ends every session of that user; False if there is no such user."""
    cur = conn.execute(
        "UPDATE staff_users SET password_hash = ?, updated_at = ? WHERE name = ?",
        (password_hash, utcnow(), name),
    )
    if cur.rowcount:
        sessions.end_all_of(conn, name)
    return cur.rowcount == 1


def disable(conn: Conn, name: str) -> int:
    """Lock an account out (its sessions end); how many accounts changed (0: no such user)."""
    cur = conn.execute("UPDATE staff_users SET disabled = 1 WHERE name = ?", (name,))
    sessions.end_all_of(conn, name)
    return cur.rowcount


def set_language(conn: Conn, user_id: int, language: str) -> None:
    """The language the front desk speaks to this user."""
    conn.execute("UPDATE staff_users SET language = ? WHERE id = ?", (language, user_id))


def listed(conn: Conn) -> list[dict[str, Any]]:
    """Every account as ``hotelbox users list`` shows it (never the password hash)."""
    rows = conn.execute("SELECT name, role, language, disabled FROM staff_users ORDER BY name").fetchall()
    return [dict(r) for r in rows]


async def accounts(conn: AConn) -> list[dict[str, Any]]:
    """Every account as the admins' page shows it (never the password hash)."""
    rows = await fetchall(
        conn, "SELECT name, role, language, disabled, created_at FROM staff_users ORDER BY name"
    )
    return [dict(r) for r in rows]


async def active_by_name(conn: AConn, name: str) -> sqlite3.Row | None:
    """An enabled account with its password hash (``id``, ``name``, ``role``, ``language``,
    ``password_hash``): what a login checks."""
    return await fetchone(
        conn,
        "SELECT id, name, role, language, password_hash FROM staff_users WHERE name = ? AND disabled = 0",
        (name,),
    )


def account_change(c: Conn, request: dict[str, Any]) -> Any:
    """One change of ``hotelbox users``, on whichever side owns the database: the command itself,
    or the running box when one owns the state (asked over its control socket; the password
    arrives hashed)."""
    op, name = request.get("op"), str(request.get("name", ""))
    if op == "add":
        try:
            add_user(c, name, str(request["role"]), str(request["hash"]), str(request["language"]))
        except sqlite3.IntegrityError:
            return False
        return True
    if op == "passwd":
        return bool(set_password(c, name, str(request["hash"])))
    if op == "disable":
        return bool(disable(c, name))
    if op == "list":
        return listed(c)
    raise ValueError(f"unknown users op {op!r}")
