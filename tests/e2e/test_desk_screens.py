"""Issue 17, screens for people: Health as green / amber / red part by part with the reason in
words, Bookings saying "nothing to do", and the admins' Team page (canned replies edited in the
page and used at once, accounts opened and disabled, failed logins, the team's activity with
erasures). Chromium, both sizes."""

from __future__ import annotations

import re

from playwright.async_api import Error as PlaywrightError

from tests.e2e.deskpage import Browser, Stage, chromium, js, login, open_conversation, stage, wait_for

__all__ = ["chromium", "stage"]  # fixtures
CODES = re.compile(r"\b[a-z]+_[a-z_]+\b|[{}]")  # disk_full, relay_link, raw JSON…


async def visible_text(page: object) -> str:
    """What staff read, without the closed "technical details" (the box's own words)."""
    return str(
        await js(
            page,
            """(() => {
              const copy = document.getElementById('view').cloneNode(true);
              for (const n of copy.querySelectorAll('details.tech')) n.remove();
              return copy.innerText;
            })()""",
        )
    )


async def test_health_is_a_traffic_light_in_words(stage: Stage, chromium: Browser) -> None:
    page = await chromium.tab("es-ES")
    await login(page, stage.url, "ana")
    await page.click("nav a[href='#health']")
    overall = page.locator("#health-overall")
    await overall.wait_for()
    assert await overall.get_attribute("data-level") in ("green", "amber")
    assert await page.locator(".part[data-part='disk'].green").count() == 1
    assert not CODES.search(await visible_text(page))
    # the disk fills up (the box's own threshold set above what is free): red, said in Spanish
    stage.box.store.disk.min_free_bytes = 2**62

    async def red() -> bool:  # the box looks at the disk at most once a second
        await page.reload()
        await page.locator("#health-overall").wait_for()
        return await page.locator("#health-overall[data-level='red']").count() == 1

    await wait_for(red, 15, interval=0.3)
    disk = page.locator(".part[data-part='disk']")
    assert "red" in (await disk.get_attribute("class") or "")
    assert "Disco casi lleno" in await disk.inner_text()
    text = await visible_text(page)
    assert "Hay un problema" in text
    assert not CODES.search(text), CODES.search(text)
    await chromium.shot(page, "desk-health-red")


async def test_bookings_say_when_there_is_nothing_to_do(stage: Stage, chromium: Browser) -> None:
    page = await chromium.tab()
    await login(page, stage.url, "marta")
    await page.click("nav a[href='#bookings']")
    await page.locator("#nothing-to-do", has_text="Nothing to do").wait_for()
    await chromium.shot(page, "desk-bookings-nothing")


async def test_admins_edit_canned_replies_and_accounts(stage: Stage, chromium: Browser) -> None:
    marta = await chromium.tab()
    await login(marta, stage.url, "marta")
    assert await marta.locator("#nav-team").is_hidden()  # not for the front desk

    page = await chromium.tab()
    await login(page, stage.url, "ana")
    await page.click("#nav-team")
    editor = page.locator("#canned-editor textarea[data-lang='es']")
    await editor.wait_for()
    assert "comprobarlo" in await editor.input_value()
    await editor.fill("Buenos días, le atiende recepción.\n\nLa piscina abre a las 9.")
    await page.click("#canned-editor button.save[data-lang='es']")
    await page.locator(".notice.ok").first.wait_for()
    assert await editor.input_value() == "Buenos días, le atiende recepción.\nLa piscina abre a las 9."

    # a colleague's account, opened in the page; they log in; disabled, they no longer can
    await page.fill("#new-name", "lucia")
    await page.fill("#new-password", "lucia-password-1")
    await page.select_option("#new-language", "pt")
    await page.click("#add-user button[type=submit]")
    await page.locator("#users tr[data-user='lucia']").wait_for()
    lucia = await chromium.tab()
    await lucia.goto(f"{stage.url}/login")
    await lucia.fill("#name", "lucia")
    await lucia.fill("#password", "lucia-password-1")
    await lucia.click("#login button[type=submit]")
    await lucia.wait_for_url(f"{stage.url}/desk")
    await lucia.locator("nav a[href='#inbox']", has_text="Conversas").wait_for()  # her language

    page.once("dialog", lambda d: d.accept())
    await page.click("#users tr[data-user='lucia'] button.disable")
    await page.locator("#users tr[data-user='lucia'] button.disable").wait_for(state="detached")
    try:
        await lucia.goto(f"{stage.url}/desk")
    except PlaywrightError as exc:  # her open page, refused on its live socket, went to login first
        if "ERR_ABORTED" not in str(exc):
            raise
    await lucia.wait_for_url(f"{stage.url}/login")
    await lucia.fill("#name", "lucia")
    await lucia.fill("#password", "lucia-password-1")
    await lucia.click("#login button[type=submit]")
    await lucia.locator("#error", has_text="Wrong user name or password").wait_for()
    await page.reload()
    await page.locator("#login-failures td", has_text="lucia").first.wait_for()
    await chromium.shot(page, "desk-team")

    # the edited canned replies are what a conversation offers, at once (no restart)
    a = await stage.guest("+34600395001", "quiero hablar con una persona")
    await page.click("nav a[href='#inbox']")
    await open_conversation(page, a)
    options = await page.locator("#canned option").all_inner_texts()
    assert "La piscina abre a las 9." in options
    assert not any("comprobarlo" in o for o in options)

    # an erasure leaves no conversation to show it in: the team's activity says it happened
    page.once("dialog", lambda d: d.accept())
    await page.click("#erase")
    await page.locator(".notice.ok", has_text="borrados").wait_for()  # ana reads Spanish
    await page.click("#nav-team")
    activity = page.locator("#activity")
    for action in ("guest.erased", "user.change", "user.add", "canned.edit"):
        await activity.locator(f"li[data-action='{action}']").first.wait_for()
    assert "Recepción (ana) · borró los datos del huésped" in await activity.locator("li").first.inner_text()
    assert "lucia" in await activity.locator("li[data-action='user.add']").inner_text()
