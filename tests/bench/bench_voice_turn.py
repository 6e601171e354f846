"""A voice turn through the box (issue 16), text first and voice after, next to the same work
through a plain wyoming-faster-whisper + wyoming-piper pair, on the same clips.

The clips are ~10 s guest questions spoken by Kokoro in es/en/pt. For each: the time from the
voice note accepted to the text reply handed to the channel, and to the voice reply handed to
the channel. The pair does what a bare Wyoming setup would: transcribe the note (language auto),
then synthesize the box's own reply text with piper (the only piper voice the registries ship is
English, so every language is spoken by it: that favours the pair, as English piper is fast).
Printed: p50/p95 of each, and box/pair as a ratio, with the load average; the speech worker's
memory; and each step of the turn alone. ``HOTELBOX_VOICE_TURN_ENGINES`` (workers,in_process).
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Any

from hotelbox.channels import SendResult
from hotelbox.config import load_settings
from hotelbox.daemon import Box
from hotelbox.messages import Inbound
from hotelbox.pipeline import stage_summary
from hotelbox.speech import remote
from hotelbox.speech.audio import decode
from hotelbox.speech.models import ModelStore
from hotelbox.store.outbox import OutboxItem
from tests.helpers import kokoro_voice_note, wyoming_servers
from tests.support import wait_for

QUESTIONS = {  # about 10 s each when spoken: the voice note
    "es": [
        "Hola, buenas tardes. Quería saber a qué hora se sirve el desayuno en el hotel, si está incluido en el precio de la habitación y si hay opciones sin gluten para mi hija.",
        "Buenas. Llegamos mañana en coche desde Madrid con dos niños pequeños: ¿tienen aparcamiento en el hotel, cuánto cuesta por día y hace falta reservarlo antes de llegar?",
        "Hola, ¿a qué hora es el check-in? Nuestro vuelo llega muy temprano por la mañana y querríamos dejar las maletas en recepción antes de salir a comer por el centro.",
    ],
    "en": [
        "Hello there. I wanted to ask what time breakfast is served at the hotel, whether it is included in the price of the room, and if there are gluten free options for my daughter.",
        "Hi, we are driving down tomorrow from the airport with two small children. Do you have parking at the hotel, how much is it a day, and do we need to book a space before we arrive?",
        "Hello, what time is check-in? Our flight lands very early in the morning and we would like to leave our bags at reception before we go out for lunch in the old town.",
    ],
    "pt": [
        "Olá, boa tarde. Queria saber a que horas é servido o café da manhã no hotel, se está incluído no preço do quarto e se há opções sem glúten para a minha filha.",
        "Oi, chegamos amanhã de carro vindo do aeroporto com duas crianças pequenas. Vocês têm estacionamento no hotel, quanto custa por dia e é preciso reservar antes de chegar?",
        "Olá, a que horas é o check-in? O nosso voo chega muito cedo de manhã e gostaríamos de deixar as malas na recepção antes de sair para almoçar no centro da cidade.",
    ],
}


def where_the_time_goes(
    tmp: Path, notes: list[tuple[str, Path]], replies: list[tuple[str, str]]
) -> dict[str, Any]:
    """Each step of a voice turn alone, on one thread as the speech lane runs it (medians)."""
    from hotelbox.config import load_settings as settings_of
    from hotelbox.speech.engines import TtsSpec, VoiceSet, voice_spec
    from hotelbox.speech.stt import WhisperStt
    from hotelbox.speech.tts import voice_note
    from hotelbox.speech.voice import reply_sentences

    store = ModelStore(tmp / "models", tmp / "model-cache")
    whisper = {b: WhisperStt(store.locate("whisper-base"), "whisper-base", beam_size=b) for b in (5, 1)}
    for w in whisper.values():
        w.load()
    voices = settings_of(state_dir=tmp / "x").speech.voices
    tts = VoiceSet(TtsSpec(tuple(voice_spec(store, lg, voices[lg]) for lg in QUESTIONS), threads=1))
    tts.load()
    steps: dict[str, list[float]] = {}

    def timed(step: str, fn: Any, *args: Any) -> Any:
        started = time.perf_counter()
        value = fn(*args)
        steps.setdefault(step, []).append(time.perf_counter() - started)
        return value

    for (lang, path), (_l, reply) in zip(notes, replies, strict=True):
        data = path.read_bytes()
        samples = timed("decode (PyAV)", lambda d=data: decode(d).samples)
        speech = timed("VAD (Silero)", whisper[5]._speech, samples)
        timed("language detection", lambda a=speech: whisper[5]._model.detect_language(audio=a))
        timed("transcribe beam 5", whisper[5]._decode, speech, lang)
        timed("transcribe beam 1", whisper[1]._decode, speech, lang)
        sentences = reply_sentences(reply)
        said = [timed("TTS per sentence", tts.synthesize, sentence, lang) for sentence in sentences]
        steps.setdefault("TTS first sentence", []).append(said[0].seconds)
        steps.setdefault("TTS whole reply", []).append(sum(s.seconds for s in said))
        steps.setdefault("reply audio s", []).append(sum(s.duration_s for s in said))
        timed("Opus encode", voice_note, said[0])
    out = {k: statistics.median(v) for k, v in steps.items()}
    print("  where the time goes (median, 1 thread): " + ", ".join(f"{k} {v:.2f} s" for k, v in out.items()))
    return out


class TurnChannel:
    name = "bench"
    idempotent_send = True
    accepts_voice = True
    merge_replies = False

    def __init__(self) -> None:
        self.text: dict[str, float] = {}
        self.voice: dict[str, float] = {}
        self.replies: dict[str, str] = {}
        self.spoken: dict[str, str] = {}

    async def send(self, item: OutboxItem) -> SendResult:
        now = time.perf_counter()
        if item.reply.audio:
            self.voice.setdefault(item.recipient, now)
            self.spoken.setdefault(item.recipient, item.reply.text)
        else:
            self.text.setdefault(item.recipient, now)
            self.replies.setdefault(item.recipient, item.reply.text)
        return SendResult(f"bench-{item.id}")


async def box_turns(tmp: Path, notes: list[tuple[str, Path]], engines: str) -> dict[str, Any]:
    channel = TurnChannel()
    settings = load_settings(state_dir=tmp / f"box-{engines}", speech={"engines": engines})
    text_s: list[float] = []
    voice_s: list[float] = []
    replies: list[tuple[str, str]] = []
    async with Box(settings, {"bench": channel}) as box:
        for n, (lang, path) in enumerate(notes):
            address = f"+3460000{n:04d}"
            started = time.perf_counter()
            await box.pipeline.accept(
                Inbound(channel="bench", channel_message_id=f"{engines}{n}", sender=address, kind="audio",
                        phone=address, payload={"media": {"path": str(path), "voice": True}})
            )  # fmt: skip
            await wait_for(lambda a=address: a in channel.voice, 180)  # type: ignore[misc]
            text_s.append(channel.text[address] - started)
            voice_s.append(channel.voice.get(address, float("nan")) - started)
            replies.append((lang, channel.replies[address]))
            print(
                f"  turn {n + 1} ({lang}): text {text_s[-1]:.2f} s, voice {voice_s[-1]:.2f} s,"
                f" said {len(channel.spoken.get(address, ''))} characters: {channel.spoken.get(address, '')[:90]!r}"
            )
        workers = box.voice.health().get("workers", {})
        stages = {k: stage_summary(getattr(box.pipeline.times, k)) for k in ("transcribe", "synthesize")}
    return {"text": stage_summary(text_s), "voice": stage_summary(voice_s), "replies": replies,
            "workers": workers, "stages": stages, "raw_voice": voice_s}  # fmt: skip


async def pair_turns(
    tmp: Path, notes: list[tuple[str, Path]], replies: list[tuple[str, str]]
) -> dict[str, Any]:
    took: list[float] = []
    (tmp / "pair").mkdir()
    with wyoming_servers(tmp / "pair") as (stt_uri, tts_uri):  # the same servers the tests start
        for (_lang, path), (_l, reply) in zip(notes, replies, strict=True):
            started = time.perf_counter()
            samples = decode(path.read_bytes()).samples
            await remote.transcribe_pcm(stt_uri, samples, None, timeout_s=120)
            await remote.synthesize(tts_uri, reply, "en", "en_US-joe-medium", timeout_s=120)
            took.append(time.perf_counter() - started)
    return stage_summary(took)


async def run(tmp: Path) -> dict[str, Any]:
    cache = tmp / "model-cache"
    ModelStore(tmp / "models", cache)
    notes: list[tuple[str, Path]] = []
    for lang, questions in QUESTIONS.items():
        for n, question in enumerate(questions):
            path = tmp / f"{lang}{n}.ogg"
            path.write_bytes(kokoro_voice_note(question, lang, cache))
            notes.append((lang, path))
    audio_s = statistics.mean(decode(p.read_bytes()).duration_s for _, p in notes)
    print(
        f"### a voice turn: {len(notes)} voice notes of {audio_s:.1f} s on average (es, en, pt), one at a time"
    )
    out: dict[str, Any] = {"audio_s": audio_s}
    kinds = os.environ.get("HOTELBOX_VOICE_TURN_ENGINES", "workers,in_process").split(",")
    for engines in kinds:
        load = os.getloadavg()
        result = await box_turns(tmp, notes, engines)
        result["load"] = load
        out[engines] = result
        print(
            f"box ({engines}, load average {load[0]:.1f}): text reply sent p50 {result['text']['p50_ms']} ms, p95 {result['text']['p95_ms']} ms; "
            f"voice reply sent p50 {result['voice']['p50_ms']} ms, p95 {result['voice']['p95_ms']} ms"
        )
        print("  stages p50: " + ", ".join(f"{k} {v['p50_ms']} ms" for k, v in result["stages"].items()))
        for role, w in result["workers"].items():
            print(f"  {role} worker: peak RSS {w['peak_rss_mb']} MB, now {w['rss_mb']} MB")
    out["steps"] = where_the_time_goes(tmp, notes, out[kinds[0]]["replies"])
    plain = await pair_turns(tmp, notes, out[kinds[0]]["replies"])
    out["pair"] = plain
    print(
        f"wyoming-faster-whisper + wyoming-piper (joe, en): p50 {plain['p50_ms']} ms, p95 {plain['p95_ms']} ms"
    )
    for engines in kinds:
        ratio = out[engines]["voice"]["p50_ms"] / plain["p50_ms"]
        out[f"ratio_{engines}"] = ratio
        print(f"box voice turn ({engines}) / plain pair, p50: {ratio:.2f}×")
    return out
