"""Issue 17, point 10: the hotel's answers with plain topic names and the three languages side by
side; a language edited after the others leaves them marked as not updated (also after a reload)
until they are saved too. Chromium, both sizes."""

from __future__ import annotations

from tests.e2e.deskpage import Browser, Stage, chromium, login, stage

__all__ = ["chromium", "stage"]  # fixtures


async def test_editing_one_language_flags_the_others(stage: Stage, chromium: Browser) -> None:
    page = await chromium.tab("es-ES")
    await login(page, stage.url, "ana")
    await page.click("nav a[href='#knowledge']")
    parking = page.locator(".answer[data-topic='parking']")
    await parking.locator("h3", has_text="Aparcamiento").wait_for()
    for lang in ("es", "en", "pt"):
        assert await parking.locator(f"textarea[data-lang='{lang}']").input_value()
    for name in await page.locator(".answer h3").all_inner_texts():  # plain names, never codes
        assert "_" not in name
        assert name.strip()
    await parking.locator("textarea[data-lang='es']").fill("Parking gratuito en el sótano, 20 plazas.")
    await parking.locator("button.save[data-lang='es']").click()
    await parking.locator(".answer-cell[data-lang='en'] .stale").wait_for()
    await parking.locator(".answer-cell[data-lang='pt'] .stale", has_text="ES").wait_for()
    assert await parking.locator(".answer-cell[data-lang='es'] .stale").count() == 0
    await chromium.shot(page, "desk-answers")
    await page.reload()
    await page.locator(".answer[data-topic='parking'] .answer-cell[data-lang='en'] .stale").wait_for()
    for lang in ("en", "pt"):
        await parking.locator(f"button.save[data-lang='{lang}']").click()
        await parking.locator(f".answer-cell[data-lang='{lang}'] .stale").wait_for(state="detached")
    # bringing a language up to date does not flag the others again
    assert await parking.locator(".stale").count() == 0
    await page.reload()
    await page.locator(".answer[data-topic='parking'] textarea[data-lang='pt']").wait_for()
    assert await page.locator(".stale").count() == 0
