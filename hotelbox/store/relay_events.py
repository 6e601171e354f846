"""Events the relay delivered, stored raw (with what they hold) before the box acknowledges them."""

from __future__ import annotations

import json
from typing import Any

from hotelbox.store.database import AConn, Conn, fetchone, utcnow


def seen(conn: Conn, seq: int) -> bool:
    return conn.execute("SELECT 1 FROM relay_events WHERE relay_seq = ?", (seq,)).fetchone() is not None


def record(
    conn: Conn,
    seq: int,
    kind: str,
    received_at_ms: int,
    headers: dict[str, str],
    body: bytes,
    status: str,
    problems: list[dict[str, Any]],
) -> None:
    conn.execute(
        "INSERT INTO relay_events (relay_seq, kind, received_at_ms, stored_at, headers, body, status, problems)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            seq,
            kind,
            received_at_ms,
            utcnow(),
            json.dumps(headers),
            body,
            status,
            json.dumps(problems, ensure_ascii=False) if problems else None,
        ),
    )


async def last_seq(conn: AConn) -> int:
    """Up to where this box has committed what the relay sent (its resume point)."""
    row = await fetchone(conn, "SELECT max(relay_seq) AS seq FROM relay_events")
    return int(row["seq"]) if row and row["seq"] is not None else 0
