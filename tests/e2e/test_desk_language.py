"""Issue 17, point 7: no English and no codes on the Spanish screens (control, reasons, authors,
channels, statuses, errors, the login page), dates in the user's locale. Chromium, both sizes."""

from __future__ import annotations

import re

from tests.e2e.deskpage import Browser, Stage, chromium, js, login, open_conversation, stage

__all__ = ["chromium", "stage"]  # fixtures

CODES = re.compile(
    r"\b(complaint|requested|not_understood|waiting_staff|guest|bot|staff:\w+|staff|sent|queued|pending|"
    r"delivered|webchat|test|confirmed|double|AM|PM|no such \w+|wrong user name)\b"
)
# what staff read on screen, without what guests and the bot wrote (that is data, in their language)
SCREEN_TEXT = """(() => {
  const copy = document.body.cloneNode(true);
  for (const n of copy.querySelectorAll('.msg .text, .last, .chip, textarea, #canned, .notice, #who')) n.remove();
  return copy.innerText;
})()"""


async def test_spanish_screens_have_no_english_or_codes(stage: Stage, chromium: Browser) -> None:
    a = await stage.guest("+34600370001", "quiero poner una queja, esto es inaceptable")
    await stage.guest("+34600370002", "quiero hablar con una persona")
    login_page = await chromium.tab("es-ES")
    await login_page.goto(f"{stage.url}/login")
    await login_page.fill("#name", "ana")
    await login_page.fill("#password", "not-the-password")
    await login_page.click("#login button[type=submit]")
    await login_page.locator("#error", has_text="incorrectos").wait_for()
    assert not CODES.search(await login_page.inner_text("body"))

    page = await chromium.tab("es-ES")
    await login(page, stage.url, "ana")  # ana's desk is in Spanish
    await open_conversation(page, a)
    await page.click("#takeover")
    await page.wait_for_selector("#control.staff")
    await page.fill("#reply-text", "Lo siento mucho, lo arreglamos ahora.")
    await page.click("#reply button[type=submit]")
    await page.locator(".msg.out.staff .delivery").wait_for()
    text = await js(page, SCREEN_TEXT)
    assert not CODES.search(text), CODES.search(text)
    assert "Recepción (ana)" in text
    await chromium.shot(page, "desk-spanish")
    await page.evaluate("location.hash = '#inbox/99999999'")
    notice = page.locator(".notice.bad")
    await notice.wait_for()
    assert not CODES.search(await notice.inner_text())
