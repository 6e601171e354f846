"""The PMS mirror tables: catalogue, nights (free rooms and prices), and the sync jobs' state.

Writes are synchronous functions of the writer's connection (one transaction per sync chunk,
so a guest's message never waits behind a whole year of nights); reads are async.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from hotelbox.pms import Night
from hotelbox.store.database import AConn, Conn, fetchall, fetchone, utcnow


def save_catalogue(conn: Conn, hotel_id: int, data: dict[str, Any], fetched_at: str) -> None:
    conn.execute(
        "INSERT INTO pms_catalogue (hotel_id, data, fetched_at) VALUES (?, ?, ?)"
        " ON CONFLICT (hotel_id) DO UPDATE SET data = excluded.data, fetched_at = excluded.fetched_at",
        (hotel_id, json.dumps(data, ensure_ascii=False), fetched_at),
    )


async def load_catalogue(conn: AConn, hotel_id: int) -> tuple[dict[str, Any], str] | None:
    row = await fetchone(conn, "SELECT data, fetched_at FROM pms_catalogue WHERE hotel_id = ?", (hotel_id,))
    return (json.loads(row["data"]), row["fetched_at"]) if row else None


def save_nights(conn: Conn, nights: list[Night], fetched_at: str) -> int:
    conn.executemany(
        "INSERT INTO pms_nights (room_type, night, free_rooms, price, currency, fetched_at)"
        " VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (night, room_type) DO UPDATE SET free_rooms = excluded.free_rooms,"
        " price = excluded.price, currency = excluded.currency, fetched_at = excluded.fetched_at",
        [
            (
                n.room_type,
                n.night.isoformat(),
                json.dumps(sorted(n.free_rooms)),
                str(n.price) if n.price is not None else None,
                n.currency,
                fetched_at,
            )
            for n in nights
        ],
    )
    return len(nights)


def forget_room_types(conn: Conn, keep: list[str]) -> None:
    """Drop nights of room types the PMS no longer has (deleted or deactivated)."""
    marks = ",".join("?" * len(keep))
    conn.execute(f"DELETE FROM pms_nights WHERE room_type NOT IN ({marks})", keep)


def forget_nights(conn: Conn, room_type: str, start: date, end: date) -> None:
    """Drop one room type's nights in [start, end): the mirror no longer knows them."""
    conn.execute(
        "DELETE FROM pms_nights WHERE room_type = ? AND night >= ? AND night < ?",
        (room_type, start.isoformat(), end.isoformat()),
    )


def prune_past(conn: Conn, today: date) -> None:
    conn.execute("DELETE FROM pms_nights WHERE night < ?", (today.isoformat(),))


async def nights(conn: AConn, start: date, end: date) -> list[tuple[Night, str]]:
    """The mirrored nights from ``start`` to ``end`` (exclusive), each with its fetch time."""
    rows = await fetchall(
        conn,
        "SELECT * FROM pms_nights WHERE night >= ? AND night < ? ORDER BY night, room_type",
        (start.isoformat(), end.isoformat()),
    )
    return [
        (
            Night(
                r["room_type"],
                date.fromisoformat(r["night"]),
                frozenset(json.loads(r["free_rooms"])),
                Decimal(r["price"]) if r["price"] is not None else None,
                r["currency"],
            ),
            r["fetched_at"],
        )
        for r in rows
    ]


async def oldest_fetch(conn: AConn, start: date, end: date) -> tuple[str | None, int]:
    """The oldest fetch time among nights in [start, end), and how many nights there are."""
    row = await fetchone(
        conn,
        "SELECT min(fetched_at) AS oldest, count(*) AS n FROM pms_nights WHERE night >= ? AND night < ?",
        (start.isoformat(), end.isoformat()),
    )
    return (row["oldest"], int(row["n"])) if row else (None, 0)


def record_sync(
    conn: Conn,
    job: str,
    *,
    ok: bool,
    error: str | None = None,
    duration_s: float | None = None,
    rows: int = 0,
    cursor: str | None = None,
) -> None:
    now = utcnow()
    conn.execute(
        "INSERT INTO pms_sync (job, last_ok_at, last_attempt_at, last_error, failures, duration_s, rows, cursor)"
        " VALUES (:job, :ok_at, :now, :error, :failures, :duration, :rows, :cursor)"
        " ON CONFLICT (job) DO UPDATE SET"
        "  last_ok_at = coalesce(excluded.last_ok_at, last_ok_at),"
        "  last_attempt_at = excluded.last_attempt_at,"
        "  last_error = excluded.last_error,"
        "  failures = CASE WHEN :ok THEN 0 ELSE failures + 1 END,"
        "  duration_s = coalesce(excluded.duration_s, duration_s),"
        "  rows = CASE WHEN :ok THEN excluded.rows ELSE rows END,"
        "  cursor = coalesce(excluded.cursor, cursor)",
        {
            "job": job,
            "ok_at": now if ok else None,
            "now": now,
            "error": None if ok else (error or "error")[:500],
            "failures": 0 if ok else 1,
            "duration": duration_s,
            "rows": rows,
            "cursor": cursor,
            "ok": ok,
        },
    )


async def sync_state(conn: AConn) -> dict[str, dict[str, Any]]:
    rows = await fetchall(conn, "SELECT * FROM pms_sync ORDER BY job")
    return {r["job"]: dict(r) for r in rows}
