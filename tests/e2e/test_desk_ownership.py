"""Issue 17, point 8: whoever holds a conversation is named, and a colleague is asked before taking
it (the box refuses a silent take-over with 409). Two receptionists in Chromium, both sizes."""

from __future__ import annotations

from tests.e2e.deskpage import Browser, Stage, chromium, login, open_conversation, stage, wait_for

__all__ = ["chromium", "stage"]  # fixtures


async def test_a_colleague_is_asked_before_taking_over(stage: Stage, chromium: Browser) -> None:
    a = await stage.guest("+34600380001", "quiero hablar con una persona")
    marta, pedro = await chromium.tab(), await chromium.tab()
    await login(marta, stage.url, "marta")
    await login(pedro, stage.url, "pedro")
    await open_conversation(marta, a)
    await marta.click("#takeover")
    await marta.locator("#holder.mine").wait_for()
    await open_conversation(pedro, a)
    await pedro.locator("#holder", has_text="marta").wait_for()
    await chromium.shot(pedro, "desk-held-by-colleague")

    asked: list[str] = []

    async def no(dialog: object) -> None:
        asked.append(dialog.message)  # type: ignore[attr-defined]
        await dialog.dismiss()  # type: ignore[attr-defined]

    pedro.once("dialog", no)
    await pedro.click("#takeover")
    await wait_for(lambda: asked, 10)
    assert "marta" in asked[0]
    row = await stage.box.store.fetchone("SELECT held_by FROM conversations WHERE id = ?", (a,))
    assert row["held_by"] == "staff:marta"
    # the API itself refuses a take-over that did not ask
    status = await pedro.evaluate(
        """async (id) => {
            const me = await (await fetch('/desk/api/me')).json();
            const r = await fetch(`/desk/api/conversations/${id}/takeover`, {method: 'POST',
              headers: {'X-CSRF-Token': me.csrf, 'Content-Type': 'application/json'}, body: '{}'});
            return r.status;
        }""",
        a,
    )
    assert status == 409

    pedro.once("dialog", lambda d: d.accept())
    await pedro.click("#takeover")
    await pedro.locator("#holder.mine").wait_for()
    await marta.locator("#holder", has_text="pedro").wait_for()  # marta sees it live
    row = await stage.box.store.fetchone("SELECT held_by FROM conversations WHERE id = ?", (a,))
    assert row["held_by"] == "staff:pedro"
