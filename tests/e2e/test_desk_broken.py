"""Issue 17's broken points, each seen in Chromium at desktop size and at a phone's 390×844:
typing and the reading position survive live updates, long words wrap, the phone layout is
usable, erasing a guest ends in a success message, the attention filter hides what it filters."""

from __future__ import annotations

from typing import Any

from tests.e2e.deskpage import Browser, Stage, chromium, js, login, open_conversation, stage

__all__ = ["chromium", "stage"]  # fixtures


async def test_1_typed_text_survives_live_updates(stage: Stage, chromium: Browser) -> None:
    a = await stage.guest("+34600310001", "Hola, ¿tenéis parking?")
    b = await stage.guest("+34600310002", "hola")
    page = await chromium.tab()
    await login(page, stage.url)
    await open_conversation(page, a)
    await page.click("#reply-text")
    await page.keyboard.type("Dear guest, ")
    await stage.guest("+34600310002", "¿a qué hora es el desayuno?")  # another conversation
    await page.locator(f".conversation[data-id='{b}'] .last", has_text="desayuno").wait_for(state="attached")
    await stage.guest("+34600310001", "¿y el wifi?")  # this one
    await page.locator(".msg.in", has_text="wifi").wait_for()
    await page.keyboard.type("the car park is free.")
    assert await page.input_value("#reply-text") == "Dear guest, the car park is free."
    await chromium.shot(page, "desk-typing")


async def test_2_reading_position_survives_live_updates(stage: Stage, chromium: Browser) -> None:
    for n in range(12):
        a = await stage.guest("+34600320001", f"pregunta {n}: ¿tenéis parking?")
    b = await stage.guest("+34600320002", "hola")
    page = await chromium.tab()
    await login(page, stage.url)
    await open_conversation(page, a)
    await js(page, "document.getElementById('transcript').scrollTop = 0")
    await stage.guest("+34600320002", "¿y el desayuno?")
    await page.locator(f".conversation[data-id='{b}'] .last", has_text="desayuno").wait_for(state="attached")
    await stage.guest("+34600320001", "una más: ¿wifi?")
    await page.locator(".msg.in", has_text="una más").wait_for(state="attached")
    assert await js(page, "document.getElementById('transcript').scrollTop") == 0


async def test_3_a_long_word_wraps(stage: Stage, chromium: Browser) -> None:
    a = await stage.guest("+34600330001", "A" * 1900)
    page = await chromium.tab()
    await login(page, stage.url)
    await open_conversation(page, a)
    sizes = await js(
        page,
        "(() => { const t = document.getElementById('transcript');"
        " return [t.scrollWidth, t.clientWidth, document.documentElement.scrollWidth, innerWidth]; })()",
    )
    assert sizes[0] <= sizes[1] + 1, sizes
    assert sizes[2] <= sizes[3] + 1, sizes
    await chromium.shot(page, "desk-long-word")


async def within_screen(page: Any, selector: str) -> bool:
    box = await page.locator(selector).bounding_box()
    width = page.viewport_size["width"]
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 1


async def test_4_usable_on_a_phone(stage: Stage, chromium: Browser) -> None:
    a = await stage.guest("+34600340001", "Hola, ¿tenéis parking?")
    page = await chromium.tab()
    await login(page, stage.url)
    for selector in ("#logout", "#ui-lang", "#who", "nav a[href='#health']", "#live"):
        assert await within_screen(page, selector), selector
    await open_conversation(page, a)
    width = page.viewport_size["width"]
    pane = await page.locator("#conversation").bounding_box()
    assert pane is not None
    assert pane["width"] >= min(width * 0.9, 600), pane
    assert await within_screen(page, "#reply-text")
    assert await js(page, "document.documentElement.scrollWidth <= innerWidth + 1")
    await chromium.shot(page, "desk-conversation")


async def test_5_erasing_a_guest_says_it_worked(stage: Stage, chromium: Browser) -> None:
    a = await stage.guest("+34600350001", "Hola, borrad mis datos")
    page = await chromium.tab()
    await login(page, stage.url, "ana")
    await open_conversation(page, a)
    page.on("dialog", lambda d: d.accept())
    await page.click("#erase")
    await page.locator(".notice.ok").wait_for()
    assert await page.locator(".notice.bad").count() == 0
    assert await page.locator(f".conversation[data-id='{a}']").count() == 0


async def test_6_attention_filter_hides_the_open_conversation(stage: Stage, chromium: Browser) -> None:
    a = await stage.guest("+34600360001", "Hola, ¿tenéis parking?")
    b = await stage.guest("+34600360002", "quiero hablar con una persona")
    row = await stage.box.store.fetchone("SELECT control FROM conversations WHERE id = ?", (b,))
    assert row["control"] == "waiting_staff"
    page = await chromium.tab()
    await login(page, stage.url)
    await open_conversation(page, a)
    if await page.locator("#back").is_visible():
        await page.click("#back")
    await page.click("#filter-attention")
    await page.locator(f".conversation[data-id='{a}']").wait_for(state="detached")
    await page.locator(f".conversation[data-id='{b}']").wait_for()
    assert await page.locator("#transcript").count() == 0
    assert await js(page, "location.hash") != f"#inbox/{a}"
