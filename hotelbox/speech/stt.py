"""Speech to text: faster-whisper (CTranslate2, int8) and Vosk behind one small protocol.

Both are blocking and CPU-heavy: the box calls them only through the scheduler's speech lane
(bounded concurrency, the lane's thread budget passed to the engine), never on the event loop.
Whisper gets the conversation's language when it is known — its own detection of a short clip
is unreliable (a Spanish clip decoded as Italian) — and otherwise
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
        initial_prompt: dict[str, str] | None = None,
    ) -> None:
        self.model_dir = model_dir
        self.name = name
        self.threads = threads
        self.beam_size = beam_size
        self.vad = vad
        self.languages = ("en",) if english_only else languages
        self.initial_prompt = initial_prompt or {}  # language → the hotel's own words
        self._model: Any = None

    def load(self) -> None:
        from faster_whisper import WhisperModel

        self._model = WhisperModel(
            str(self.model_dir), device="cpu", compute_type="int8", cpu_threads=self.threads, num_workers=1
        )

    def transcribe(self, samples: np.ndarray, lang_hint: str | None = None) -> Transcript:
        """One VAD pass, one encoder pass, one decode: the language (when unknown) is detected
        among the hotel's languages on the encoder output of the speech's first 30 s, and that same
        output is decoded in it (letting Whisper detect inside its own call decoded a clip it heard
        as Italian twice; faster-whisper's ``detect_language`` then ``transcribe`` encoded the same
        window twice, ~1 s of a first voice note's 3)."""
        if self._model is None:
            self.load()
        started = time.perf_counter()
        prob: float | None = None
        if len(self.languages) == 1:
            lang: str | None = self.languages[0]
        elif lang_hint in self.languages:
            lang = lang_hint
        else:
            lang = None
        speech = self._speech(samples)
        text = ""
        if speech.size:
            features = self._model.feature_extractor(speech)
            encoded = None
            if lang is None:
                encoded = self._encode_first_window(features)
                probs = [(tok[2:-2], float(p)) for tok, p in self._model.model.detect_language(encoded)[0]]
                allowed = [(la, p) for la, p in probs if la in self.languages]
                lang, prob = max(allowed, key=lambda lp: lp[1]) if allowed else (self.languages[0], 0.0)
            text = self._decode_features(features, lang, encoded)
        lang = lang or self.languages[0]
        return Transcript(
            text, lang, prob, len(samples) / SAMPLE_RATE, time.perf_counter() - started, self.name
        )

    def _encode_first_window(self, features: np.ndarray) -> Any:
        """The encoder output of the window faster-whisper's ``generate_segments`` decodes first
        (its first ``nb_max_frames`` content frames, padded), so passing it back skips its encode."""
        from faster_whisper.audio import pad_or_trim

        content_frames = features.shape[-1] - 1
        window = features[:, : min(self._model.feature_extractor.nb_max_frames, content_frames)]
        return self._model.encode(pad_or_trim(window))

    def _speech(self, samples: np.ndarray) -> np.ndarray:
        """The speech in the clip, silences cut (Silero VAD, as faster-whisper's vad_filter does)."""
        if not self.vad:
            return samples
        from faster_whisper.vad import VadOptions, collect_chunks, get_speech_timestamps

        chunks = get_speech_timestamps(samples, VadOptions())
        pieces, _ = collect_chunks(samples, chunks)
        return np.concatenate(pieces).astype(np.float32, copy=False)

    def _decode(self, speech: np.ndarray, lang: str) -> str:
        """Decode the speech in ``lang`` (encoding it here)."""
        return self._decode_features(self._model.feature_extractor(speech), lang, None)

    def _decode_features(self, features: np.ndarray, lang: str, encoded: Any) -> str:
        """faster-whisper's ``transcribe`` minus its own language detection and first encode:
        its options with the defaults of faster-whisper 1.2 (pinned in pyproject.toml), then its
        ``generate_segments`` given the first window's encoder output when we have it."""
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import TranscriptionOptions, get_suppressed_tokens

        model = self._model
        tokenizer = Tokenizer(
            model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language=lang
        )
        options = TranscriptionOptions(
            beam_size=self.beam_size,
            best_of=5,
            patience=1,
            length_penalty=1,
            repetition_penalty=1,
            no_repeat_ngram_size=0,
            log_prob_threshold=-1.0,
            no_speech_threshold=0.6,
            compression_ratio_threshold=2.4,
            condition_on_previous_text=False,
            prompt_reset_on_temperature=0.5,
            temperatures=[0.0, 0.2, 0.4, 0.6, 0.8, 1.0],
            initial_prompt=self.initial_prompt.get(lang) or None,
            prefix=None,
            suppress_blank=True,
            suppress_tokens=get_suppressed_tokens(tokenizer, [-1]),
            without_timestamps=True,
            max_initial_timestamp=1.0,
            word_timestamps=False,
            prepend_punctuations="\"'“¿([{-",
            append_punctuations="\"'.。,，!！?？:：”)]}、",
            multilingual=False,
            max_new_tokens=None,
            clip_timestamps="0",
            hallucination_silence_threshold=None,
            hotwords=None,
        )
        segments = model.generate_segments(features, tokenizer, options, False, encoded)
        return " ".join(s.text.strip() for s in segments).strip()  # the generator runs the decoder


class VoskStt:
    """Kaldi through Vosk: light, one language per model, optional grammar (a closed phrase list)."""

    def __init__(self, model_dir: Path, name: str, language: str, grammar: list[str] | None = None) -> None:
        self.model_dir = model_dir
        self.name = name
        self.languages: tuple[str, ...] = (language,)
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
