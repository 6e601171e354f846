"""What a speech engine needs to start, as plain data: the box resolves and checks the model files
(sha256), then hands these specs to a speech worker process (``--spec`` JSON) or, with
``speech.engines = "in_process"``, builds the engines itself.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from hotelbox.errors import ModelError
from hotelbox.speech.models import ModelStore
from hotelbox.speech.stt import HOTEL_LANGUAGES, SpeechToText, VoskStt, WhisperStt
from hotelbox.speech.tts import Speech, TextToSpeech

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SttSpec:
    name: str
    engine: str  # faster-whisper | vosk
    path: str
    language: str  # "multi" or one language
    threads: int = 1
    beam_size: int = 5
    vad: bool = True
    initial_prompt: dict[str, str] = field(default_factory=dict)  # language → hotel vocabulary


@dataclass(frozen=True)
class VoiceSpec:
    lang: str
    name: str
    engine: str  # piper | kokoro
    path: str  # piper: the voice's directory; kokoro: the voice.bin file
    model: str | None = None  # kokoro: model.onnx
    phonemes: str | None = None


@dataclass(frozen=True)
class TtsSpec:
    voices: tuple[VoiceSpec, ...]
    threads: int = 1


@dataclass(frozen=True)
class WorkerSpec:
    """What one speech worker loads: hearing, speaking, or both (the default: one process)."""

    stt: SttSpec | None = None
    tts: TtsSpec | None = None
    nice: int = 0  # the worker's CPU priority: the box's text turns win the CPU (speech.worker_nice)

    def to_json(self) -> str:
        tts = self.tts
        return json.dumps(
            {
                "stt": asdict(self.stt) if self.stt else None,
                "tts": {"threads": tts.threads, "voices": [asdict(v) for v in tts.voices]} if tts else None,
                "nice": self.nice,
            }
        )


def spec_from_json(text: str) -> WorkerSpec:
    data: dict[str, Any] = json.loads(text)
    stt, tts = data.get("stt"), data.get("tts")
    return WorkerSpec(
        SttSpec(**stt) if stt else None,
        TtsSpec(tuple(VoiceSpec(**v) for v in tts["voices"]), threads=int(tts.get("threads", 1)))
        if tts
        else None,
        nice=int(data.get("nice", 0)),
    )


def build_stt(spec: SttSpec) -> SpeechToText:
    path = Path(spec.path)
    if spec.engine == "vosk":
        return VoskStt(path, spec.name, spec.language)
    if spec.engine != "faster-whisper":
        raise ModelError(f"{spec.name} is a {spec.engine} model, not speech to text", code="model_kind")
    return WhisperStt(
        path,
        spec.name,
        threads=spec.threads,
        beam_size=spec.beam_size,
        vad=spec.vad,
        languages=HOTEL_LANGUAGES,
        english_only=spec.language == "en",
        initial_prompt=spec.initial_prompt,
    )


KOKORO_MODEL = "kokoro-v1.0-int8"  # the one Kokoro model every Kokoro voice speaks through


def voice_spec(store: ModelStore, lang: str, name: str) -> VoiceSpec:
    """A voice named in ``speech.voices``, its files located and sha256-checked (ModelError if not)."""
    spec = store.spec(name)
    if spec.kind != "tts":
        raise ModelError(f"{name} is a {spec.kind} model, not a voice", code="model_kind")
    path = store.locate(name)
    if spec.engine == "kokoro":
        model = store.locate(KOKORO_MODEL) / "model.onnx"
        return VoiceSpec(lang, name, "kokoro", str(path / "voice.bin"), str(model), spec.phonemes or lang)
    if spec.engine != "piper":
        raise ModelError(f"{name} is a {spec.engine} voice, which the box cannot run", code="model_kind")
    return VoiceSpec(lang, name, "piper", str(path))


class VoiceSet:
    """Voices of several engines (Kokoro for es/pt/en, piper for a site's own), routed by language."""

    def __init__(self, spec: TtsSpec) -> None:
        from hotelbox.speech.tts import PiperTts

        self.spec = spec
        self.engines: dict[str, TextToSpeech] = {}
        piper = {v.lang: Path(v.path) for v in spec.voices if v.engine == "piper"}
        kokoro = [v for v in spec.voices if v.engine == "kokoro"]
        if piper:
            engine = PiperTts(piper, threads=spec.threads)
            for lang in piper:
                self.engines[lang] = engine
        if kokoro:
            from hotelbox.speech.kokoro import KokoroTts, KokoroVoice

            model = kokoro[0].model
            if not model:
                raise ModelError("a Kokoro voice needs the Kokoro model", code="model_missing")
            voices = [KokoroVoice(v.lang, v.name, Path(v.path), v.phonemes or v.lang) for v in kokoro]
            kengine = KokoroTts(Path(model), voices, threads=spec.threads)
            for v in kokoro:
                self.engines[v.lang] = kengine
        self._loaded: set[str] = set()
        self.problems: dict[str, str] = {}  # language → why it has no voice

    @property
    def languages(self) -> set[str]:
        return set(self._loaded)

    def load(self) -> None:
        """Load every engine; one that fails (espeak-ng missing, a broken file) leaves its languages
        in ``problems`` (answered in text) and the others speaking."""
        for engine in {id(e): e for e in self.engines.values()}.values():
            langs = sorted(lang for lang, e in self.engines.items() if e is engine)
            try:
                engine.load()
            except Exception as exc:
                log.error("voices unusable langs=%s error=%s", ",".join(langs), exc)
                for lang in langs:
                    self.problems[lang] = f"{getattr(exc, 'code', type(exc).__name__)}: {exc}"
                continue
            self._loaded |= set(langs) & engine.languages

    def interrupt(self) -> bool:
        """Stop a synthesis under way (engines that can: Kokoro); True if one was stopped."""
        stopped = False
        for engine in {id(e): e for e in self.engines.values()}.values():
            interrupt = getattr(engine, "interrupt", None)
            if interrupt is not None:
                stopped = bool(interrupt()) or stopped
        return stopped

    def synthesize(self, text: str, lang: str) -> Speech:
        engine = self.engines.get(lang)
        if engine is None or lang not in self._loaded:
            raise ModelError(f"no voice installed for {lang}", code="voice_missing")
        return engine.synthesize(text, lang)
