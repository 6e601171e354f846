"""QloApps as the dialogue sees it: answers from the local mirror, writes to QloApps.

* **Catalogue** (hotel, room types) from memory, restored from the mirror at start: the box
  comes up and talks even when QloApps is down.
* **Search** reads the mirrored nights — free room ids per night, so "a room free every night of
  the stay" is the same set intersection QloApps does — and enforces capacity and stay rules.
  Nights missing from the mirror, or fetched longer ago than ``stale_after_s``, are re-fetched
  live for that range (guest priority) before a price is given; if QloApps cannot answer then,
  complete-but-stale data is used and counted, and the booking itself is re-checked live anyway.
* **Writes** (create, change, cancel) and booking look-ups go to QloApps through the ``pms``
  lane at guest priority; afterwards the nights they touched are refreshed.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from hotelbox.config import SyncSettings
from hotelbox.errors import HotelboxError, PmsUnavailable, RoomNotAvailable
from hotelbox.pms import BookingRequest, HotelInfo, Night, Offer, Offers, PmsBooking, RoomType, StayChange
from hotelbox.pms.qloapps import Catalogue, QloAppsPms
from hotelbox.pms.sync import MirrorSync
from hotelbox.scheduler import DeadlineExceeded, Priority
from hotelbox.store import bookings as bookings_db
from hotelbox.store import pms_mirror as mirror_db

log = logging.getLogger(__name__)
T = TypeVar("T")
LIVE_DEADLINE_S = 5.0  # a guest's live check that cannot start within this is answered from the mirror


class MirroredPms:
    kind = "qloapps"

    def __init__(self, remote: QloAppsPms, sync: MirrorSync, settings: SyncSettings) -> None:
        self.remote = remote
        self.sync = sync
        self.settings = settings
        self.lane = sync.lane
        self.mirror_answers = 0
        self.live_checks = 0
        self.stale_answers = 0

    async def open(self) -> None:
        await self.remote.open()
        await self.sync.load_from_mirror()
        await self.sync.run_job("catalogue", Priority.GUEST)
        if self.remote.catalogue is None:
            log.error("QloApps is unreachable and there is no mirror yet: bookings wait for it")
        self.sync.start()

    async def close(self) -> None:
        await self.sync.stop()
        await self.remote.close()

    # -- catalogue -------------------------------------------------------------------------------
    def _require_catalogue(self) -> Catalogue:
        if self.remote.catalogue is None:
            raise PmsUnavailable("QloApps has not been reached yet", code="pms_no_catalogue")
        return self.remote.catalogue

    async def hotel(self) -> HotelInfo:
        return self._require_catalogue().hotel

    async def room_types(self) -> list[RoomType]:
        return list(self._require_catalogue().room_types.values())

    # -- availability ----------------------------------------------------------------------------
    async def _live(self, job: Callable[[], Awaitable[T]]) -> T:
        return await self.lane.call(job, priority=Priority.GUEST, deadline_s=LIVE_DEADLINE_S)

    async def search(
        self, check_in: date, check_out: date, adults: int, children: int, exclude: str | None = None
    ) -> list[Offer]:
        if exclude:  # a change of dates: the booking's own room counts as free; ask QloApps
            self.live_checks += 1
            return await self._live(
                lambda: self.remote.search(check_in, check_out, adults, children, exclude)
            )
        catalogue = self._require_catalogue()
        today = self.sync.today()
        horizon = today + timedelta(days=self.settings.horizon_days)
        if check_out <= check_in:
            return []
        if check_in < today or check_out > horizon:  # outside the mirror: live
            self.live_checks += 1
            return await self._live(lambda: self.remote.search(check_in, check_out, adults, children))
        rows = await self.sync.store.read(lambda c: mirror_db.nights(c, check_in, check_out))
        stale = False
        if not self._complete(rows, check_in, check_out) or self._stale(rows):
            try:
                self.live_checks += 1
                await self.sync.refresh(check_in, check_out, Priority.GUEST, LIVE_DEADLINE_S)
                rows = await self.sync.store.read(lambda c: mirror_db.nights(c, check_in, check_out))
            except (PmsUnavailable, DeadlineExceeded) as exc:
                if not self._complete(rows, check_in, check_out):
                    raise PmsUnavailable(
                        "QloApps cannot be asked and the mirror lacks those nights", code=exc.code
                    ) from exc
                self.stale_answers += 1
                stale = self._stale(rows)  # (complete and fresh enough is still a fact)
                log.warning("answering from a stale mirror code=%s", exc.code)
        else:
            self.mirror_answers += 1
        return Offers(
            offers_from_nights(
                catalogue.room_types.values(), [n for n, _ in rows], check_in, check_out, adults, children
            ),
            stale=stale,
        )

    def _complete(self, rows: list[tuple[Night, str]], check_in: date, check_out: date) -> bool:
        have = {(n.room_type, n.night) for n, _ in rows}
        catalogue = self.remote.catalogue
        if catalogue is None:
            return False
        nights = (check_out - check_in).days
        return all(
            (str(code), check_in + timedelta(days=i)) in have
            for code in catalogue.room_types
            for i in range(nights)
        )

    def _stale(self, rows: list[tuple[Night, str]]) -> bool:
        oldest = min((fetched for _, fetched in rows), default=None)
        if oldest is None:
            return True
        age = (datetime.now(UTC) - datetime.fromisoformat(oldest)).total_seconds()
        return age > self.settings.stale_after_s

    # -- bookings --------------------------------------------------------------------------------
    async def _after_write(self, *ranges: tuple[date, date]) -> None:
        """Refresh the nights a write touched (best effort: the next sync catches up anyway)."""
        for start, end in ranges:
            try:
                await self.sync.refresh(start, end, Priority.GUEST, LIVE_DEADLINE_S)
            except HotelboxError as exc:
                log.warning("could not refresh the mirror after a write code=%s", exc.code)

    async def create_booking(self, request: BookingRequest) -> PmsBooking:
        try:
            booking = await self.lane.call(
                lambda: self.remote.create_booking(request), priority=Priority.GUEST
            )
        except RoomNotAvailable:
            await self._sold_out(request)
            raise
        await self._after_write((booking.check_in, booking.check_out))
        return booking

    async def _sold_out(self, request: BookingRequest) -> None:
        """The room type went under the guest's feet: the mirror must not offer it again right
        after "sorry, that room just went" (issue 14). Re-read those nights; if QloApps cannot
        answer, forget that type's nights so that nothing offers it until QloApps is asked."""
        try:
            await self.sync.refresh(request.check_in, request.check_out, Priority.GUEST, LIVE_DEADLINE_S)
        except (HotelboxError, DeadlineExceeded) as exc:
            log.warning(
                "could not re-read the nights of a room that just went code=%s", getattr(exc, "code", "-")
            )
            await self.sync.store.write(
                lambda c: mirror_db.forget_nights(c, request.room_type, request.check_in, request.check_out),
                label="mirror.forget",
            )

    async def get_booking(self, reference: str) -> PmsBooking:
        return await self._live(lambda: self.remote.get_booking(reference))

    async def find_bookings(self, *, email: str | None = None, phone: str | None = None) -> list[PmsBooking]:
        """By e-mail in QloApps, and by phone through the bookings hotelbox made (QloApps cannot
        search customers by phone: the filter is a 500 on PHP 8 and empty on 7.4)."""
        found = {
            b.reference: b
            for b in await self._live(lambda: self.remote.find_bookings(email=email, phone=phone))
        }
        if phone:
            references = await self.sync.store.read(lambda c: bookings_db.references_for_phone(c, phone))
            for reference in references:
                if reference not in found:
                    found[reference] = await self._live(functools.partial(self.remote.get_booking, reference))
        return sorted(found.values(), key=lambda b: b.check_in)

    async def modify_dates(
        self, reference: str, check_in: date, check_out: date, idempotency_key: str
    ) -> PmsBooking:
        return await self.modify_booking(
            reference, StayChange(check_in=check_in, check_out=check_out), idempotency_key
        )

    async def modify_booking(self, reference: str, change: StayChange, idempotency_key: str) -> PmsBooking:
        before = await self._live(lambda: self.remote.get_booking(reference))
        wanted = change.on(before)
        try:
            booking = await self.lane.call(
                lambda: self.remote.modify_booking(reference, change, idempotency_key),
                priority=Priority.GUEST,
            )
        except RoomNotAvailable:  # the mirror offered a room QloApps no longer has: re-read it
            await self._after_write((wanted.check_in, wanted.check_out))
            raise
        await self._after_write((before.check_in, before.check_out), (booking.check_in, booking.check_out))
        return booking

    async def cancel_booking(self, reference: str, idempotency_key: str) -> PmsBooking:
        booking = await self.lane.call(
            lambda: self.remote.cancel_booking(reference, idempotency_key), priority=Priority.GUEST
        )
        await self._after_write((booking.check_in, booking.check_out))
        return booking

    async def status(self) -> dict[str, Any]:
        state = await self.sync.status()
        state.update(
            {
                "breaker": self.remote.api.breaker.state,
                "mirror_answers": self.mirror_answers,
                "live_checks": self.live_checks,
                "stale_answers": self.stale_answers,
            }
        )
        return state


def offers_from_nights(
    room_types: Any,
    nights: list[Night],
    check_in: date,
    check_out: date,
    adults: int,
    children: int,
) -> list[Offer]:
    """Room types that fit the party and the stay rules with a room free every night."""
    by_type: dict[str, list[Night]] = {}
    for night in nights:
        by_type.setdefault(night.room_type, []).append(night)
    count = (check_out - check_in).days
    offers = []
    for rt in room_types:
        if not rt.fits(adults, children) or not rt.allows_stay(count):
            continue
        mine = by_type.get(rt.code, [])
        if len(mine) != count or any(n.price is None for n in mine):
            continue
        free = frozenset.intersection(*(n.free_rooms for n in mine))
        if not free:
            continue
        total = sum((n.price for n in mine if n.price is not None), Decimal(0))
        offers.append(Offer(rt, check_in, check_out, len(free), total, mine[0].currency))
    return sorted(offers, key=lambda o: o.total_price)
