"""The box's voice: hear a guest's audio, speak a reply — models loaded once, work in the speech lane.

Models are cached per process and key (path, threads) behind a lock, so several boxes in one
process (tests) or a reload share one copy, and they are loaded before READY. A missing or
broken speech-to-text model falls back to ``speech.fallback_stt_model``; with neither, voice
notes get a clear "please type" answer. A language without a voice (Kokoro for es/pt/en, or a piper voice) is answered in text.
Health says which of these is the case.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from hotelbox.config import Settings
from hotelbox.errors import ModelError
from hotelbox.scheduler import Priority, Scheduler
from hotelbox.speech.audio import AudioError, decode
from hotelbox.speech.engines import TtsSpec, VoiceSet, VoiceSpec, voice_spec
from hotelbox.speech.models import ModelStore, load_manifest
from hotelbox.speech.stt import SpeechToText, Transcript, VoskStt, WhisperStt
from hotelbox.speech.tts import Speech, voice_note

log = logging.getLogger(__name__)
_cache: dict[tuple[Any, ...], Any] = {}
_cache_lock = threading.Lock()


def cached(key: tuple[Any, ...], build: Any) -> Any:
    with _cache_lock:
        if key not in _cache:
            value = build()
            value.load()
            _cache[key] = value
        return _cache[key]


def make_stt(store: ModelStore, name: str, threads: int, beam_size: int, vad: bool) -> SpeechToText:
    spec = store.spec(name)
    path = store.locate(name)
    if spec.engine == "vosk":
        return cached(("vosk", str(path)), lambda: VoskStt(path, name, spec.language))  # type: ignore[no-any-return]
    if spec.engine != "faster-whisper":
        raise ModelError(f"{name} is a {spec.engine} model, not speech to text", code="model_kind")
    return cached(  # type: ignore[no-any-return]
        ("whisper", str(path), threads, beam_size, vad),
        lambda: WhisperStt(
            path, name, threads=threads, beam_size=beam_size, vad=vad, english_only=spec.language == "en"
        ),
    )


class VoiceService:
    def __init__(self, settings: Settings, scheduler: Scheduler) -> None:
        self.settings = settings.speech
        self.scheduler = scheduler
        self.store = ModelStore(
            settings.model_dir, settings.model_cache, load_manifest(settings.speech.site_manifest)
        )
        self.stt: SpeechToText | None = None
        self.tts: VoiceSet | None = None
        self.problems: dict[str, str] = {}  # model role → what is wrong
        self.load_seconds: dict[str, float] = {}
        self.transcribed = 0
        self.spoken = 0

    @property
    def threads(self) -> int:
        return self.scheduler.lane("speech").threads

    def load(self) -> None:
        """Blocking (run it off the loop): everything the box will need, before READY."""
        if not self.settings.enabled:
            return
        started = time.perf_counter()
        for name in [self.settings.stt_model, self.settings.fallback_stt_model]:
            if not name:
                continue
            try:
                self.stt = make_stt(
                    self.store, name, self.threads, self.settings.beam_size, self.settings.vad
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
        stt = self.stt
        if stt is None:
            raise ModelError("no speech-to-text model is loaded", code="stt_unavailable")

        def work() -> Transcript:
            decoded = decode(
                data, max_bytes=self.settings.max_audio_bytes, max_seconds=self.settings.max_audio_seconds
            )
            return stt.transcribe(decoded.samples, lang_hint)

        transcript: Transcript = await self.scheduler.lane("speech").run(
            work, priority=priority, deadline_s=max_wait_s
        )
        self.transcribed += 1
        return transcript

    def can_speak(self, lang: str) -> bool:
        return self.tts is not None and lang in self.tts.languages

    async def speak(self, text: str, lang: str, priority: Priority = Priority.GUEST) -> tuple[bytes, Speech]:
        """A WhatsApp-ready voice note (OGG/Opus) of the text, and what was synthesized."""
        tts = self.tts
        if tts is None or lang not in tts.languages:
            raise ModelError(f"no voice for {lang}", code="voice_missing")

        def work() -> tuple[bytes, Speech]:
            speech = tts.synthesize(text, lang)
            return voice_note(speech), speech

        result: tuple[bytes, Speech] = await self.scheduler.lane("speech").run(work, priority=priority)
        self.spoken += 1
        return result

    def health(self) -> dict[str, Any]:
        return {
            "enabled": self.settings.enabled,
            "stt": self.stt.name if self.stt else None,
            "voices": sorted(self.tts.languages) if self.tts else [],
            "text_only_languages": sorted({"es", "en", "pt"} - (self.tts.languages if self.tts else set())),
            "problems": self.problems,
            "load_seconds": {k: round(v, 3) for k, v in self.load_seconds.items()},
            "transcribed": self.transcribed,
            "spoken": self.spoken,
        }


__all__ = ["AudioError", "VoiceService"]
