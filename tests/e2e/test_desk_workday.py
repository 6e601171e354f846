"""Issue 17, a receptionist's day: "Mine" and "Resolve" (ownership), the keyboard (Ctrl+Enter
sends, Alt+↑↓ and j/k move between conversations, "/" puts a canned reply at the cursor), search by
name, phone, text and booking reference, private notes, the conversation's history of actions.
Chromium, both sizes."""

from __future__ import annotations

from datetime import timedelta

from tests.e2e.deskpage import Browser, Stage, chromium, login, open_conversation, stage, wait_for
from tests.helpers import say_date
from tests.support import hotel_today

__all__ = ["chromium", "stage"]  # fixtures


async def test_mine_and_resolve_without_handing_back(stage: Stage, chromium: Browser) -> None:
    a = await stage.guest("+34600392001", "quiero hablar con una persona")
    b = await stage.guest("+34600392002", "quiero poner una queja, esto es inaceptable")
    page = await chromium.tab()
    await login(page, stage.url, "marta")
    await open_conversation(page, a)
    await page.click("#takeover")
    await page.locator("#holder.mine").wait_for()
    if await page.locator("#back").is_visible():
        await page.click("#back")
    await page.click("#filter-mine")
    await page.locator("#filter-mine .count", has_text="1").wait_for()
    await page.locator(f".conversation[data-id='{b}']").wait_for(state="detached")
    assert await page.locator(".conversation").count() == 1
    await open_conversation(page, a)
    await page.click("#resolve")
    await page.locator("#resolve").wait_for(state="detached")
    assert await page.inner_text("#control") == "Staff"  # not handed back to the bot
    row = await stage.box.store.fetchone(
        "SELECT control, attention, held_by FROM conversations WHERE id = ?", (a,)
    )
    assert (row["control"], row["attention"], row["held_by"]) == ("staff", None, "staff:marta")
    await page.locator(f".conversation[data-id='{a}']:not(.needs)").wait_for(state="attached")
    await page.locator("#filter-attention .count", has_text="1").wait_for(state="attached")  # only b now
    assert (await page.title()).startswith("(1) ")
    # the guest writing again needs a person again
    await stage.guest("+34600392001", "¿hola?")
    await page.locator(f".conversation.needs[data-id='{a}']").wait_for(state="attached")
    await chromium.shot(page, "desk-mine-resolve")


async def test_keyboard_send_move_and_canned_at_the_cursor(stage: Stage, chromium: Browser) -> None:
    address = {
        await stage.guest(f"+3460039300{n}", f"hola, pregunta {n}: ¿tenéis parking?"): f"+3460039300{n}"
        for n in range(3)
    }
    ids = list(address)
    page = await chromium.tab()
    await login(page, stage.url, "marta")
    order = [
        int(x) for x in await page.locator(".conversation").evaluate_all("(l) => l.map((n) => n.dataset.id)")
    ]
    assert sorted(order) == sorted(ids)
    await open_conversation(page, order[0])
    await page.evaluate("document.activeElement && document.activeElement.blur()")  # nothing typed into

    async def moved_to(n: int) -> None:
        await page.locator(f".conversation.open[data-id='{order[n]}']").wait_for(state="attached")
        assert page.url.endswith(f"#inbox/{order[n]}")

    await page.keyboard.press("Alt+ArrowDown")
    await moved_to(1)
    await page.keyboard.press("j")
    await moved_to(2)
    await page.keyboard.press("k")
    await moved_to(1)
    await page.locator("#reply-text").wait_for()

    box = page.locator("#reply-text")
    await box.click()
    await page.keyboard.type("Hola, un momento. ")
    await page.keyboard.type("/")
    picker = page.locator("#canned-picker")
    await picker.wait_for()
    await page.keyboard.type("compro")
    await picker.locator("li", has_text="comprobarlo").wait_for()
    await chromium.shot(page, "desk-canned-picker")
    await page.keyboard.press("Enter")
    await picker.wait_for(state="hidden")
    value = await box.input_value()
    assert value == "Hola, un momento. Déjame comprobarlo y te escribo enseguida."
    # the cursor is after the inserted reply: typing goes on from there
    await page.keyboard.type(" Gracias.")
    await page.keyboard.press("Control+Enter")
    await page.locator(".msg.out.staff .text", has_text="enseguida. Gracias.").wait_for()
    assert await box.input_value() == ""

    async def delivered() -> bool:
        return any(
            (r.text or "").endswith("enseguida. Gracias.") for r in stage.channel.replies(address[order[1]])
        )

    await wait_for(delivered, 10)


async def test_search_notes_and_history(stage: Stage, chromium: Browser) -> None:
    day = hotel_today() + timedelta(days=50)
    end = day + timedelta(days=2)
    booker = "+34600394001"
    await stage.guest(
        booker,
        f"quiero reservar una doble del {say_date(day, 'es')} al {say_date(end, 'es')} "
        f"para 2 adultos, soy Lucía Ferrándiz, lucia@example.com",
    )
    a = await stage.guest(booker, "sí")

    async def reference() -> str | None:
        row = await stage.box.store.fetchone(
            "SELECT pms_reference FROM bookings WHERE conversation_id = ?", (a,)
        )
        return row["pms_reference"] if row else None

    ref = await wait_for(reference, 20)
    b = await stage.guest("+34600394002", "¿la piscina está climatizada?")
    page = await chromium.tab()
    await login(page, stage.url, "marta")
    for term, found in (("piscina", b), ("394001", a), ("ferrándiz", a), (ref, a)):
        await page.fill("#search", term)
        await page.locator(f".conversation[data-id='{found}']").wait_for()
        other = b if found == a else a
        await page.locator(f".conversation[data-id='{other}']").wait_for(state="detached")
    await page.fill("#search", "zzz-nothing")
    await page.locator(".conversations .empty").wait_for()
    await page.fill("#search", "")
    await page.locator(f".conversation[data-id='{b}']").wait_for()

    # a private note, seen by a colleague live, never sent to the guest
    colleague = await chromium.tab()
    await login(colleague, stage.url, "pedro")
    await open_conversation(colleague, a)
    await open_conversation(page, a)
    await page.click("#takeover")
    await page.locator("#holder.mine").wait_for()
    for tab in (page, colleague):  # on a phone, notes and history are one tap away
        if await tab.locator("#extras:not([open])").count():
            await tab.click("#extras-summary")
    await page.fill("#note-text", "VIP: upgrade to the suite if it is free")
    await page.click("#note-form button")
    await page.locator(".note", has_text="VIP: upgrade").wait_for()
    await colleague.locator(".note", has_text="VIP: upgrade").wait_for()
    assert "marta" in await colleague.locator(".note .author").inner_text()
    assert all("VIP" not in (r.text or "") for r in stage.channel.replies(booker))
    await page.fill("#reply-text", "Le confirmo la reserva.")
    await page.keyboard.press("Control+Enter")
    await page.locator(".msg.out.staff").wait_for()
    await colleague.click("#history summary")
    history = colleague.locator("#history")
    for action in ("takeover", "note", "staff_reply"):
        await history.locator(f"li[data-action='{action}']").wait_for()
    text = await history.inner_text()
    assert "Staff (marta) · took over" in text
    assert "added a note" in text
    await chromium.shot(colleague, "desk-notes-history")
