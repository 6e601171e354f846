"""The whole box booking in QloApps (the fake): the last room raced for by twenty guests, an
outage during three bookings with a restart in the middle, a change made in the back office."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from hotelbox.config import Settings
from hotelbox.daemon import Box
from hotelbox.pms import BookingRequest
from hotelbox.pms.qloapps import QloAppsPms
from tests.fakes.qloapps import FakeQloApps
from tests.helpers import say_date
from tests.support import Guest, RecordingChannel, hotel_today, wait_for

SUITE = "4"  # the demo-like hotel's suites: 2 rooms


@pytest.fixture
def pms_kind() -> str:
    return "qloapps"


def first_message(name: str, room: str, days_ahead: int, nights: int = 2) -> str:
    ci = hotel_today() + timedelta(days=days_ahead)
    co = ci + timedelta(days=nights)
    email = name.lower().replace(" ", ".") + "@example.com"
    return (
        f"Hola, quiero reservar la {room} del {say_date(ci, 'es')} al {say_date(co, 'es')}, "
        f"somos 2 adultos, me llamo {name}, {email}"
    )


def keys(replies) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.key for r in replies]


def live_orders(fake: FakeQloApps) -> list[object]:
    return [o for o in fake.hotel.orders.values() if o.current_state not in (4, 5, 6, 7, 11, 12)]


async def other_client(fake: FakeQloApps) -> QloAppsPms:
    """Another way into the same QloApps: the website, or staff in the back office."""
    from hotelbox.config import QloAppsSettings

    client = QloAppsPms(QloAppsSettings(url=fake.url), fake.key)
    await client.open()
    return client


NAMES = [
    "Ana García", "Luis Pérez", "Marta Ruiz", "Jorge Díaz", "Elena Gómez", "Pablo Sanz", "Irene Gil",
    "Raúl Moreno", "Sara Navarro", "Diego Romero", "Lucía Torres", "Hugo Vargas", "Nuria Castro",
    "Iván Ortega", "Clara Ramos", "Óscar Molina", "Paula Serrano", "Adrián Blanco", "Alba Suárez", "Mario Prieto",
]  # fmt: skip


async def test_twenty_guests_race_for_the_last_suite_one_gets_it_the_rest_get_alternatives(
    settings: Settings, qloapps_fake: FakeQloApps
) -> None:
    fake = qloapps_fake
    ci = hotel_today() + timedelta(days=30)
    website = await other_client(fake)
    await website.create_booking(
        BookingRequest("web-1", SUITE, ci, ci + timedelta(days=2), 2, 0, "Web Guest", "web@example.com", "+1 555 0100")
    )  # fmt: skip
    await website.close()
    fake.hotel.request_seconds = 0.01  # QloApps takes a moment between reading and writing
    channel = RecordingChannel()
    async with Box(settings, {"test": channel}) as box:
        guests = [Guest(box, channel, f"+3461100{n:04d}", f"+3461100{n:04d}") for n in range(20)]
        for guest, name in zip(guests, NAMES, strict=True):
            assert keys(await guest.says(first_message(name, "suite", 30)))[-1] == "confirm_booking"
        results = await asyncio.gather(*(guest.says("sí") for guest in guests))
        outcomes = [keys(r) for r in results]
        winners = [o for o in outcomes if o == ["booking_confirmed"]]
        losers = [o for o in outcomes if o and o[0] == "booking_taken"]
        assert (len(winners), len(losers)) == (1, 19), outcomes
        assert all(len(o) > 1 for o in losers)  # …and straight away, what else there is
        rows = await box.store.fetchall("SELECT status, count(*) AS n FROM bookings GROUP BY status")
        assert {r["status"]: r["n"] for r in rows} == {"confirmed": 1, "failed": 19}
    suites = [
        ln for ln in fake.hotel.lines.values() if ln.id_product == 4 and ln.live and not ln.is_back_order
    ]
    assert len(suites) == len({ln.id_room for ln in suites}) == 2  # two rooms, two bookings, no double


async def test_an_outage_during_three_bookings_and_a_restart_in_the_middle(
    settings: Settings, qloapps_fake: FakeQloApps
) -> None:
    fake = qloapps_fake
    channel = RecordingChannel()
    guests: list[Guest] = []
    async with Box(settings, {"test": channel}) as box:
        for n, name in enumerate(NAMES[:3]):
            guest = Guest(box, channel, f"+3462200{n:04d}", f"+3462200{n:04d}")
            guests.append(guest)
            assert (
                keys(await guest.says(first_message(name, "habitación doble", 40 + n)))[-1]
                == "confirm_booking"
            )
        await fake.go_down()
        for guest in guests:
            assert keys(await guest.says("sí")) == ["booking_pending"]  # told, once
        pending = await box.store.fetchone("SELECT count(*) AS n FROM pms_outbox WHERE status = 'pending'")
        assert pending is not None
        assert pending["n"] == 3
        for guest in guests:
            assert (await guest.conversation())["attention"] == "booking_pending"  # the front desk sees it
        health = await box.health()
        assert health["backlog"]["pms"] == 3

    # QloApps is back — and the first booking it takes loses its answer as the box restarts
    await fake.come_back()
    fake.lose_answer("POST", "bookings", 0)
    async with Box(settings, {"test": channel}) as box:
        await wait_for(lambda: len(fake.hotel.orders) >= 1, within_s=20)
    assert len(fake.hotel.orders) == 1

    async with Box(settings, {"test": channel}) as box:

        async def all_done() -> bool:
            row = await box.store.fetchone("SELECT count(*) AS n FROM pms_outbox WHERE status = 'pending'")
            return row is not None and row["n"] == 0

        await wait_for(all_done, within_s=30)
        for guest in guests:
            guest.box = box
            await box.settle((await guest.conversation())["id"])
    assert len(fake.hotel.orders) == 3  # exactly three, the unanswered one was found, not repeated
    assert len(live_orders(fake)) == 3
    assert len({o.source for o in fake.hotel.orders.values()}) == 3
    for guest in guests:
        said = [r.key for r in channel.replies(guest.address)]
        assert said.count("booking_pending") == 1
        assert said.count("booking_confirmed") == 1


async def test_a_booking_cancelled_in_the_back_office_is_followed(
    settings: Settings, qloapps_fake: FakeQloApps
) -> None:
    fake = qloapps_fake
    channel = RecordingChannel()
    async with Box(settings, {"test": channel}) as box:
        await box.pms.sync.initial_done.wait()  # type: ignore[attr-defined]
        guest = Guest(box, channel, "+34633000111", "+34633000111")
        await guest.says(first_message("Teresa Vidal", "suite", 55))
        [confirmed] = await guest.says("sí")
        assert confirmed.key == "booking_confirmed"
        row = await box.store.fetchone("SELECT * FROM bookings")
        assert row is not None
        desk = box.live.subscribe(lambda e: e.get("type") == "conversation")  # an open desk page
        staff = await other_client(fake)
        await staff.cancel_booking(row["pms_reference"], "desk-1")
        await staff.close()
        await asyncio.sleep(1.1)  # QloApps stamps changes to the second
        assert await box.pms.sync.run_job("bookings")  # type: ignore[attr-defined]
        row = await box.store.fetchone("SELECT * FROM bookings")
        assert row is not None
        assert row["status"] == "cancelled"
        assert (await guest.conversation())["attention"] == "booking_changed_in_pms"
        shown = desk.queue.get_nowait()  # the desk is told at once, not at its next reload
        assert shown == {"type": "conversation", "conversation_id": row["conversation_id"], "by": "pms"}
        actions = [r["action"] for r in await box.store.fetchall("SELECT action FROM audit_log")]
        assert "booking.changed_in_pms" in actions
        health = await box.health()
        mirror = health["pms"]["mirror"]
        assert mirror["coverage"] == 1.0
        assert mirror["jobs"]["bookings"]["failures"] == 0
