"""The front desk in real Chromium (Debian's, driven by Playwright): log in, see a guest's message
arrive live, take over, reply, hand back, edit an answer the bot then uses, retry a pending
booking. Screenshots of the inbox and a conversation go to test-artifacts/ for a person to see."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web

from hotelbox.config import Settings
from hotelbox.daemon import Box
from hotelbox.errors import PmsUnavailable
from hotelbox.messages import Inbound
from hotelbox.web.app import make_app
from hotelbox.web.auth import add_user, hash_password
from tests.e2e.deskpage import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, PASSWORD
from tests.helpers import say_date
from tests.support import RecordingChannel, hotel_today, wait_for


class Stage:
    def __init__(self, box: Box, channel: RecordingChannel, url: str) -> None:
        self.box, self.channel, self.url = box, channel, url
        self.n = 0

    async def guest(self, address: str, text: str) -> int:
        self.n += 1
        accepted = await self.box.pipeline.accept(
            Inbound(
                channel="test",
                channel_message_id=f"{address}-{self.n}",
                sender=address,
                text=text,
                phone=address,
            )
        )
        await self.box.settle(accepted.conversation_id)
        return accepted.conversation_id


@pytest.fixture
async def stage(settings: Settings) -> AsyncIterator[Stage]:
    channel = RecordingChannel()
    async with Box(settings, {"test": channel}) as box:
        await box.store.write(lambda c: add_user(c, "marta", "frontdesk", hash_password(PASSWORD), "en"))
        runner = web.AppRunner(make_app(box))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        yield Stage(box, channel, f"http://127.0.0.1:{runner.addresses[0][1]}")
        await runner.cleanup()


@pytest.fixture
async def page(stage: Stage) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport={"width": 1280, "height": 800})
        tab = await context.new_page()
        tab.set_default_timeout(15_000)
        yield tab
        await browser.close()


async def login(page: Any, url: str) -> None:
    await page.goto(f"{url}/desk")
    assert page.url.endswith("/login")  # no session: the desk sends you to log in
    await page.fill("#name", "marta")
    await page.fill("#password", PASSWORD)
    await page.click("#login button[type=submit]")
    await page.wait_for_url(f"{url}/desk")
    await page.wait_for_selector("#live.on")  # the live socket is connected


async def test_front_desk_day_in_chromium(stage: Stage, page: Any) -> None:
    await login(page, stage.url)
    assert await page.text_content("#who") == "marta (frontdesk)"

    # a guest writes: the message shows up without a reload
    await stage.guest("+34600300001", "Hola, ¿tenéis parking?")
    row = page.locator(".conversation", has_text="+34600300001")
    await row.wait_for()
    await stage.guest("+34600300002", '<img src=x onerror="window.pwned=1"> <b>hola</b>')
    await page.locator(".conversation", has_text="+34600300002").wait_for()
    await page.screenshot(path=str(ARTIFACTS / "desk-inbox.png"), full_page=True)

    # open it, take over, reply
    await row.click()
    await page.wait_for_selector("#takeover")
    await page.click("#takeover")
    await page.wait_for_selector("#control.staff")
    before = len(stage.channel.replies("+34600300001"))
    await page.select_option("#canned", index=1)
    assert "recepción" in (await page.input_value("#reply-text")).lower()  # in the guest's language
    await page.fill("#reply-text", "Yes! Our car park is right behind the hotel.")
    await page.click("#reply button[type=submit]")
    await wait_for(lambda: len(stage.channel.replies("+34600300001")) == before + 1, 10)
    assert stage.channel.replies("+34600300001")[-1].text == "Yes! Our car park is right behind the hotel."
    await page.locator(".msg.out.staff", has_text="car park is right behind").wait_for()
    # the guest writes again: staff are in control, the bot stays silent, the page shows it live
    await stage.guest("+34600300001", "¿y cuánto cuesta?")
    await page.locator(".msg.in", has_text="cuánto cuesta").wait_for()
    assert len(stage.channel.replies("+34600300001")) == before + 1
    await page.screenshot(path=str(ARTIFACTS / "desk-conversation.png"), full_page=True)

    # hand back: the bot answers again
    await page.click("#handback")
    await page.wait_for_selector("#takeover")
    await stage.guest("+34600300001", "¿a qué hora es el desayuno?")
    assert "desayuno" in stage.channel.replies("+34600300001")[-1].text.lower()

    # the injected markup never ran
    assert await page.evaluate("window.pwned === undefined")
    await page.locator(".conversation", has_text="+34600300002").click()
    await page.locator(".msg.in .text", has_text="<img src=x").wait_for()
    assert await page.locator("#transcript img").count() == 0


async def test_edit_an_answer_and_the_bot_uses_it(stage: Stage, page: Any) -> None:
    await login(page, stage.url)
    await page.click("nav a[href='#knowledge']")
    area = page.locator("textarea[data-lang='es'][data-topic='parking']")

    async def spanish_shown() -> bool:  # the view re-rendered in Spanish (CSP forbids eval'd waits)
        return (await area.input_value()).startswith("Tenemos")

    await wait_for(spanish_shown, 10)
    await area.fill("Parking gratuito para huéspedes en el sótano, 20 plazas.")
    await page.fill("#preview-question", "¿tenéis aparcamiento?")
    await page.click(".preview-form button")
    await page.locator("#preview-answer", has_text="parking").wait_for()
    await page.click("button.save[data-lang='es'][data-topic='parking']")
    await page.locator(".notice", has_text="Saved").wait_for()
    await stage.guest("+34600300003", "¿tenéis parking?")
    assert (
        stage.channel.replies("+34600300003")[-1].text
        == "Parking gratuito para huéspedes en el sótano, 20 plazas."
    )


async def test_a_pending_booking_appears_and_is_retried(stage: Stage, page: Any) -> None:
    pms = stage.box.pms
    original = pms.create_booking

    async def down(*args: Any, **kwargs: Any) -> Any:
        raise PmsUnavailable("the PMS does not answer")

    pms.create_booking = down  # type: ignore[method-assign]
    stage.box.settings.pms.retry_base_s = 3600  # no automatic retry during the test: staff retry it
    day = hotel_today() + timedelta(days=45)
    address = "+34600300004"
    await stage.guest(
        address,
        f"quiero una doble del {say_date(day, 'es')} al {say_date(day + timedelta(days=2), 'es')} para 2 adultos, "
        "soy Lucía Mar, lucia@example.com",
    )
    await stage.guest(address, "sí")
    await login(page, stage.url)
    await page.click("nav a[href='#bookings']")
    card = page.locator("article.booking.pending.needs")
    await card.wait_for()
    assert "the PMS does not answer" in (await card.text_content() or "")
    pms.create_booking = original  # type: ignore[method-assign]
    await card.locator("button.retry").click()

    async def confirmed() -> bool:
        row = await stage.box.store.fetchone("SELECT status FROM bookings")
        return row is not None and row["status"] == "confirmed"

    await wait_for(confirmed, 20)
    await page.locator("article.booking.pending").wait_for(state="detached")  # solved: off the problems list
    await page.click("#bookings .filters button:nth-child(2)")
    await page.locator("article.booking.confirmed").wait_for()
    assert any("HB-" in r.text for r in stage.channel.replies(address))  # the guest got the reference
