"""The front desk's working day through its API on a real socket (issue 17): answers kept in step
across languages, resolving, private notes, search, the action history, canned replies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from hotelbox.config import Settings
from hotelbox.daemon import Box
from hotelbox.messages import Inbound
from hotelbox.web.app import make_app
from hotelbox.web.auth import add_user, hash_password
from tests.conftest import RecordingChannel

PASSWORD = "correct-horse-battery"


class Desk:
    def __init__(self, url: str, box: Box) -> None:
        self.url, self.box, self.n = url, box, 0

    async def login(self, name: str) -> Staff:
        http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        async with http.post(f"{self.url}/desk/api/login", json={"name": name, "password": PASSWORD}) as r:
            assert r.status == 200, await r.text()
            csrf = (await r.json())["csrf"]
        return Staff(self.url, http, csrf)

    async def guest(self, address: str, text: str) -> int:
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
        await self.box.settle(accepted.conversation_id)
        return accepted.conversation_id


class Staff:
    def __init__(self, url: str, http: aiohttp.ClientSession, csrf: str) -> None:
        self.url, self.http, self.csrf = url, http, csrf

    async def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"X-CSRF-Token": self.csrf}
        async with self.http.request(method, f"{self.url}{path}", json=body, headers=headers) as r:
            return r.status, await r.json()


@pytest.fixture
async def desk(settings: Settings) -> AsyncIterator[Desk]:
    async with Box(settings, {"test": RecordingChannel()}) as box:
        for name, role in (("ana", "admin"), ("leo", "frontdesk")):
            await box.store.write(lambda c, n=name, r=role: add_user(c, n, r, hash_password(PASSWORD), "es"))
        runner = web.AppRunner(make_app(box))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        yield Desk(f"http://127.0.0.1:{runner.addresses[0][1]}", box)
        await runner.cleanup()


async def test_an_answer_edited_in_one_language_flags_the_others_until_they_follow(desk: Desk) -> None:
    leo = await desk.login("leo")

    async def save(lang: str, text: str) -> dict[str, Any]:
        status, _ = await leo.call("PUT", f"/desk/api/knowledge/{lang}/wifi", {"text": text})
        assert status == 200
        status, data = await leo.call("GET", "/desk/api/knowledge")
        assert status == 200
        return dict(data["followups"])

    async with leo.http:
        assert (await leo.call("GET", "/desk/api/knowledge"))[1]["followups"] == {}
        followups = await save("es", "Wifi «Mar», sin clave.")
        assert set(followups) == {"en", "pt"}
        assert followups["en"]["wifi"]["from"] == "es"
        assert followups["en"]["wifi"]["since"]
        # bringing English up to date clears English only and flags nobody else
        assert await save("en", "Wi-Fi «Mar», no password.") == {"pt": followups["pt"]}
        # a fresh edit (of a language that was up to date) flags the others again
        followups = await save("en", "Wi-Fi «Mar», open.")
        assert {lang: f["wifi"]["from"] for lang, f in followups.items()} == {"es": "en", "pt": "en"}
