"""Issue 17: the new screens (the list's waiting time and counts, notes and history, alerts, Health,
Team) speak Portuguese with no English and no codes, dates in the Portuguese locale. Chromium,
both sizes."""

from __future__ import annotations

import re

from tests.e2e.deskpage import Browser, Stage, chromium, js, login, open_conversation, stage

__all__ = ["chromium", "stage"]  # fixtures

ENGLISH = re.compile(
    r"\b(waiting|Mine|Resolve|History|Notes|Works|Complaint|Staff|took over|added a note|Canned|Accounts|"
    r"Failed logins|Everything|Disabled|Active|Save|Search|handoff|guest_wrote|[a-z]+_[a-z_]+|AM|PM)\b"
)
# what staff read, without what guests and the bot wrote (their words, in their language)
SCREEN_TEXT = """(() => {
  const copy = document.body.cloneNode(true);
  for (const n of copy.querySelectorAll('.msg .text, .last, .chip, textarea, #canned, #who, details.tech, .note p, .users td:first-child'))
    n.remove();
  return copy.innerText;
})()"""


async def test_portuguese_screens(stage: Stage, chromium: Browser) -> None:
    await stage.user("rita", "admin", "pt")
    a = await stage.guest("+351910000001", "quero falar com uma pessoa")
    page = await chromium.tab("pt-PT")
    await login(page, stage.url, "rita")
    await page.locator(".conversation .waiting", has_text="à espera").first.wait_for()
    await stage.guest("+351910000002", "quero fazer uma reclamação, isto é inaceitável")
    await page.locator(".notice.alert", has_text="Reclamação").wait_for()
    await open_conversation(page, a)
    await page.click("#takeover")
    await page.locator("#holder.mine").wait_for()
    if await page.locator("#extras:not([open])").count():
        await page.click("#extras-summary")
    await page.fill("#note-text", "Cliente habitual")
    await page.click("#note-form button")
    await page.locator(".note", has_text="Cliente habitual").wait_for()
    await page.click("#history summary")
    await page.locator("#history li[data-action='takeover']", has_text="assumiu a conversa").wait_for()
    text = await js(page, SCREEN_TEXT)
    assert not ENGLISH.search(text), ENGLISH.search(text)
    await chromium.shot(page, "desk-portuguese")
    for route, ready in (("#health", "#health-overall"), ("#team", "#users"), ("#bookings", "#bookings")):
        await page.evaluate(f"location.hash = '{route}'")
        await page.locator(ready).wait_for()
        text = await js(page, SCREEN_TEXT)
        assert not ENGLISH.search(text), (route, ENGLISH.search(text))
