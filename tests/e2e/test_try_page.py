"""Issue 17, point 9: on /try the guest's own message comes before the bot's reply (also after a
reload); input the box refuses is shown as an error, not as a bot bubble, and is kept to edit;
over-long input is refused visibly, never cut. Chromium at desktop size and at 390×844."""

from __future__ import annotations

from tests.e2e.deskpage import Browser, Stage, chromium, stage

__all__ = ["chromium", "stage"]  # fixtures


async def test_own_message_first_even_after_a_reload(stage: Stage, chromium: Browser) -> None:
    page = await chromium.tab()
    await page.goto(f"{stage.url}/try")
    await page.fill("#text", "¿tenéis parking?")
    await page.press("#text", "Enter")
    await page.locator("#log li.out").first.wait_for()
    assert await page.locator("#log li").first.get_attribute("class") == "in"
    await page.reload()
    await page.locator("#log li.out").first.wait_for()
    assert await page.locator("#log li").first.get_attribute("class") == "in"
    await chromium.shot(page, "try-chat")


async def test_refused_input_is_an_error_and_is_kept(stage: Stage, chromium: Browser) -> None:
    page = await chromium.tab()
    await page.goto(f"{stage.url}/try")
    disk = stage.box.store.disk
    disk.min_free_bytes, disk._checked = 2**62, -1e9  # the box refuses new work (disk_full)
    await page.fill("#text", "hola, ¿tenéis parking?")
    await page.press("#text", "Enter")
    await page.locator("#error").wait_for()
    assert (await page.text_content("#error") or "").strip()
    assert await page.locator("#log li").count() == 0
    assert await page.input_value("#text") == "hola, ¿tenéis parking?"
    await chromium.shot(page, "try-refused")


async def test_over_long_input_is_refused_not_cut(stage: Stage, chromium: Browser) -> None:
    page = await chromium.tab()
    await page.goto(f"{stage.url}/try")
    await page.fill("#text", "x" * 20_000)
    await page.press("#text", "Enter")
    await page.locator("#error").wait_for()
    assert "2000" in (await page.text_content("#error") or "").replace(".", "").replace(",", "")
    assert len(await page.input_value("#text")) == 20_000
    assert await page.locator("#log li").count() == 0
