"""What ``hotelbox pms check|sync|status`` do: the installer's and the operator's view of QloApps.

``check`` walks what the box needs, in order, and stops at the first thing that is wrong with a
sentence saying what to fix: settings → reaching QloApps → the key and its permissions → the
hotel and its room types → an availability search → reading a booking back (the shop
configuration bug that turns every bookings answer into a 500). ``sync`` fills the mirror now,
the whole horizon (``--full``: read again even what is fresh, and time it). ``status`` reads the
mirror's age and the sync jobs' state from the box's database without contacting QloApps.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any, Literal

from hotelbox.config import ConfigError, Settings
from hotelbox.errors import HotelboxError
from hotelbox.pms.qloapps import QloAppsPms
from hotelbox.pms.qloapps_api import as_int, listing
from hotelbox.pms.sync import JOBS, MirrorSync
from hotelbox.scheduler import Priority, Scheduler
from hotelbox.store import Store, bookings

HINTS = {
    "pms_unreachable": "is pms.qloapps.url right, and is QloApps running and reachable from this box?",
    "pms_timeout": "QloApps did not answer in time: is it overloaded, or is pms.qloapps.timeout_s too short?",
    "pms_auth": "check the key in pms.qloapps.key_file against Advanced Parameters > Webservice in QloApps",
    "pms_permission": "give the key GET/POST/PUT on the resources listed (Advanced Parameters > Webservice)",
    "pms_webservice_disabled": "switch the webservice on in Advanced Parameters > Webservice",
    "pms_invalid_hotel": "set pms.qloapps.hotel_id to one of the hotels QloApps lists",
    "pms_server_error": "QloApps itself failed (HTTP 5xx, nothing in the answer): most often its MySQL/MariaDB "
    "database is down, full or refusing connections, or PHP crashed; look at the web server's error log and "
    "the database service on the QloApps machine",
    "pms_not_found": "the URL answers but not as a QloApps webservice: is it the shop's base URL "
    "(without /api), and does it need pms.qloapps.use_dispatcher = true?",
}

Level = Literal["ok", "warn", "fail"]


@dataclass
class Step:
    name: str
    level: Level
    detail: str

    @property
    def ok(self) -> bool:
        return self.level != "fail"


def failed(name: str, exc: HotelboxError) -> Step:
    hint = HINTS.get(exc.code)
    return Step(name, "fail", f"{exc.code}: {exc.message}" + (f" — {hint}" if hint else ""))


async def check(settings: Settings, key: str) -> tuple[list[Step], dict[str, Any]]:
    """Run the checks in order; returns the steps and what was learnt about the hotel."""
    steps: list[Step] = []
    facts: dict[str, Any] = {}
    q = settings.pms.qloapps
    pms = QloAppsPms(q, key)
    await pms.open()
    try:
        try:
            started = time.perf_counter()
            granted = await pms.check()
            ms = (time.perf_counter() - started) * 1000
            steps.append(
                Step(
                    "connect",
                    "ok",
                    f"{q.url} answered in {ms:.0f} ms; the key may use {len(granted)} resources",
                )
            )
        except HotelboxError as exc:
            steps.append(failed("connect", exc))
            return steps, facts
        try:
            catalogue = await pms.load_catalogue()
        except HotelboxError as exc:
            steps.append(failed("hotel", exc))
            return steps, facts
        hotel = catalogue.hotel
        facts["hotel"] = asdict(hotel)
        facts["room_types"] = [
            {
                "id": rt.code,
                "name": rt.name(settings.hotel.default_language),
                "rooms": len(catalogue.rooms.get(int(rt.code), [])),
                "max_adults": rt.max_adults,
                "max_children": rt.max_children,
                "max_guests": rt.max_guests,
                "min_nights": rt.min_nights,
                "max_nights": rt.max_nights,
                "night_from": str(rt.base_price),
                "words": list(rt.aliases),
            }
            for rt in catalogue.room_types.values()
        ]
        if not catalogue.room_types:
            steps.append(Step("hotel", "fail", f"{hotel.name} has no active room types in QloApps"))
            return steps, facts
        steps.append(
            Step(
                "hotel",
                "ok",
                f"{hotel.name} ({hotel.currency}, check-in {hotel.check_in_time}, check-out "
                f"{hotel.check_out_time}): {len(catalogue.room_types)} room types, "
                f"{sum(len(r) for r in catalogue.rooms.values())} rooms",
            )
        )
        untranslated = [rt.code for rt in catalogue.room_types.values() if str(rt.code) not in q.room_types]
        if untranslated:
            steps.append(
                Step(
                    "room names",
                    "warn",
                    f"room types {', '.join(untranslated)} have only QloApps' name for every language; "
                    "add names and the words guests use in pms.qloapps.room_types",
                )
            )
        tomorrow = settings.hotel.today() + timedelta(days=1)
        try:
            offers = await pms.search(tomorrow, tomorrow + timedelta(days=1), 1, 0)
            steps.append(
                Step("availability", "ok", f"tomorrow: {sum(o.available for o in offers)} rooms free")
            )
        except HotelboxError as exc:
            steps.append(failed("availability", exc))
            return steps, facts
        steps.append(await _bookings_readable(pms))
    finally:
        await pms.close()
    return steps, facts


async def _bookings_readable(pms: QloAppsPms) -> Step:
    try:
        latest = listing(await pms.api.get("orders", display="[id]", sort="[id_DESC]", limit="1"), "orders")
        if not latest:
            return Step("bookings", "ok", "no orders yet to read back")
        await pms.api.get("bookings", as_int(latest[0]["id"]))
    except HotelboxError as exc:
        if exc.code == "pms_php_warning":
            return Step(
                "bookings",
                "warn",
                "QloApps answers 500 to every bookings read because the customer group shows prices "
                "tax excluded (Customers > Groups > price display method): hotelbox works around it, "
                "but switching it to tax included is safer",
            )
        return failed("bookings", exc)
    return Step("bookings", "ok", "bookings can be read back")


@contextlib.asynccontextmanager
async def mirror_sync(settings: Settings, key: str) -> AsyncIterator[MirrorSync]:
    store = Store(settings.db_path, settings.store)
    await store.open()
    scheduler = Scheduler(settings.scheduler)
    remote = QloAppsPms(settings.pms.qloapps, key)
    await remote.open()
    try:
        sync = MirrorSync(remote, store, scheduler, settings.pms.sync, settings.hotel.today)
        await sync.load_from_mirror()
        yield sync
    finally:
        await remote.close()
        await store.close()
        scheduler.close()


async def sync_now(settings: Settings, key: str, full: bool) -> dict[str, Any]:
    """Run every sync job once, in the foreground, over the whole horizon; returns what each did.

    Plain: the far nights a sync fetched within ``far_interval_s`` are kept. ``full``: everything
    is read again, and the time it took is recorded as the last full sync."""
    report: dict[str, Any] = {}
    async with mirror_sync(settings, key) as sync:
        for job in JOBS:
            started = time.perf_counter()
            ok = await sync.run_job(job, Priority.STAFF, keep_fresh=not full)
            report[job] = {"ok": ok, "seconds": round(time.perf_counter() - started, 3)}
        if full and all(r["ok"] for r in report.values()):
            await sync.record_full(sum(r["seconds"] for r in report.values()))
        status = await sync.status()
    for job in report:
        report[job].update(
            {k: v for k, v in status["jobs"].get(job, {}).items() if k in ("rows", "last_error")}
        )
    return report


async def status(settings: Settings) -> dict[str, Any]:
    """The mirror's state as the box left it (no QloApps call)."""
    if not settings.db_path.exists():
        raise ConfigError(f"no box database at {settings.db_path}: run `hotelbox pms sync` or start the box")
    async with mirror_sync(settings, key="") as sync:
        return await status_of(sync)


async def status_of(sync: MirrorSync) -> dict[str, Any]:
    """The state of one mirror: this command's, or the running box's (over its control socket)."""
    state = await sync.status()
    state["writes"] = await sync.store.read(bookings.writes_by_status)
    state["room_types"] = len(sync.remote.catalogue.room_types) if sync.remote.catalogue else 0
    return state
