"""The box's identity: a random id made once by migration 0050, kept in the state database.

It is what tells this box's PMS writes from any other's (another install on the same QloApps, the
install before a disk failure): every booking token starts with it (issue 15).
"""

from __future__ import annotations

import secrets
import sqlite3

from hotelbox.store.database import AConn, Conn, fetchone, one


def box_id(conn: Conn) -> str:
    row = one(conn, "SELECT box_id FROM box_identity WHERE id = 1")
    if row is None:
        raise LookupError("the state database has no box identity (migration 0050 not applied)")
    return str(row["box_id"])


def made(conn: Conn) -> tuple[str, str] | None:
    """The box id and when it was made; None when the database predates migration 0050.
    (Rows read by index: ``hotelbox doctor`` reads the database on a plain connection.)"""
    try:
        row = conn.execute("SELECT box_id, created_at FROM box_identity WHERE id = 1").fetchone()
    except sqlite3.OperationalError:  # no such table
        return None
    return (str(row[0]), str(row[1])) if row else None


async def read_box_id(conn: AConn) -> str:
    row = await fetchone(conn, "SELECT box_id FROM box_identity WHERE id = 1")
    if row is None:
        raise LookupError("the state database has no box identity (migration 0050 not applied)")
    return str(row["box_id"])


def new_pms_token(conn: Conn, idempotency_key: str) -> str:
    """A token no PMS order can already carry: this box's id, a fresh random nonce, and the
    write's own key (which says which guest message asked for it, for staff reading QloApps).

    The nonce is what keeps a box restored to an older backup — same id, inbox ids counting
    again from where the backup stopped — from remaking a token it used after that backup."""
    return f"{box_id(conn)}-{secrets.token_hex(6)}-{idempotency_key}"
