"""The front desk in Chromium with 50 open conversations: how long the page takes to load, what it
weighs (every byte the browser fetched for a cold load: page, scripts, styles, icon, API answers),
how long a guest's message takes from stored to visible on the page (the live socket, the refetch,
the render), and how long a handoff takes from stored to the receptionist being told (the chime's
notice on screen). The page stamps the moment the text appears (a MutationObserver), the bench the
moment the message was committed; both are wall-clock on this machine."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from aiohttp import web

from hotelbox.config import load_settings
from hotelbox.daemon import Box
from hotelbox.messages import Inbound
from hotelbox.pipeline import stage_summary
from hotelbox.web.app import make_app
from hotelbox.web.auth import add_user, hash_password
from tests.e2e.deskpage import CHROMIUM, CHROMIUM_ARGS
from tests.support import RecordingChannel

CONVERSATIONS = 50
PINGS = 30
OBSERVER = """
() => {
  window.seenAt = {};
  new MutationObserver(() => {
    for (const node of document.querySelectorAll('#transcript .msg.in .text')) {
      const text = node.textContent;
      if (text.startsWith('ping-') && !(text in window.seenAt)) window.seenAt[text] = performance.timeOrigin + performance.now();
    }
    for (const node of document.querySelectorAll('.notice.alert')) {
      const text = node.textContent;
      if (!(text in window.seenAt)) window.seenAt[text] = performance.timeOrigin + performance.now();
    }
  }).observe(document.body, { childList: true, subtree: true });
}
"""


async def run(tmp: Path) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    channel = RecordingChannel()
    settings = load_settings(state_dir=tmp / "desk")
    async with Box(settings, {"test": channel}) as box:
        await box.store.write(
            lambda c: add_user(c, "bench", "admin", hash_password("bench-password-1"), "en")
        )
        for n in range(CONVERSATIONS):  # 50 guests with a short exchange each
            for k, text in enumerate(("hola", "¿tenéis parking?")):
                await box.pipeline.accept(
                    Inbound(
                        channel="test",
                        channel_message_id=f"g{n}-{k}",
                        sender=f"+3460040{n:04d}",
                        text=text,
                        phone=f"+3460040{n:04d}",
                    )
                )
        await box.pipeline.wait_idle()
        runner = web.AppRunner(make_app(box))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        loads: list[float] = []
        live: list[float] = []
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = await browser.new_context(bypass_csp=True)  # only to let the bench's observer in
            page = await context.new_page()
            fetched: dict[str, int] = {}

            async def weigh(response: Any) -> None:
                try:
                    fetched[response.url] = len(await response.body())
                except Exception:  # a redirect or the socket: no body
                    fetched.setdefault(response.url, 0)

            page.on("response", weigh)  # Playwright runs async listeners itself
            await page.goto(f"{url}/login")
            await page.fill("#name", "bench")
            await page.fill("#password", "bench-password-1")
            await page.click("#login button[type=submit]")
            await page.wait_for_url(f"{url}/desk")
            await page.locator(".conversation").nth(CONVERSATIONS - 1).wait_for()
            await page.wait_for_selector("#live.on")
            await asyncio.sleep(0.5)
            weight = {k.split(url, 1)[-1]: v for k, v in fetched.items() if "/login" not in k}
            page.remove_listener("response", weigh)
            for _ in range(5):
                await page.goto("about:blank")  # a real load each time, not a hash change
                started = time.perf_counter()
                await page.goto(f"{url}/desk#inbox")
                await page.locator(".conversation").nth(CONVERSATIONS - 1).wait_for()
                await page.wait_for_selector("#live.on")
                loads.append(time.perf_counter() - started)
            target = "+34600400007"
            await page.locator(".conversation", has_text=target).click()
            await page.wait_for_selector("#transcript")
            await page.evaluate(OBSERVER)
            for i in range(PINGS):
                accepted = await box.pipeline.accept(
                    Inbound(channel="test", channel_message_id=f"ping-{i}", sender=target, text=f"ping-{i}")
                )
                stored = time.time()  # committed: the row is in SQLite
                assert accepted.message_id
                for _ in range(200):
                    seen = await page.evaluate(f"window.seenAt['ping-{i}'] || null")
                    if seen:
                        live.append(seen / 1000 - stored)
                        break
                    await asyncio.sleep(0.01)
                await asyncio.sleep(0.2)  # let the bot's reply render too before the next ping
            told: list[float] = []
            for i in range(10):  # a guest asks for a person: how soon is the receptionist told?
                await box.pipeline.accept(
                    Inbound(
                        channel="test",
                        channel_message_id=f"handoff-{i}",
                        sender=f"+3460041{i:04d}",
                        text="quiero hablar con una persona",
                        phone=f"+3460041{i:04d}",
                    )
                )
                stored = time.time()
                for _ in range(500):
                    seen = await page.evaluate(
                        f"Object.entries(window.seenAt).find(([k]) => k.endsWith('+3460041{i:04d}')) || null"
                    )
                    if seen:
                        told.append(seen[1] / 1000 - stored)
                        break
                    await asyncio.sleep(0.01)
                await asyncio.sleep(0.3)
            await browser.close()
        await runner.cleanup()
    lo, li, al = stage_summary(loads), stage_summary(live), stage_summary(told)
    static = sum(v for k, v in weight.items() if not k.startswith("/desk/api"))
    print(f"### front desk in Chromium with {CONVERSATIONS} open conversations")
    print(
        f"page load (navigation → 50 conversations listed, live socket up): p50 {lo['p50_ms']} ms, max {max(loads) * 1000:.0f} ms"
    )
    print(
        f"live update (message stored → visible in the open conversation): p50 {li['p50_ms']} ms, p95 {li['p95_ms']} ms ({li['n']} messages)"
    )
    print(
        f"page weight (cold load, uncompressed): {sum(weight.values()) / 1024:.0f} KiB in {len(weight)} requests,"
        f" of which page + scripts + styles + icon {static / 1024:.0f} KiB"
    )
    for name, size in sorted(weight.items(), key=lambda kv: -kv[1])[:8]:
        print(f"  {size / 1024:7.1f} KiB  {name}")
    print(
        f"being told (a handoff stored → the notice on screen, chime and notification at the same moment):"
        f" p50 {al['p50_ms']} ms, p95 {al['p95_ms']} ms ({al['n']} handoffs)"
    )
    return {"page_load": lo, "live_update": li, "page_weight_bytes": sum(weight.values()), "told": al}
