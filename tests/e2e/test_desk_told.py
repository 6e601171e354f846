"""Issue 17, "being told" and "the list": a chime, a notice and (opted in) a desktop notification
for a handoff, a complaint, a failed booking and a guest writing in a conversation staff hold; the
count in the tab title and on the favicon; the list shows the last message's time, "waiting N min",
needs-attention first, with a count on the filter. Chromium, both sizes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hotelbox.errors import BookingRejected
from tests.e2e.deskpage import Browser, Stage, chromium, js, login, open_conversation, stage, wait_for
from tests.helpers import say_date
from tests.support import hotel_today

__all__ = ["chromium", "stage"]  # fixtures

# the real Notification, counted: what the page showed, for the test to read
COUNT_NOTIFICATIONS = """(() => {
  const Real = window.Notification;
  window.__shown = [];
  window.Notification = class extends Real {
    constructor(title, options) { super(title, options); window.__shown.push(title); }
  };
})();"""


async def told(page: Any) -> tuple[list[str], int, str, str]:
    shown = await js(page, "window.__shown || []")
    rang = int(await js(page, "document.body.dataset.rang || '0'"))
    icon = await js(page, "document.querySelector('link[rel=icon]').dataset.count || ''")
    return shown, rang, await page.title(), icon


async def test_staff_are_told_by_sound_notification_title_and_favicon(
    stage: Stage, chromium: Browser
) -> None:
    waiting = await stage.guest("+34600390001", "quiero hablar con una persona")
    page = await chromium.tab()
    await page.context.grant_permissions(["notifications"], origin=stage.url)
    await page.context.add_init_script(COUNT_NOTIFICATIONS)
    await login(page, stage.url, "marta")
    await page.click("#notify")  # opt in
    await page.locator("#notify.on").wait_for()
    # what was already there at login is counted, not rung

    async def titled(prefix: str) -> bool:
        return (await page.title()).startswith(prefix)

    await wait_for(lambda: titled("(1) "), 10)
    shown, rang, _, icon = await told(page)
    assert shown == []
    assert rang == 0
    assert icon == "1"

    # a complaint
    await stage.guest("+34600390002", "quiero poner una queja, esto es inaceptable")
    await page.locator(".notice.alert", has_text="Complaint").wait_for()

    async def notified(n: int) -> bool:
        return len((await told(page))[0]) >= n

    await wait_for(lambda: notified(1), 10)
    shown, rang, title, icon = await told(page)
    assert shown[0].startswith("Complaint")
    assert rang >= 1
    assert title.startswith("(2) ")
    assert icon == "2"

    # a handoff
    await stage.guest("+34600390003", "necesito hablar con alguien de recepción, por favor")
    await wait_for(lambda: notified(2), 10)
    assert (await told(page))[0][1].startswith("Asks for the front desk")

    # a guest writing in a conversation marta holds
    await open_conversation(page, waiting)
    await page.click("#takeover")
    await page.locator("#holder.mine").wait_for()
    await stage.guest("+34600390001", "¿sigue ahí alguien?")
    await wait_for(lambda: notified(3), 10)
    assert (await told(page))[0][2].startswith("New message")

    # a booking the PMS refuses
    day = hotel_today() + timedelta(days=40)
    say = say_date(day, "es")
    end = day + timedelta(days=2)
    address = "+34600390004"
    await stage.guest(
        address,
        f"quiero reservar una doble del {say} al {say_date(end, 'es')} para 2 adultos, "
        "soy Ana Ruiz, ana@example.com",
    )

    async def refuse(*args: Any, **kwargs: Any) -> Any:
        raise BookingRejected("simulated PMS refusal")

    stage.box.pms.create_booking = refuse  # type: ignore[method-assign]
    await stage.guest(address, "sí")

    async def booking_failed() -> bool:
        return any(t.startswith("Booking failed") for t in (await told(page))[0])

    await wait_for(booking_failed, 20)
    await chromium.shot(page, "desk-told")


async def test_the_list_shows_time_waiting_and_attention_first(stage: Stage, chromium: Browser) -> None:
    handoff = await stage.guest("+34600391001", "quiero hablar con una persona")
    quiet = await stage.guest("+34600391002", "¿tenéis parking?")  # newer, but the bot answered it
    page = await chromium.tab()
    await login(page, stage.url, "pedro")
    first = page.locator(".conversation").first
    await first.wait_for()
    assert await first.get_attribute("data-id") == str(handoff)
    assert await page.locator(".conversation").nth(1).get_attribute("data-id") == str(quiet)
    assert await first.locator(".waiting").inner_text() == "waiting 0 min"
    assert await page.locator(f".conversation[data-id='{quiet}'] .waiting").count() == 0
    for item in (handoff, quiet):  # the last message's time, in the user's locale (today: hh:mm)
        at = await page.locator(f".conversation[data-id='{item}'] .at").inner_text()
        assert len(at) == 5
        assert at[2] == ":"
    assert await page.locator("#filter-attention .count").inner_text() == "1"
    await stage.guest("+34600391003", "quiero poner una queja, esto es inaceptable")
    await page.locator("#filter-attention .count", has_text="2").wait_for()
    await chromium.shot(page, "desk-list")
    await page.click("#filter-attention")
    await page.locator(f".conversation[data-id='{quiet}']").wait_for(state="detached")
    assert await page.locator(".conversation").count() == 2
