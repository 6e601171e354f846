"""The audit log: who (bot, staff, system) did what to which conversation or booking."""

from __future__ import annotations

import json
from typing import Any

from hotelbox.store.database import Conn, utcnow


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
