"""The box's voice: hear a guest's audio, speak a reply — models loaded once, work in the speech lane.

Models are cached per process and key (path, threads) behind a lock, so several boxes in one
process (tests) or a reload share one copy, and they are loaded before READY. A missing or
broken speech-to-text model falls back to ``speech.fallback_stt_model``; with neither, voice
notes get a clear "please type" answer. A language without a voice (Kokoro for es/pt/en, or a piper voice) is answered in text.
Health says which of these is the case.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import numpy as np

from hotelbox.config import Settings
from hotelbox.errors import ModelError
from hotelbox.scheduler import Priority, Scheduler
from hotelbox.speech.audio import AudioError, decode
from hotelbox.speech.engines import SttSpec, TtsSpec, VoiceSet, VoiceSpec, voice_spec
from hotelbox.speech.models import ModelStore, load_manifest
from hotelbox.speech.stt import SpeechToText, Transcript, VoskStt, WhisperStt
from hotelbox.speech.tts import Speech, voice_note
from hotelbox.speech.workers import WyomingSpeech

log = logging.getLogger(__name__)
_cache: dict[tuple[Any, ...], Any] = {}
_cache_lock = threading.Lock()


class _Loadable(Protocol):
    def load(self) -> None: ...


L = TypeVar("L", bound=_Loadable)


def cached(key: tuple[Any, ...], build: Callable[[], L]) -> L:
    with _cache_lock:
        if key not in _cache:
            value = build()
            value.load()
            _cache[key] = value
        found: L = _cache[key]  # the key names the engine: the cached value is what build makes
        return found


def make_stt(
    store: ModelStore,
    name: str,
    threads: int,
    beam_size: int,
    vad: bool,
    initial_prompt: dict[str, str] | None = None,
) -> SpeechToText:
    spec = store.spec(name)
    path = store.locate(name)
    if spec.engine == "vosk":
        return cached(("vosk", str(path)), lambda: VoskStt(path, name, spec.language))
    if spec.engine != "faster-whisper":
        raise ModelError(f"{name} is a {spec.engine} model, not speech to text", code="model_kind")
    return cached(
        ("whisper", str(path), threads, beam_size, vad, tuple(sorted((initial_prompt or {}).items()))),
        lambda: WhisperStt(
            path,
            name,
            threads=threads,
            beam_size=beam_size,
            vad=vad,
            english_only=spec.language == "en",
            initial_prompt=initial_prompt,
        ),
    )


SENTENCE_PAUSE_S = 0.25
MAX_INTERRUPTIONS = 20  # a sentence stopped this often for guests' notes is given up (the text went)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def reply_sentences(text: str) -> list[str]:
    return [s for s in (p.strip() for p in _SENTENCE_END.split(text)) if s]


class VoiceService:
    def __init__(self, settings: Settings, scheduler: Scheduler) -> None:
        self.settings = settings.speech
        self.box_settings = settings
        self.scheduler = scheduler
        self.remote: WyomingSpeech | None = None  # speech out of the box's process (issue 16)
        self.store = ModelStore(
            settings.model_dir, settings.model_cache, load_manifest(settings.speech.site_manifest)
        )
        self.stt: SpeechToText | None = None
        self.tts: VoiceSet | None = None
        self.problems: dict[str, str] = {}  # model role → what is wrong
        self.load_seconds: dict[str, float] = {}
        self.transcribed = 0
        self.spoken = 0
        self.interrupted = 0  # background sentences stopped for a guest's voice note, then said again
        self._background_speaking = 0  # background sentences in the speech lane now

    @property
    def threads(self) -> int:
        """Threads one speech job may use: with ``scheduler.speech.threads = 0``, every core in
        niced speech workers (the box's text turns still win the CPU), else all cores but one."""
        lane = self.box_settings.scheduler.speech
        if lane.threads == 0 and self.settings.engines == "workers" and self.settings.worker_nice > 0:
            return os.cpu_count() or 1
        return self.scheduler.lane("speech").threads

    def load(self) -> None:
        """Blocking (run it off the loop): everything the box will need, before READY."""
        if not self.settings.enabled:
            return
        if self.out_of_process:
            self._prepare_workers()
            return
        started = time.perf_counter()
        for name in [self.settings.stt_model, self.settings.fallback_stt_model]:
            if not name:
                continue
            try:
                self.stt = make_stt(
                    self.store,
                    name,
                    self.threads,
                    self.settings.beam_size,
                    self.settings.vad,
                    self.settings.initial_prompt,
                )
                break
            except Exception as exc:  # keep going: the fallback, or text only
                self.problems[f"stt:{name}"] = f"{getattr(exc, 'code', type(exc).__name__)}: {exc}"
                log.error("speech-to-text model unusable model=%s error=%s", name, exc)
        self.load_seconds["stt"] = time.perf_counter() - started
        started = time.perf_counter()
        specs: list[VoiceSpec] = []
        for lang, name in self.settings.voices.items():
            try:
                specs.append(voice_spec(self.store, lang, name))
            except ModelError as exc:
                self.problems[f"tts:{lang}"] = f"{exc.code}: {exc}"
                log.error("voice unusable lang=%s model=%s error=%s", lang, name, exc)
        key = ("voices", tuple(sorted(specs, key=lambda v: v.lang)), self.threads)
        self.tts = cached(key, lambda: VoiceSet(TtsSpec(tuple(specs), threads=self.threads)))
        for lang, problem in self.tts.problems.items():
            self.problems[f"tts:{lang}"] = problem
        self.load_seconds["tts"] = time.perf_counter() - started

    @property
    def out_of_process(self) -> bool:
        return self.settings.engines == "workers" or bool(self.settings.stt_uri or self.settings.tts_uri)

    def _prepare_workers(self) -> None:
        """Check the model files here (sha256); the workers (or the hotel's servers) load them."""
        stt: SttSpec | None = None
        for name in (
            [] if self.settings.stt_uri else [self.settings.stt_model, self.settings.fallback_stt_model]
        ):
            if not name:
                continue
            try:
                spec = self.store.spec(name)
                stt = SttSpec(
                    name,
                    spec.engine,
                    str(self.store.locate(name)),
                    spec.language,
                    threads=self.threads,
                    beam_size=self.settings.beam_size,
                    vad=self.settings.vad,
                    initial_prompt=dict(self.settings.initial_prompt),
                )
                break
            except Exception as exc:
                self.problems[f"stt:{name}"] = f"{getattr(exc, 'code', type(exc).__name__)}: {exc}"
                log.error("speech-to-text model unusable model=%s error=%s", name, exc)
        voices: list[VoiceSpec] = []
        for lang, name in [] if self.settings.tts_uri else self.settings.voices.items():
            try:
                voices.append(voice_spec(self.store, lang, name))
            except ModelError as exc:
                self.problems[f"tts:{lang}"] = f"{exc.code}: {exc}"
                log.error("voice unusable lang=%s model=%s error=%s", lang, name, exc)
        self.remote = WyomingSpeech(self.box_settings, stt, TtsSpec(tuple(voices), threads=self.threads))

    async def start(self) -> None:
        """Start the speech workers (models loaded before this returns)."""
        if self.remote is not None:
            started = time.perf_counter()
            await self.remote.start()
            self.load_seconds["workers"] = time.perf_counter() - started
            self.problems.update({f"worker:{k}": v for k, v in self.remote.problems.items()})

    async def stop(self) -> None:
        if self.remote is not None:
            await self.remote.stop()

    # -- work, in the speech lane ------------------------------------------------------------------
    def busy(self) -> bool:
        """Other guests' voice notes hold the speech lane: a job now would wait for them."""
        return self.scheduler.lane("speech").saturated()

    async def transcribe(
        self,
        data: bytes,
        lang_hint: str | None,
        max_wait_s: float | None = None,
        priority: Priority = Priority.GUEST,
    ) -> Transcript:
        """Decode and transcribe; AudioError for unusable audio, ModelError when we cannot listen,
        DeadlineExceeded when no speech slot came within ``max_wait_s``."""
        remote = self.remote
        if remote is not None:  # the lane still decides what runs when; the work is in the worker
            loop = asyncio.get_running_loop()

            def remote_work() -> Transcript:
                return asyncio.run_coroutine_threadsafe(remote.transcribe(data, lang_hint), loop).result()

            heard = await self._hear(remote_work, priority, max_wait_s)
            self.transcribed += 1
            return heard
        stt = self.stt
        if stt is None:
            raise ModelError("no speech-to-text model is loaded", code="stt_unavailable")

        def work() -> Transcript:
            decoded = decode(
                data, max_bytes=self.settings.max_audio_bytes, max_seconds=self.settings.max_audio_seconds
            )
            return stt.transcribe(decoded.samples, lang_hint)

        transcript = await self._hear(work, priority, max_wait_s)
        self.transcribed += 1
        return transcript

    async def _hear(
        self, work: Callable[[], Transcript], priority: Priority, max_wait_s: float | None
    ) -> Transcript:
        """Queue the work in the speech lane; when a background voice reply's sentence holds the
        lane, stop it (it queues again behind this note and is said from its start)."""
        stop = priority < Priority.BACKGROUND and self._background_speaking > 0 and self.busy()
        queued = asyncio.ensure_future(
            self.scheduler.lane("speech").run(work, priority=priority, deadline_s=max_wait_s)
        )
        await asyncio.sleep(0)  # in the lane's queue before the sentence gives its slot up
        if stop:
            await self._interrupt_speaking()
        heard: Transcript = await queued
        return heard

    def can_speak(self, lang: str) -> bool:
        if self.remote is not None:
            return lang in self.remote.languages
        return self.tts is not None and lang in self.tts.languages

    async def speak(self, text: str, lang: str, priority: Priority = Priority.GUEST) -> tuple[bytes, Speech]:
        """A WhatsApp-ready voice note (OGG/Opus) of the text, and what was synthesized.

        One speech-lane job per sentence: a guest's voice note that arrives meanwhile is heard
        between two sentences of a (background-priority) voice reply, not after all of them."""
        remote, tts = self.remote, self.tts
        if remote is None and (tts is None or lang not in tts.languages):
            raise ModelError(f"no voice for {lang}", code="voice_missing")
        loop = asyncio.get_running_loop()

        def say(sentence: str) -> Speech:
            if remote is not None:
                return asyncio.run_coroutine_threadsafe(remote.speak(sentence, lang), loop).result()
            assert tts is not None
            return tts.synthesize(sentence, lang)

        parts = [await self._say(say, sentence, priority) for sentence in reply_sentences(text)]
        if not parts:
            raise ModelError("nothing to say", code="voice_empty")
        rate = parts[0].sample_rate
        pause = np.zeros(int(SENTENCE_PAUSE_S * rate), dtype=np.float32)
        pieces: list[np.ndarray] = []
        for part in parts:
            if pieces:
                pieces.append(pause)
            pieces.append(part.samples)  # one engine per language: one sample rate
        speech = Speech(
            np.concatenate(pieces), rate, sum(p.seconds for p in parts), " ".join(p.text for p in parts)
        )
        ogg = await asyncio.to_thread(voice_note, speech)
        self.spoken += 1
        return ogg, speech

    async def _say(self, say: Callable[[str], Speech], sentence: str, priority: Priority) -> Speech:
        """One sentence, one lane job; a background one stopped for a guest's voice note (issue 16)
        queues again behind it and is said from its start."""
        lane = self.scheduler.lane("speech")
        background = priority >= Priority.BACKGROUND

        def job() -> Speech:
            self._background_speaking += background
            try:
                return say(sentence)
            finally:
                self._background_speaking -= background

        for attempt in range(MAX_INTERRUPTIONS + 1):
            try:
                spoken: Speech = await lane.run(job, priority=priority)
                return spoken
            except ModelError as exc:
                if exc.code != "speech_interrupted" or attempt == MAX_INTERRUPTIONS:
                    raise
                self.interrupted += 1
        raise AssertionError("unreachable")

    async def _interrupt_speaking(self) -> None:
        if self.remote is not None:
            stopped = await self.remote.interrupt()
        else:
            stopped = self.tts is not None and self.tts.interrupt()
        if stopped:
            log.info("voice reply sentence interrupted: a voice note waits to be heard")

    def health(self) -> dict[str, Any]:
        if self.remote is not None:
            voices = self.remote.languages
            stt_name = self.remote.stt_name if self.remote.stt_ready else None
        else:
            voices = self.tts.languages if self.tts else set()
            stt_name = self.stt.name if self.stt else None
        return {
            "enabled": self.settings.enabled,
            "engines": "workers" if self.remote is not None else "in_process",
            **(self.remote.health() if self.remote is not None else {}),
            "stt": stt_name,
            "voices": sorted(voices),
            "text_only_languages": sorted({"es", "en", "pt"} - voices),
            "problems": self.problems,
            "load_seconds": {k: round(v, 3) for k, v in self.load_seconds.items()},
            "transcribed": self.transcribed,
            "spoken": self.spoken,
            "interrupted": self.interrupted,
        }


__all__ = ["AudioError", "VoiceService"]
