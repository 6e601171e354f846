"""A guest's voice note through the whole box: WhatsApp webhook → relay → box → media download →
decode → Whisper → understanding → dialogue → text reply + piper voice note uploaded to the
(fake) Graph API as OGG/Opus. Plus the answers for audio that cannot be used, and "text only"."""

from __future__ import annotations

import asyncio
import io
import json
import threading
from pathlib import Path
from typing import Any

import av
import pytest

from hotelbox.speech.models import ModelStore
from hotelbox.speech.tts import PiperTts, voice_note
from tests.fakes.graph import message_body, sha256_b64
from tests.helpers import kokoro_voice_note, said_wer
from tests.integration.wa_rig import Rig, started_box
from tests.support import DATA, wait_for

SPEECH = DATA / "speech"


def english_question(tmp: Path, text: str) -> bytes:
    store = ModelStore(tmp / "m", tmp / "c")
    tts = PiperTts({"en": store.locate("en_US-joe-medium")}, vary=False)  # the same clip every run
    tts.load()
    return voice_note(tts.synthesize(text, "en"))


async def send_voice(rig: Rig, phone: str, audio: bytes, **kw: Any) -> None:
    media = rig.graph.add_media(audio)
    part = {"mime_type": "audio/ogg; codecs=opus", "sha256": sha256_b64(audio), "id": media.id, "voice": True}
    await rig.meta.post(message_body(phone, kind="audio", part=part, **kw))


def voice_speech_settings(test_voices: Path) -> dict[str, Any]:
    return {
        "speech": {
            "site_manifest": str(test_voices / "site.toml"),
            "model_dir": str(test_voices),
            "voices": {"en": "en_US-joe-medium", "es": "test-es-tiny", "pt": "test-pt-tiny"},
        }
    }


def check_voice_note(data: bytes) -> float:
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        assert (container.format.name, stream.codec_context.name, stream.rate, stream.channels) == (
            "ogg",
            "opus",
            48000,
            1,
        )
        return float(container.duration or 0) / 1e6


async def test_an_english_voice_note_gets_a_correct_answer_in_text_and_voice(
    rig: Rig, tmp_path: Path
) -> None:
    audio = english_question(tmp_path, "Hello! What time is breakfast served, please?")
    async with started_box(rig):
        await send_voice(rig, "+447700900123", audio)
        text, voice = await rig.graph.wait_sent(2, 60)
        assert text.body["type"] == "text"
        assert "breakfast" in text.text.lower()
        assert voice.body["type"] == "audio"
        assert voice.body["audio"]["voice"] is True
        uploaded = rig.graph.media[voice.body["audio"]["id"]]
        assert uploaded.filename.endswith(".ogg")
        assert uploaded.mime_type == "audio/ogg"
        assert check_voice_note(uploaded.data) > 1.0
        assert "typing" not in json.dumps(
            text.body
        )  # replies are plain; the typing indicator rode on mark-read
        rows = await rig.box_query(
            "SELECT text, json_extract(payload, '$.transcript') AS t FROM messages WHERE direction = 'in'"
        )
        transcript = json.loads(rows[0]["t"])
        assert "breakfast" in rows[0]["text"].lower()  # staff read what the guest said
        assert transcript["lang"] == "en"
        assert transcript["duration_s"] > 1
        assert transcript.get("problem") is None


async def test_a_spanish_voice_note_is_answered_in_spanish(rig: Rig, test_voices: Path) -> None:
    audio = (SPEECH / "fleurs" / "fleurs-es-000.ogg").read_bytes()
    async with started_box(rig, **voice_speech_settings(test_voices)):
        # the guest wrote in Spanish before: the conversation's language is the hint
        await rig.meta.post(message_body("+34600555111", text="hola, buenas tardes"))
        await rig.graph.wait_sent(1, 30)
        await send_voice(rig, "+34600555111", audio)
        sent = await rig.graph.wait_sent(3, 60)
        text, voice = sent[1], sent[2]
        assert voice.body["type"] == "audio"
        assert text.body["type"] in ("text", "interactive")
        rows = await rig.box_query("SELECT text FROM messages WHERE direction = 'in' ORDER BY id")
        assert "viajeros" in rows[1]["text"]
        assert check_voice_note(rig.graph.media[voice.body["audio"]["id"]].data) > 0.5


async def test_unusable_voice_notes_get_a_clear_answer_and_are_kept(rig: Rig) -> None:
    async with started_box(rig):
        await rig.meta.post(message_body("+34600555222", text="hola"))
        await rig.graph.wait_sent(1, 30)
        await send_voice(rig, "+34600555222", b"OggS" + bytes(300))  # corrupt
        silent = (SPEECH / "fleurs" / "fleurs-es-000.ogg").read_bytes()
        from hotelbox.speech.audio import encode_voice_note

        await send_voice(rig, "+34600555222", encode_voice_note(__import__("numpy").zeros(48000), 16000))
        assert silent
        sent = await rig.graph.wait_sent(3, 60)
        assert "escuchar tu nota de voz" in sent[1].text
        assert "no he oído nada" in sent[2].text.lower()
        kept = await rig.box_query("SELECT count(*) AS n FROM media WHERE status = 'stored'")
        assert kept[0]["n"] == 2


async def test_text_only_when_the_guest_asks(rig: Rig, tmp_path: Path) -> None:
    async with started_box(rig):
        await rig.meta.post(message_body("+447700900555", text="hello, text only please, no voice notes"))
        [ack] = await rig.graph.wait_sent(1, 30)
        assert "writing only" in ack.text
        await send_voice(rig, "+447700900555", english_question(tmp_path, "Do you have parking?"))
        sent = await rig.graph.wait_sent(2, 60)
        await wait_for(lambda: True, 0.5)
        assert "car park" in sent[1].text.lower()
        assert all(m.body["type"] != "audio" for m in rig.graph.sent)


async def _hold(lane: Any, jobs: int, gate: threading.Event) -> list[asyncio.Task[Any]]:
    """Fill the speech lane with jobs that wait on ``gate`` (other guests' voice notes)."""
    return [asyncio.create_task(lane.run(gate.wait, 60)) for _ in range(jobs)]


async def test_voice_notes_beyond_what_the_box_can_hear_in_time_are_handed_over_not_lost(
    rig: Rig, tmp_path: Path
) -> None:
    audio = english_question(tmp_path, "Do you have parking?")
    gate = threading.Event()
    async with started_box(rig, speech={"max_queue_wait_s": 1.0}) as box:
        lane = box.scheduler.lane("speech")
        held = await _hold(lane, lane.concurrency, gate)  # every slot busy for longer than the wait
        try:
            await send_voice(rig, "+447700900777", audio)
            [busy] = await rig.graph.wait_sent(1, 30)
        finally:
            gate.set()
            await asyncio.gather(*held)
        assert "me lo escribes" in busy.text.lower()  # nothing heard yet: the hotel's language
        assert busy.body["type"] == "text"
        rows = await rig.box_query("SELECT attention FROM conversations")
        assert rows[0]["attention"] == "voice_busy"  # staff see it in "needs attention"
        kept = await rig.box_query(
            "SELECT m.path, json_extract(g.payload, '$.transcript.problem') AS problem "
            "FROM media m JOIN messages g ON g.id = m.message_id"
        )
        assert kept[0]["problem"] == "speech_busy"
        assert await asyncio.to_thread(Path(kept[0]["path"]).read_bytes) == audio  # staff can play it
        metrics = (await box.metrics.exposition()).decode()
        assert 'hotelbox_errors_total{code="speech_busy"} 1.0' in metrics


async def test_voice_replies_give_way_while_other_guests_wait_to_be_heard(rig: Rig, tmp_path: Path) -> None:
    audio = english_question(tmp_path, "What time is breakfast served?")
    first_gate, later_gate = threading.Event(), threading.Event()
    async with started_box(rig) as box:
        lane = box.scheduler.lane("speech")
        first = await _hold(lane, lane.concurrency, first_gate)
        await send_voice(rig, "+447700900888", audio)
        await wait_for(lambda: lane.queued() == 1, 30)  # our guest's note waits for a slot
        later = await _hold(lane, lane.concurrency + 1, later_gate)  # more guests' notes behind it
        try:
            first_gate.set()  # our note is heard; the others are still waiting when we would speak
            [text] = await rig.graph.wait_sent(1, 60)
            await asyncio.sleep(1.0)
        finally:
            first_gate.set()
            later_gate.set()
            await asyncio.gather(*first, *later)
        assert "breakfast" in text.text.lower()
        assert len(rig.graph.sent) == 1  # the text only: no voice note while others wait
        metrics = (await box.metrics.exposition()).decode()
        assert 'hotelbox_errors_total{code="voice_reply_skipped"} 1.0' in metrics


@pytest.mark.parametrize(
    ("lang", "phone", "greeting", "question", "topic", "limit"),
    [
        (
            "es",
            "+34600555333",
            "hola, buenas tardes",
            "Hola. ¿A qué hora se sirve el desayuno?",
            "desayuno",
            0.1,
        ),
        # Whisper base hears Portuguese homophones as homophones ("há"/"a", "das sete"/"da sete")
        (
            "pt",
            "+5511988887777",
            "olá, boa tarde",
            "Olá. A que horas é servido o café da manhã?",
            "café",
            0.15,
        ),
    ],
)
async def test_spanish_and_portuguese_voice_notes_get_a_kokoro_voice_reply_saying_the_text(
    rig: Rig, lang: str, phone: str, greeting: str, question: str, topic: str, limit: float
) -> None:
    """Kokoro speaks es and pt-BR with the default settings, offline: what Whisper hears in the
    voice reply is what it was to say (the text reply's gist), word for word (times read out)."""
    async with started_box(rig) as box:
        audio = kokoro_voice_note(question, lang, box.settings.model_cache)
        await rig.meta.post(message_body(phone, text=greeting))
        await rig.graph.wait_sent(1, 30)
        await send_voice(rig, phone, audio)
        sent = await rig.graph.wait_sent(3, 120)
        text, voice = sent[1], sent[2]
        assert topic in text.text.lower()
        assert voice.body["type"] == "audio"
        ogg = rig.graph.media[voice.body["audio"]["id"]].data
        assert check_voice_note(ogg) > 1.0
        heard = await box.voice.transcribe(ogg, lang)
        assert heard.lang == lang
        # what the voice note says: the reply's gist within speech.voice_max_seconds (speech/script.py)
        [said] = await rig.box_query(
            "SELECT text FROM messages WHERE direction = 'out' AND payload LIKE '%\"audio\"%'"
        )
        assert topic in said["text"].lower()
        assert said_wer(said["text"], heard.text, lang) <= limit, (said["text"], heard.text)
        assert box.voice.health()["voices"] == ["en", "es", "pt"]


async def test_the_text_reply_goes_out_while_its_voice_note_is_still_being_made(
    rig: Rig, tmp_path: Path
) -> None:
    """Text first, voice after: the voice note is a durable follow-up job. Held while the text is
    sent, it survives a restart of the box and goes out, once, after the text."""
    audio = english_question(tmp_path, "What time is breakfast served?")
    gate = asyncio.Event()
    async with started_box(rig) as box:
        real_speak = box.voice.speak

        async def held_speak(*args: Any, **kw: Any) -> Any:
            await gate.wait()  # the synthesis has not finished (a slow voice, a long reply)
            return await real_speak(*args, **kw)

        box.voice.speak = held_speak  # type: ignore[method-assign]
        await send_voice(rig, "+447700900444", audio)
        [text] = await rig.graph.wait_sent(1, 60)
        assert "breakfast" in text.text.lower()
        jobs = await rig.box_query("SELECT status, reply_to FROM voice_jobs")
        assert [j["status"] for j in jobs] == ["pending"]
    assert len(rig.graph.sent) == 1  # the box stopped with the voice note still to make
    async with started_box(rig):
        text_again, voice = await rig.graph.wait_sent(2, 90)
        assert text_again is text
        assert voice.body["type"] == "audio"
        assert check_voice_note(rig.graph.media[voice.body["audio"]["id"]].data) > 1.0
        jobs = await rig.box_query("SELECT status FROM voice_jobs")
        assert [j["status"] for j in jobs] == ["done"]
        rows = await rig.box_query("SELECT reply_to, kind FROM messages WHERE direction = 'out' ORDER BY id")
        assert len(rows) == 2
        assert rows[0]["reply_to"] == rows[1]["reply_to"]
        await asyncio.sleep(0.5)
        assert len(rig.graph.sent) == 2  # once


@pytest.mark.parametrize(
    ("lang", "question", "expected"),
    [
        # (Whisper base hears a two-word Portuguese question as Spanish: guests say a bit more)
        ("pt", "Olá, bom dia. Vocês têm estacionamento para o meu carro?", "estacionamento"),
        ("en", "Do you have a parking space for my car, please?", "car park"),
    ],
)
async def test_a_first_voice_note_is_answered_in_the_language_heard(
    rig: Rig, lang: str, question: str, expected: str
) -> None:
    """No language known yet (a Spanish phone number, the hotel's default is Spanish): the guest is
    answered in the language Whisper heard, among es/en/pt, in text and in voice."""
    async with started_box(rig) as box:
        audio = kokoro_voice_note(question, lang, box.settings.model_cache)
        await send_voice(rig, "+34600555999", audio)
        text, voice = await rig.graph.wait_sent(2, 120)
        assert expected in text.text.lower(), text.text
        assert voice.body["type"] == "audio"
        rows = await rig.box_query("SELECT language FROM conversations")
        assert rows[0]["language"] == lang
        heard = await box.voice.transcribe(rig.graph.media[voice.body["audio"]["id"]].data, None)
        assert heard.lang == lang  # the voice reply speaks it too
