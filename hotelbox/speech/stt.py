"""Speech to text: faster-whisper (CTranslate2, int8) and Vosk behind one small protocol.

Both are blocking and CPU-heavy: the box calls them only through the scheduler's speech lane
(bounded concurrency, the lane's thread budget passed to the engine), never on the event loop.
Whisper gets the conversation's language when it is known — its own detection of a short clip
is unreliable (a Spanish clip decoded as Italian, ../shared/reference/models.md) — and otherwise
detects among the hotel's languages only, recording what it chose and how sure it was.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from hotelbox.speech.audio import SAMPLE_RATE

HOTEL_LANGUAGES = ("es", "en", "pt")


@dataclass(frozen=True)
class Transcript:
    text: str
    lang: str
    lang_prob: float | None  # None when the language was given, not detected
    duration_s: float
    seconds: float  # compute time
    model: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class SpeechToText(Protocol):
    name: str
    languages: tuple[str, ...]

    def load(self) -> None: ...

    def transcribe(self, samples: np.ndarray, lang_hint: str | None = None) -> Transcript: ...


class WhisperStt:
    def __init__(
        self,
        model_dir: Path,
        name: str,
        *,
        threads: int = 1,
        beam_size: int = 5,
        vad: bool = True,
        languages: tuple[str, ...] = HOTEL_LANGUAGES,
        english_only: bool = False,
    ) -> None:
        self.model_dir = model_dir
        self.name = name
        self.threads = threads
        self.beam_size = beam_size
        self.vad = vad
        self.languages = ("en",) if english_only else languages
        self._model: Any = None

    def load(self) -> None:
        from faster_whisper import WhisperModel

        self._model = WhisperModel(
            str(self.model_dir), device="cpu", compute_type="int8", cpu_threads=self.threads, num_workers=1
        )

    def detect(self, samples: np.ndarray) -> tuple[str, float]:
        """The most likely of the hotel's languages, and its probability among all languages."""
        _, _, all_probs = self._model.detect_language(audio=samples, vad_filter=self.vad)
        allowed = [(lang, p) for lang, p in all_probs if lang in self.languages]
        return max(allowed, key=lambda lp: lp[1]) if allowed else (self.languages[0], 0.0)

    def transcribe(self, samples: np.ndarray, lang_hint: str | None = None) -> Transcript:
        if self._model is None:
            self.load()
        started = time.perf_counter()
        prob: float | None = None
        if len(self.languages) == 1:
            lang = self.languages[0]
        elif lang_hint in self.languages:
            lang = lang_hint
        else:
            lang, prob = self.detect(samples)
        segments, _info = self._model.transcribe(
            samples,
            language=lang,
            beam_size=self.beam_size,
            vad_filter=self.vad,
            condition_on_previous_text=False,
            without_timestamps=True,
        )
        text = " ".join(s.text.strip() for s in segments).strip()  # the generator runs the decoder
        return Transcript(
            text, lang, prob, len(samples) / SAMPLE_RATE, time.perf_counter() - started, self.name
        )


class VoskStt:
    """Kaldi through Vosk: light, one language per model, optional grammar (a closed phrase list)."""

    def __init__(self, model_dir: Path, name: str, language: str, grammar: list[str] | None = None) -> None:
        self.model_dir = model_dir
        self.name = name
        self.languages = (language,)
        self.grammar = grammar
        self._model: Any = None

    def load(self) -> None:
        import vosk

        vosk.SetLogLevel(-1)
        self._model = vosk.Model(str(self.model_dir))

    def transcribe(self, samples: np.ndarray, lang_hint: str | None = None) -> Transcript:
        import vosk

        if self._model is None:
            self.load()
        started = time.perf_counter()
        if self.grammar:
            recognizer = vosk.KaldiRecognizer(
                self._model, SAMPLE_RATE, json.dumps([*self.grammar, "[unk]"], ensure_ascii=False)
            )
        else:
            recognizer = vosk.KaldiRecognizer(self._model, SAMPLE_RATE)
        pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16).tobytes()
        step = SAMPLE_RATE * 2 // 2  # half a second of 16-bit samples
        words: list[str] = []
        for i in range(0, len(pcm), step):
            if recognizer.AcceptWaveform(pcm[i : i + step]):
                words.append(json.loads(recognizer.Result()).get("text", ""))
        words.append(json.loads(recognizer.FinalResult()).get("text", ""))
        text = " ".join(w for w in words if w and w != "[unk]").strip()
        return Transcript(
            text,
            self.languages[0],
            None,
            len(samples) / SAMPLE_RATE,
            time.perf_counter() - started,
            self.name,
        )
