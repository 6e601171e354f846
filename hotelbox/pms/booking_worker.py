"""The booking worker: sends the PMS outbox to the PMS, one write at a time.

Writes are serialised (one booking write in flight per hotel) because a PMS such as QloApps
does not lock and double-books under concurrent requests. Each write carries its idempotency
key; a failure that may be temporary (PMS down, timeout) is retried with back-off and the
guest is told once that the request is pending; a definite answer (booked, no room left,
rejected) is recorded and queued to the conversation as an event, in one transaction.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from hotelbox.background import WakeableJob
from hotelbox.config import PmsSettings
from hotelbox.errors import BookingConflict, HotelboxError, RoomNotAvailable, Unavailable
from hotelbox.pms import BookingRequest, Pms, PmsBooking, StayChange
from hotelbox.store import Store, audit, bookings, conversations, inbox
from hotelbox.store.bookings import PmsWrite
from hotelbox.store.database import Conn

log = logging.getLogger(__name__)
FINAL_AFTER_ATTEMPTS = 50  # about a day of back-off before staff must step in


class BookingWorker(WakeableJob):
    name = "booking-worker"

    def __init__(
        self,
        store: Store,
        pms: Pms,
        settings: PmsSettings,
        notify_conversation: Callable[[int], None],
        *,
        on_call: Callable[[float], None] | None = None,
    ) -> None:
        self.store = store
        self.pms = pms
        self.settings = settings
        self.notify_conversation = notify_conversation
        self.interval_s = settings.retry_base_s
        self.done = 0
        self.retries = 0
        # one pass at a time: `hotelbox chat` drains from settle() while the background loop
        # drains too, and both sent the same booking (attempt counter 2, two orders; issue 14)
        self._drain_lock = asyncio.Lock()
        self._push = False
        super().__init__()
        self.on_call: Callable[[float], None] = on_call or (
            lambda seconds: None
        )  # PMS write latency (metrics)

    def push_now(self) -> None:
        """The PMS answers again (its circuit closed): every waiting write is due now."""
        self._push = True
        self.wake()

    async def run_pass(self) -> int:
        if self._push:
            self._push = False
            count = await self.store.write(bookings.retry_now, label="pms.retry_now")
            if count:
                log.info("PMS back: %d waiting writes due now", count)
        return await self.drain()

    async def drain(self) -> int:
        """Make every due write, one at a time; a second caller waits for the pass in progress."""
        async with self._drain_lock:
            return await self._drain()

    async def _drain(self) -> int:
        handled = 0
        while writes := await self.store.read(
            lambda c: bookings.due(c, max_delay_s=self.settings.retry_max_s)
        ):
            for write in writes:
                await self.execute(write)
                handled += 1
        return handled

    async def _call(self, write: PmsWrite) -> PmsBooking:
        r = write.request
        if write.operation == "create":
            request = BookingRequest(
                idempotency_key=write.pms_token,  # the box's own token, never another box's (issue 15)
                room_type=r["room_type"],
                check_in=date.fromisoformat(r["check_in"]),
                check_out=date.fromisoformat(r["check_out"]),
                adults=int(r["adults"]),
                children=int(r.get("children") or 0),
                guest_name=r["guest_name"],
                email=r.get("email"),
                phone=r.get("phone"),
                expected_total=Decimal(r["expected_total"]) if r.get("expected_total") else None,
                remark=r.get("remark"),
            )
            return await self.pms.create_booking(request)
        if write.operation == "modify":
            # dates and/or room type and/or party; what the request leaves out stays as it is
            return await self.pms.modify_booking(
                r["reference"], StayChange.from_request(r), write.idempotency_key
            )
        return await self.pms.cancel_booking(r["reference"], write.idempotency_key)

    async def execute(self, write: PmsWrite) -> str:
        """Make one write in the PMS and record the outcome; returns it."""
        event: dict[str, Any] = {
            "type": "pms_result",
            "operation": write.operation,
            "write_id": write.id,
            "request": write.request,
        }
        booking: PmsBooking | None = None
        error: Exception | None = None
        started = time.perf_counter()
        try:
            booking = await self._call(write)
            outcome = "confirmed"
        except RoomNotAvailable as exc:
            outcome, error = "unavailable", exc
        except BookingConflict as exc:
            outcome, error = "conflict", exc
        except (Unavailable, OSError, TimeoutError) as exc:
            outcome, error = "pending", exc
        except HotelboxError as exc:
            outcome, error = "failed", exc
        self.on_call(time.perf_counter() - started)
        if booking is not None:
            event["booking"] = booking.to_json()
        else:
            event["error"] = getattr(error, "code", "error")

        def op(c: Conn) -> None:
            if booking is not None:
                bookings.record_result(c, write, booking)
                audit.record(
                    c,
                    "bot",
                    f"booking.{write.operation}.done",
                    conversation_id=write.conversation_id,
                    booking_id=write.booking_id,
                    details={
                        "reference": booking.reference,
                        **({"notes": list(booking.notes)} if booking.notes else {}),
                    },
                )
                if write.operation == "modify" and booking.notes and write.conversation_id is not None:
                    # a change the PMS took only as a remark (QloApps keeps a line's guests): staff finish it
                    conversations.flag_attention(c, write.conversation_id, "party_change")
            elif outcome == "pending":
                attempts = bookings.record_failure(
                    c,
                    write,
                    str(error),
                    final=write.attempts + 1 >= FINAL_AFTER_ATTEMPTS,
                    retry_in_s=min(self.settings.retry_base_s * 2**write.attempts, self.settings.retry_max_s),
                )
                event["repeat"] = attempts > 1
                if attempts >= FINAL_AFTER_ATTEMPTS:
                    event["outcome"] = "failed"
            else:
                bookings.record_failure(
                    c,
                    write,
                    f"{getattr(error, 'code', 'error')}: {error}",
                    final=True,
                    needs_human=outcome == "conflict",
                )
                audit.record(
                    c,
                    "bot",
                    f"booking.{write.operation}.{outcome}",
                    conversation_id=write.conversation_id,
                    booking_id=write.booking_id,
                    details={"error": getattr(error, "code", "error")},
                )
                if outcome == "failed" and write.conversation_id is not None:
                    conversations.flag_attention(c, write.conversation_id, "booking_failed")
                if outcome == "conflict":
                    # the guest hears it failed and staff will follow up; staff see why
                    event["outcome"] = "failed"
                    if write.conversation_id is not None:
                        conversations.flag_attention(c, write.conversation_id, "booking_conflict")
            event.setdefault("outcome", outcome)
            if write.conversation_id is not None and (event["outcome"] != "pending" or write.attempts == 0):
                key = f"pms:{write.id}:{event['outcome']}"
                inbox.add_event(c, write.conversation_id, key, event)

        await self.store.write(op, label="pms.result")
        if outcome == "pending":
            self.retries += 1
            log.warning(
                "PMS write pending write=%d operation=%s code=%s",
                write.id,
                write.operation,
                event.get("error"),
            )
        else:
            self.done += 1
            log.info(
                "PMS write finished write=%d operation=%s outcome=%s",
                write.id,
                write.operation,
                outcome,
            )
        if write.conversation_id is not None:
            self.notify_conversation(write.conversation_id)
        return str(event["outcome"])
