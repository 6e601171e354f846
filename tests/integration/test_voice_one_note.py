"""One voice note per turn, and speech that never takes the CPU from guests' text (issue 16).

A voice note answered with two text messages gets ONE voice note: one durable voice job, one
OGG/Opus note whose script is the gist and the question, the details left in writing. The
speech workers run below the box's CPU priority (``speech.worker_nice``), so one speech job may
use every core."""

from __future__ import annotations

import io
import os
from pathlib import Path

import av

from hotelbox.config import load_settings
from hotelbox.dialogue.catalog import Catalog
from hotelbox.speech.voice import VoiceService
from tests.fakes.graph import message_body, sha256_b64
from tests.helpers import kokoro_voice_note
from tests.integration.wa_rig import Rig, started_box


async def send_voice(rig: Rig, phone: str, audio: bytes) -> None:
    media = rig.graph.add_media(audio)
    part = {"mime_type": "audio/ogg; codecs=opus", "sha256": sha256_b64(audio), "id": media.id, "voice": True}
    await rig.meta.post(message_body(phone, kind="audio", part=part))


def ogg_opus_seconds(data: bytes) -> float:
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        assert (container.format.name, stream.codec_context.name) == ("ogg", "opus")
        return float(container.duration or 0) / 1e6


async def test_a_voice_note_answered_in_two_messages_gets_one_voice_note_with_the_question(
    rig: Rig, tmp_path: Path
) -> None:
    note = Catalog.load().text("en", "voice_details_in_writing")
    # two text messages per turn (merged on WhatsApp by default): the parking answer, then the
    # booking's first question
    settings = {"whatsapp": {"merge_replies": False}, "speech": {"voice_max_seconds": 12.0}}
    async with started_box(rig, **settings) as box:
        audio = kokoro_voice_note(
            "Hello. Do you have parking at the hotel? I would like to book a double room.",
            "en",
            box.settings.model_cache,
        )
        await send_voice(rig, "+447700900555", audio)
        parking, dates, voice = await rig.graph.wait_sent(3, 180)
        assert "car park" in parking.text, parking.text
        assert "dates" in dates.text, dates.text
        assert voice.body["type"] == "audio"
        ogg = rig.graph.media[voice.body["audio"]["id"]].data
        seconds = ogg_opus_seconds(ogg)
        jobs = await rig.box_query("SELECT status FROM voice_jobs")
        assert [j["status"] for j in jobs] == ["done"]  # one job for the turn's two replies
        rows = await rig.box_query(
            "SELECT text FROM messages WHERE direction = 'out' AND payload LIKE '%\"audio\"%'"
        )
        [script] = [r["text"] for r in rows]
        assert "For which dates?" in script  # the question the guest must answer
        assert "car park" in script  # the gist
        assert note in script  # the rest is in writing, and it says so, before the question
        assert script.index(note) < script.index("For which dates?")
        assert len(script) < len(parking.text) + len(dates.text)
        assert seconds < 14.0
        heard = await box.voice.transcribe(ogg, "en")
        assert "dates" in heard.text.lower()
        assert len(rig.graph.sent) == 3  # nothing else: one voice note


async def test_speech_workers_run_below_the_box_and_use_every_core(rig: Rig, tmp_path: Path) -> None:
    settings = {"speech": {"engines": "workers", "worker_nice": 15, "voice_replies": False}}
    async with started_box(rig, **settings) as box:
        remote = box.voice.remote
        assert remote is not None
        [worker] = remote.workers
        assert worker.pid is not None
        own = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, worker.pid) == max(15, own)
        assert own < 15  # the box itself is not lowered
        assert box.voice.threads == (os.cpu_count() or 1)  # scheduler.speech.threads = 0: every core
        in_box = load_settings(state_dir=tmp_path / "x", speech={"engines": "in_process"})
        # speech in the box's own process cannot be lowered: one core is kept for guests' text
        assert VoiceService(in_box, box.scheduler).threads == max(1, (os.cpu_count() or 2) - 1)
