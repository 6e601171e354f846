"""A request for staff written into an existing QloApps booking (issue 12, answers5): "we'll
arrive late" after booking becomes a remark on that order — a PUT of the room lines exactly as
they are, each room's services resent (QloApps replaces a kept line's services with those sent),
so nothing of the stay, its price or a breakfast staff added changes; a retry writes nothing twice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest

from hotelbox.config import QloAppsSettings
from hotelbox.pms import BookingRequest, StayChange
from hotelbox.pms.qloapps import QloAppsPms
from tests.fakes.qloapps import FakeQloApps
from tests.fakes.qloapps.bookings import service_line
from tests.fakes.qloapps.hotel import LineRequest

START = date.today() + timedelta(days=45)
END = START + timedelta(days=3)


@pytest.fixture
async def fake() -> AsyncIterator[FakeQloApps]:
    async with FakeQloApps() as f:
        yield f


@pytest.fixture
async def pms(fake: FakeQloApps) -> AsyncIterator[QloAppsPms]:
    p = QloAppsPms(
        QloAppsSettings(url=fake.url, timeout_s=2.0, retries=1, breaker_failures=3, breaker_cooldown_s=0.3),
        fake.key,
    )
    await p.open()
    yield p
    await p.close()


def remarks(fake: FakeQloApps, reference: str) -> list[str]:
    order = next(o for o in fake.hotel.orders.values() if o.reference == reference)
    return list(order.remarks)


async def test_a_request_is_added_as_a_remark_keeping_the_stay_and_its_services(
    fake: FakeQloApps, pms: QloAppsPms
) -> None:
    booking = await pms.create_booking(
        BookingRequest(
            "n-1", "4", START, END, 2, 1, "Lucía Fernández Ruiz", "lucia@example.com", "+34600111222"
        )
    )
    [line] = [ln for ln in fake.hotel.lines.values() if ln.live]
    line.services = [  # a breakfast staff added in the back office
        service_line(
            fake.hotel,
            {"id_service": 9, "quantity": 2},
            LineRequest(line.id_product, line.date_from, line.date_to, []),
        )
    ]
    before = await pms.get_booking(booking.reference)
    note = "[late_arrival] llegaremos sobre las 23h"
    after = await pms.modify_booking(booking.reference, StayChange(remark=note), "hb-7-0-modify")
    assert fake.count("PUT", "/api/bookings") == 1
    assert any(
        r.startswith("hotelbox-change-hb-7-0-modify") and note in r for r in remarks(fake, booking.reference)
    )
    assert (after.room_type, after.check_in, after.check_out, after.adults, after.children) == (
        before.room_type,
        before.check_in,
        before.check_out,
        before.adults,
        before.children,
    )
    assert after.total_price == before.total_price  # the breakfast is still on the room
    [kept] = [ln for ln in fake.hotel.lines.values() if ln.live]
    assert [(s["id_service"], s["quantity"]) for s in kept.services] == [(9, 2)]
    customer = fake.hotel.customer_by_email("lucia@example.com")
    assert customer is not None
    assert customer["phone"] == "+34600111222"  # resent, not erased
    again = await pms.modify_booking(booking.reference, StayChange(remark=note), "hb-7-0-modify")
    assert again.total_price == before.total_price
    assert fake.count("PUT", "/api/bookings") == 1  # a retry finds its remark and sends nothing
    assert len([r for r in remarks(fake, booking.reference) if note in r]) == 1


async def test_a_stay_change_carries_the_request_in_its_own_remark(
    fake: FakeQloApps, pms: QloAppsPms
) -> None:
    booking = await pms.create_booking(
        BookingRequest("n-2", "4", START, END, 2, 0, "Ana García", "ana.garcia@example.com", "+34600111223")
    )
    changed = await pms.modify_booking(
        booking.reference,
        StayChange(check_out=END + timedelta(days=1), remark="[cot] a cot please"),
        "hb-8-0-modify",
    )
    assert changed.check_out == END + timedelta(days=1)
    [remark] = [r for r in remarks(fake, booking.reference) if r.startswith("hotelbox-change-hb-8-0-modify")]
    assert "[cot] a cot please" in remark
    assert "stay" in remark
