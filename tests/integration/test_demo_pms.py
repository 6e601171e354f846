"""The embedded demo hotel: real availability, prices, bookings that take a room."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from hotelbox.errors import BookingNotFound, BookingRejected, RoomNotAvailable
from hotelbox.pms import BookingRequest, StayChange
from hotelbox.pms.demo import DemoPms, nightly_rate

START = date.today() + timedelta(days=40)


def request(
    key: str, room: str = "suite", adults: int = 2, start: date = START, nights: int = 2
) -> BookingRequest:
    return BookingRequest(
        key, room, start, start + timedelta(days=nights), adults, 0, "Ana García", "ana@x.es", "+34600111222"
    )


@pytest.fixture
async def pms(tmp_path: Path):  # type: ignore[no-untyped-def]
    p = DemoPms(tmp_path / "pms.db")
    await p.open()
    yield p
    await p.close()


def test_rates_vary_by_season_and_weekend() -> None:
    base = Decimal("100")
    assert nightly_rate(base, date(2027, 5, 5)) == Decimal("100")  # a Wednesday in May
    assert nightly_rate(base, date(2027, 5, 7)) == Decimal("115")  # Friday
    assert nightly_rate(base, date(2027, 8, 4)) == Decimal("135")  # summer
    assert nightly_rate(base, date(2027, 2, 3)) == Decimal("90")  # low season


async def test_search_filters_by_party_and_prices_the_stay(pms: DemoPms) -> None:
    offers = await pms.search(START, START + timedelta(days=3), 3, 1)
    assert [o.room_type.code for o in offers] == ["family"]  # only the family room takes 4
    family = offers[0]
    assert family.total_price == pms.price(family.room_type, START, START + timedelta(days=3))
    offers = await pms.search(START, START + timedelta(days=1), 1, 0)
    assert [o.total_price for o in offers] == sorted(o.total_price for o in offers)


async def test_a_booking_takes_a_room_and_the_last_one_goes_once(pms: DemoPms) -> None:
    # the suite has 2 rooms: 20 guests race for them at the same moment
    results = await asyncio.gather(
        *(pms.create_booking(request(f"k{n}")) for n in range(20)), return_exceptions=True
    )
    booked = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, RoomNotAvailable)]
    assert len(booked) == 2
    assert len(refused) == 18
    assert not [
        o for o in await pms.search(START, START + timedelta(days=2), 2, 0) if o.room_type.code == "suite"
    ]


async def test_two_processes_cannot_double_book_either(tmp_path: Path) -> None:
    a, b = DemoPms(tmp_path / "pms.db"), DemoPms(tmp_path / "pms.db")
    await a.open()
    await b.open()
    try:
        results = await asyncio.gather(
            *(p.create_booking(request(f"x{n}")) for n, p in enumerate([a, b] * 5)), return_exceptions=True
        )
        assert sum(not isinstance(r, Exception) for r in results) == 2
    finally:
        await a.close()
        await b.close()


async def test_writes_are_idempotent_by_key(pms: DemoPms) -> None:
    first = await pms.create_booking(request("same-key"))
    again = await pms.create_booking(request("same-key"))
    assert again.reference == first.reference
    assert len(await pms.all_bookings()) == 1
    moved = await pms.modify_dates(
        first.reference, START + timedelta(days=1), START + timedelta(days=4), "mv-1"
    )
    moved_again = await pms.modify_dates(
        first.reference, START + timedelta(days=9), START + timedelta(days=10), "mv-1"
    )
    assert moved_again.check_in == moved.check_in == START + timedelta(days=1)
    cancelled = await pms.cancel_booking(first.reference, "c-1")
    assert cancelled.status == "cancelled"
    assert (await pms.get_booking(first.reference)).status == "cancelled"


async def test_changing_dates_can_reuse_the_bookings_own_room(pms: DemoPms) -> None:
    one = await pms.create_booking(request("a"))
    await pms.create_booking(request("b"))  # both suites taken
    shifted = await pms.modify_dates(one.reference, START + timedelta(days=1), START + timedelta(days=2), "m")
    assert shifted.check_in == START + timedelta(days=1)
    offers = await pms.search(START, START + timedelta(days=2), 2, 0, exclude=one.reference)
    assert "suite" not in [o.room_type.code for o in await pms.search(START, START + timedelta(days=2), 2, 0)]
    assert "suite" in [o.room_type.code for o in offers]


async def test_rejections_have_stable_codes(pms: DemoPms) -> None:
    with pytest.raises(BookingRejected) as err:
        await pms.create_booking(request("k", room="single", adults=2))
    assert err.value.code == "over_capacity"
    with pytest.raises(BookingRejected) as err:
        await pms.create_booking(request("k2", nights=0))
    assert err.value.code == "invalid_dates"
    with pytest.raises(BookingNotFound):
        await pms.get_booking("HB-0000")


async def test_a_reference_is_never_given_twice_even_after_its_booking_is_purged(
    pms: DemoPms, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The box keeps every reference it has seen: a reused one would name two different stays."""
    draws = iter([1234, 1234, 1234, 5678])  # the random draw repeats itself
    monkeypatch.setattr("hotelbox.pms.demo.secrets.randbelow", lambda _n: next(draws))
    first = await pms.create_booking(request("k-1"))
    await pms.db.execute("DELETE FROM bookings")  # purged, as a reset demo (or the corpus runner) does
    await pms.db.execute("DELETE FROM operations")
    second = await pms.create_booking(request("k-2"))
    assert (first.reference, second.reference) == ("HB-2234", "HB-6678")


# -- changing the stay: room type and party (issue 12) -------------------------------------------


async def test_a_change_of_party_or_room_type_is_checked_repriced_and_made_once(pms: DemoPms) -> None:
    booking = await pms.create_booking(request("p-1", room="double", adults=2))
    end = START + timedelta(days=2)
    with pytest.raises(BookingRejected) as err:  # a third adult does not fit a double
        await pms.modify_booking(booking.reference, StayChange(adults=3), "p-2")
    assert err.value.code == "over_capacity"
    assert (await pms.get_booking(booking.reference)).adults == 2
    family = next(rt for rt in await pms.room_types() if rt.code == "family")
    moved = await pms.modify_booking(booking.reference, StayChange(room_type="family", adults=3), "p-3")
    assert (moved.room_type, moved.adults, moved.children) == ("family", 3, 0)
    assert moved.total_price == pms.price(family, START, end) != booking.total_price
    again = await pms.modify_booking(booking.reference, StayChange(room_type="double", adults=1), "p-3")
    assert (again.room_type, again.adults) == ("family", 3)  # a retry of p-3 changes nothing
    child = await pms.modify_booking(booking.reference, StayChange(adults=2, children=1), "p-4")
    assert (child.room_type, child.adults, child.children) == ("family", 2, 1)
    both = await pms.modify_booking(
        booking.reference, StayChange(check_out=end + timedelta(days=1), adults=3, children=0), "p-5"
    )
    assert (both.check_out, both.adults, both.nights) == (end + timedelta(days=1), 3, 3)


async def test_a_change_to_a_full_room_type_is_refused_and_the_booking_kept(pms: DemoPms) -> None:
    mine = await pms.create_booking(request("mine", room="double"))
    for n in range(2):
        await pms.create_booking(request(f"s{n}", room="suite"))
    with pytest.raises(RoomNotAvailable):
        await pms.modify_booking(mine.reference, StayChange(room_type="suite"), "up")
    kept = await pms.get_booking(mine.reference)
    assert (kept.room_type, kept.total_price) == ("double", mine.total_price)
    with pytest.raises(BookingRejected) as err:
        await pms.modify_booking(mine.reference, StayChange(room_type="penthouse"), "ph")
    assert err.value.code == "unknown_room_type"
    own = await pms.modify_booking(mine.reference, StayChange(adults=1), "own-room")  # its own room is free
    assert own.adults == 1
