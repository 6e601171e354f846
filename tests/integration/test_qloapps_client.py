"""The QloApps client against the faithful fake: every error case of the reference, the 500 that
created a booking, timeouts, downtime, the last-room race, phone-only guests, PHP 7.4 typing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from hotelbox.config import QloAppsSettings
from hotelbox.errors import (
    BookingNotFound,
    BookingRejected,
    NotFound,
    PmsError,
    PmsUnavailable,
    RoomNotAvailable,
)
from hotelbox.pms import BookingRequest, StayChange
from hotelbox.pms.qloapps import QloAppsPms, split_name
from hotelbox.pms.qloapps_api import error_for
from tests.fakes.qloapps import FakeQloApps
from tests.fakes.qloapps.bookings import service_line
from tests.fakes.qloapps.hotel import LineRequest
from tests.fakes.qloapps.seed import exchanges
from tests.fakes.qloapps.server import INACTIVE_KEY, READONLY_KEY

START = date.today() + timedelta(days=60)
END = START + timedelta(days=2)
LUXURY = "4"  # 5 rooms, 2500/night excl. tax in the demo install


def make(fake: FakeQloApps, key: str | None = None, **settings: Any) -> QloAppsPms:
    options: dict[str, Any] = {
        "url": fake.url,
        "timeout_s": 2.0,
        "retries": 1,
        "breaker_failures": 3,
        "breaker_cooldown_s": 0.3,
    }
    options.update(settings)
    return QloAppsPms(QloAppsSettings(**options), key or fake.key)


@pytest.fixture
async def fake() -> AsyncIterator[FakeQloApps]:
    async with FakeQloApps() as f:
        yield f


@pytest.fixture
async def pms(fake: FakeQloApps) -> AsyncIterator[QloAppsPms]:
    p = make(fake)
    await p.open()
    yield p
    await p.close()


def request(key: str, room: str = LUXURY, **changes: Any) -> BookingRequest:
    data: dict[str, Any] = {
        "idempotency_key": key,
        "room_type": room,
        "check_in": START,
        "check_out": END,
        "adults": 2,
        "children": 0,
        "guest_name": "Ana García",
        "email": "ana.garcia@example.com",
        "phone": "+34600111222",
    }
    data.update(changes)
    return BookingRequest(**data)


def live_orders(fake: FakeQloApps) -> list[Any]:
    return [o for o in fake.hotel.orders.values() if o.current_state not in (4, 5, 6, 7, 11, 12)]


def held_lines(fake: FakeQloApps, product: int) -> list[Any]:
    return [
        ln
        for ln in fake.hotel.lines.values()
        if ln.id_product == product and ln.live and not ln.is_back_order
    ]


async def fill(fake: FakeQloApps, pms: QloAppsPms, product: str, leave: int) -> None:
    """Book rooms of a type for START..END until ``leave`` are left (through the API)."""
    rooms = len(fake.hotel.rooms_of(int(product)))
    for n in range(rooms - leave):
        await pms.create_booking(request(f"fill-{product}-{n}", product, email=f"fill{n}@example.com"))


# -- every captured error answer maps to a stable domain code -----------------------------------

EXPECTED_CODES = {
    "a03": "pms_auth", "a06": "pms_auth", "a07": "pms_auth", "a08": "pms_auth", "a09": "pms_auth",
    "a10": "pms_permission", "a11": "pms_permission", "a13": "pms_webservice_disabled",
    "a21": "pms_unknown_resource", "a22": "pms_unknown_resource", "a23": "pms_method_not_allowed",
    "a24": "pms_method_not_allowed", "b07": "pms_not_found", "b08": "pms_not_found",
    "b09": "pms_not_found", "b16": "pms_bad_query", "b20": "pms_bad_query", "b21": "pms_bad_query",
    "b22": "pms_bad_query", "b23": "pms_bad_query", "b24": "pms_not_found",
    "c04": "pms_method_not_allowed", "c15": "pms_invalid_search", "c16": "pms_invalid_search",
    "c17": "pms_invalid_search", "c18": "pms_missing_parameter", "c21": "pms_invalid_search",
    "c22": "pms_invalid_search", "c23": "pms_invalid_search", "c25": "pms_method_not_allowed",
    "d05": "pms_bad_request", "d06": "pms_missing_parameter", "d07": "pms_server_error",
    "e15": "pms_php_warning", "e41": "pms_bad_query", "e44": "pms_method_not_allowed",
    "e45": "pms_not_found", "e46": "pms_not_found", "f01": "invalid_dates",
    "f02": "room_not_available", "f03": "invalid_dates", "f05": "unknown_room_type",
    "f06": "unknown_room_type", "f07": "pms_invalid_hotel", "f08": "pms_invalid_currency",
    "f09": "pms_invalid_currency", "f10": "invalid_email", "f11": "pms_fatal_error",
    "f12": "invalid_phone", "f13": "pms_server_error", "f14": "pms_bad_request",
    "f15": "room_not_available", "f16": "pms_rejected", "f17": "pms_rejected",
    "f18": "room_not_available", "f19": "pms_bad_request", "f20": "pms_bad_request",
    "f21": "pms_rejected", "f22": "pms_rejected", "f23": "pms_rejected", "f24b": "pms_server_error",
    "f24c": "pms_server_error", "f25": "pms_server_error", "f26": "pms_server_error",
    "f27": "pms_server_error", "f31": "room_not_available", "f32": "room_not_available",
    "f36": "room_not_available", "f38": "pms_rejected", "f39": "booking_not_found",
    "f40": "pms_rejected", "f41": "pms_customer_not_found", "f42": "room_not_available",
    "f43": "pms_rejected", "f44": "pms_bad_request", "f45": "pms_php_warning",
    "f46": "pms_php_warning", "h02": "room_not_available", "i01": "pms_php_warning",
}  # fmt: skip


def test_every_captured_error_maps_to_a_stable_code() -> None:
    failures = {
        name: row
        for name, row in exchanges().items()
        if row["status"] >= 400 or row["response"].strip() == "Fatal error"
    }
    assert set(failures) == set(EXPECTED_CODES), "a new captured error needs an expected code"
    got = {}
    for name, row in failures.items():
        text = row["response"]
        try:
            data = json.loads(text) if text.strip() else None
        except ValueError:
            data = None
        error = error_for(row["status"], text, data, f"{row['method']} {row['target']}")
        assert isinstance(error, PmsError)
        got[name] = error.code
    assert got == EXPECTED_CODES
    # and the messages never leak the server's file paths into the first words staff read
    auth = error_for(401, exchanges()["a07"]["response"], json.loads(exchanges()["a07"]["response"]), "x")
    assert "Invalid authentication key format" in str(auth)


# -- connecting: keys, permissions, the webservice switch ----------------------------------------


async def test_check_lists_the_granted_resources(pms: QloAppsPms) -> None:
    granted = await pms.check()
    assert {"hotel_ari", "bookings", "orders", "room_bookings"} <= set(granted)


@pytest.mark.parametrize(
    ("key", "code"),
    [
        (INACTIVE_KEY, "pms_auth"),
        ("SHORT", "pms_auth"),
        ("ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ", "pms_auth"),
        ("", "pms_auth"),
        (READONLY_KEY, "pms_permission"),
    ],
)
async def test_bad_keys_say_what_is_wrong(fake: FakeQloApps, key: str, code: str) -> None:
    p = make(fake, key=key or " ")
    await p.open()
    try:
        with pytest.raises(PmsError) as err:
            await p.check()
        assert err.value.code == code
    finally:
        await p.close()


async def test_webservice_switched_off(fake: FakeQloApps, pms: QloAppsPms) -> None:
    fake.webservice_enabled = False
    with pytest.raises(PmsUnavailable) as err:
        await pms.check()
    assert err.value.code == "pms_webservice_disabled"


async def test_works_through_the_dispatcher_without_url_rewriting(fake: FakeQloApps) -> None:
    p = make(fake, use_dispatcher=True)
    await p.open()
    try:
        await p.check()
        assert (await p.hotel()).name
        assert fake.count("GET", "/webservice/dispatcher.php") >= 3
        assert fake.count("GET", "/api/") == 0
    finally:
        await p.close()


# -- catalogue and availability ------------------------------------------------------------------


async def test_catalogue_has_the_hotel_room_types_and_capacities(pms: QloAppsPms) -> None:
    hotel = await pms.hotel()
    assert hotel.name == "The Hotel Prime"
    assert hotel.currency == "USD"
    assert hotel.check_in_time
    assert hotel.check_out_time
    types = {rt.code: rt for rt in await pms.room_types()}
    assert set(types) == {"1", "2", "3", "4"}  # the service products (5-10) are not rooms
    assert types["4"].name("en") == "Luxury Rooms"
    assert (types["4"].max_adults, types["4"].max_children, types["4"].max_guests) == (2, 2, 4)
    # a night as hotel_ari quotes it: 2500 + the auto-added per-night fee, tax included
    assert types["4"].base_price > Decimal("2500")


async def test_search_prices_the_stay_like_hotel_ari_and_enforces_capacity(
    fake: FakeQloApps, pms: QloAppsPms
) -> None:
    offers = await pms.search(START, END, 2, 0)
    assert [o.room_type.code for o in offers] == ["1", "2", "3", "4"]  # cheapest first
    assert all(o.available == 5 and o.currency == "USD" for o in offers)
    luxury = offers[-1]
    fee = fake.hotel.auto_fee_per_night()
    assert luxury.total_price == ((Decimal(2500) + fee) * 2 * Decimal("1.04")).quantize(Decimal("0.01"))
    # QloApps ignores occupancy: hotelbox does not
    assert await pms.search(START, END, 3, 0) == []
    fake.hotel.capacity(1)["max_adults"] = 1
    pms.catalogue = None  # re-read the catalogue
    assert "1" not in [o.room_type.code for o in await pms.search(START, END, 2, 0)]
    # minimum length of stay
    fake.set_min_los(2, 3)
    pms.catalogue = None
    assert "2" not in [o.room_type.code for o in await pms.search(START, END, 1, 0)]


async def test_sold_out_type_disappears_from_search(fake: FakeQloApps, pms: QloAppsPms) -> None:
    await fill(fake, pms, LUXURY, leave=0)
    codes = [o.room_type.code for o in await pms.search(START, END, 2, 0)]
    assert codes
    assert LUXURY not in codes


# -- creating bookings -----------------------------------------------------------------------------


async def test_booking_is_created_with_the_quoted_price_and_real_occupancy(
    fake: FakeQloApps, pms: QloAppsPms
) -> None:
    offer = next(o for o in await pms.search(START, END, 1, 1) if o.room_type.code == LUXURY)
    booking = await pms.create_booking(request("k-1", adults=1, children=1, remark="late arrival"))
    assert len(booking.reference) == 9
    assert booking.reference.isalpha()
    assert booking.status == "confirmed"
    assert (booking.check_in, booking.check_out, booking.adults, booking.children) == (START, END, 1, 1)
    assert booking.total_price == offer.total_price  # the guest pays what was quoted
    assert (booking.email, booking.phone) == ("ana.garcia@example.com", "+34600111222")
    assert booking.notes == ()
    [order] = fake.hotel.orders.values()
    assert order.source == "hotelbox-k-1"
    assert order.remarks == ["late arrival"]
    [line] = fake.hotel.order_lines(order.id)
    assert (line.adults, line.children) == (1, 1)  # `adult`, not `adults`, and ages sent
    customer = fake.hotel.customer_by_email("ana.garcia@example.com")
    assert customer is not None
    assert (customer["firstname"], customer["lastname"]) == ("Ana", "García")
    # read back by reference, case-insensitively, and by guest
    again = await pms.get_booking(booking.reference.lower())
    assert (again.reference, again.total_price) == (booking.reference, booking.total_price)
    found = await pms.find_bookings(email="ana.garcia@example.com")
    assert [b.reference for b in found] == [booking.reference]


async def test_create_is_idempotent_by_key(fake: FakeQloApps, pms: QloAppsPms) -> None:
    first = await pms.create_booking(request("same"))
    again = await pms.create_booking(request("same"))
    assert again.reference == first.reference
    assert len(fake.hotel.orders) == 1
    assert fake.count("POST", "/api/bookings") == 1


async def test_phone_only_guest_is_booked_under_a_placeholder_and_staff_are_told(
    fake: FakeQloApps, pms: QloAppsPms
) -> None:
    booking = await pms.create_booking(request("p-1", email=None, phone="+351 912 345 678"))
    assert booking.status == "confirmed"
    assert (booking.email, booking.phone) == (None, "+351 912 345 678")
    assert any("placeholder" in n for n in booking.notes)
    [order] = fake.hotel.orders.values()
    customer = next(c for c in fake.hotel.customers if c["id"] == order.id_customer)
    assert customer["email"] == "guest-351912345678@guests.hotelbox.invalid"
    assert customer["phone"] == "+351 912 345 678"
    assert "placeholder" in order.remarks[0]  # the front desk sees it in QloApps too
    # and the guest can find the booking again by phone
    found = await pms.find_bookings(phone="+351912345678")
    assert [b.reference for b in found] == [booking.reference]


async def test_inputs_qloapps_would_choke_on_are_cleaned_before_sending(
    fake: FakeQloApps, pms: QloAppsPms
) -> None:
    # digits/punctuation in names are an empty 500, an emoji becomes ????, a bad e-mail "Fatal error"
    booking = await pms.create_booking(
        request(
            "n-1", guest_name="María-José 2nd (VIP) 😀 Nuñez", email="not an email", phone="+34 600-111-333"
        )
    )
    assert booking.status == "confirmed"
    assert any("e-mail" in n for n in booking.notes)
    [order] = fake.hotel.orders.values()
    customer = next(c for c in fake.hotel.customers if c["id"] == order.id_customer)
    assert "?" not in customer["firstname"] + customer["lastname"]
    # the first word is the first name, the rest the surname(s) ("Lucía Fernández Ruiz"), cleaned
    assert customer["firstname"] == "María-José"
    assert customer["lastname"].endswith("Nuñez")
    assert not any(ch.isdigit() or ch in "()😀" for ch in customer["lastname"])
    assert split_name("😀") == ("Guest", "Guest")
    assert split_name("Ana") == ("Ana", "Ana")
    assert all(len(part) <= 32 for part in split_name("A" * 40 + " " + "B" * 40))


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"adults": 3}, "over_capacity"),  # QloApps would book 9 adults in a double
        ({"check_in": date.today() - timedelta(days=5)}, "past_date"),  # QloApps would book the past
        ({"check_out": START}, "invalid_dates"),
        ({"room_type": "7"}, "unknown_room_type"),  # a service product
    ],
)
async def test_what_qloapps_does_not_validate_hotelbox_does(
    fake: FakeQloApps, pms: QloAppsPms, changes: dict[str, Any], code: str
) -> None:
    with pytest.raises(BookingRejected) as err:
        await pms.create_booking(request("v", **changes))
    assert err.value.code == code
    assert fake.count("POST", "/api/bookings") == 0


async def test_sold_out_is_room_not_available_and_nothing_is_posted(
    fake: FakeQloApps, pms: QloAppsPms
) -> None:
    await fill(fake, pms, LUXURY, leave=0)
    posts = fake.count("POST", "/api/bookings")
    with pytest.raises(RoomNotAvailable):
        await pms.create_booking(request("late"))
    assert fake.count("POST", "/api/bookings") == posts  # re-checked live first


async def test_a_500_after_creating_is_settled_by_the_token_not_by_posting_again(
    fake: FakeQloApps, pms: QloAppsPms
) -> None:
    fake.lose_answer("POST", "bookings", 500)
    booking = await pms.create_booking(request("lost-500"))
    assert booking.status == "confirmed"
    assert len(fake.hotel.orders) == 1
    assert fake.count("POST", "/api/bookings") == 1
    assert next(iter(fake.hotel.orders.values())).reference == booking.reference


async def test_a_timeout_after_creating_is_settled_by_the_token(fake: FakeQloApps) -> None:
    pms = make(fake, timeout_s=0.5)
    await pms.open()
    try:
        await pms.load_catalogue()
        fake.lose_answer("POST", "bookings", 0)  # the answer never comes
        booking = await pms.create_booking(request("lost-timeout"))
        assert booking.status == "confirmed"
        assert len(fake.hotel.orders) == 1
    finally:
        await pms.close()


async def test_unknown_outcome_then_retry_finds_the_first_booking(fake: FakeQloApps, pms: QloAppsPms) -> None:
    await pms.load_catalogue()
    # the answer is lost, and so are the look-ups that follow it
    fake.lose_answer(
        "POST", "bookings", 502, then=lambda: fake.fail_next(4, 503, method="GET", resource="orders")
    )
    with pytest.raises(PmsUnavailable) as err:
        await pms.create_booking(request("unclear"))
    assert err.value.code in ("pms_outcome_unknown", "pms_server_error")
    assert len(fake.hotel.orders) == 1  # it was created
    fake.switches.failures.clear()
    await asyncio.sleep(0.35)  # the circuit opened; the outbox retries after its cool-down
    booking = await pms.create_booking(request("unclear"))  # the outbox retries with the same key
    assert len(fake.hotel.orders) == 1
    assert fake.count("POST", "/api/bookings") == 1
    assert booking.reference == next(iter(fake.hotel.orders.values())).reference


async def test_a_refusal_before_creating_is_a_clear_error(fake: FakeQloApps, pms: QloAppsPms) -> None:
    await pms.load_catalogue()
    fake.hotel.seed.currencies[0]["active"] = 0  # the hotel switched its currency off meanwhile
    with pytest.raises(BookingRejected) as err:
        await pms.create_booking(request("cur"))
    assert err.value.code == "pms_invalid_currency"
    assert fake.hotel.orders == {}


# -- the last room -----------------------------------------------------------------------------


async def test_twenty_guests_race_for_the_last_room_exactly_one_gets_it(
    fake: FakeQloApps, pms: QloAppsPms
) -> None:
    await fill(fake, pms, LUXURY, leave=1)
    fake.hotel.request_seconds = 0.02  # QloApps reads availability, works, then writes: no lock
    results = await asyncio.gather(
        *(pms.create_booking(request(f"race-{n}", email=f"g{n}@example.com")) for n in range(20)),
        return_exceptions=True,
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, RoomNotAvailable)]
    assert (len(winners), len(losers)) == (1, 19), results
    assert len(held_lines(fake, 4)) == 5  # five rooms, five bookings, no double
    rooms = [ln.id_room for ln in held_lines(fake, 4)]
    assert len(set(rooms)) == 5


@pytest.mark.parametrize("race", ["double", "back_order"])
async def test_two_writers_qloapps_lets_both_through_hotelbox_gives_one_back(
    fake: FakeQloApps, race: str
) -> None:
    """Another box (or the website) books at the same instant: QloApps answers 200 to both."""
    a, b = make(fake), make(fake)
    await a.open()
    await b.open()
    try:
        await fill(fake, a, LUXURY, leave=1)
        fake.hotel.race = race
        fake.hotel.request_seconds = 0.2
        results = await asyncio.gather(
            a.create_booking(request("ra", email="a@example.com")),
            b.create_booking(request("rb", email="b@example.com")),
            return_exceptions=True,
        )
        assert sum(not isinstance(r, BaseException) for r in results) == 1, results
        assert sum(isinstance(r, RoomNotAvailable) for r in results) == 1
        lines = held_lines(fake, 4)
        assert len(lines) == len({ln.id_room for ln in lines}) == 5
        loser = next(o for o in fake.hotel.orders.values() if o.source in ("hotelbox-ra", "hotelbox-rb")
                     and o.current_state == 4)  # fmt: skip
        assert all(ln.is_cancelled for ln in fake.hotel.order_lines(loser.id))
    finally:
        await a.close()
        await b.close()


# -- changing and cancelling ---------------------------------------------------------------------


async def test_change_dates_keeps_phone_and_occupancy_and_reprices(
    fake: FakeQloApps, pms: QloAppsPms
) -> None:
    booking = await pms.create_booking(request("c-1", adults=1))
    new_in, new_out = START + timedelta(days=10), START + timedelta(days=13)
    quote = next(o for o in await pms.search(new_in, new_out, 1, 0) if o.room_type.code == LUXURY)
    moved = await pms.modify_dates(booking.reference, new_in, new_out, "m-1")
    assert (moved.check_in, moved.check_out, moved.adults) == (new_in, new_out, 1)
    assert moved.total_price == quote.total_price
    assert moved.reference == booking.reference
    customer = fake.hotel.customer_by_email("ana.garcia@example.com")
    assert customer is not None
    assert customer["phone"] == "+34600111222"  # a PUT without it erases it
    again = await pms.modify_dates(booking.reference, new_in, new_out, "m-1")  # a retry
    assert again.check_in == new_in
    assert fake.count("PUT", "/api/bookings") == 1


async def test_change_to_sold_out_dates_leaves_the_booking_alone(fake: FakeQloApps, pms: QloAppsPms) -> None:
    booking = await pms.create_booking(request("c-2"))
    later = START + timedelta(days=20)
    for n in range(5):
        await pms.create_booking(
            request(
                f"block-{n}", check_in=later, check_out=later + timedelta(days=2), email=f"b{n}@example.com"
            )
        )
    with pytest.raises(RoomNotAvailable):
        await pms.modify_dates(booking.reference, later, later + timedelta(days=2), "m-2")
    unchanged = await pms.get_booking(booking.reference)
    assert (unchanged.check_in, unchanged.status) == (START, "confirmed")


async def test_back_to_back_stays_share_a_room_without_a_false_double(
    fake: FakeQloApps, pms: QloAppsPms
) -> None:
    """Check-out on another booking's check-in day is not an overlap (QloApps compares datetimes)."""
    for n in range(5):
        await pms.create_booking(request(f"first-{n}", email=f"f{n}@example.com"))
    for n in range(5):
        await pms.create_booking(
            request(f"then-{n}", check_in=END, check_out=END + timedelta(days=2), email=f"t{n}@example.com")
        )
    assert len(live_orders(fake)) == 10


async def test_quoting_a_change_counts_the_bookings_own_room_as_free(
    fake: FakeQloApps, pms: QloAppsPms
) -> None:
    await fill(fake, pms, LUXURY, leave=1)
    mine = await pms.create_booking(request("own"))
    assert LUXURY not in [o.room_type.code for o in await pms.search(START, END, 2, 0)]
    offers = await pms.search(
        START + timedelta(days=1), END + timedelta(days=1), 2, 0, exclude=mine.reference
    )
    assert LUXURY in [o.room_type.code for o in offers]


async def test_cancel_frees_the_room_and_is_idempotent(fake: FakeQloApps, pms: QloAppsPms) -> None:
    booking = await pms.create_booking(request("x-1"))
    cancelled = await pms.cancel_booking(booking.reference, "cx-1")
    assert cancelled.status == "cancelled"
    order = next(iter(fake.hotel.orders.values()))
    assert order.current_state == 4
    assert all(ln.is_cancelled and ln.is_refunded for ln in fake.hotel.order_lines(order.id))
    assert next(o for o in await pms.search(START, END, 2, 0) if o.room_type.code == LUXURY).available == 5
    again = await pms.cancel_booking(booking.reference, "cx-1")
    assert again.status == "cancelled"
    assert fake.count("PUT", "/api/bookings") == 1
    with pytest.raises(BookingRejected) as err:
        await pms.modify_dates(booking.reference, START, START + timedelta(days=5), "late-change")
    assert err.value.code == "booking_cancelled"  # never re-open a cancelled order


async def test_a_lost_cancel_answer_is_settled_by_reading_the_order(
    fake: FakeQloApps, pms: QloAppsPms
) -> None:
    booking = await pms.create_booking(request("x-2"))
    fake.lose_answer("PUT", "bookings", 500)
    cancelled = await pms.cancel_booking(booking.reference, "cx-2")
    assert cancelled.status == "cancelled"


async def test_unknown_references(pms: QloAppsPms) -> None:
    with pytest.raises(BookingNotFound):
        await pms.get_booking("ABCDEFGHI")
    with pytest.raises(BookingNotFound):
        await pms.get_booking("HB-12")  # not even a QloApps reference
    with pytest.raises(BookingNotFound):
        await pms.cancel_booking("ZZZZZZZZZ", "k")
    with pytest.raises(NotFound):
        await pms.api.get("hotels", 99)  # an unknown id: 404 with an empty body


# -- an unwell QloApps -----------------------------------------------------------------------------


async def test_reads_are_retried_through_a_passing_failure(fake: FakeQloApps, pms: QloAppsPms) -> None:
    fake.fail_next(1, 502)
    assert (await pms.hotel()).name
    assert fake.count("GET", "/api/hotels") == 2


async def test_writes_are_never_retried_blind(fake: FakeQloApps, pms: QloAppsPms) -> None:
    await pms.load_catalogue()
    fake.fail_next(1, 503, method="POST", resource="bookings")  # refused before doing anything
    with pytest.raises(PmsUnavailable) as err:
        await pms.create_booking(request("w-1"))
    assert err.value.code == "pms_outcome_unknown"
    assert fake.count("POST", "/api/bookings") == 1
    assert fake.hotel.orders == {}


async def test_a_hanging_qloapps_times_out(fake: FakeQloApps) -> None:
    pms = make(fake, timeout_s=0.3, retries=0)
    await pms.open()
    try:
        fake.switches.hang = True
        with pytest.raises(PmsUnavailable) as err:
            await pms.hotel()
        assert err.value.code == "pms_timeout"
    finally:
        fake.switches.hang = False
        await pms.close()


async def test_downtime_opens_the_circuit_then_a_trial_closes_it(fake: FakeQloApps, pms: QloAppsPms) -> None:
    await fake.go_down()
    for _ in range(2):
        with pytest.raises(PmsUnavailable) as err:
            await pms.search(START, END, 2, 0)
        assert err.value.code in ("pms_unreachable", "pms_circuit_open")
    assert pms.api.breaker.state == "open"
    with pytest.raises(PmsUnavailable) as err:
        await pms.search(START, END, 2, 0)
    assert err.value.code == "pms_circuit_open"  # failing fast, no wait on a dead server
    await fake.come_back()
    await asyncio.sleep(0.35)
    assert await pms.search(START, END, 2, 0)
    assert pms.api.breaker.state == "closed"


async def test_validation_errors_do_not_open_the_circuit(fake: FakeQloApps, pms: QloAppsPms) -> None:
    for _ in range(5):
        with pytest.raises(PmsError):
            await pms.api.get("hotels", **{"filter[nosuchfield]": "[1]"})
    assert pms.api.breaker.state == "closed"


# -- shop configurations and PHP versions ------------------------------------------------------------


async def test_tax_excluded_display_bug_is_worked_around(fake: FakeQloApps, pms: QloAppsPms) -> None:
    """US/CA/IR packs: every bookings answer is a 500 ($useTax) although the write succeeded."""
    fake.tax_excluded_display = True
    booking = await pms.create_booking(request("tax"))
    assert (booking.status, booking.check_in) == ("confirmed", START)
    assert len(fake.hotel.orders) == 1
    read = await pms.get_booking(booking.reference)
    assert read.total_price == booking.total_price > 0
    cancelled = await pms.cancel_booking(booking.reference, "tax-c")
    assert cancelled.status == "cancelled"


@pytest.mark.parametrize("php74", [False, True])
async def test_the_whole_flow_on_both_php_versions(fake: FakeQloApps, php74: bool) -> None:
    fake.php74 = php74  # PHP 7.4 (the supported one) sends every integer as a string
    pms = make(fake)
    await pms.open()
    try:
        await pms.check()
        assert {rt.max_adults for rt in await pms.room_types()} == {2}
        offers = await pms.search(START, END, 2, 1)
        assert len(offers) == 4
        booking = await pms.create_booking(request("php", children=1))
        assert booking.children == 1
        moved = await pms.modify_dates(booking.reference, START, END + timedelta(days=1), "php-m")
        assert moved.nights == 3
        assert (await pms.cancel_booking(booking.reference, "php-c")).status == "cancelled"
    finally:
        await pms.close()


# -- changing the room type or the party (issue 12) ----------------------------------------------


def breakfast(fake: FakeQloApps, line: Any) -> dict[str, Any]:
    """A breakfast on a booked room, as staff would add it in the back office."""
    return service_line(
        fake.hotel,
        {"id_service": 9, "quantity": 1},
        LineRequest(line.id_product, line.date_from, line.date_to, []),
    )


def booking_remarks(fake: FakeQloApps, reference: str) -> list[str]:
    order = next(o for o in fake.hotel.orders.values() if o.reference == reference)
    return list(order.remarks)


async def test_change_room_type_and_party_puts_the_whole_stay_and_reprices(
    fake: FakeQloApps, pms: QloAppsPms
) -> None:
    booking = await pms.create_booking(request("t-1", adults=1))
    quote = next(o for o in await pms.search(START, END, 2, 0) if o.room_type.code == "1")
    changed = await pms.modify_booking(booking.reference, StayChange(room_type="1", adults=2), "tm-1")
    assert (changed.room_type, changed.adults, changed.check_in, changed.check_out) == ("1", 2, START, END)
    assert changed.total_price == quote.total_price != booking.total_price
    assert changed.reference == booking.reference
    assert not changed.notes
    [line] = [ln for ln in fake.hotel.lines.values() if ln.live]
    assert (line.id_product, line.adults) == (1, 2)  # a new line, with the occupancy sent
    customer = fake.hotel.customer_by_email("ana.garcia@example.com")
    assert customer is not None
    assert customer["phone"] == "+34600111222"
    assert any(r.startswith("hotelbox-change-tm-1") for r in booking_remarks(fake, booking.reference))
    again = await pms.modify_booking(booking.reference, StayChange(room_type="1", adults=2), "tm-1")
    assert again.room_type == "1"
    assert fake.count("PUT", "/api/bookings") == 1  # a retry sends nothing


async def test_a_party_change_on_the_same_line_is_left_to_staff_with_a_note(
    fake: FakeQloApps, pms: QloAppsPms
) -> None:
    """QloApps keeps a line whose room type and dates stay, occupancy included, and drops its
    services on any PUT that keeps it (source): a party-only change sends nothing, keeps the
    breakfast staff added, and comes back with a note for staff; a retry is the same."""
    booking = await pms.create_booking(request("t-2", adults=1))
    [line] = [ln for ln in fake.hotel.lines.values() if ln.live]
    line.services = [breakfast(fake, line)]  # added by staff in the back office
    with_breakfast = await pms.get_booking(booking.reference)
    changed = await pms.modify_booking(booking.reference, StayChange(adults=2), "pm-1")
    assert changed.room_type == LUXURY
    assert changed.total_price == with_breakfast.total_price > booking.total_price
    assert any("set 2 adults" in note for note in changed.notes)
    again = await pms.modify_booking(booking.reference, StayChange(adults=2), "pm-1")
    assert again.notes == changed.notes
    assert fake.count("PUT", "/api/bookings") == 0
    assert line.services
    moved = await pms.modify_booking(booking.reference, StayChange(room_type="1", adults=2), "pm-2")
    assert (moved.room_type, moved.adults, moved.notes) == ("1", 2, ())  # a new line: the party sent


async def test_a_put_that_keeps_a_line_replaces_its_services_as_qloapps_does(
    fake: FakeQloApps, pms: QloAppsPms
) -> None:
    booking = await pms.create_booking(request("t-6"))
    [line] = [ln for ln in fake.hotel.lines.values() if ln.live]
    line.services = [breakfast(fake, line)]
    await pms.cancel_booking(booking.reference, "cx-6")  # the cancel PUT sends the same line, no services
    assert line.services == []


async def test_a_change_qloapps_would_take_but_the_room_cannot_is_refused_before_any_put(
    fake: FakeQloApps, pms: QloAppsPms
) -> None:
    booking = await pms.create_booking(request("t-3"))
    with pytest.raises(BookingRejected) as err:  # QloApps books any occupancy (f24): we check it
        await pms.modify_booking(booking.reference, StayChange(adults=3), "cap")
    assert err.value.code == "over_capacity"
    with pytest.raises(BookingRejected) as err:
        await pms.modify_booking(booking.reference, StayChange(room_type="99"), "unknown")
    assert err.value.code == "unknown_room_type"
    assert fake.count("PUT", "/api/bookings") == 0


async def test_a_change_to_a_full_room_type_is_requested_rooms_not_available(
    fake: FakeQloApps, pms: QloAppsPms
) -> None:
    booking = await pms.create_booking(request("t-4"))
    await fill(fake, pms, "1", leave=0)
    with pytest.raises(RoomNotAvailable):
        await pms.modify_booking(booking.reference, StayChange(room_type="1"), "full")
    kept = await pms.get_booking(booking.reference)
    assert (kept.room_type, kept.status, kept.total_price) == (LUXURY, "confirmed", booking.total_price)


async def test_a_500_after_the_change_is_settled_and_a_restarted_retry_changes_nothing(
    fake: FakeQloApps, pms: QloAppsPms
) -> None:
    booking = await pms.create_booking(request("t-5", adults=1))
    fake.lose_answer("PUT", "bookings", 500)  # QloApps changed it, the answer is an empty 500
    changed = await pms.modify_booking(booking.reference, StayChange(room_type="2", adults=2), "lost-1")
    assert (changed.room_type, changed.adults) == ("2", 2)
    assert fake.count("PUT", "/api/bookings") == 1
    restarted = make(fake)  # a new process with the same outbox row (same key)
    await restarted.open()
    try:
        again = await restarted.modify_booking(
            booking.reference, StayChange(room_type="2", adults=2), "lost-1"
        )
        fake.lose_answer("PUT", "bookings", 500)  # dates too: found made by its remark or its stay
        later = await restarted.modify_booking(
            booking.reference, StayChange(check_out=END + timedelta(days=1), adults=1), "lost-2"
        )
        later_again = await restarted.modify_booking(
            booking.reference, StayChange(check_out=END + timedelta(days=1), adults=1), "lost-2"
        )
    finally:
        await restarted.close()
    assert again.room_type == "2"
    assert (
        (later.check_out, later.adults)
        == (later_again.check_out, later_again.adults)
        == (END + timedelta(days=1), 1)
    )
    assert fake.count("PUT", "/api/bookings") == 2  # one per change, none for the retries
    assert len([ln for ln in fake.hotel.lines.values() if ln.live]) == 1
