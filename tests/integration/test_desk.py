"""The front desk API on a real socket: logins, roles, CSRF, throttling, take over / hand back,
staff replies, bookings, the hotel's answers, privacy."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from hotelbox.config import Settings
from hotelbox.daemon import Box
from hotelbox.messages import Inbound
from hotelbox.web.app import make_app
from hotelbox.web.auth import PUBLIC, add_user, hash_password
from tests.support import RecordingChannel, wait_for

PASSWORD = "correct-horse-battery"
DESK_JS = Path(__file__).resolve().parents[2] / "hotelbox/web/static/desk.js"


@dataclass
class Desk:
    url: str
    box: Box
    app: web.Application
    channel: RecordingChannel

    async def session(self, name: str) -> tuple[aiohttp.ClientSession, str]:
        http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        async with http.post(f"{self.url}/desk/api/login", json={"name": name, "password": PASSWORD}) as r:
            assert r.status == 200, await r.text()
            me = await r.json()
        return http, me["csrf"]

    async def guest_says(self, address: str, text: str, n: int) -> int:
        accepted = await self.box.pipeline.accept(
            Inbound(
                channel="test", channel_message_id=f"{address}-{n}", sender=address, text=text, phone=address
            )
        )
        await self.box.settle(accepted.conversation_id)
        return accepted.conversation_id


@pytest.fixture
async def desk(settings: Settings) -> AsyncIterator[Desk]:
    channel = RecordingChannel()
    async with Box(settings, {"test": channel}) as box:
        await box.store.write(lambda c: add_user(c, "ana", "admin", hash_password(PASSWORD), "es"))
        await box.store.write(lambda c: add_user(c, "leo", "frontdesk", hash_password(PASSWORD), "en"))
        app = make_app(box)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        yield Desk(f"http://127.0.0.1:{port}", box, app, channel)
        await runner.cleanup()


def example_path(pattern: str) -> str:
    values = {"id": "1", "message_id": "1", "lang": "es", "topic": "wifi", "name": "x.js"}
    return re.sub(r"\{(\w+)(?::[^}]*)?\}", lambda m: values[m.group(1)], pattern)


async def test_every_route_without_a_session_is_refused(desk: Desk) -> None:
    checked = 0
    async with aiohttp.ClientSession() as http:
        for route in desk.app.router.routes():
            role = getattr(route.handler, "hotelbox_role", "undeclared")
            assert role != "undeclared", route  # every route says who may use it
            if role == PUBLIC:
                continue
            path = example_path(route.resource.canonical)  # type: ignore[union-attr]
            async with http.request(route.method, desk.url + path, allow_redirects=False) as r:
                if path.startswith("/desk/api") or path == "/desk/ws":
                    assert r.status == 401, (route.method, path, r.status)
                else:
                    assert (r.status, r.headers.get("Location")) == (302, "/login"), (route.method, path)
            checked += 1
    assert checked >= 20


async def test_login_sets_a_safe_cookie_and_csrf_guards_every_change(desk: Desk) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.post(f"{desk.url}/desk/api/login", json={"name": "ana", "password": PASSWORD}) as r:
            assert r.status == 200
            cookie = r.headers["Set-Cookie"]
            csrf = (await r.json())["csrf"]
        assert "HttpOnly" in cookie
        assert "SameSite=Strict" in cookie
        assert "Path=/" in cookie
        cid = await desk.guest_says("+34600200001", "hola", 1)
        async with http.post(f"{desk.url}/desk/api/conversations/{cid}/takeover") as r:
            assert (r.status, (await r.json())["error"]) == (403, "csrf")
        async with http.post(
            f"{desk.url}/desk/api/conversations/{cid}/takeover", headers={"X-CSRF-Token": "wrong"}
        ) as r:
            assert r.status == 403
        async with http.post(
            f"{desk.url}/desk/api/conversations/{cid}/takeover", headers={"X-CSRF-Token": csrf}
        ) as r:
            assert r.status == 200
        async with http.post(f"{desk.url}/desk/api/logout", headers={"X-CSRF-Token": csrf}) as r:
            assert r.status == 200
        async with http.get(f"{desk.url}/desk/api/me") as r:
            assert r.status == 401
    async with (
        aiohttp.ClientSession() as http,  # a login from another site is refused
        http.post(
            f"{desk.url}/desk/api/login",
            json={"name": "ana", "password": PASSWORD},
            headers={"Origin": "https://evil.example"},
        ) as r,
    ):
        assert r.status == 400


async def test_five_wrong_passwords_slow_the_next_attempts_down(desk: Desk) -> None:
    async with aiohttp.ClientSession() as http:
        statuses = []
        for _ in range(7):
            async with http.post(
                f"{desk.url}/desk/api/login", json={"name": "leo", "password": "nope nope nope"}
            ) as r:
                statuses.append(r.status)
                retry_after = r.headers.get("Retry-After")
        assert statuses[:5] == [401] * 5
        assert 429 in statuses[5:]
        assert retry_after is not None
        # even the right password waits its turn
        async with http.post(f"{desk.url}/desk/api/login", json={"name": "leo", "password": PASSWORD}) as r:
            assert r.status == 429
        async with http.post(
            f"{desk.url}/desk/api/login", json={"name": "nobody", "password": "whatever123"}
        ) as r:
            assert r.status in (401, 429)


async def test_front_desk_users_cannot_reach_admin_actions(desk: Desk) -> None:
    cid = await desk.guest_says("+34600200002", "hola", 1)
    detail = await desk.box.store.fetchone("SELECT guest_id FROM conversations WHERE id = ?", (cid,))
    assert detail is not None
    http, csrf = await desk.session("leo")
    async with http:
        async with http.get(f"{desk.url}/desk/api/users") as r:
            assert r.status == 403
        async with http.post(
            f"{desk.url}/desk/api/guests/{detail['guest_id']}/erase", headers={"X-CSRF-Token": csrf}
        ) as r:
            assert r.status == 403
        async with http.get(f"{desk.url}/desk/api/conversations") as r:
            assert r.status == 200
    http, _ = await desk.session("ana")
    async with http, http.get(f"{desk.url}/desk/api/users") as r:
        assert r.status == 200
        assert {u["name"] for u in (await r.json())["users"]} == {"ana", "leo"}


async def test_take_over_reply_and_hand_back(desk: Desk) -> None:
    address = "+34600200003"
    cid = await desk.guest_says(address, "hola", 1)
    http, csrf = await desk.session("leo")
    h = {"X-CSRF-Token": csrf}
    async with http:
        async with http.post(f"{desk.url}/desk/api/conversations/{cid}/takeover", headers=h) as r:
            assert r.status == 200
        before = len(desk.channel.replies(address))
        await desk.guest_says(address, "¿tenéis parking?", 2)
        assert len(desk.channel.replies(address)) == before  # the bot is silent
        async with http.post(
            f"{desk.url}/desk/api/conversations/{cid}/reply",
            headers=h,
            json={"text": "Sí, tenemos parking <b>gratis</b>", "lang": "es"},
        ) as r:
            assert r.status == 201
        await wait_for(lambda: len(desk.channel.replies(address)) == before + 1, 10)
        assert desk.channel.replies(address)[-1].text == "Sí, tenemos parking <b>gratis</b>"
        async with http.get(f"{desk.url}/desk/api/conversations/{cid}") as r:
            detail = await r.json()
        assert detail["control"] == "staff"
        authors = [m["author"] for m in detail["messages"]]
        assert "staff:leo" in authors
        assert [a["action"] for a in detail["audit"]] == ["takeover", "staff_reply"]
        async with http.post(f"{desk.url}/desk/api/conversations/{cid}/handback", headers=h) as r:
            assert r.status == 200
        await desk.guest_says(address, "¿a qué hora es el desayuno?", 3)
        assert "desayuno" in desk.channel.replies(address)[-1].text.lower()


async def test_take_over_while_the_bot_is_thinking_sends_nothing(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Atomic: staff take over between the bot's understanding and its commit → no bot reply."""
    address = "+34600200004"
    cid = await desk.guest_says(address, "hola", 1)
    http, csrf = await desk.session("ana")
    gate = asyncio.Event()
    original = desk.box.dialogue.respond

    async def slow_respond(*args: Any, **kwargs: Any) -> Any:
        await gate.wait()
        return await original(*args, **kwargs)

    monkeypatch.setattr(desk.box.dialogue, "respond", slow_respond)
    before = len(desk.channel.replies(address))
    await desk.box.pipeline.accept(
        Inbound(
            channel="test",
            channel_message_id=f"{address}-2",
            sender=address,
            text="¿hay wifi?",
            phone=address,
        )
    )
    async with (
        http,
        http.post(f"{desk.url}/desk/api/conversations/{cid}/takeover", headers={"X-CSRF-Token": csrf}) as r,
    ):
        assert r.status == 200
    gate.set()
    await desk.box.settle(cid)
    assert len(desk.channel.replies(address)) == before


async def test_html_in_guest_messages_is_data(desk: Desk) -> None:
    cid = await desk.guest_says("+34600200005", '<script>alert("x")</script><img src=x onerror=alert(1)>', 1)
    http, _ = await desk.session("ana")
    async with http, http.get(f"{desk.url}/desk/api/conversations/{cid}") as r:
        assert r.headers["Content-Type"].startswith("application/json")
        detail = await r.json()
    assert detail["messages"][0]["text"].startswith("<script>")  # kept verbatim; the page uses textContent
    script = await asyncio.to_thread(DESK_JS.read_text)
    for sink in (".innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script


async def test_edited_answers_are_what_the_bot_says_and_survive_a_restart(
    desk: Desk, settings: Settings
) -> None:
    http, csrf = await desk.session("leo")
    new = "El wifi es «Miramar-Free», sin contraseña, en todo el hotel."
    async with http:
        async with http.post(
            f"{desk.url}/desk/api/knowledge/preview",
            headers={"X-CSRF-Token": csrf},
            json={
                "question": "¿cuál es la contraseña del wifi?",
                "lang": "es",
                "topic": "wifi",
                "draft": new,
            },
        ) as r:
            preview = await r.json()
        assert preview["topic"] == "wifi"
        assert preview["answer"] == new
        async with http.put(
            f"{desk.url}/desk/api/knowledge/es/wifi", headers={"X-CSRF-Token": csrf}, json={"text": new}
        ) as r:
            assert r.status == 200
        async with http.put(
            f"{desk.url}/desk/api/knowledge/es/nonsense", headers={"X-CSRF-Token": csrf}, json={"text": "x"}
        ) as r:
            assert r.status == 404
    await desk.guest_says("+34600200006", "¿hay wifi?", 1)
    assert desk.channel.replies("+34600200006")[-1].text == new
    async with Box(settings, {"test": RecordingChannel()}) as again:
        assert again.dialogue.knowledge.answer("es", "wifi") == new


async def test_a_failed_booking_shows_up_and_can_be_retried(desk: Desk) -> None:
    from datetime import timedelta

    from tests.helpers import say_date
    from tests.support import hotel_today

    day = hotel_today() + timedelta(days=30)
    address = "+34600200007"
    cid = await desk.guest_says(
        address,
        f"quiero reservar una doble del {say_date(day, 'es')} al {say_date(day + timedelta(days=2), 'es')} para 2 adultos, "
        "soy Ana Ruiz, ana@example.com",
        1,
    )
    # the PMS refuses the write (as QloApps does when it errors): the booking fails for good
    pms = desk.box.pms
    original = pms.create_booking

    async def broken(*args: Any, **kwargs: Any) -> Any:
        from hotelbox.errors import BookingRejected

        raise BookingRejected("simulated PMS refusal")

    pms.create_booking = broken  # type: ignore[method-assign]
    await desk.guest_says(address, "sí", 2)
    http, csrf = await desk.session("leo")
    async with http:
        async with http.get(f"{desk.url}/desk/api/bookings?filter=problems") as r:
            problems = (await r.json())["bookings"]
        assert [b["status"] for b in problems] == ["failed"]
        assert problems[0]["needs_action"]
        assert problems[0]["conversation_id"] == cid
        async with http.get(f"{desk.url}/desk/api/conversations?filter=attention") as r:
            assert cid in [c["id"] for c in (await r.json())["conversations"]]  # needs attention
        assert "refusal" in problems[0]["last_error"]
        pms.create_booking = original  # type: ignore[method-assign]
        async with http.post(
            f"{desk.url}/desk/api/bookings/{problems[0]['id']}/retry", headers={"X-CSRF-Token": csrf}
        ) as r:
            assert r.status == 200

        async def confirmed() -> bool:
            row = await desk.box.store.fetchone(
                "SELECT status FROM bookings WHERE id = ?", (problems[0]["id"],)
            )
            return row is not None and row["status"] == "confirmed"

        await wait_for(confirmed, 20)
        async with http.post(
            f"{desk.url}/desk/api/bookings/{problems[0]['id']}/handled", headers={"X-CSRF-Token": csrf}
        ) as r:
            assert r.status == 200
        async with http.get(f"{desk.url}/desk/api/bookings?filter=problems") as r:
            assert (await r.json())["bookings"] == []


async def test_erasing_a_guest_keeps_only_an_anonymous_booking(desk: Desk, tmp_path: Path) -> None:
    from datetime import timedelta

    from tests.helpers import say_date
    from tests.support import hotel_today

    address = "+34600200008"
    audio = desk.box.settings.media_dir / "in" / "guest-note.ogg"
    audio.parent.mkdir(parents=True, exist_ok=True)
    audio.write_bytes(b"OggS fake voice note")
    await desk.box.pipeline.accept(
        Inbound(
            channel="test",
            channel_message_id="note-1",
            sender=address,
            kind="audio",
            phone=address,
            payload={"media": {"path": str(audio)}},
        )
    )
    day = hotel_today() + timedelta(days=35)
    cid = await desk.guest_says(
        address,
        f"reserva una doble del {say_date(day, 'es')} al {say_date(day + timedelta(days=1), 'es')} para 2, soy Eva Sol, eva@example.com",
        2,
    )
    await desk.guest_says(address, "sí", 3)
    row = await desk.box.store.fetchone("SELECT guest_id FROM conversations WHERE id = ?", (cid,))
    assert row is not None
    http, csrf = await desk.session("ana")
    async with (
        http,
        http.post(f"{desk.url}/desk/api/guests/{row['guest_id']}/erase", headers={"X-CSRF-Token": csrf}) as r,
    ):
        assert r.status == 200
    assert not audio.exists()
    for table in ("conversations", "messages", "guest_identities", "inbox", "outbox", "media"):
        left = await desk.box.store.fetchone(f"SELECT count(*) AS n FROM {table}")
        assert left is not None
        assert left["n"] == 0, table
    booking = await desk.box.store.fetchone("SELECT * FROM bookings")
    assert booking is not None
    assert booking["pms_reference"]
    assert booking["status"] == "confirmed"
    assert (booking["guest_name"], booking["email"], booking["phone"], booking["guest_id"]) == (
        None,
        None,
        None,
        None,
    )
    guest = await desk.box.store.fetchone("SELECT name, email, phone, erased_at FROM guests")
    assert guest is not None
    assert guest["erased_at"]
    assert guest["phone"] is None
    dump = json.dumps([dict(r) for r in await desk.box.store.fetchall("SELECT * FROM audit_log")])
    assert "Eva" not in dump
    assert address not in dump


async def test_retention_removes_old_audio_and_texts(desk: Desk) -> None:
    address = "+34600200009"
    audio = desk.box.settings.media_dir / "in" / f"{uuid.uuid4().hex}.ogg"
    audio.parent.mkdir(parents=True, exist_ok=True)
    audio.write_bytes(b"OggS old voice note")
    await desk.box.pipeline.accept(
        Inbound(
            channel="test",
            channel_message_id="old-1",
            sender=address,
            kind="audio",
            phone=address,
            payload={"media": {"path": str(audio)}},
        )
    )
    await desk.guest_says(address, "hola", 2)
    await desk.box.store.write(
        lambda c: c.execute("UPDATE media SET created_at = '2020-01-01T00:00:00.000+00:00'")
    )
    await desk.box.store.write(
        lambda c: c.execute("UPDATE messages SET created_at = '2020-01-01T00:00:00.000+00:00'")
    )
    counts = await desk.box.maintenance.enforce()
    assert counts["media"] == 1
    assert counts["files"] == 1
    assert counts["messages"] >= 2
    assert not audio.exists()
    texts = await desk.box.store.fetchall("SELECT text FROM messages")
    assert all(r["text"] is None for r in texts)


async def test_staff_see_a_phone_guests_number_even_when_a_name_is_shown(desk: Desk) -> None:
    """Issue 18.4: the list and the header carry how to reach the guest, not only a name."""
    phone = "+34600400501"
    accepted = await desk.box.pipeline.accept(
        Inbound(channel="test", channel_message_id="n-1", sender=phone, text="hola", phone=phone,
                display_name="Pilar")
    )  # fmt: skip
    await desk.box.settle(accepted.conversation_id)
    http, _ = await desk.session("leo")
    async with http:
        async with http.get(f"{desk.url}/desk/api/conversations") as r:
            [listed] = (await r.json())["conversations"]
        async with http.get(f"{desk.url}/desk/api/conversations/{listed['id']}") as r:
            detail = await r.json()
    assert (listed["guest"], listed["address"], listed["bounced_address"]) == ("Pilar", phone, None)
    assert detail["address"] == phone
