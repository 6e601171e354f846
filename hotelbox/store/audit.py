"""The audit log: who (bot, staff, system) did what to which conversation or booking."""

from __future__ import annotations

import json
from typing import Any

from hotelbox.store.database import AConn, Conn, fetchall, utcnow


def record(
    conn: Conn,
    actor: str,
    action: str,
    *,
    conversation_id: int | None = None,
    booking_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    conn.execute(
        "INSERT INTO audit_log (at, actor, action, conversation_id, booking_id, details) VALUES (?,?,?,?,?,?)",
        (
            utcnow(),
            actor,
            action,
            conversation_id,
            booking_id,
            json.dumps(details or {}, ensure_ascii=False),
        ),
    )


async def login_failures(conn: AConn, limit: int = 200) -> list[dict[str, Any]]:
    """Failed front desk logins, newest first: when, the name tried, from which address."""
    rows = await fetchall(
        conn,
        "SELECT at, details FROM audit_log WHERE action = 'login_failed' ORDER BY id DESC LIMIT ?",
        (limit,),
    )
    out = []
    for r in rows:
        details = json.loads(r["details"] or "{}")
        out.append(
            {
                "at": r["at"],
                "name": details.get("name"),
                "remote": details.get("remote"),
                "known_user": details.get("known_user"),
            }
        )
    return out
