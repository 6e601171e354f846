"""The local web server on a real socket: health, the try-it chat API and its live socket."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from hotelbox.channels.webchat import WebChatChannel
from hotelbox.config import Settings
from hotelbox.daemon import Box
from hotelbox.live_updates import LiveUpdates
from hotelbox.web.app import make_app


@pytest.fixture
async def server(settings: Settings) -> AsyncIterator[tuple[str, Box]]:
    live = LiveUpdates()
    async with Box(settings, {"webchat": WebChatChannel(live)}, live) as box:
        runner = web.AppRunner(make_app(box))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        yield f"http://127.0.0.1:{port}", box
        await runner.cleanup()


async def test_health_and_security_headers(server) -> None:  # type: ignore[no-untyped-def]
    url, _ = server
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{url}/healthz") as r:
            assert r.status == 200
            health = await r.json()
            assert health["status"] == "ok"
            assert health["models"]["nlu"] is True
        async with http.get(f"{url}/try") as r:
            assert r.status == 200
            csp = r.headers["Content-Security-Policy"]
            assert "script-src 'self'" in csp
            assert "unsafe-inline" not in csp
            assert "frame-ancestors 'none'" in csp
            page = await r.text()
            assert "<script>" not in page  # no inline script at all
        async with http.get(f"{url}/static/try.js") as r:
            assert r.status == 200
            script = await r.text()
            for sink in (".innerHTML", "outerHTML", "insertAdjacentHTML", "document.write"):
                assert sink not in script  # guest text never becomes markup
        async with http.get(f"{url}/static/..%2Fapp.py") as r:
            assert r.status == 404


async def test_a_guest_message_is_stored_answered_and_pushed_live(server) -> None:  # type: ignore[no-untyped-def]
    url, _box = server
    session = uuid.uuid4().hex
    async with aiohttp.ClientSession() as http, http.ws_connect(f"{url}/try/ws?session={session}") as ws:
        body = {"session": session, "client_id": "c1", "text": "hola, ¿tenéis parking?"}
        async with http.post(f"{url}/try/api/messages", json=body) as r:
            assert r.status == 202
            accepted = await r.json()
            assert accepted["duplicate"] is False
        pushed = await asyncio.wait_for(ws.receive_json(), 15)
        assert pushed["type"] == "reply"
        assert "parking" in pushed["text"].lower()
        async with http.post(f"{url}/try/api/messages", json=body) as r:  # the page retried
            assert (await r.json())["duplicate"] is True
        async with http.get(f"{url}/try/api/messages?session={session}") as r:
            history = (await r.json())["messages"]
        assert [m["direction"] for m in history] == ["in", "out"]
        assert history[0]["text"] == "hola, ¿tenéis parking?"


async def test_html_from_a_guest_is_kept_as_text(server) -> None:  # type: ignore[no-untyped-def]
    url, _ = server
    session = uuid.uuid4().hex
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{url}/try/api/messages", json={"session": session, "text": evil}) as r:
            assert r.status == 202
        async with http.get(f"{url}/try/api/messages?session={session}") as r:
            assert r.headers["Content-Type"].startswith("application/json")
            assert (await r.json())["messages"][0]["text"] == evil  # data, rendered with textContent


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"not json", 400, "invalid_input"),
        (b"[1, 2]", 400, "invalid_input"),
        (json.dumps({"session": "x", "text": "hi"}).encode(), 400, "invalid_input"),
        (json.dumps({"session": "a" * 20, "text": 5}).encode(), 400, "invalid_input"),
        (json.dumps({"session": "a" * 20, "text": "x" * 40000}).encode(), 413, None),
    ],
)
async def test_bad_requests_get_clear_errors_and_store_nothing(
    server, body: bytes, status: int, code: str | None
) -> None:  # type: ignore[no-untyped-def]
    url, box = server
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{url}/try/api/messages", data=body, headers={"Content-Type": "application/json"}) as r,
    ):
        assert r.status == status
        if code:
            assert (await r.json())["error"] == code
    row = await box.store.fetchone("SELECT count(*) AS n FROM inbox")
    assert row is not None
    assert row["n"] == 0


async def test_a_voice_note_recorded_on_the_try_page_is_heard_and_answered_in_voice(server) -> None:  # type: ignore[no-untyped-def]
    """The page posts what MediaRecorder made (WebM/Opus here: PyAV re-encodes our OGG as WebM)."""
    import io

    import av

    from hotelbox.speech.models import ModelStore
    from hotelbox.speech.tts import PiperTts, voice_note

    url, box = server
    tts = PiperTts(
        {"en": ModelStore(box.settings.model_dir, box.settings.model_cache).locate("en_US-joe-medium")}
    )
    tts.load()
    ogg = voice_note(tts.synthesize("Hello, is there wifi in the rooms?", "en"))
    webm = io.BytesIO()
    with av.open(io.BytesIO(ogg)) as src, av.open(webm, "w", format="webm") as dst:
        out = dst.add_stream("libopus", rate=48000)
        out.layout = "mono"  # type: ignore[union-attr]
        for frame in src.decode(audio=0):
            frame.pts = None
            for packet in out.encode(frame):
                dst.mux(packet)
        for packet in out.encode(None):
            dst.mux(packet)
    session = uuid.uuid4().hex
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(f"{url}/try/ws?session={session}") as ws:
            async with http.post(
                f"{url}/try/api/voice?session={session}&client_id=v1",
                data=webm.getvalue(),
                headers={"Content-Type": "audio/webm"},
            ) as r:
                assert r.status == 202, await r.text()
            first = await asyncio.wait_for(ws.receive_json(), 60)
            second = await asyncio.wait_for(ws.receive_json(), 60)
        assert "wi" in first["text"].lower()
        assert first["audio"] is None
        assert second["audio"].startswith("/try/api/audio/")
        async with http.get(f"{url}{second['audio']}") as r:
            assert r.status == 200
            assert r.headers["Content-Type"] == "audio/ogg"
            assert (await r.read())[:4] == b"OggS"
        async with http.get(f"{url}/try/api/messages?session={session}") as r:
            history = (await r.json())["messages"]
        assert history[0]["direction"] == "in"
        assert "rooms" in history[0]["text"].lower()
        assert history[0]["audio"]
        assert history[0]["transcript"]
        async with http.get(f"{url}{history[0]['audio']}") as r:
            assert r.status == 200
            assert (await r.read())[:4] == b"\x1a\x45\xdf\xa3"
        other = uuid.uuid4().hex  # another session cannot fetch this guest's audio
        async with http.get(f"{url}/try/api/audio/{history[0]['id']}?session={other}") as r:
            assert r.status == 404
        async with http.post(
            f"{url}/try/api/voice?session={session}&client_id=v2",
            data=b"",
            headers={"Content-Type": "audio/webm"},
        ) as r:
            assert r.status == 400
        async with http.post(
            f"{url}/try/api/voice?session={session}&client_id=v3",
            data=b"x",
            headers={"Content-Type": "text/plain"},
        ) as r:
            assert r.status == 400
