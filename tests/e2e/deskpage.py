"""Shared stage for the front desk's Chromium tests (not a test module): a box with its web app on
127.0.0.1, guests writing through the pipeline, staff logging in, at desktop size and at a phone's
390×844. Screenshots go to test-artifacts/ (gitignored) for a person to look at."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from hotelbox.channels.webchat import WebChatChannel
from hotelbox.config import Settings
from hotelbox.daemon import Box
from hotelbox.live_updates import LiveUpdates
from hotelbox.messages import Inbound
from hotelbox.web.app import make_app
from hotelbox.web.auth import add_user, hash_password
from tests.support import REPO, RecordingChannel, wait_for

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = REPO / "test-artifacts"
PASSWORD = "front-desk-password"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage",
]  # fmt: skip
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


class Stage:
    def __init__(self, box: Box, channel: RecordingChannel, url: str) -> None:
        self.box, self.channel, self.url = box, channel, url
        self.n = 0

    async def guest(self, address: str, text: str, settle: bool = True) -> int:
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
        if settle:
            await self.box.settle(accepted.conversation_id)
        return accepted.conversation_id

    async def user(self, name: str, role: str = "frontdesk", language: str = "en") -> None:
        await self.box.store.write(lambda c: add_user(c, name, role, hash_password(PASSWORD), language))


@pytest.fixture
async def stage(settings: Settings) -> AsyncIterator[Stage]:
    channel = RecordingChannel()
    live = LiveUpdates()
    async with Box(settings, {"test": channel, "webchat": WebChatChannel(live)}, live) as box:
        runner = web.AppRunner(make_app(box))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        s = Stage(box, channel, f"http://127.0.0.1:{runner.addresses[0][1]}")
        await s.user("marta", "frontdesk", "en")
        await s.user("pedro", "frontdesk", "en")
        await s.user("ana", "admin", "es")
        yield s
        await runner.cleanup()


class Browser:
    """One Chromium; a tab per receptionist, all at the size under test."""

    def __init__(self, browser: Any, size: str) -> None:
        self.browser, self.size = browser, size

    async def tab(self, locale: str = "en-GB") -> Any:
        context = await self.browser.new_context(viewport=SIZES[self.size], locale=locale)
        tab = await context.new_page()
        tab.set_default_timeout(15_000)
        return tab

    async def shot(self, tab: Any, name: str) -> None:
        await tab.screenshot(path=str(ARTIFACTS / f"{name}-{self.size}.png"), full_page=True)


@pytest.fixture(params=list(SIZES))
async def chromium(request: pytest.FixtureRequest) -> AsyncIterator[Browser]:
    from playwright.async_api import async_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield Browser(browser, str(request.param))
        await browser.close()


async def login(page: Any, url: str, name: str = "marta") -> None:
    await page.goto(f"{url}/desk")
    await page.wait_for_url(f"{url}/login")
    await page.fill("#name", name)
    await page.fill("#password", PASSWORD)
    await page.click("#login button[type=submit]")
    await page.wait_for_url(f"{url}/desk")
    await page.wait_for_selector("#live.on")


async def open_conversation(page: Any, conversation_id: int) -> None:
    """Open one from the list (on a phone, back to the list first)."""
    back = page.locator("#back")
    if await back.count() and await back.is_visible():
        await back.click()
    await page.locator(f".conversation[data-id='{conversation_id}']").click()
    await page.wait_for_selector(f".conversation.open[data-id='{conversation_id}']", state="attached")
    await page.wait_for_selector("#transcript")


async def js(page: Any, expression: str) -> Any:
    return await page.evaluate(expression)


__all__ = [
    "ARTIFACTS",
    "Browser",
    "Stage",
    "chromium",
    "js",
    "login",
    "open_conversation",
    "stage",
    "wait_for",
]
