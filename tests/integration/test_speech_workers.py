"""Speech out of the box's process (issue 16): supervised Wyoming workers on unix sockets. A worker
killed (kill -9) or hung while hearing a guest's note costs that note a "please type" answer, never
the box, and is back within seconds; a hostile file (the 272-bit WAV) is refused by the worker."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from hotelbox.speech.models import ModelStore
from hotelbox.speech.tts import PiperTts, voice_note
from tests.fakes.graph import message_body, sha256_b64
from tests.helpers import wyoming_servers
from tests.integration.wa_rig import Rig, started_box
from tests.support import wait_for

# a well-formed RIFF/WAVE header claiming PCM at 272 bits per sample, then silence (the fuzz find)
WAV_272_BITS = (
    b"RIFF" + (36 + 4096).to_bytes(4, "little") + b"WAVEfmt " + (16).to_bytes(4, "little")
    + (1).to_bytes(2, "little") + (1).to_bytes(2, "little") + (16000).to_bytes(4, "little")
    + (32000).to_bytes(4, "little") + (2).to_bytes(2, "little") + (272).to_bytes(2, "little")
    + b"data" + (4096).to_bytes(4, "little") + bytes(4096)
)  # fmt: skip


def english_question(tmp: Path, text: str) -> bytes:
    store = ModelStore(tmp / "m", tmp / "c")
    tts = PiperTts({"en": store.locate("en_US-joe-medium")}, vary=False)
    tts.load()
    return voice_note(tts.synthesize(text, "en"))


async def send_voice(rig: Rig, phone: str, audio: bytes) -> None:
    media = rig.graph.add_media(audio)
    part = {"mime_type": "audio/ogg; codecs=opus", "sha256": sha256_b64(audio), "id": media.id, "voice": True}
    await rig.meta.post(message_body(phone, kind="audio", part=part))


async def test_speech_workers_survive_kill_9_a_hang_and_a_hostile_file(rig: Rig, tmp_path: Path) -> None:
    audio = english_question(tmp_path, "What time is breakfast served?")
    phone = "+447700900321"
    # voice replies off: a Kokoro sentence on a loaded machine may outlast the short hang timeout
    # (they are tested below, with the default timeout)
    speech = {"engines": "workers", "worker_timeout_s": 15.0, "voice_replies": False}
    settings: dict[str, Any] = {"speech": speech}
    async with started_box(rig, **settings) as box:
        remote = box.voice.remote
        assert remote is not None
        stt, tts = remote.stt_worker, remote.tts_worker
        assert stt is not None
        assert stt is tts  # the default layout: one speech worker hears and speaks
        health = box.voice.health()
        assert health["voices"] == ["en", "es", "pt"]
        assert list(health["workers"]) == ["speech"]
        assert stt.pid not in (os.getpid(), None)  # out of the box's process

        # kill -9 while the note is being heard
        lane = box.scheduler.lane("speech")
        first_pid = stt.pid
        assert first_pid is not None
        await send_voice(rig, phone, audio)
        await wait_for(lambda: lane.running >= 1, 30)
        os.kill(first_pid, signal.SIGKILL)
        killed_at = time.monotonic()
        [please_type] = await rig.graph.wait_sent(1, 60)
        assert "escribes" in please_type.text  # nothing known yet: the hotel's language
        await wait_for(lambda: stt.ready.is_set() and stt.restarts == 1, 60)
        back_s = time.monotonic() - killed_at
        print(f"stt worker back {back_s:.1f} s after kill -9")
        assert stt.pid not in (None, first_pid)

        # the next note is heard and answered
        await send_voice(rig, phone, audio)
        sent = await rig.graph.wait_sent(2, 120)
        assert "breakfast" in sent[1].text.lower()

        # the 272-bit WAV: refused with a reason by the worker, which stays up
        pid = stt.pid
        await send_voice(rig, phone, WAV_272_BITS)
        sent = await rig.graph.wait_sent(3, 60)
        assert "voice" in sent[2].text.lower()
        assert stt.pid == pid
        assert stt.deaths == 1

        # a hang (SIGSTOP): the note gets "please type" after worker_timeout_s, the worker is killed
        assert pid is not None
        os.kill(pid, signal.SIGSTOP)
        await send_voice(rig, phone, audio)
        sent = await rig.graph.wait_sent(4, 90)
        assert "type" in sent[3].text.lower() or "escrib" in sent[3].text.lower()
        await wait_for(lambda: stt.ready.is_set() and stt.restarts == 2, 60)
        assert stt.pid != pid
        metrics = (await box.metrics.exposition()).decode()
        assert 'code="speech_worker_died"' in metrics
        await asyncio.sleep(0)
        rows = await rig.box_query("SELECT count(*) AS n FROM media WHERE status = 'stored'")
        assert rows[0]["n"] == 4  # every note kept for staff


async def test_the_box_hears_and_speaks_through_a_hotels_own_wyoming_servers(
    rig: Rig, tmp_path: Path
) -> None:
    audio = english_question(tmp_path, "What time is breakfast served?")
    with wyoming_servers(tmp_path) as (stt_uri, tts_uri):
        speech = {"stt_uri": stt_uri, "tts_uri": tts_uri, "voices": {"en": "en_US-joe-medium"}}
        async with started_box(rig, speech=speech) as box:
            health = box.voice.health()
            assert health["voices"] == ["en"]
            assert health["workers"] == {}  # nothing of ours started: the hotel's servers do the work
            await send_voice(rig, "+447700900654", audio)
            text, voice = await rig.graph.wait_sent(2, 120)
            assert "breakfast" in text.text.lower()
            assert voice.body["type"] == "audio"
            ogg = rig.graph.media[voice.body["audio"]["id"]].data
            heard = await box.voice.transcribe(ogg, "en")  # through wyoming-faster-whisper
            assert "breakfast" in heard.text.lower()


@pytest.mark.parametrize("layout", ["one", "per_engine"])
async def test_speech_workers_hear_and_answer_in_voice(rig: Rig, tmp_path: Path, layout: str) -> None:
    audio = english_question(tmp_path, "What time is breakfast served?")
    async with started_box(rig, speech={"engines": "workers", "worker_layout": layout}) as box:
        remote = box.voice.remote
        assert remote is not None
        assert remote.stt_worker is not None
        assert remote.tts_worker is not None
        assert (remote.stt_worker is remote.tts_worker) == (layout == "one")
        assert sorted(box.voice.health()["workers"]) == (["speech"] if layout == "one" else ["stt", "tts"])
        await send_voice(rig, "+447700900987", audio)
        text, voice = await rig.graph.wait_sent(2, 120)
        assert "breakfast" in text.text.lower()
        assert voice.body["type"] == "audio"


ORPHAN_PARENT = """
import asyncio, sys
from pathlib import Path
from hotelbox.speech.engines import TtsSpec, WorkerSpec, voice_spec
from hotelbox.speech.models import ModelStore
from hotelbox.speech.supervisor import SpeechWorker

async def main() -> None:
    tmp = Path(sys.argv[1])
    store = ModelStore(tmp / "m", tmp / "c")
    spec = WorkerSpec(tts=TtsSpec((voice_spec(store, "en", "kokoro-af_heart"),)))
    worker = SpeechWorker("speech", spec.to_json(), tmp / "w.sock", max_rss_mb=2000)
    await worker.start()
    print(worker.pid, flush=True)
    await asyncio.sleep(600)

asyncio.run(main())
"""


async def test_a_worker_dies_with_the_box_that_started_it(tmp_path: Path) -> None:
    """kill -9 of the box must not leave its speech worker holding its memory (and its socket)."""
    import psutil

    from tests.support import REPO

    box = await asyncio.create_subprocess_exec(
        sys.executable, "-c", ORPHAN_PARENT, str(tmp_path), stdout=asyncio.subprocess.PIPE, cwd=REPO
    )
    assert box.stdout is not None
    line = await asyncio.wait_for(box.stdout.readline(), 180)
    worker = psutil.Process(int(line))
    assert worker.is_running()
    box.kill()
    await box.wait()
    try:
        await asyncio.to_thread(worker.wait, 10)  # psutil.TimeoutExpired if it outlives the box
    finally:
        if worker.is_running():
            worker.kill()
