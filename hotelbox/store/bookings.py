"""Bookings as hotelbox knows them, and the PMS outbox that makes them real.

A booking action from the dialogue becomes, in the dialogue's own transaction, a ``bookings``
row (status pending) and a ``pms_outbox`` row with an idempotency key derived from the inbox
item that caused it — so reprocessing the same guest message after a crash can never queue a
second booking, and the PMS sees each key once even when a call is retried.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hotelbox.pms import PmsBooking
from hotelbox.store.database import AConn, Conn, fetchall, insert, one, utc_in, utcnow
from hotelbox.store.identity import new_pms_token


@dataclass(frozen=True)
class PmsWrite:
    id: int
    booking_id: int
    conversation_id: int | None
    operation: str
    idempotency_key: str
    request: dict[str, Any]
    attempts: int
    token: str = ""  # what the PMS order carries (issue 15); the key itself on writes queued before

    @property
    def pms_token(self) -> str:
        return self.token or self.idempotency_key


def queue_create(conn: Conn, conversation_id: int, guest_id: int, key: str, request: dict[str, Any]) -> int:
    now = utcnow()
    booking_id = insert(
        conn,
        "INSERT INTO bookings (conversation_id, guest_id, status, check_in, check_out, adults, children,"
        " room_type, total_price, currency, guest_name, email, phone, created_at, updated_at)"
        " VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            conversation_id,
            guest_id,
            request["check_in"],
            request["check_out"],
            request["adults"],
            request["children"],
            request["room_type"],
            request.get("expected_total"),
            request.get("currency"),
            request.get("guest_name"),
            request.get("email"),
            request.get("phone"),
            now,
            now,
        ),
    )
    _queue(conn, booking_id, conversation_id, "create", key, request)
    return booking_id


def queue_change(
    conn: Conn,
    conversation_id: int,
    guest_id: int,
    operation: str,
    key: str,
    request: dict[str, Any],
) -> int:
    """Queue a modify/cancel of a booking by PMS reference (creating our record if unknown)."""
    row = one(conn, "SELECT id FROM bookings WHERE pms_reference = ?", (request["reference"],))
    if row:
        booking_id = int(row["id"])
        conn.execute(
            "UPDATE bookings SET handled_at = NULL, updated_at = ? WHERE id = ?",
            (utcnow(), booking_id),
        )
    else:
        now = utcnow()
        booking_id = insert(
            conn,
            "INSERT INTO bookings (conversation_id, guest_id, pms_reference, status, check_in, check_out,"
            " adults, children, room_type, created_at, updated_at)"
            " VALUES (?, ?, ?, 'confirmed', '', '', 0, 0, '', ?, ?)",
            (conversation_id, guest_id, request["reference"], now, now),
        )
    _queue(conn, booking_id, conversation_id, operation, key, request)
    return booking_id


def _queue(
    conn: Conn,
    booking_id: int,
    conversation_id: int,
    operation: str,
    key: str,
    request: dict[str, Any],
) -> None:
    now = utcnow()
    try:
        conn.execute(
            "INSERT INTO pms_outbox (booking_id, conversation_id, operation, idempotency_key, pms_token,"
            " request, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                booking_id,
                conversation_id,
                operation,
                key,
                new_pms_token(conn, key),
                json.dumps(request, ensure_ascii=False),
                now,
                now,
            ),
        )
    except sqlite3.IntegrityError as exc:
        raise ValueError(f"PMS write {key} already queued") from exc


async def due(conn: AConn, limit: int = 20, max_delay_s: float = 3600.0) -> list[PmsWrite]:
    """Writes to try now. A retry time further ahead than the longest back-off means the clock
    jumped back since it was set: due now, not in however many hours the jump was."""
    rows = await fetchall(
        conn,
        "SELECT * FROM pms_outbox WHERE status = 'pending'"
        " AND (next_attempt_at IS NULL OR next_attempt_at <= ? OR next_attempt_at > ?)"
        " ORDER BY id LIMIT ?",
        (utcnow(), utc_in(max_delay_s + 60.0), limit),
    )
    return [
        PmsWrite(
            r["id"],
            r["booking_id"],
            r["conversation_id"],
            r["operation"],
            r["idempotency_key"],
            json.loads(r["request"]),
            r["attempts"],
            r["pms_token"] or "",
        )
        for r in rows
    ]


def record_result(conn: Conn, write: PmsWrite, booking: PmsBooking) -> None:
    """The PMS did it: record the booking as the PMS has it and close the write."""
    now = utcnow()
    conn.execute(
        "UPDATE bookings SET pms_reference = ?, status = ?, check_in = ?, check_out = ?, adults = ?,"
        " children = ?, room_type = ?, total_price = ?, currency = ?, guest_name = ?, email = ?,"
        " phone = ?, notes = ?, updated_at = ? WHERE id = ?",
        (
            booking.reference,
            booking.status,
            booking.check_in.isoformat(),
            booking.check_out.isoformat(),
            booking.adults,
            booking.children,
            booking.room_type,
            str(booking.total_price),
            booking.currency,
            booking.guest_name,
            booking.email,
            booking.phone,
            json.dumps(list(booking.notes), ensure_ascii=False) if booking.notes else None,
            now,
            write.booking_id,
        ),
    )
    conn.execute(
        "UPDATE pms_outbox SET status = 'done', result = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?",
        (json.dumps(booking.to_json()), now, write.id),
    )


def record_failure(
    conn: Conn, write: PmsWrite, error: str, *, final: bool, retry_in_s: float = 0, needs_human: bool = False
) -> int:
    """A failed attempt: retried later, or (final) closed; returns the attempt count. A closed
    write that ``needs_human`` (a conflict in the PMS) leaves its booking for staff to settle."""
    now = datetime.now(UTC)
    if final:
        conn.execute(
            "UPDATE pms_outbox SET status = 'failed', last_error = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?",
            (error[:500], utcnow(), write.id),
        )
        if write.operation == "create" or needs_human:
            conn.execute(
                "UPDATE bookings SET status = ?, handled_at = NULL, updated_at = ? WHERE id = ?",
                ("needs_human" if needs_human else "failed", utcnow(), write.booking_id),
            )
    else:
        when = (now + timedelta(seconds=retry_in_s)).isoformat(timespec="milliseconds")
        conn.execute(
            "UPDATE pms_outbox SET last_error = ?, attempts = attempts + 1, next_attempt_at = ?, updated_at = ?"
            " WHERE id = ?",
            (error[:500], when, utcnow(), write.id),
        )
    return write.attempts + 1


async def list_bookings(conn: AConn) -> list[sqlite3.Row]:
    return await fetchall(conn, "SELECT * FROM bookings WHERE check_in != '' ORDER BY created_at, id")


async def listed_bookings(conn: AConn) -> list[dict[str, Any]]:
    """The bookings as ``hotelbox bookings`` shows them (plain JSON data)."""
    return [
        {
            "reference": r["pms_reference"],
            "status": r["status"],
            "check_in": r["check_in"],
            "check_out": r["check_out"],
            "adults": r["adults"],
            "children": r["children"],
            "room_type": r["room_type"],
            "total_price": r["total_price"],
            "currency": r["currency"],
            "guest_name": r["guest_name"],
            "conversation_id": r["conversation_id"],
            "created_at": r["created_at"],
        }
        for r in await list_bookings(conn)
    ]


async def settled_by_reference(conn: AConn, references: list[str]) -> dict[str, dict[str, Any]]:
    """Our bookings with these PMS references that no write of ours is still changing."""
    if not references:
        return {}
    marks = ",".join("?" * len(references))
    rows = await fetchall(
        conn,
        f"SELECT b.* FROM bookings b WHERE b.pms_reference IN ({marks})"
        " AND b.status IN ('confirmed', 'cancelled')"
        " AND NOT EXISTS (SELECT 1 FROM pms_outbox o WHERE o.booking_id = b.id AND o.status = 'pending')",
        tuple(references),
    )
    return {r["pms_reference"]: dict(r) for r in rows}


def differs(row: dict[str, Any], booking: PmsBooking) -> bool:
    return (row["status"], row["check_in"], row["check_out"], row["room_type"]) != (
        booking.status,
        booking.check_in.isoformat(),
        booking.check_out.isoformat(),
        booking.room_type,
    )


def apply_pms_change(conn: Conn, booking_id: int, booking: PmsBooking) -> None:
    """The PMS changed one of our bookings (staff in the back office): follow it."""
    conn.execute(
        "UPDATE bookings SET status = ?, check_in = ?, check_out = ?, room_type = ?, adults = ?,"
        " children = ?, total_price = ?, updated_at = ? WHERE id = ?",
        (
            booking.status,
            booking.check_in.isoformat(),
            booking.check_out.isoformat(),
            booking.room_type,
            booking.adults,
            booking.children,
            str(booking.total_price),
            utcnow(),
            booking_id,
        ),
    )


async def writes_by_status(conn: AConn) -> dict[str, int]:
    """How many PMS writes are in each state (``pending``, ``done``, ``failed``…)."""
    rows = await fetchall(conn, "SELECT status, count(*) AS n FROM pms_outbox GROUP BY status")
    return {r["status"]: r["n"] for r in rows}


def retry_now(conn: Conn) -> int:
    """Make every waiting PMS write due now (the PMS answers again)."""
    return conn.execute(
        "UPDATE pms_outbox SET next_attempt_at = NULL WHERE status = 'pending' AND next_attempt_at IS NOT NULL"
    ).rowcount


async def references_for_phone(conn: AConn, phone: str) -> list[str]:
    """PMS references of the bookings made for this phone number (digits compared)."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) < 6:
        return []
    rows = await fetchall(
        conn,
        "SELECT pms_reference FROM bookings WHERE pms_reference IS NOT NULL AND phone IS NOT NULL"
        " AND replace(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '+', ''), '(', ''), ')', '')"
        " = ? ORDER BY id",
        (digits,),
    )
    return [r["pms_reference"] for r in rows]
