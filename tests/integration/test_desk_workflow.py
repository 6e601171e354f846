"""The front desk's working day through its API on a real socket (issue 17): answers kept in step
across languages, resolving, private notes, search, the action history, canned replies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web

from hotelbox.config import Settings
from hotelbox.daemon import Box
from hotelbox.messages import Inbound
from hotelbox.web.app import make_app
from hotelbox.web.auth import add_user, hash_password
from tests.support import RecordingChannel

PASSWORD = "correct-horse-battery"


class Desk:
    def __init__(self, url: str, box: Box, channel: RecordingChannel) -> None:
        self.url, self.box, self.channel, self.n = url, box, channel, 0

    async def login(self, name: str, password: str = PASSWORD) -> Staff:
        http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        async with http.post(f"{self.url}/desk/api/login", json={"name": name, "password": password}) as r:
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
    channel = RecordingChannel()
    async with Box(settings, {"test": channel}) as box:
        for name, role in (("ana", "admin"), ("leo", "frontdesk")):
            await box.store.write(lambda c, n=name, r=role: add_user(c, n, r, hash_password(PASSWORD), "es"))
        runner = web.AppRunner(make_app(box))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        yield Desk(f"http://127.0.0.1:{runner.addresses[0][1]}", box, channel)
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


async def test_resolve_notes_search_and_alerts_through_the_api(desk: Desk) -> None:
    a = await desk.guest("+34600396001", "quiero hablar con una persona")
    b = await desk.guest("+34600396002", "¿a qué hora es el desayuno?")  # answered by the bot: no alert
    leo = await desk.login("leo")
    async with leo.http:
        status, alerts = await leo.call("GET", "/desk/api/alerts")
        assert status == 200
        assert [(x["kind"], x["conversation_id"]) for x in alerts["alerts"]] == [("handoff", a)]
        assert alerts["counts"] == {"attention": 1, "mine": 0}
        # search: text, phone digits, nothing; hostile terms are just text
        for q, ids in (("desayuno", [b]), ("396001", [a]), ("%", []), ("_", []), ("' OR 1=1 --", [])):
            status, found = await leo.call("GET", "/desk/api/conversations?" + urlencode({"q": q}))
            assert status == 200
            assert [c["id"] for c in found["conversations"]] == ids, q
        assert (await leo.call("GET", "/desk/api/conversations?q=" + "x" * 201))[0] == 400
        assert (await leo.call("GET", "/desk/api/conversations?filter=nonsense"))[0] == 400
        # attention first, then newest
        listed = (await leo.call("GET", "/desk/api/conversations"))[1]["conversations"]
        assert [c["id"] for c in listed] == [a, b]
        assert listed[0]["waiting_since"]
        assert listed[1]["waiting_since"] is None
        # notes: refused when empty or too long, never sent to the guest
        assert (await leo.call("POST", f"/desk/api/conversations/{a}/notes", {"text": " "}))[0] == 400
        assert (await leo.call("POST", f"/desk/api/conversations/{a}/notes", {"text": "x" * 2001}))[0] == 400
        assert (await leo.call("POST", f"/desk/api/conversations/{a}/notes", ["x"]))[0] == 400
        assert (await leo.call("POST", "/desk/api/conversations/99999/notes", {"text": "x"}))[0] == 404
        assert (await leo.call("POST", f"/desk/api/conversations/{a}/notes", {"text": "VIP <b>guest</b>"}))[
            0
        ] == 201
        status, detail = await leo.call("GET", f"/desk/api/conversations/{a}")
        assert [n["text"] for n in detail["notes"]] == ["VIP <b>guest</b>"]
        assert detail["notes"][0]["author"] == "staff:leo"
        # resolve: attention gone, the bot stays quiet, leo holds it
        assert (await leo.call("POST", f"/desk/api/conversations/{a}/resolve"))[0] == 200
        assert (await leo.call("POST", "/desk/api/conversations/99999/resolve"))[0] == 404
        row = await desk.box.store.fetchone(
            "SELECT control, attention, held_by FROM conversations WHERE id = ?", (a,)
        )
        assert (row["control"], row["attention"], row["held_by"]) == ("staff", None, "staff:leo")
        status, alerts = await leo.call("GET", "/desk/api/alerts")
        assert alerts["alerts"] == []
        assert alerts["counts"] == {"attention": 0, "mine": 1}
        mine = (await leo.call("GET", "/desk/api/conversations?filter=mine"))[1]["conversations"]
        assert [c["id"] for c in mine] == [a]
        actions = [x["action"] for x in (await leo.call("GET", f"/desk/api/conversations/{a}"))[1]["audit"]]
        assert actions == ["handoff", "note", "resolve"]
        # the guest writes again: news for the holder
        await desk.guest("+34600396001", "¿hola?")
        alerts = (await leo.call("GET", "/desk/api/alerts"))[1]["alerts"]
        assert [(x["kind"], x["held_by"]) for x in alerts] == [("guest_wrote", "staff:leo")]
    assert all("VIP" not in (r.text or "") for r in desk.channel.replies("+34600396001"))  # notes stay inside


async def test_canned_replies_and_accounts_are_for_admins(desk: Desk) -> None:
    leo, ana = await desk.login("leo"), await desk.login("ana")
    async with leo.http, ana.http:
        assert (await leo.call("PUT", "/desk/api/canned/es", {"lines": ["hola"]}))[0] == 403
        assert (
            await leo.call("POST", "/desk/api/users", {"name": "x", "password": "p" * 12, "role": "admin"})
        )[0] == 403
        assert (await ana.call("PUT", "/desk/api/canned/xx", {"lines": ["hola"]}))[0] == 404
        for bad in ({"lines": "hola"}, {"lines": [1]}, {"lines": ["x" * 1001]}, {"lines": ["x"] * 51}):
            assert (await ana.call("PUT", "/desk/api/canned/es", bad))[0] == 400, bad
        status, saved = await ana.call("PUT", "/desk/api/canned/es", {"lines": [" Hola ", "", "Adiós"]})
        assert status == 200
        assert saved["lines"] == ["Hola", "Adiós"]
        canned = (await leo.call("GET", "/desk/api/canned"))[1]
        assert canned["es"] == ["Hola", "Adiós"]
        assert canned["en"]  # the shipped ones where nobody edited
        for bad in (
            {"name": "", "password": "p" * 12, "role": "frontdesk"},
            {"name": "../x", "password": "p" * 12, "role": "frontdesk"},
            {"name": "eva", "password": "short", "role": "frontdesk"},
            {"name": "eva", "password": "p" * 12, "role": "root"},
            {"name": "leo", "password": "p" * 12, "role": "frontdesk"},  # taken
        ):
            assert (await ana.call("POST", "/desk/api/users", bad))[0] == 400, bad
        assert (
            await ana.call(
                "POST", "/desk/api/users", {"name": "eva", "password": "p" * 12, "role": "frontdesk"}
            )
        )[0] == 201
        assert (await ana.call("PUT", "/desk/api/users/ana", {"disabled": True}))[0] == 400  # not oneself
        assert (await ana.call("PUT", "/desk/api/users/nobody", {"disabled": True}))[0] == 404
        assert (await ana.call("PUT", "/desk/api/users/leo", {}))[0] == 400
        assert (await ana.call("PUT", "/desk/api/users/leo", {"disabled": True}))[0] == 200
        assert (await leo.call("GET", "/desk/api/me"))[0] == 401  # leo's session ended
    eva = await desk.login("eva", "p" * 12)
    async with eva.http:
        assert (await eva.call("GET", "/desk/api/me"))[1]["role"] == "frontdesk"


async def test_private_notes_go_with_the_texts_at_retention(desk: Desk) -> None:
    a = await desk.guest("+34600397001", "quiero hablar con una persona")
    leo = await desk.login("leo")
    async with leo.http:
        for text in ("old: the guest's allergy", "new: room 12"):
            assert (await leo.call("POST", f"/desk/api/conversations/{a}/notes", {"text": text}))[0] == 201
    await desk.box.store.write(
        lambda c: c.execute(
            "UPDATE desk_notes SET created_at = '2020-01-01T00:00:00.000+00:00' WHERE text LIKE 'old%'"
        )
    )
    counts = await desk.box.maintenance.enforce()
    assert counts["notes"] == 1
    left = await desk.box.store.fetchall("SELECT text FROM desk_notes")
    assert [r["text"] for r in left] == ["new: room 12"]
