"""Keeping the local mirror of QloApps fresh: a full sync at start, then incremental refreshes.

Jobs, each on its own (jittered) interval and recorded in ``pms_sync``:

* ``catalogue`` — hotel, room types, capacities, stay rules, rooms (``catalog_interval_s``);
* ``near`` — free rooms and prices night by night for the next ``near_days`` (often);
* ``far`` — the rest of the horizon (``far_interval_s``, less often);
* ``bookings`` — orders QloApps changed since the last look (staff cancelled or moved one of
  the bookings hotelbox made): our record follows, and the front desk is told.

Every QloApps call goes through the scheduler's ``pms`` lane: background syncs at
:attr:`Priority.BACKGROUND` (so they pause behind queued guests and back off under pressure),
a guest's live re-check at :attr:`Priority.GUEST`. Availability is fetched in chunks of
``chunk_days`` nights, one write transaction per chunk, so a sync never holds the writer long.
A failed job is retried sooner (10 s doubling up to its interval); the first success after a
failure calls ``on_recovered`` (the booking worker then pushes what waited).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hotelbox.config import SyncSettings
from hotelbox.errors import HotelboxError
from hotelbox.pms.qloapps import Catalogue, QloAppsPms
from hotelbox.scheduler import Lane, Priority, Scheduler
from hotelbox.store import Store, audit, bookings, conversations
from hotelbox.store import pms_mirror as mirror_db
from hotelbox.store.database import Conn, utcnow

log = logging.getLogger(__name__)
JOBS = ("catalogue", "near", "far", "bookings")
FULL = "full"  # pms_sync's row for the last full sync (every job, the whole horizon) and its time
RETRY_FIRST_S = 10.0


class MirrorSync:
    def __init__(
        self,
        remote: QloAppsPms,
        store: Store,
        scheduler: Scheduler,
        settings: SyncSettings,
        today: Callable[[], date],
        *,
        on_catalogue: Callable[[Catalogue], Awaitable[None]] | None = None,
        on_recovered: Callable[[], Awaitable[None]] | None = None,
        on_booking_changed: Callable[[int], None] | None = None,
    ) -> None:
        self.remote = remote
        self.store = store
        self.lane: Lane = scheduler.lane("pms")
        self.scheduler = scheduler
        self.settings = settings
        self.today = today
        self.on_catalogue = on_catalogue
        self.on_recovered = on_recovered
        self.on_booking_changed = on_booking_changed  # a conversation's booking changed in the PMS
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._due: dict[str, float] = {}
        self.failures: dict[str, int] = dict.fromkeys(JOBS, 0)
        self.runs: dict[str, int] = dict.fromkeys(JOBS, 0)
        self.seconds: dict[str, float] = dict.fromkeys(JOBS, 0.0)
        self.full_sync_s: float | None = None
        self.initial_done = asyncio.Event()
        self._cursor: str | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    async def load_from_mirror(self) -> Catalogue | None:
        """Restore the catalogue kept from the last run (the box starts even if QloApps is down)."""
        saved = await self.store.read(lambda c: mirror_db.load_catalogue(c, self.remote.hotel_id))
        if saved is None:
            return None
        catalogue = Catalogue.from_json(saved[0])
        self.remote.catalogue = catalogue
        return catalogue

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="pms-sync")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def wake(self, *jobs: str) -> None:
        """Run these jobs (all, if none named) as soon as possible."""
        for job in jobs or JOBS:
            self._due[job] = 0.0
        self._wake.set()

    # -- the jobs ------------------------------------------------------------------------------
    async def sync_catalogue(self, priority: Priority = Priority.BACKGROUND) -> int:
        catalogue = await self.lane.call(self.remote.load_catalogue, priority=priority)
        codes = [str(k) for k in catalogue.room_types]

        def save(c: Conn) -> None:
            mirror_db.save_catalogue(c, self.remote.hotel_id, catalogue.to_json(), utcnow())
            mirror_db.forget_room_types(c, codes)
            mirror_db.prune_past(c, self.today())

        await self.store.write(save, label="mirror.catalogue")
        if self.on_catalogue is not None:
            await self.on_catalogue(catalogue)
        return len(codes)

    async def refresh(
        self,
        start: date,
        end: date,
        priority: Priority = Priority.BACKGROUND,
        deadline_s: float | None = None,
        keep_fresh_s: float | None = None,
    ) -> int:
        """Fetch free rooms and prices for [start, end) into the mirror, chunk by chunk.

        ``keep_fresh_s``: a chunk the mirror holds whole, fetched less than that long ago, is kept."""
        if self.remote.catalogue is None:
            await self.sync_catalogue(priority)
        rows = 0
        chunk = timedelta(days=self.settings.chunk_days)
        types = len(self.remote.catalogue.room_types) if self.remote.catalogue else 0
        a = start
        while a < end:
            b = min(a + chunk, end)
            if keep_fresh_s is not None and types:
                oldest, count = await self.store.read(
                    functools.partial(mirror_db.oldest_fetch, start=a, end=b)
                )
                age = age_s(oldest)
                if count >= types * (b - a).days and age is not None and age < keep_fresh_s:
                    a = b
                    continue
            nights = await self.lane.call(
                functools.partial(self.remote.fetch_nights, a, b), priority=priority, deadline_s=deadline_s
            )
            fetched_at = utcnow()
            rows += await self.store.write(
                functools.partial(mirror_db.save_nights, nights=nights, fetched_at=fetched_at),
                label="mirror.nights",
            )
            a = b
        return rows

    async def sync_near(self, priority: Priority = Priority.BACKGROUND) -> int:
        today = self.today()
        return await self.refresh(today, today + timedelta(days=self.near_days), priority)

    async def sync_far(self, priority: Priority = Priority.BACKGROUND, keep_fresh: bool = False) -> int:
        """The rest of the horizon; ``keep_fresh``: skip what a far sync fetched within its interval."""
        today = self.today()
        start = today + timedelta(days=self.near_days)
        end = today + timedelta(days=self.settings.horizon_days)
        if start >= end:
            return 0
        keep = self.settings.far_interval_s if keep_fresh else None
        return await self.refresh(start, end, priority, keep_fresh_s=keep)

    @property
    def near_days(self) -> int:
        return min(self.settings.near_days, self.settings.horizon_days)

    async def sync_bookings(self, priority: Priority = Priority.BACKGROUND) -> int:
        """Follow changes QloApps made to the bookings hotelbox made; returns how many changed."""
        state = await self.store.read(mirror_db.sync_state)
        cursor = (state.get("bookings") or {}).get("cursor")
        if cursor is None:  # first run: start from now, history is not ours to replay
            latest = await self.lane.call(self.remote.latest_order_update, priority=priority)
            self._cursor = latest or "1970-01-01 00:00:00"
            return 0
        since = (datetime.fromisoformat(cursor) - timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S")
        orders = await self.lane.call(lambda: self.remote.changed_orders(since), priority=priority)
        self._cursor = max([cursor, *(str(o["date_upd"]) for o in orders)])
        references = [str(o["reference"]) for o in orders]
        ours = await self.store.read(lambda c: bookings.settled_by_reference(c, references))
        changed = 0
        for order in orders:
            row = ours.get(str(order["reference"]))
            if row is None:
                continue
            booking = await self.lane.call(
                functools.partial(self.remote.read_order, order), priority=priority
            )
            if not bookings.differs(row, booking):
                continue
            changed += 1

            def apply(c: Conn, row: dict[str, Any] = row, booking: Any = booking) -> None:
                bookings.apply_pms_change(c, int(row["id"]), booking)
                audit.record(
                    c,
                    "system",
                    "booking.changed_in_pms",
                    conversation_id=row["conversation_id"],
                    booking_id=int(row["id"]),
                    details={
                        "reference": booking.reference,
                        "status": booking.status,
                        "check_in": booking.check_in.isoformat(),
                        "check_out": booking.check_out.isoformat(),
                    },
                )
                if row["conversation_id"] is not None:
                    conversations.flag_attention(c, int(row["conversation_id"]), "booking_changed_in_pms")

            await self.store.write(apply, label="mirror.booking_change")
            log.info("booking changed in QloApps reference=%s status=%s", booking.reference, booking.status)
            if row["conversation_id"] is not None and self.on_booking_changed is not None:
                self.on_booking_changed(int(row["conversation_id"]))
        return changed

    async def run_job(
        self, job: str, priority: Priority = Priority.BACKGROUND, *, keep_fresh: bool = False
    ) -> bool:
        """Run one job, record its outcome; True when it succeeded."""
        runner: Callable[[Priority], Awaitable[int]] = {
            "catalogue": self.sync_catalogue,
            "near": self.sync_near,
            "far": (lambda p: self.sync_far(p, keep_fresh=True)) if keep_fresh else self.sync_far,
            "bookings": self.sync_bookings,
        }[job]
        started = time.perf_counter()
        self._cursor = None
        try:
            rows = await runner(priority)
        except (HotelboxError, OSError) as exc:
            self.failures[job] += 1
            error = f"{getattr(exc, 'code', 'error')}: {exc}"
            await self.store.write(
                lambda c: mirror_db.record_sync(c, job, ok=False, error=error), label="mirror.sync_state"
            )
            log.warning("PMS sync failed job=%s code=%s error=%s", job, getattr(exc, "code", "error"), exc)
            return False
        duration = time.perf_counter() - started
        self.runs[job] += 1
        self.seconds[job] += duration
        cursor = self._cursor
        await self.store.write(
            lambda c: mirror_db.record_sync(c, job, ok=True, duration_s=duration, rows=rows, cursor=cursor),
            label="mirror.sync_state",
        )
        recovered = self.failures[job] > 0
        self.failures[job] = 0
        log.info("PMS sync done job=%s rows=%d seconds=%.2f", job, rows, duration)
        if recovered and self.on_recovered is not None:
            log.info("QloApps answers again job=%s: pushing what waited", job)
            await self.on_recovered()
        return True

    async def full(self, priority: Priority = Priority.BACKGROUND, skip: tuple[str, ...] = ()) -> bool:
        started = time.perf_counter()
        ok = True
        for job in JOBS:
            if job not in skip:
                ok = await self.run_job(job, priority) and ok
        if ok:
            await self.record_full(time.perf_counter() - started)
        return ok

    async def record_full(self, seconds: float) -> None:
        """Keep how long a full sync took, so `pms status` and a restarted box can say it."""
        self.full_sync_s = seconds
        await self.store.write(
            lambda c: mirror_db.record_sync(c, FULL, ok=True, duration_s=seconds), label="mirror.sync_state"
        )

    # -- the loop ------------------------------------------------------------------------------
    def interval(self, job: str) -> float:
        s = self.settings
        return {
            "catalogue": s.catalog_interval_s,
            "near": s.availability_interval_s,
            "far": s.far_interval_s,
            "bookings": s.availability_interval_s,
        }[job]

    async def _loop(self) -> None:
        # "full sync at start" (the catalogue was just read by MirroredPms.open when it could be)
        await self.full(skip=("catalogue",) if self.runs["catalogue"] else ())
        self.initial_done.set()
        now = time.monotonic()
        for job in JOBS:
            delay = RETRY_FIRST_S if self.failures[job] else self.interval(job)
            self._due.setdefault(job, now + self.scheduler.jittered(delay))
        while True:
            now = time.monotonic()
            due = [job for job in JOBS if self._due.get(job, 0.0) <= now]
            if not due:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):  # not wait_for: see hotelbox/background.py
                    async with asyncio.timeout(min(self._due.values()) - now):
                        await self._wake.wait()
                continue
            for job in due:
                ok = await self.run_job(job)
                delay = (
                    self.interval(job)
                    if ok
                    else min(self.interval(job), RETRY_FIRST_S * 2 ** (self.failures[job] - 1))
                )
                breaker = self.remote.api.breaker
                if not ok and breaker.state != "closed":
                    # be the circuit's trial call the moment it allows one: QloApps back is
                    # noticed within the cool-down, and the waiting bookings go (issue 14)
                    # (at least 1 s apart: while someone else's trial runs, calls fail at once)
                    self._due[job] = time.monotonic() + min(delay, max(breaker.retry_in() + 0.05, 1.0))
                    continue
                self._due[job] = time.monotonic() + self.scheduler.jittered(delay)

    # -- how fresh is it -------------------------------------------------------------------------
    async def status(self) -> dict[str, Any]:
        today = self.today()
        near_end = today + timedelta(days=self.near_days)
        horizon_end = today + timedelta(days=self.settings.horizon_days)

        async def read(c: Any) -> dict[str, Any]:
            near = await mirror_db.oldest_fetch(c, today, near_end)
            whole = await mirror_db.oldest_fetch(c, today, horizon_end)
            catalogue = await mirror_db.load_catalogue(c, self.remote.hotel_id)
            return {
                "near": near,
                "whole": whole,
                "catalogue": catalogue[1] if catalogue else None,
                "jobs": await mirror_db.sync_state(c),
            }

        facts = await self.store.read(read)
        full_s = self.full_sync_s
        if full_s is None:
            full_s = (facts["jobs"].get(FULL) or {}).get("duration_s")
        room_types = len(self.remote.catalogue.room_types) if self.remote.catalogue else 0
        expected_near = room_types * self.near_days
        expected = room_types * self.settings.horizon_days
        return {
            "catalogue_age_s": age_s(facts["catalogue"]),
            "near_age_s": age_s(facts["near"][0]),
            "age_s": age_s(facts["whole"][0]),
            "near_coverage": round(facts["near"][1] / expected_near, 3) if expected_near else 0.0,
            "coverage": round(facts["whole"][1] / expected, 3) if expected else 0.0,
            "stale_after_s": self.settings.stale_after_s,
            "full_sync_s": round(full_s, 3) if full_s is not None else None,
            "jobs": {
                job: {
                    "last_ok_age_s": age_s(state.get("last_ok_at")),
                    "last_error": state.get("last_error"),
                    "failures": state.get("failures", 0),
                    "duration_s": state.get("duration_s"),
                    "rows": state.get("rows", 0),
                }
                for job, state in facts["jobs"].items()
                if job in JOBS
            },
        }


def age_s(stamp: str | None) -> float | None:
    if not stamp:
        return None
    return round((datetime.now(UTC) - datetime.fromisoformat(stamp)).total_seconds(), 1)
