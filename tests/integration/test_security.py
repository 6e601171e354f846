"""The security review's findings (issue 13), each replayed against the running box on a real
socket the way an attacker would: a stranger on the web chat, a guest who sends files, a
flood of logins or posts, malformed requests, a cross-site WebSocket."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest
from aiohttp import web

from hotelbox.channels.webchat import WebChatChannel
from hotelbox.config import Settings
from hotelbox.daemon import Box
from hotelbox.live_updates import LiveUpdates
from hotelbox.messages import Inbound
from hotelbox.relay.protocol import new_key
from hotelbox.relay.server import running_relay
from hotelbox.store import conversations
from hotelbox.web.app import LIMITS, make_app
from hotelbox.web.auth import add_user, hash_password
from tests.fakes.graph import message_body, sha256_b64
from tests.fakes.mailserver import PASSWORD as MAILBOX_PASSWORD
from tests.fakes.mailserver import USER as MAILBOX
from tests.fakes.mailserver import Dovecot, SmtpServer, guest_mail
from tests.integration.wa_rig import Rig, relay_settings, started_box
from tests.support import Guest, RecordingChannel, hotel_today, wait_for

PASSWORD = "correct-horse-battery"
MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def say_date(d: date) -> str:
    return f"{MONTHS_EN[d.month - 1]} {d.day}"


@dataclass
class Site:
    url: str
    box: Box
    app: web.Application
    channel: RecordingChannel

    async def login(self, name: str, **headers: str) -> tuple[aiohttp.ClientSession, str]:
        http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        async with http.post(
            f"{self.url}/desk/api/login", json={"name": name, "password": PASSWORD}, headers=headers
        ) as r:
            assert r.status == 200, await r.text()
            me = await r.json()
        return http, me["csrf"]

    async def try_says(self, http: aiohttp.ClientSession, session: str, text: str, **extra: Any) -> list[str]:
        """What a stranger's browser posts to the try-it chat, and the bot's answers to it."""
        async with http.get(f"{self.url}/try/api/messages", params={"session": session}) as r:
            before = len((await r.json())["messages"])
        body = {"session": session, "client_id": uuid.uuid4().hex, "text": text, "lang": "en", **extra}
        async with http.post(f"{self.url}/try/api/messages", json=body) as r:
            assert r.status == 202, await r.text()
            conversation_id = (await r.json())["conversation_id"]
        await self.box.settle(conversation_id)
        async with http.get(f"{self.url}/try/api/messages", params={"session": session}) as r:
            messages = (await r.json())["messages"][before:]
        return [m["text"] for m in messages if m["direction"] == "out"]


async def start_site(settings: Settings) -> tuple[Site, web.AppRunner, Box]:
    live = LiveUpdates()
    channel = RecordingChannel()
    box = Box(settings, {"test": channel, "webchat": WebChatChannel(live)}, live)
    await box.__aenter__()
    await box.store.write(lambda c: add_user(c, "ana", "admin", hash_password(PASSWORD), "es"))
    await box.store.write(lambda c: add_user(c, "leo", "frontdesk", hash_password(PASSWORD), "en"))
    app = make_app(box)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return Site(f"http://127.0.0.1:{port}", box, app, channel), runner, box


@pytest.fixture
async def site(settings: Settings) -> AsyncIterator[Site]:
    running, runner, box = await start_site(settings)
    try:
        yield running
    finally:
        await runner.cleanup()
        await box.__aexit__(None, None, None)


# -- finding 1: the web chat is anonymous ------------------------------------------------------------
async def test_a_web_chat_stranger_with_a_whatsapp_guests_number_cannot_see_or_cancel_the_booking(
    site: Site,
) -> None:
    phone = "+34600123456"
    owner = Guest(site.box, site.channel, phone, phone)  # WhatsApp vouches for this number
    ci = hotel_today() + timedelta(days=70)
    co = ci + timedelta(days=2)
    await owner.says(
        f"I want to book the suite from {say_date(ci)} to {say_date(co)}, 2 adults, "
        "my name is Peter Brown, peter.brown@example.com"
    )
    [confirmed] = await owner.says("yes")
    ref = confirmed.text.split("reference is ")[1].split(".")[0]

    session = uuid.uuid4().hex
    async with aiohttp.ClientSession() as http:
        seen = await site.try_says(http, session, "I want to cancel my reservation", phone=phone)
        seen += await site.try_says(http, session, "yes", phone=phone)
        seen += await site.try_says(http, session, "what is the status of my booking?", phone=phone)
    assert seen, "the stranger got no answer at all"
    assert not any(ref in text for text in seen), seen
    assert not any("Peter" in text or "suite" in text.lower() for text in seen), seen
    assert (await site.box.pms.get_booking(ref)).status == "confirmed"
    conversation_id = await site.box.store.read(lambda c: conversations.find(c, "webchat", session))
    row = await site.box.store.fetchone(
        "SELECT i.phone AS identity_phone, g.phone AS guest_phone FROM conversations c"
        " JOIN guest_identities i ON i.id = c.identity_id JOIN guests g ON g.id = c.guest_id WHERE c.id = ?",
        (conversation_id,),
    )
    assert row is not None
    assert (row["identity_phone"], row["guest_phone"]) == (None, None)  # a typed number is no identity


@pytest.mark.parametrize("pms_kind", ["qloapps"])
async def test_the_try_page_is_off_by_default_with_a_real_pms(site: Site, settings: Settings) -> None:
    async with aiohttp.ClientSession() as http:
        for method, path in [("GET", "/try"), ("POST", "/try/api/messages"), ("GET", "/try/ws")]:
            async with http.request(
                method, f"{site.url}{path}", json={"session": "a" * 20, "text": "hi"}
            ) as r:
                assert r.status == 404, (path, r.status)
                body = await r.json()
                assert body["error"] == "try_page_off"
                assert "web.try_page" in body["message"]
    row = await site.box.store.fetchone("SELECT count(*) AS n FROM inbox")
    assert row is not None
    assert row["n"] == 0
    from hotelbox.web.app import try_page_mode

    assert try_page_mode(settings) == "off"
    demo = settings.model_copy(update={"pms": settings.pms.model_copy(update={"kind": "demo"})})
    assert try_page_mode(demo) == "public"  # make run: anyone may try the demo hotel
    opened = settings.model_copy(update={"web": settings.web.model_copy(update={"try_page": "public"})})
    assert try_page_mode(opened) == "public"  # a real hotel that opens it on purpose


# -- finding 2: guest files never run as the desk ----------------------------------------------------
async def guest_sends_file(site: Site, address: str, n: int, data: bytes, mime: str, suffix: str) -> int:
    """A guest's document or media as the WhatsApp intake stores it once downloaded."""
    path = site.box.settings.media_dir / "in" / f"{uuid.uuid4().hex}{suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    accepted = await site.box.pipeline.accept(
        Inbound(
            channel="test",
            channel_message_id=f"{address}-file-{n}",
            sender=address,
            kind="document",
            phone=address,
            payload={"media": {"path": str(path), "mime_type": mime, "size": len(data)}},
        )
    )
    await site.box.settle(accepted.conversation_id)
    assert accepted.message_id is not None
    return accepted.message_id


async def test_a_guests_html_and_script_are_never_served_as_the_desks_own(site: Site) -> None:
    guest = "+34600777001"
    script_id = await guest_sends_file(
        site,
        guest,
        1,
        b"fetch('/desk/api/me').then(r => r.json()).then(me => location = '//evil/' + me.csrf)",
        "application/javascript",
        ".js",
    )
    page = f'<html><script src="/desk/api/audio/{script_id}"></script></html>'.encode()
    page_id = await guest_sends_file(site, guest, 2, page, "text/html; charset=utf-8", ".html")
    svg_id = await guest_sends_file(
        site,
        guest,
        3,
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "image/svg+xml",
        ".svg",
    )
    photo_id = await guest_sends_file(
        site, guest, 4, b"\xff\xd8\xff\xe0 not really a jpeg", "image/jpeg", ".jpg"
    )
    http, _csrf = await site.login("ana")
    async with http:
        for message_id in (script_id, page_id, svg_id):
            async with http.get(f"{site.url}/desk/api/audio/{message_id}") as r:
                assert r.status == 200
                assert r.headers["Content-Type"] == "application/octet-stream", r.headers["Content-Type"]
                assert r.headers["Content-Disposition"].startswith("attachment"), message_id
                assert r.headers["X-Content-Type-Options"] == "nosniff"
                assert "sandbox" in r.headers["Content-Security-Policy"]
        async with http.get(f"{site.url}/desk/api/audio/{photo_id}") as r:  # allowed: shown as what it is
            assert r.status == 200
            assert r.headers["Content-Type"] == "image/jpeg"
            assert r.headers["Content-Disposition"] == "inline"
            assert "sandbox" in r.headers["Content-Security-Policy"]


# -- finding 3: nobody can lock the receptionist out ---------------------------------------------------
async def test_wrong_passwords_from_one_machine_do_not_lock_out_the_right_one_on_another(site: Site) -> None:
    attacker = aiohttp.TCPConnector(local_addr=("127.0.0.2", 0))  # another machine on the LAN
    statuses = []
    async with aiohttp.ClientSession(connector=attacker) as http:
        for _ in range(8):
            async with http.post(
                f"{site.url}/desk/api/login", json={"name": "leo", "password": "guess guess guess"}
            ) as r:
                statuses.append(r.status)
    assert statuses[:5] == [401] * 5
    assert 429 in statuses[5:]  # the attacker's machine is slowed down
    http, _ = await site.login("leo")  # the receptionist, at the desk, still gets in
    await http.close()
    admin, _ = await site.login("ana")
    async with admin:
        async with admin.get(f"{site.url}/desk/api/login-failures") as r:
            assert r.status == 200
            failures = (await r.json())["failures"]
        assert len(failures) == 5  # the ones checked; the throttled ones never reached a password
        assert {(f["name"], f["remote"], f["known_user"]) for f in failures} == {("leo", "127.0.0.2", True)}
    leo, _ = await site.login("leo")
    async with leo, leo.get(f"{site.url}/desk/api/login-failures") as r:
        assert r.status == 403  # admins only


# -- finding 7: malformed requests get a clean 4xx ------------------------------------------------------
async def raw_request(url: str, head: bytes, body: bytes = b"") -> tuple[int, bytes]:
    """Bytes on a socket, exactly as written (no client library tidying them up)."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        writer.write(head.replace(b"{host}", f"{parts.hostname}:{parts.port}".encode()))
        if body:
            writer.write(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        else:
            writer.write(b"\r\n")
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(65536), 30)
    finally:
        writer.close()
    status = int(answer.split(b" ", 2)[1])
    return status, answer


NESTED = b"[" * 3000 + b"]" * 3000


async def test_malformed_requests_get_a_clean_4xx_and_the_box_keeps_serving(site: Site) -> None:
    _http, csrf = await site.login("ana")
    cookies = {c.key: c.value for c in _http.cookie_jar}
    await _http.close()
    cookie = f"hb_session={cookies['hb_session']}".encode()
    json_head = b"Host: {host}\r\nContent-Type: application/json\r\nConnection: close\r\n"
    nested_message = b'{"session": "abcdefgh12", "text": "hi", "x": ' + NESTED + b"}"
    cases = [
        (b"POST /try/api/messages HTTP/1.1\r\n" + json_head, nested_message),
        (b"POST /desk/api/login HTTP/1.1\r\n" + json_head, NESTED[:1800] + NESTED[-1800:]),
        (
            b"PUT /desk/api/me/language HTTP/1.1\r\n"
            + json_head
            + b"Cookie: "
            + cookie
            + b"\r\nX-CSRF-Token: "
            + csrf.encode()
            + b"\r\n",
            NESTED,
        ),
        (
            b"POST /desk/api/conversations/1/read HTTP/1.1\r\n"
            + json_head
            + b"Cookie: "
            + cookie
            + b"\r\nX-CSRF-Token: \xc3\xa9\xff\r\n",
            b"{}",
        ),
        (b"GET /static/try%00.js HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n", b""),
        (b"GET /static/%00 HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n", b""),
    ]
    for head, body in cases:
        status, answer = await raw_request(site.url, head, body)
        assert 400 <= status < 500, (head[:40], status, answer[:300])
    async with aiohttp.ClientSession() as http, http.get(f"{site.url}/healthz") as r:
        assert r.status == 200  # still serving


async def test_the_relay_answers_non_ascii_signatures_and_bearers_with_a_4xx(tmp_path: Path) -> None:
    async with running_relay(relay_settings(tmp_path, new_key())) as (_relay, url):
        head = b"Host: {host}\r\nContent-Type: application/json\r\nConnection: close\r\n"
        cases = [
            (
                b"POST /wa/webhook HTTP/1.1\r\n" + head + b"X-Hub-Signature-256: sha256=\xc3\xa9\xc3\xa9\r\n",
                b"{}",
            ),
            (b"POST /wa/webhook HTTP/1.1\r\n" + head + b"X-Hub-Signature-256: sha256=ab\xff\r\n", NESTED),
            (
                b"GET /box/v1/link HTTP/1.1\r\nHost: {host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                b"Authorization: Bearer hotel-1.\xc3\xa9\xc3\xa9\r\n",
                b"",
            ),
            (
                b"GET /wa/webhook?hub.mode=subscribe&hub.verify_token=%FF%FE&hub.challenge=1 HTTP/1.1\r\n"
                + head,
                b"",
            ),
        ]
        for head_bytes, body in cases:
            status, answer = await raw_request(url, head_bytes, body)
            assert 400 <= status < 500, (head_bytes[:60], status, answer[:300])
        async with aiohttp.ClientSession() as http, http.get(f"{url}/healthz") as r:
            assert r.status == 200


# -- finding 8: WebSockets check Origin -----------------------------------------------------------------
async def test_websockets_refuse_another_sites_pages(site: Site) -> None:
    http, _ = await site.login("ana")
    async with http:
        for path in ("/desk/ws", f"/try/ws?session={uuid.uuid4().hex}"):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await http.ws_connect(f"{site.url}{path}", origin="https://evil.example")
            assert refused.value.status == 403, path
            with pytest.raises(aiohttp.WSServerHandshakeError):
                await http.ws_connect(f"{site.url}{path}", origin=f"{site.url}.evil.example")
            async with http.ws_connect(f"{site.url}{path}", origin=site.url) as ws:  # the page itself
                assert not ws.closed


# -- finding 5: the WhatsApp token only goes to Meta --------------------------------------------------------
async def test_the_access_token_never_goes_to_a_host_a_webhook_names(rig: Rig) -> None:
    seen: list[str | None] = []

    async def collect(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Authorization"))
        return web.Response(body=b"OggS stolen", content_type="audio/ogg")

    app = web.Application()
    app.router.add_get("/{tail:.*}", collect)
    runner = web.AppRunner(app)
    await runner.setup()
    evil = web.TCPSite(runner, "127.0.0.1", 0)
    await evil.start()
    evil_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    audio = b"OggS not really audio but bytes"
    try:
        async with started_box(rig) as box:
            media = rig.graph.add_media(audio)
            part = {
                "mime_type": "audio/ogg; codecs=opus",
                "sha256": sha256_b64(audio),
                "id": media.id,
                "voice": True,
                "url": f"{evil_url}/whatsapp_business/attachments/?mid=1",  # plain http, not Meta
            }
            await rig.meta.post(message_body("+34600555001", kind="audio", part=part))

            async def settled() -> bool:
                rows = await box.store.fetchall("SELECT status FROM media")
                return bool(rows) and rows[0]["status"] in ("stored", "failed")

            await wait_for(settled, 30)
            rows = await box.store.fetchall("SELECT status, path FROM media")
            assert rows[0]["status"] == "stored"  # fetched by its id from the Graph API instead
            assert await asyncio.to_thread(Path(rows[0]["path"]).read_bytes) == audio
    finally:
        await runner.cleanup()
    assert not any(seen), seen  # the token never left for that host


# -- finding 6: an e-mail address proves nothing unless the hotel's mail server says so ----------------------
AUTH_SERV_ID = "mx.hotel.test"


def arrived(msg: Any, *results: str) -> bytes:
    """The mail as the hotel's server stores it: its own Authentication-Results on top."""
    on_top = b"".join(f"Authentication-Results: {AUTH_SERV_ID}; {r}\n".encode() for r in results)
    return on_top + bytes(msg.as_bytes())


async def test_a_forged_sender_cannot_see_or_cancel_a_booking_but_an_authenticated_one_can(
    tmp_path: Path, nlu_cache: Path
) -> None:
    from hotelbox.config import load_settings
    from hotelbox.pms import BookingRequest
    from hotelbox.pms.demo import DEMO_ROOM_TYPES

    dovecot, smtp = Dovecot(), SmtpServer()
    dovecot.start()
    smtp.start()
    try:
        settings = load_settings(
            state_dir=tmp_path / "box",
            email={
                "enabled": True, "address": MAILBOX, "imap_host": "127.0.0.1", "imap_port": dovecot.port,
                "imap_security": "none", "smtp_host": "127.0.0.1", "smtp_port": smtp.port,
                "smtp_security": "none", "smtp_login": False, "password": MAILBOX_PASSWORD,
                "reconnect_max_s": 1, "auth_serv_id": AUTH_SERV_ID,
            },
            speech={"enabled": False},
        )  # fmt: skip
        async with Box(settings, {}, live_channels=True) as box:
            assert box.email is not None
            await wait_for(lambda: box.email.watcher.connected, 15)  # type: ignore[union-attr]
            ci = hotel_today() + timedelta(days=80)
            booking = await box.pms.create_booking(
                BookingRequest("sec-6", DEMO_ROOM_TYPES[0][0], ci, ci + timedelta(days=2), 1, 0,
                               "Peter Brown", "peter@guest.example", None)
            )  # fmt: skip
            victim = "Peter Brown <peter@guest.example>"
            forged = [
                arrived(guest_mail(victim, "Please cancel my reservation", subject="Cancel")),  # no result at all
                arrived(
                    guest_mail(
                        victim, "What is the status of my booking?", subject="Status",
                        headers={"Authentication-Results": f"{AUTH_SERV_ID}; dmarc=pass header.from=guest.example"},
                    ),
                    "dmarc=fail (p=reject) header.from=guest.example", "dkim=none",
                ),  # the sender's own "pass" sits below the server's "fail"
                arrived(
                    guest_mail(victim, "What is the status of my booking?", subject="Status 2"),
                    "dkim=pass header.d=evil.example; dmarc=none header.from=guest.example",
                ),  # a valid signature, of another domain
            ]  # fmt: skip
            for n, raw in enumerate(forged, 1):
                dovecot.deliver(raw)
                await wait_for(lambda n=n: len(smtp.to("peter@guest.example")) >= n, 40)
            answers = [m.get_content() for m in smtp.to("peter@guest.example")]
            assert not any(booking.reference in a for a in answers), answers
            assert (await box.pms.get_booking(booking.reference)).status == "confirmed"

            dovecot.deliver(
                arrived(
                    guest_mail(victim, "What is the status of my booking?", subject="Status 3"),
                    "dkim=pass header.d=guest.example header.s=s1; spf=pass smtp.mailfrom=guest.example",
                    "dmarc=pass (p=reject) header.from=guest.example",
                )
            )
            await wait_for(lambda: len(smtp.to("peter@guest.example")) >= 4, 40)
            proven = smtp.to("peter@guest.example")[3].get_content()
            assert booking.reference in proven, proven  # the server proved the address: it is the owner
    finally:
        smtp.stop()
        dovecot.stop()
        dovecot.remove()


# -- finding 4: the public web chat has limits ---------------------------------------------------------------
async def test_a_flood_of_posts_is_slowed_per_session_and_per_address(site: Site) -> None:
    session = uuid.uuid4().hex
    async with aiohttp.ClientSession() as http:

        async def post(session: str, n: int) -> tuple[int, str | None]:
            body = {"session": session, "client_id": f"c{n}", "text": "hola"}
            async with http.post(f"{site.url}/try/api/messages", json=body) as r:
                return r.status, r.headers.get("Retry-After")

        answers = await asyncio.gather(*(post(session, n) for n in range(100)))
        statuses = [a[0] for a in answers]
        assert statuses.count(202) <= 12, statuses.count(202)  # a burst of 10, then 20 a minute
        assert set(statuses) == {202, 429}
        assert all(a[1] for a in answers if a[0] == 429)  # says when to come back
        # many fresh sessions from one address: the address's own bucket
        spread = await asyncio.gather(*(post(uuid.uuid4().hex, n) for n in range(100)))
        assert [a[0] for a in spread].count(202) <= 32
        async with http.get(f"{site.url}/healthz") as r:
            assert r.status == 200
    row = await site.box.store.fetchone("SELECT count(*) AS n FROM inbox")
    assert row is not None
    assert row["n"] <= 12 + 32


async def test_voice_uploads_are_capped_and_junk_is_dropped_at_once(site: Site) -> None:
    site.box.settings.web.try_uploads_per_session_per_day = 2
    site.app[LIMITS].uploads_per_session_per_day = 2
    session = uuid.uuid4().hex
    async with aiohttp.ClientSession() as http:
        statuses = []
        for n in range(3):
            async with http.post(
                f"{site.url}/try/api/voice",
                params={"session": session, "client_id": f"v{n}"},
                data=b"OggS this is not audio at all" * 10,
                headers={"Content-Type": "audio/ogg"},
            ) as r:
                statuses.append((r.status, (await r.json()).get("error")))
                if r.status == 202:
                    conversation_id = (await r.json())["conversation_id"]
    assert statuses == [(202, None), (202, None), (429, "uploads_full")]
    await site.box.settle(conversation_id)
    rows = await site.box.store.fetchall("SELECT path FROM media WHERE channel = 'webchat'")
    assert len(rows) == 2
    for row in rows:  # undecodable: deleted once heard, not kept for the retention period
        assert not await asyncio.to_thread(Path(row["path"]).exists)


async def test_try_it_voice_notes_wait_behind_whatsapp_guests_in_the_speech_lane(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from tests.support import DATA

    box = site.box
    assert box.voice.stt is not None
    order: list[str | None] = []
    original = box.voice.stt.transcribe

    def recording(samples: Any, lang: str | None) -> Any:
        order.append(lang)
        return original(samples, lang)

    monkeypatch.setattr(box.voice.stt, "transcribe", recording)
    audio = await asyncio.to_thread((DATA / "speech" / "jfk.flac").read_bytes)
    lane = box.scheduler.lane("speech")
    release = threading.Event()
    holder = asyncio.create_task(lane.run(release.wait, 60))  # someone's long voice note
    await wait_for(lambda: lane.running == 1, 10)
    accepted = []
    for channel, address, lang in (("webchat", uuid.uuid4().hex, "pt"), ("test", "+34600888001", "es")):
        path = box.settings.media_dir / "in" / f"{uuid.uuid4().hex}.flac"
        await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        await asyncio.to_thread(path.write_bytes, audio)
        accepted.append(
            await box.pipeline.accept(
                Inbound(
                    channel=channel, channel_message_id=f"{address}-v", sender=address, kind="audio",
                    language_hint=lang,
                    payload={"media": {"path": str(path), "mime_type": "audio/flac", "size": len(audio), "voice": True}},
                )
            )
        )  # fmt: skip
        queued = len(accepted)
        await wait_for(lambda n=queued: lane.queued() == n, 20)  # the try-it one came first
    release.set()
    await holder
    for a in accepted:
        await box.settle(a.conversation_id, 120)
    assert order == ["es", "pt"]  # the WhatsApp guest was heard first
