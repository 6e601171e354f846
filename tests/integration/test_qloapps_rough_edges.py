"""QloApps' rough edges seen on the real 1.6.1 (issue 14), each against the fake: a booking that
waited for QloApps goes the moment the circuit closes; a stale mirror with QloApps down is said to
need confirming; the "that room just went" reply does not offer that room again; the order state
after a bot booking; QloApps' own confirmation e-mails; the placeholder address as documented."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from hotelbox.config import QloAppsSettings, Settings, load_settings
from hotelbox.daemon import Box
from hotelbox.pms import BookingRequest
from hotelbox.pms import sync as sync_module
from hotelbox.pms.mirror import MirroredPms
from hotelbox.pms.qloapps import QloAppsPms
from tests.fakes.qloapps import FakeQloApps
from tests.helpers import say_date
from tests.support import Guest, RecordingChannel, hotel_today, qloapps_overrides, wait_for

SUITE = "4"  # the demo-like hotel's suites: 2 rooms


@pytest.fixture
def pms_kind() -> str:
    return "qloapps"


def ask(name: str, room: str, days_ahead: int, nights: int = 2) -> str:
    ci = hotel_today() + timedelta(days=days_ahead)
    co = ci + timedelta(days=nights)
    email = name.lower().replace(" ", ".") + "@example.com"
    return (
        f"Hola, quiero reservar la {room} del {say_date(ci, 'es')} al {say_date(co, 'es')}, "
        f"somos 2 adultos, me llamo {name}, {email}"
    )


def keys(replies: list[Any]) -> list[str]:
    return [r.key for r in replies]


def slow_retries(settings: Settings, fake: FakeQloApps, **pms: Any) -> Settings:
    """Back-offs far longer than any test: only the circuit closing can make a write due."""
    overrides = qloapps_overrides(fake)
    overrides["pms"].update({"retry_base_s": 600.0, "retry_max_s": 600.0, **pms})
    return load_settings(state_dir=settings.state_dir, **overrides)


async def pending_booking(box: Box, channel: RecordingChannel, fake: FakeQloApps) -> Guest:
    guest = Guest(box, channel, "+34611000001", "+34611000001")
    assert keys(await guest.says(ask("Ana Garcia", "suite", 30)))[-1] == "confirm_booking"
    await fake.go_down()
    assert keys(await guest.says("sí")) == ["booking_pending"]
    assert isinstance(box.pms, MirroredPms)
    breaker = box.pms.remote.api.breaker
    while breaker.state == "closed":  # QloApps stays down long enough for the circuit to open
        await box.pms.sync.run_job("catalogue")
    return guest


async def booking_status(box: Box) -> str:
    row = await box.store.fetchone("SELECT status FROM bookings")
    assert row is not None
    return str(row["status"])


async def test_a_waiting_booking_goes_when_the_circuit_closes_not_after_its_back_off(
    settings: Settings, qloapps_fake: FakeQloApps, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen: pushed 46 s after QloApps was back (the write's own back-off)."""
    fake = qloapps_fake
    monkeypatch.setattr(sync_module, "RETRY_FIRST_S", 3600.0)  # no sync job retry comes to the rescue
    channel = RecordingChannel()
    async with Box(slow_retries(settings, fake), {"test": channel}) as box:
        guest = await pending_booking(box, channel, fake)
        await fake.come_back()
        assert isinstance(box.pms, MirroredPms)
        await asyncio.sleep(box.pms.remote.api.breaker.retry_in())  # its cool-down
        await box.pms.remote.check()  # anyone's call that reaches QloApps closes the circuit …
        await wait_for(lambda: _confirmed(box), within_s=30)  # … and the booking goes at once
        await box.settle((await guest.conversation())["id"])
        assert keys(channel.replies(guest.address))[-1] == "booking_confirmed"
    assert len(fake.hotel.orders) == 1


async def test_the_box_tries_qloapps_again_as_soon_as_the_circuit_lets_it(
    settings: Settings, qloapps_fake: FakeQloApps, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nobody else calls QloApps: the sync's retry of a failed job waits for the circuit's
    cool-down, not for its own doubling back-off, so the trial call comes right after."""
    fake = qloapps_fake
    monkeypatch.setattr(sync_module, "RETRY_FIRST_S", 3600.0)
    channel = RecordingChannel()
    async with Box(slow_retries(settings, fake), {"test": channel}) as box:
        await pending_booking(box, channel, fake)
        assert isinstance(box.pms, MirroredPms)
        sync = box.pms.sync
        failed = sync.failures["catalogue"]
        sync.wake("catalogue")  # it fails while QloApps is down, and is rescheduled
        await wait_for(lambda: sync.failures["catalogue"] > failed, within_s=10)
        await fake.come_back()
        await wait_for(lambda: _confirmed(box), within_s=30)
    assert len(fake.hotel.orders) == 1


async def _confirmed(box: Box) -> bool:
    return await booking_status(box) == "confirmed"


async def test_that_room_just_went_does_not_offer_the_room_type_that_sold_out(
    settings: Settings, qloapps_fake: FakeQloApps
) -> None:
    """Seen: "sorry, the last suite has just gone" followed by an offer of … the suite."""
    fake = qloapps_fake
    ci = hotel_today() + timedelta(days=30)
    website = QloAppsPms(QloAppsSettings(url=fake.url), fake.key)
    await website.open()
    try:
        await website.create_booking(
            BookingRequest("web-1", SUITE, ci, ci + timedelta(days=2), 2, 0, "Web Guest", "web@example.com", "+1 555 0100")
        )  # fmt: skip
        channel = RecordingChannel()
        async with Box(settings, {"test": channel}) as box:  # its mirror: one suite left
            guest = Guest(box, channel, "+34611000003", "+34611000003")
            assert keys(await guest.says(ask("Ana Garcia", "suite", 30)))[-1] == "confirm_booking"
            # the last suite goes on the website while Ana reads the summary
            await website.create_booking(
                BookingRequest("web-2", SUITE, ci, ci + timedelta(days=2), 2, 0, "Other Guest", "other@example.com", "+1 555 0101")
            )  # fmt: skip
            replies = await guest.says("sí")
    finally:
        await website.close()
    assert keys(replies)[0] == "booking_taken"
    assert len(replies) > 1  # what else there is, straight away
    offered = [o.id for r in replies for o in r.options]
    assert f"room:{SUITE}" not in offered
    assert not any("suite" in r.text.lower() for r in replies[1:])


def client(fake: FakeQloApps, **settings: Any) -> QloAppsPms:
    return QloAppsPms(QloAppsSettings(url=fake.url, **settings), fake.key)


def stay(key: str, **changes: Any) -> BookingRequest:
    ci = hotel_today() + timedelta(days=50)
    data: dict[str, Any] = {
        "idempotency_key": key, "room_type": "2", "check_in": ci, "check_out": ci + timedelta(days=2),
        "adults": 2, "children": 0, "guest_name": "Ana Garcia", "email": "ana@example.com", "phone": "+34600111222",
    }  # fmt: skip
    data.update(changes)
    return BookingRequest(**data)


@pytest.mark.parametrize(
    ("setting", "state"),
    [(None, 3), ("Processing in progress", 3), ("2", 2), ("", 1)],
    ids=["default", "by-name", "by-id", "left-as-qloapps-makes-it"],
)
async def test_the_order_state_after_a_bot_booking_is_a_setting(
    qloapps_fake: FakeQloApps, setting: str | None, state: int
) -> None:
    """Seen: orders stayed "Awaiting payment" (1) while the bot told the guest "confirmed"."""
    fake = qloapps_fake
    pms = client(fake, **({} if setting is None else {"order_state": setting}))
    await pms.open()
    try:
        booking = await pms.create_booking(stay("st-1"))
        assert booking.status == "confirmed"
    finally:
        await pms.close()
    [order] = fake.hotel.orders.values()
    assert order.current_state == state
    assert [m for m in fake.hotel.mails if m[0].startswith("state-")] == []  # no state e-mail asked for


async def test_an_unknown_order_state_still_books_and_says_why(
    qloapps_fake: FakeQloApps, caplog: Any
) -> None:
    pms = client(qloapps_fake, order_state="Confirmed")
    await pms.open()
    try:
        assert (await pms.create_booking(stay("st-2"))).status == "confirmed"
    finally:
        await pms.close()
    assert "pms_invalid_order_state" in caplog.text
    [order] = qloapps_fake.hotel.orders.values()
    assert order.current_state == 1


async def test_qloapps_own_confirmation_e_mails_can_be_kept_from_guests(qloapps_fake: FakeQloApps) -> None:
    """QloApps e-mails its order confirmation to the order's customer on every API booking;
    with guest_emails = false the customer is a placeholder the .invalid domain never delivers."""
    fake = qloapps_fake
    pms = client(fake, guest_emails=False)
    await pms.open()
    try:
        booking = await pms.create_booking(stay("em-1"))
        mail_only = await pms.create_booking(
            stay("em-2", email="luis@example.com", phone=None, guest_name="Luis Perez")
        )
        assert booking.email == "ana@example.com"  # the box keeps the guest's own address
        found = await pms.find_bookings(email="luis@example.com")
        assert [b.reference for b in found] == [mail_only.reference]  # still found by the guest's e-mail
    finally:
        await pms.close()
    sent_to = [to for template, to in fake.hotel.mails]
    assert sent_to
    assert all(to.endswith("@guests.hotelbox.invalid") for to in sent_to)
    assert "guest-34600111222@guests.hotelbox.invalid" in sent_to
    assert len(set(sent_to)) == 2  # an e-mail-only guest is still their own customer
    orders = sorted(fake.hotel.orders.values(), key=lambda o: o.id)
    assert "ana@example.com" in orders[0].remarks[0]  # staff read the real address in QloApps


async def test_by_default_qloapps_gets_the_guest_s_e_mail(qloapps_fake: FakeQloApps) -> None:
    pms = client(qloapps_fake)
    await pms.open()
    try:
        await pms.create_booking(stay("em-3"))
    finally:
        await pms.close()
    assert ("order_conf", "ana@example.com") in qloapps_fake.hotel.mails


def test_the_readme_shows_the_placeholder_address_the_code_writes() -> None:
    """Seen: the README said `<phone>@guests.hotelbox.invalid`; the code writes `guest-<digits>@…`."""
    import re

    from tests.support import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## QloApps", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"`([^`\s]*@guests\.hotelbox\.invalid)`", section)
    assert documented
    written = QloAppsPms(QloAppsSettings(), "K" * 32).placeholder_email("+351 912 345 678")
    for form in documented:
        pattern = re.escape(form).replace(re.escape("<phone digits>"), r"\d+")
        assert re.fullmatch(pattern, written), form


async def test_with_qloapps_down_and_a_stale_mirror_prices_are_said_to_need_confirming(
    settings: Settings, qloapps_fake: FakeQloApps
) -> None:
    """Seen: QloApps down, mirror past stale_after_s, and the bot stated availability and price as fact."""
    fake = qloapps_fake
    overrides = qloapps_overrides(fake)
    overrides["pms"]["sync"] = {"stale_after_s": 0.3}
    channel = RecordingChannel()
    async with Box(load_settings(state_dir=settings.state_dir, **overrides), {"test": channel}) as box:
        fresh = Guest(box, channel, "+34611000004", "+34611000004")
        said = keys(await fresh.says(ask("Ana Garcia", "habitación doble", 20)))
        assert "prices_unconfirmed" not in said  # QloApps answers: the live price is a fact
        await fake.go_down()
        await asyncio.sleep(0.6)  # the mirror is now older than stale_after_s
        stale = Guest(box, channel, "+34611000005", "+34611000005")
        replies = await stale.says(ask("Luis Perez", "habitación doble", 22))
        said = keys(replies)
        assert "prices_unconfirmed" in said, said
        assert said.index("prices_unconfirmed") < said.index("confirm_booking")
        assert "confirm" in replies[said.index("prices_unconfirmed")].text
        assert isinstance(box.pms, MirroredPms)
        assert box.pms.stale_answers >= 1
