"""The local mirror of QloApps against the fake: full sync, answers without a round trip that
match QloApps' own, live re-checks of stale data, outages, and changes made in the back office."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from hotelbox.config import QloAppsSettings, SchedulerSettings, StoreSettings, SyncSettings
from hotelbox.errors import PmsUnavailable, RoomNotAvailable
from hotelbox.pms import BookingRequest
from hotelbox.pms.mirror import MirroredPms
from hotelbox.pms.qloapps import QloAppsPms
from hotelbox.pms.sync import MirrorSync
from hotelbox.scheduler import Pressure, Scheduler
from hotelbox.store import Store
from tests.fakes.qloapps import FakeQloApps
from tests.support import hotel_today


@dataclass
class Rig:
    fake: FakeQloApps
    pms: MirroredPms
    remote: QloAppsPms
    sync: MirrorSync
    store: Store

    def ari_calls(self) -> int:
        return self.fake.count("POST", "/api/hotel_ari")


async def make_rig(fake: FakeQloApps, tmp_path: Path, **sync: Any) -> tuple[Rig, Scheduler]:
    options: dict[str, Any] = {"horizon_days": 60, "near_days": 14, "chunk_days": 31}
    options.update(sync)
    settings = SyncSettings(**options)
    store = Store(tmp_path / "box.db", StoreSettings())
    await store.open()
    scheduler = Scheduler(
        SchedulerSettings(cpu_high_percent=100, memory_high_percent=100), Pressure(tmp_path)
    )
    remote = QloAppsPms(
        QloAppsSettings(url=fake.url, timeout_s=2, retries=0, breaker_cooldown_s=0.2), fake.key
    )
    mirror_sync = MirrorSync(remote, store, scheduler, settings, hotel_today)
    pms = MirroredPms(remote, mirror_sync, settings)
    await remote.open()
    return Rig(fake, pms, remote, mirror_sync, store), scheduler


@pytest.fixture
async def fake() -> AsyncIterator[FakeQloApps]:
    async with FakeQloApps() as f:
        yield f


@pytest.fixture
async def rig(fake: FakeQloApps, tmp_path: Path) -> AsyncIterator[Rig]:
    r, scheduler = await make_rig(fake, tmp_path)
    yield r
    await r.sync.stop()
    await r.remote.close()
    await r.store.close()
    scheduler.close()


def request(key: str, room: str, start_in: int, nights: int, email: str) -> BookingRequest:
    ci = hotel_today() + timedelta(days=start_in)
    return BookingRequest(
        key, room, ci, ci + timedelta(days=nights), 1, 0, "Rosa Martín", email, "+34600000000"
    )


async def test_full_sync_fills_the_horizon_and_says_how_old_it_is(rig: Rig) -> None:
    assert await rig.sync.full()
    rows = await rig.store.fetchone("SELECT count(*) AS n, min(night) AS first FROM pms_nights")
    assert rows is not None
    assert rows["n"] == 4 * 60  # four room types, every night of the horizon
    assert rows["first"] == hotel_today().isoformat()
    assert rig.ari_calls() == 1 + 1 + 2  # catalogue quote, near 14 nights, far 46 nights in chunks of 31
    status = await rig.sync.status()
    assert status["coverage"] == status["near_coverage"] == 1.0
    assert 0 <= status["near_age_s"] < 60
    assert set(status["jobs"]) == {"catalogue", "near", "far", "bookings"}
    assert all(job["failures"] == 0 and job["last_error"] is None for job in status["jobs"].values())


async def test_answers_come_from_the_mirror_and_match_qloapps(fake: FakeQloApps, rig: Rig) -> None:
    rng = random.Random(7)
    fake.set_min_los(2, 3)  # QloApps' per-night blocks hide such types; the mirror must not
    fake.hotel.seed.rooms[17]["id_status"] = 2  # a room out of order
    await rig.remote.load_catalogue()
    for n in range(25):  # a hotel with some bookings
        room = str(rng.randint(1, 4))
        start, nights = rng.randint(0, 40), rng.randint(1, 6)
        if room == "2":
            nights = max(nights, 3)
        with contextlib.suppress(RoomNotAvailable):  # sold out: fine, part of the picture
            await rig.remote.create_booking(request(f"b{n}", room, start, nights, f"b{n}@example.com"))
    assert await rig.sync.full()
    calls = rig.ari_calls()
    for _ in range(40):
        start, nights = rng.randint(0, 50), rng.randint(1, 7)
        ci = hotel_today() + timedelta(days=start)
        co = ci + timedelta(days=nights)
        adults = rng.randint(1, 3)
        mirrored = await rig.pms.search(ci, co, adults, 0)
        assert rig.ari_calls() == calls  # no round trip
        live = await rig.remote.search(ci, co, adults, 0)
        calls = rig.ari_calls()
        assert [(o.room_type.code, o.available, o.total_price) for o in mirrored] == [
            (o.room_type.code, o.available, o.total_price) for o in live
        ], (ci, co, adults)
    assert rig.pms.mirror_answers == 40


async def test_stale_nights_are_checked_live_before_a_price_is_given(
    fake: FakeQloApps, tmp_path: Path
) -> None:
    rig, scheduler = await make_rig(fake, tmp_path, stale_after_s=600)  # not stale while set up, however slow
    try:
        assert await rig.sync.full()
        ci = hotel_today() + timedelta(days=10)
        other = QloAppsPms(QloAppsSettings(url=fake.url), fake.key)  # the website sells the Luxury rooms
        await other.open()
        for n in range(5):
            await other.create_booking(
                BookingRequest(f"web{n}", "4", ci, ci + timedelta(days=2), 2, 0, "Web Guest", f"w{n}@example.com", "+1 555 0100")
            )  # fmt: skip
        await other.close()
        fresh = [o.room_type.code for o in await rig.pms.search(ci, ci + timedelta(days=2), 2, 0)]
        assert "4" in fresh  # the mirror does not know yet, and is not stale yet
        rig.pms.settings = rig.pms.settings.model_copy(update={"stale_after_s": 0.0})  # now every night is
        calls = rig.ari_calls()
        checked = [o.room_type.code for o in await rig.pms.search(ci, ci + timedelta(days=2), 2, 0)]
        assert rig.ari_calls() == calls + 1  # re-checked live for those nights only
        assert "4" not in checked
        assert rig.pms.live_checks == 1
    finally:
        await rig.remote.close()
        await rig.store.close()
        scheduler.close()


async def test_qloapps_down_stale_mirror_still_answers_missing_nights_do_not(
    fake: FakeQloApps, tmp_path: Path
) -> None:
    rig, scheduler = await make_rig(fake, tmp_path, stale_after_s=0.01)
    try:
        assert await rig.sync.run_job("catalogue")
        assert await rig.sync.run_job("near")  # 14 nights mirrored, the rest not yet
        await fake.go_down()
        await asyncio.sleep(0.05)  # older than stale_after_s
        ci = hotel_today() + timedelta(days=3)
        offers = await rig.pms.search(ci, ci + timedelta(days=2), 2, 0)
        assert [o.room_type.code for o in offers] == ["1", "2", "3", "4"]
        assert rig.pms.stale_answers == 1
        far = hotel_today() + timedelta(days=40)
        with pytest.raises(PmsUnavailable):
            await rig.pms.search(far, far + timedelta(days=2), 2, 0)
        assert await rig.pms.hotel()  # the catalogue is there regardless
        status = await rig.pms.status()
        assert (status["stale_answers"], status["breaker"]) == (1, "closed")  # 2 failures: not yet open
    finally:
        await rig.remote.close()
        await rig.store.close()
        scheduler.close()


async def test_a_booking_updates_the_mirror_at_once(rig: Rig) -> None:
    assert await rig.sync.full()
    ci = hotel_today() + timedelta(days=20)
    before = {o.room_type.code: o.available for o in await rig.pms.search(ci, ci + timedelta(days=3), 1, 0)}
    booking = await rig.pms.create_booking(request("m1", "3", 20, 3, "m1@example.com"))
    after = {o.room_type.code: o.available for o in await rig.pms.search(ci, ci + timedelta(days=3), 1, 0)}
    assert after["3"] == before["3"] - 1
    await rig.pms.cancel_booking(booking.reference, "m1-cancel")
    again = {o.room_type.code: o.available for o in await rig.pms.search(ci, ci + timedelta(days=3), 1, 0)}
    assert again["3"] == before["3"]


async def test_the_box_starts_from_the_mirror_when_qloapps_is_down(fake: FakeQloApps, tmp_path: Path) -> None:
    rig, scheduler = await make_rig(fake, tmp_path)
    assert await rig.sync.full()
    await rig.remote.close()
    await rig.store.close()
    scheduler.close()
    await fake.go_down()
    rig, scheduler = await make_rig(fake, tmp_path)  # a restart, QloApps unreachable
    try:
        await rig.pms.open()
        assert (await rig.pms.hotel()).name == "The Hotel Prime"
        assert len(await rig.pms.room_types()) == 4
        ci = hotel_today() + timedelta(days=5)
        assert await rig.pms.search(ci, ci + timedelta(days=1), 1, 0)  # stale, but an answer
    finally:
        await rig.pms.close()
        await rig.store.close()
        scheduler.close()
