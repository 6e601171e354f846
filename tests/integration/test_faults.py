"""Faults the hotel's box meets in its years on a shelf, each with the behaviour we promise:
the disk filling up, Meta's API erroring, rate-limiting and hanging, the line to the relay
flapping or going silent, the clock jumping, a model file rotting on disk.

Every hop is real (relay, link, box, fake Graph on 127.0.0.1; real SQLite; real models) and the
promise checked at the end is always the same: each guest message answered once, in order.
PMS faults (slow, erroring, down and back, 500 after creating) are in test_qloapps_box.py and
test_qloapps_client.py; process kills in test_crash.py and e2e/test_whatsapp_processes.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import random
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import time_machine

from hotelbox.errors import Unavailable
from hotelbox.messages import Inbound
from hotelbox.store import Store
from hotelbox.store.database import DiskGuard
from tests.fakes.graph import encode, message_body
from tests.fakes.netem import FlakyProxy
from tests.integration.wa_rig import Rig, box_settings, started_box
from tests.support import DATA, wait_for

NEVER_ENOUGH = 1 << 40  # MB: more free space than any disk has


def low_disk(guard: DiskGuard, low: bool) -> None:
    """Make the guard see the disk as (not) nearly full from its next look."""
    guard.min_free_bytes = NEVER_ENOUGH * 2**20 if low else 0
    guard.every_s = 0.0


async def answered_once_in_order(rig: Rig, asked: dict[str, list[str]], within_s: float = 30) -> None:
    total = sum(len(v) for v in asked.values())
    await rig.graph.wait_sent(total, within_s)
    await asyncio.sleep(1.0)  # a duplicate would show up now
    for phone, questions in asked.items():
        replies = [m for m in rig.graph.sent if m.recipient == phone]
        assert len(replies) == len(questions), (phone, [m.text for m in replies])


QUESTIONS = ["¿hay parking?", "¿tenéis wifi?", "¿a qué hora es el desayuno?", "¿admitís perros?"]


async def ask(rig: Rig, guests: int, per_guest: int, gap_s: float = 0.0) -> dict[str, list[str]]:
    asked: dict[str, list[str]] = {}

    async def guest(g: int) -> None:
        phone = f"+3461100{g:04d}"
        asked[phone] = []
        for k in range(per_guest):
            text = QUESTIONS[(g + k) % len(QUESTIONS)]
            await rig.meta.post(message_body(phone, text=text), retry_for_s=60)
            asked[phone].append(text)
            await asyncio.sleep(gap_s)

    await asyncio.gather(*(guest(g) for g in range(guests)))
    return asked


# -- the disk ---------------------------------------------------------------------------------------
async def test_a_nearly_full_disk_refuses_new_work_says_so_and_loses_nothing(rig: Rig) -> None:
    async with started_box(rig) as box:
        guard = box.store.disk
        low_disk(guard, True)
        health = await box.health()
        assert health["status"] == "degraded"
        assert "disk_full" in [p["code"] for p in health["problems"]]
        # web chat (and anything through Pipeline.accept): refused with a clear, retryable error
        with pytest.raises(Unavailable) as refused:
            await box.pipeline.accept(Inbound("webchat", "w-1", "session-1", text="hola"))
        assert refused.value.code == "disk_full"
        assert "min_free_mb" in str(refused.value)
        # WhatsApp: the relay takes it (its disk is fine), the box does not ack; it waits there
        await rig.meta.post(message_body("+34622000001", text="¿tenéis parking?"))
        await asyncio.sleep(1.0)
        backlog = await rig.relay.queue.backlog()
        assert backlog["hotel-1"].events >= 1
        assert await rig.box_query("SELECT id FROM messages") == []
        assert rig.graph.sent == []
        assert box.whatsapp is not None
        assert box.whatsapp.link is not None
        assert "disk_full" in (box.whatsapp.link.state.last_error or "")
        # space is freed: it comes in and is answered, once
        low_disk(guard, False)
        await rig.graph.wait_sent(1, 15)
        assert (await box.health())["status"] == "ok"
        await asyncio.sleep(0.5)
        assert len(rig.graph.sent) == 1
        assert "hotel-1" not in await rig.relay.queue.backlog()


async def test_a_relay_with_a_full_disk_answers_meta_503_and_its_health_says_so(rig: Rig) -> None:
    guard = rig.relay.queue.store.disk  # type: ignore[attr-defined]
    low_disk(guard, True)
    status, _ = await rig.meta.post_raw(encode(message_body("+34622000002", text="¿hay wifi?")))
    assert status == 503  # Meta retries (for days)
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{rig.relay_url}/healthz") as resp:
            assert resp.status == 503  # a load balancer routes Meta's retries to another relay
            body = await resp.json()
        async with http.get(f"{rig.relay_url}/metrics") as resp:
            metrics = await resp.text()
    assert body["status"] == "degraded"
    assert [(p["code"], p["part"]) for p in body["problems"]] == [("disk_full", "disk")]
    assert "503" in body["problems"][0]["reason"]
    assert body["queue"]["disk"]["low"] is True
    assert 'hotelbox_relay_webhooks_total{outcome="disk_full"} 1.0' in metrics
    low_disk(guard, False)
    async with started_box(rig):
        await rig.meta.post(message_body("+34622000002", text="¿hay wifi?"))  # Meta's retry
        await rig.graph.wait_sent(1, 15)


def test_the_guard_reads_the_real_disk(tmp_path: Path) -> None:
    free = shutil.disk_usage(tmp_path).free
    assert not DiskGuard(tmp_path, min_free_mb=0).low()
    assert DiskGuard(tmp_path, min_free_mb=free // 2**20 + 1).low()
    assert not DiskGuard(tmp_path, min_free_mb=max(0, free // 2**20 - 1)).low()
    gone = DiskGuard(tmp_path / "not-there", min_free_mb=10**9)
    assert not gone.low()  # cannot tell: never refuse work over it


# -- Meta's Graph API -------------------------------------------------------------------------------
async def test_graph_5xx_429_and_rate_limits_are_retried_and_answered_once(rig: Rig) -> None:
    rig.graph.switches.errors = [
        (500, 1, "An unknown error occurred"),
        (429, 130429, "Rate limit hit"),
        (503, 2, "Service temporarily unavailable"),
        (400, 131056, "(Business Account, Consumer Account) pair rate limit hit"),
    ]
    async with started_box(rig) as box:
        box.sender.retry_base_s = 0.05
        asked = await ask(rig, guests=3, per_guest=2)
        await answered_once_in_order(rig, asked, within_s=60)
        assert rig.graph.switches.errors == []  # every error was met
        rows = await rig.box_query("SELECT status, attempts FROM outbox ORDER BY id")
        assert {r["status"] for r in rows} == {"sent"}
        assert sum(r["attempts"] for r in rows) == len(rows) + 4


async def test_graph_hanging_is_timed_out_and_sent_once_when_it_answers_again(rig: Rig) -> None:
    rig.graph.switches.hang = True
    async with started_box(rig, whatsapp={"send_timeout_s": 0.5}) as box:
        box.sender.retry_base_s = 0.05
        await rig.meta.post(message_body("+34622000003", text="¿hay parking?"))
        await wait_for(lambda: rig.graph.requests >= 2, 20)  # the first send, and a retry, hung
        rows = await rig.box_query("SELECT status FROM outbox")
        assert rows[0]["status"] in ("uncertain", "pending", "sending")
        rig.graph.switches.hang = False
        await rig.graph.wait_sent(1, 20)
        await asyncio.sleep(2.0)  # the uncertain resend window (1 s in the rig) has passed
        assert len(rig.graph.sent) == 1


# -- the line to the relay --------------------------------------------------------------------------
@contextlib.asynccontextmanager
async def box_behind(rig: Rig, proxy: FlakyProxy, **extra: Any):  # type: ignore[no-untyped-def]
    from hotelbox.daemon import Box

    url = f"http://127.0.0.1:{proxy.port}"
    settings = box_settings(rig.tmp, url, rig.graph.url, rig.key, **extra)
    async with Box(settings, {}, live_channels=True) as box:
        rig.box = box
        yield box


async def test_a_flapping_line_loses_nothing_and_answers_once(rig: Rig) -> None:
    port = int(rig.relay_url.rsplit(":", 1)[1])
    async with FlakyProxy("127.0.0.1", port) as proxy, box_behind(rig, proxy) as box:
        assert box.whatsapp is not None
        link = box.whatsapp.link
        assert link is not None
        await wait_for(lambda: link.state.connected, 10)
        rng = random.Random(7)
        stop = asyncio.Event()

        async def flap() -> None:
            while not stop.is_set():
                await asyncio.sleep(rng.uniform(0.05, 0.4))
                proxy.cut()

        flapper = asyncio.create_task(flap())
        try:  # the line flaps while guests write and while the box answers
            asked = await ask(rig, guests=6, per_guest=4, gap_s=0.15)
            await rig.graph.wait_sent(24, 60)
        finally:
            stop.set()
            await flapper
        await answered_once_in_order(rig, asked, within_s=60)
        assert proxy.cuts >= 4
        assert link.state.connects >= 3  # it really was cut, and came back each time
        assert (await rig.relay.queue.backlog()).get("hotel-1") is None


async def test_a_silent_line_is_noticed_and_the_link_comes_back(rig: Rig) -> None:
    """A dead NAT mapping: the TCP connection looks open and nothing gets through either way."""
    port = int(rig.relay_url.rsplit(":", 1)[1])
    fast = {"relay_link": {"heartbeat_s": 0.3, "dead_after_s": 1.5}}
    async with FlakyProxy("127.0.0.1", port) as proxy, box_behind(rig, proxy, **fast) as box:
        assert box.whatsapp is not None
        link = box.whatsapp.link
        assert link is not None
        await wait_for(lambda: link.state.connected, 10)
        proxy.blackhole = True
        await rig.meta.post(message_body("+34622000004", text="¿tenéis wifi?"))  # stored at the relay
        await wait_for(lambda: not link.state.connected, 10)  # noticed by the heartbeat
        proxy.blackhole = False
        proxy.cut()  # the old connection is dead for good
        await rig.graph.wait_sent(1, 20)
        await asyncio.sleep(0.5)
        assert len(rig.graph.sent) == 1


# -- the clock ---------------------------------------------------------------------------------------
@contextlib.contextmanager
def clock_moved(by: timedelta) -> Iterator[None]:
    """The wall clock jumps (NTP step, a box without an RTC battery); monotonic time does not."""
    with time_machine.travel(datetime.now(UTC) + by, tick=True):
        yield


@pytest.mark.parametrize("jump", [timedelta(days=-1), timedelta(hours=-3), timedelta(hours=3)])
async def test_a_clock_jump_does_not_stall_retries_or_resend_anything(rig: Rig, jump: timedelta) -> None:
    rig.graph.switches.errors = [(500, 1, "An unknown error occurred")]
    async with started_box(rig) as box:
        box.sender.retry_base_s = 3.0  # the retry is set for 3 s from "now"…
        await rig.meta.post(message_body("+34622000005", text="¿hay parking?"))
        await wait_for(lambda: rig.graph.requests >= 1, 10)
        await wait_for(lambda: rig.box_query("SELECT id FROM outbox WHERE next_attempt_at IS NOT NULL"), 10)
        with clock_moved(jump):  # …and then "now" moves
            await rig.graph.wait_sent(1, 15)
            await rig.meta.post(message_body("+34622000005", text="¿y wifi?"))
            await rig.graph.wait_sent(2, 15)
            await asyncio.sleep(1.5)
        assert len(rig.graph.sent) == 2
        rows = await rig.box_query("SELECT status FROM outbox ORDER BY id")
        assert [r["status"] for r in rows] == ["sent", "sent"]


async def test_a_clock_far_ahead_hands_the_guest_to_staff_instead_of_sending(rig: Rig) -> None:
    """Two days ahead, the box judges Meta's 24-hour window closed: it sends nothing (Meta would
    refuse free text) and tells staff, rather than guessing which clock is wrong."""
    body = message_body("+34622000006", text="¿hay parking?")  # stamped by Meta's (right) clock
    async with started_box(rig):
        with clock_moved(timedelta(days=2)):
            await rig.meta.post(body)

            async def flagged() -> bool:
                rows = await rig.box_query("SELECT attention FROM conversations")
                return bool(rows) and rows[0]["attention"] is not None

            await wait_for(flagged, 15)
        assert rig.graph.sent == []
        rows = await rig.box_query("SELECT status FROM outbox")
        assert [r["status"] for r in rows] == ["failed"]


async def test_an_uncertain_send_is_settled_after_the_clock_went_back(tmp_path: Path) -> None:
    from hotelbox.messages import Reply
    from hotelbox.store import conversations, outbox

    async with Store(tmp_path / "s.db") as store:

        def setup(c: Any) -> int:
            conv = conversations.get_or_create(c, "whatsapp", "+34600111999")
            return outbox.enqueue(c, conv, "whatsapp", "+34600111999", Reply("hola", "es"))

        row = await store.write(setup)
        [item] = await store.read(lambda c: outbox.due(c, ["whatsapp"]))
        await store.write(lambda c: outbox.mark_uncertain(c, item, "timeout"))
        with clock_moved(timedelta(hours=-6)):
            # waiting 30 s for a status must not mean waiting 6 hours and 30 s
            assert await store.write(lambda c: outbox.requeue_uncertain(c, "whatsapp", 30.0)) == 1
        got = await store.fetchone("SELECT status FROM outbox WHERE id = ?", (row,))
        assert got is not None
        assert got["status"] == "pending"


# -- models rotting on disk -------------------------------------------------------------------------
def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def test_a_damaged_intent_model_is_trained_again_not_trusted(tmp_path: Path, nlu_cache: Path) -> None:
    from hotelbox.nlu.understanding import Understander

    cache = tmp_path / "nlu"
    shutil.copytree(nlu_cache, cache, symlinks=True)
    [onnx] = list(cache.glob("*/intent.onnx"))
    _flip_a_byte(onnx)  # still loads in onnxruntime (weights only), would answer wrongly
    understander = Understander(cache_root=cache)
    understander.load()
    u = understander.understand("¿tenéis parking?", today=datetime.now(UTC).date())
    assert u.intent == "ask_info"
    assert u.lang == "es"
    meta = json.loads((onnx.parent / "intent.json").read_text())
    assert meta["sha256"]["intent.onnx"] == hashlib.sha256(onnx.read_bytes()).hexdigest()  # rebuilt


def test_a_damaged_joined_whisper_file_is_joined_again(tmp_path: Path) -> None:
    from hotelbox.speech.models import ModelStore

    store = ModelStore(tmp_path / "models", tmp_path / "cache")
    path = store.locate("whisper-base") / "model.bin"
    _flip_a_byte(path)
    again = store.locate("whisper-base") / "model.bin"
    assert again == path
    assert store.verify("whisper-base") == "ok"


async def test_a_damaged_installed_model_falls_back_and_voice_still_works(
    tmp_path: Path, nlu_cache: Path
) -> None:
    """The installer's model (here a Whisper model pinned into the store) rots on disk: the box
    starts anyway, listens with the fallback model and says so in health."""
    from hotelbox.config import load_settings
    from hotelbox.scheduler import Scheduler
    from hotelbox.speech.models import ModelStore
    from hotelbox.speech.voice import VoiceService

    packaged = ModelStore(tmp_path / "unused", tmp_path / "cache").locate("whisper-tiny.en")
    store_dir = tmp_path / "store" / "whisper-small"
    store_dir.mkdir(parents=True)
    for f in packaged.iterdir():
        if f.is_file() and not f.name.endswith(".verified"):
            shutil.copyfile(f, store_dir / f.name)
    installer = ModelStore(tmp_path / "models", tmp_path / "cache")
    installer.pin_store(tmp_path / "store")
    assert installer.install(tmp_path / "store") == ["whisper-small"]
    _flip_a_byte(tmp_path / "models" / "whisper-small" / "model.bin")

    settings = load_settings(
        state_dir=tmp_path / "state",
        nlu={"model_dir": str(nlu_cache)},
        speech={
            "model_dir": str(tmp_path / "models"),
            "stt_model": "whisper-small",
            "fallback_stt_model": "whisper-base",
        },
    )
    scheduler = Scheduler(settings.scheduler)
    voice = VoiceService(settings, scheduler)
    await asyncio.to_thread(voice.load)
    health = voice.health()
    assert health["stt"] == "whisper-base"
    assert health["problems"]["stt:whisper-small"].startswith("model_corrupt")
    audio = (DATA / "speech" / "jfk.flac").read_bytes()
    transcript = await voice.transcribe(audio, "en")
    assert "country" in transcript.text.lower()
