"""Voice on this machine: speech to text and text to speech, our pipeline against the bare models.

1. STT: real-time factor and latency for 5, 10 and 30 s of real English speech (the start of
   multilingual.mp3), for Whisper tiny.en and base (int8), with 1 and 2 threads (median of 3).
2. Word error rate on the FLEURS clips per language, the bare faster-whisper call and our
   pipeline (decode → speech lane → Whisper, the conversation's language passed) side by side,
   and the pipeline's overhead over the bare call.
3. TTS: real-time factor per voice (joe en; es/pt only have the generated test voice).
4. A voice note in, a voice note out: 12 spoken questions through the box (stored → heard →
   understood → answered → spoken → handed to the channel), p50/p95.
5. Peak RSS of ``hotelbox run`` with the default set loaded.
6. A voice turn, text first and voice after, in process and with speech workers, next to a
   plain wyoming-faster-whisper + wyoming-piper pair, as a ratio (:mod:`.bench_voice_turn`).
7. Hotel vocabulary for Whisper, WER with and without it (:mod:`.bench_vocabulary`).
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import subprocess
import sys
import time
import unicodedata
import urllib.request
from pathlib import Path
from typing import Any

import jiwer
import numpy as np

from hotelbox.channels import SendResult
from hotelbox.config import load_settings
from hotelbox.daemon import Box
from hotelbox.messages import Inbound
from hotelbox.pipeline import stage_summary
from hotelbox.speech.audio import SAMPLE_RATE, decode
from hotelbox.speech.models import ModelStore, load_manifest
from hotelbox.speech.stt import WhisperStt
from hotelbox.speech.tts import PiperTts, voice_note
from hotelbox.store.outbox import OutboxItem
from tests.bench import bench_vocabulary, bench_voice_turn
from tests.fakes.tone_voice import make_test_voice, write_site_manifest
from tests.support import DATA, free_port

SPEECH = DATA / "speech"
QUESTIONS = [
    "Hello, what time is breakfast served?",
    "Do you have parking at the hotel?",
    "Is there wifi in the rooms?",
    "What time is check-in?",
    "Do you allow dogs?",
    "How far is the airport?",
]


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def median_time(fn: Any, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def stt_speed(store: ModelStore) -> dict[str, Any]:
    audio = decode((SPEECH / "multilingual.mp3").read_bytes()).samples
    out: dict[str, Any] = {}
    print("### speech to text: latency (median of 3) and real-time factor, int8, beam 5, VAD on")
    print("model            threads     5 s clip          10 s clip         30 s clip")
    for name in ("whisper-tiny.en", "whisper-base"):
        for threads in (1, 2):
            stt = WhisperStt(store.locate(name), name, threads=threads, english_only=name.endswith(".en"))
            stt.load()
            stt.transcribe(audio[: SAMPLE_RATE * 2], "en")  # warm
            cells = []
            for seconds in (5, 10, 30):
                clip = audio[: SAMPLE_RATE * seconds]
                took = median_time(lambda c=clip, s=stt: s.transcribe(c, "en"))
                out[f"{name}/{threads}/{seconds}"] = {"seconds": took, "rtf": took / seconds}
                cells.append(f"{took:5.2f} s (RTF {took / seconds:.3f})")
            print(f"{name:16} {threads:>7}   " + "  ".join(cells))
    return out


async def wer_and_overhead(store: ModelStore, tmp: Path) -> dict[str, Any]:
    """The bare faster-whisper call vs the box's path, same model, settings and language."""
    from faster_whisper import WhisperModel

    bare = WhisperModel(str(store.locate("whisper-base")), device="cpu", compute_type="int8", cpu_threads=2)
    settings = load_settings(state_dir=tmp / "wer", scheduler={"speech": {"threads": 2}})
    from hotelbox.scheduler import Scheduler
    from hotelbox.speech.voice import VoiceService

    scheduler = Scheduler(settings.scheduler)
    voice = VoiceService(settings, scheduler)
    voice.load()
    results: dict[str, Any] = {}
    print(
        "### word error rate on FLEURS (5 clips per language), whisper-base int8, 2 threads, language given"
    )
    print("lang   bare WER   ours WER   bare s    ours s    ours/bare")
    for lang in ("en", "es", "pt"):
        refs, bare_hyps, ours_hyps = [], [], []
        bare_s = ours_s = 0.0
        for path in sorted((SPEECH / "fleurs").glob(f"fleurs-{lang}-*.ogg")):
            data = path.read_bytes()
            refs.append(norm(path.with_suffix(".txt").read_text()))
            t = time.perf_counter()
            samples = decode(data).samples
            segments, _ = bare.transcribe(samples, language=lang, beam_size=5, vad_filter=True,
                                          condition_on_previous_text=False, without_timestamps=True)  # fmt: skip
            bare_hyps.append(norm(" ".join(s.text for s in segments)))
            bare_s += time.perf_counter() - t
            t = time.perf_counter()
            transcript = await voice.transcribe(data, lang)
            ours_s += time.perf_counter() - t
            ours_hyps.append(norm(transcript.text))
        w_bare, w_ours = jiwer.wer(refs, bare_hyps), jiwer.wer(refs, ours_hyps)
        results[lang] = {"wer_bare": w_bare, "wer_ours": w_ours, "bare_s": bare_s, "ours_s": ours_s}
        print(
            f"{lang:5} {100 * w_bare:8.1f} % {100 * w_ours:8.1f} %  {bare_s:7.2f}   {ours_s:7.2f}   {ours_s / bare_s:8.3f}×"
        )
    scheduler.close()
    return results


def tts_speed(store: ModelStore, tmp: Path) -> dict[str, Any]:
    write_site_manifest(tmp, [make_test_voice(tmp, lang) for lang in ("es", "pt")])
    test_store = ModelStore(tmp, tmp, load_manifest(tmp / "site.toml"))
    text = {
        "en": "Your booking HB-4821 is confirmed: a double room from Saturday 12 December to Monday 14 December, total €240.50. Check-in is from 15:00.",
        "es": "Tu reserva HB-4821 está confirmada: habitación doble del sábado 12 al lunes 14 de diciembre, total 240,50 €. El check-in es a partir de las 15:00.",
        "pt": "A sua reserva HB-4821 está confirmada: quarto duplo de sábado 12 a segunda 14 de dezembro, total 240,50 €. O check-in é a partir das 15:00.",
    }  # fmt: skip
    voices = {
        "en": ("en_US-joe-medium", store),
        "es": ("test-es-tiny", test_store),
        "pt": ("test-pt-tiny", test_store),
    }
    out = {}
    print("### text to speech: real-time factor (median of 3, warm), 1 thread, + OGG/Opus encoding")
    for lang, (name, where) in voices.items():
        tts = PiperTts({lang: where.locate(name)}, threads=1)
        tts.load()
        tts.synthesize("Hello.", lang)
        speech = tts.synthesize(text[lang], lang)
        took = median_time(lambda t=tts, la=lang: t.synthesize(text[la], la))
        enc = median_time(lambda s=speech: voice_note(s))
        out[name] = {"rtf": took / speech.duration_s, "audio_s": speech.duration_s, "encode_s": enc}
        note = " (generated test voice: tones, not speech)" if name.startswith("test-") else ""
        print(
            f"{name:18} {speech.duration_s:5.1f} s of audio in {took:.3f} s (RTF {took / speech.duration_s:.3f}); OGG/Opus {enc * 1000:.0f} ms{note}"
        )
    return out


class VoiceTimingChannel:
    name = "bench"
    idempotent_send = True
    accepts_voice = True
    merge_replies = False

    def __init__(self) -> None:
        self.waiters: dict[str, asyncio.Future[float]] = {}

    async def send(self, item: OutboxItem) -> SendResult:
        if item.reply.audio:
            waiter = self.waiters.get(item.recipient)
            if waiter and not waiter.done():
                waiter.set_result(time.perf_counter())
        return SendResult(f"bench-{item.id}")


async def voice_in_voice_out(store: ModelStore, tmp: Path) -> dict[str, Any]:
    tts = PiperTts({"en": store.locate("en_US-joe-medium")})
    tts.load()
    notes = []
    for n, question in enumerate(QUESTIONS * 2):
        path = tmp / f"q{n}.ogg"
        path.write_bytes(voice_note(tts.synthesize(question, "en")))
        notes.append(path)
    channel = VoiceTimingChannel()
    settings = load_settings(state_dir=tmp / "v")
    rounds: dict[str, list[float]] = {"first": [], "known": []}
    async with Box(settings, {"bench": channel}) as box:
        for phase in rounds:  # a new guest's first message (language detected), then a second one
            for n, path in enumerate(notes):
                address = f"+4477009{n:05d}"
                waiter: asyncio.Future[float] = asyncio.get_running_loop().create_future()
                channel.waiters[address] = waiter
                started = time.perf_counter()
                await box.pipeline.accept(
                    Inbound(channel="bench", channel_message_id=f"{phase}{n}", sender=address, kind="audio",
                            phone=address, payload={"media": {"path": str(path), "voice": True}})
                )  # fmt: skip
                rounds[phase].append(await asyncio.wait_for(waiter, 60) - started)
        stages = {
            k: stage_summary(getattr(box.pipeline.times, k))
            for k in ("transcribe", "understand", "synthesize")
        }
    audio_s = statistics.mean(decode(p.read_bytes()).duration_s for p in notes)
    print(f"### voice note in → voice note out ({len(notes)} spoken questions of {audio_s:.1f} s on average)")
    out: dict[str, Any] = {"stages": stages}
    for phase, label in (("first", "first message of a new guest (language detected: two encoder passes)"),
                         ("known", "the conversation's language known")):  # fmt: skip
        s = stage_summary(rounds[phase])
        out[phase] = s
        print(f"{label}: p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms")
    print("stages p50 (both rounds): " + ", ".join(f"{k} {v['p50_ms']} ms" for k, v in stages.items()))
    return out


def daemon_rss(tmp: Path) -> float:
    port = free_port()
    env = {**os.environ, "HOTELBOX_WEB__PORT": str(port), "HOTELBOX_STATE_DIR": str(tmp / "rss")}
    proc = subprocess.Popen([str(Path(sys.executable).with_name("hotelbox")), "run"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        time.sleep(1)
        status = Path(f"/proc/{proc.pid}/status").read_text()
        hwm = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]
        rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]
    finally:
        proc.terminate()
        proc.wait(20)
    print(
        f"### hotelbox run with the default set loaded (Whisper base, piper joe, intent model): peak RSS {hwm:.0f} MB, now {rss:.0f} MB"
    )
    return hwm


async def run(tmp: Path) -> dict[str, Any]:
    store = ModelStore(tmp / "models", tmp / "model-cache")
    np.seterr(all="ignore")
    results: dict[str, Any] = {"stt": stt_speed(store)}
    results["wer"] = await wer_and_overhead(store, tmp)
    results["tts"] = tts_speed(store, tmp / "voices")
    results["voice_round_trip"] = await voice_in_voice_out(store, tmp)
    results["daemon_peak_rss_mb"] = daemon_rss(tmp)
    results["voice_turn"] = await bench_voice_turn.run(tmp / "turn")  # issue 16: text first, voice after
    results["vocabulary"] = await bench_vocabulary.run(tmp / "vocabulary")
    return results


def beam_sizes(tmp: Path) -> dict[str, Any]:
    """``speech.beam_size`` 5 against 1 on the recorded speech the tests carry (FLEURS, language
    given as for a known guest; and unknown, Whisper detecting among es/en/pt): WER and time."""
    store = ModelStore(tmp / "models", tmp / "model-cache")
    out: dict[str, Any] = {}
    print("### Whisper base beam 5 vs 1 on FLEURS (5 clips per language), 1 thread: WER, time per clip")
    whisper = {b: WhisperStt(store.locate("whisper-base"), "whisper-base", beam_size=b) for b in (5, 1)}
    for w in whisper.values():
        w.load()
    for lang in ("es", "en", "pt"):
        paths = sorted((SPEECH / "fleurs").glob(f"fleurs-{lang}-*.ogg"))
        refs = [norm(p.with_suffix(".txt").read_text()) for p in paths]
        clips = [decode(p.read_bytes()).samples for p in paths]
        row: dict[str, Any] = {"audio_s": sum(len(c) for c in clips) / SAMPLE_RATE / len(clips)}
        for b, w in whisper.items():
            for hint in (lang, None):
                started = time.perf_counter()
                heard = [w.transcribe(c, hint) for c in clips]
                took = (time.perf_counter() - started) / len(clips)
                key = f"beam{b}/{'given' if hint else 'detected'}"
                row[key] = {
                    "wer": jiwer.wer(refs, [norm(h.text) for h in heard]),
                    "s_per_clip": took,
                    "lang_right": sum(h.lang == lang for h in heard),
                }
        out[lang] = row
        print(
            f"{lang} ({row['audio_s']:.1f} s clips): "
            + "; ".join(
                f"{k} WER {100 * v['wer']:.1f} % {v['s_per_clip']:.2f} s"
                + ("" if k.endswith("given") else f" ({v['lang_right']}/{len(clips)} heard as {lang})")
                for k, v in row.items()
                if isinstance(v, dict)
            )
        )
    return out
