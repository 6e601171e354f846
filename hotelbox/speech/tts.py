"""Text to speech with piper: one voice per language, loaded once, run in the speech lane.

``synthesize`` makes the text speakable first (:mod:`.speakable`), lets piper split it into
sentences (one inference per sentence keeps memory flat on long replies), joins them with a
short pause and returns float samples; ``voice_note`` encodes them as WhatsApp's OGG/Opus.
A language without an installed voice is simply not in ``languages``: the box then answers
that guest in text only and says so in health.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from hotelbox.errors import ModelError
from hotelbox.speech.audio import encode_voice_note
from hotelbox.speech.speakable import speakable

if TYPE_CHECKING:
    from piper import PiperVoice

log = logging.getLogger(__name__)
PAUSE_S = 0.25


@dataclass(frozen=True)
class Speech:
    samples: np.ndarray  # float32 mono
    sample_rate: int
    seconds: float  # compute time
    text: str  # what was actually read

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate


class TextToSpeech(Protocol):
    @property
    def languages(self) -> set[str]: ...

    def load(self) -> None: ...

    def synthesize(self, text: str, lang: str) -> Speech: ...


class PiperTts:
    """Piper voices by language: ``{"en": Path(dir with voice.onnx + voice.onnx.json)}``."""

    def __init__(self, voices: dict[str, Path], threads: int = 1, *, vary: bool = True) -> None:
        self.voice_dirs = voices
        self.threads = threads
        # VITS samples noise for prosody and duration: every synthesis of a sentence differs.
        # ``vary=False`` turns it off, so the same text is always the same audio (test clips:
        # a random draw once made "breakfast served" sound like "brick the served", issue 14).
        self.vary = vary
        self._voices: dict[str, PiperVoice] = {}
        self.load_seconds: dict[str, float] = {}

    @property
    def languages(self) -> set[str]:
        return set(self._voices)

    def load(self) -> None:
        import onnxruntime
        from piper import PiperVoice

        for lang, directory in self.voice_dirs.items():
            started = time.perf_counter()
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = self.threads
            options.inter_op_num_threads = 1
            try:
                voice = PiperVoice.load(directory / "voice.onnx", directory / "voice.onnx.json")
                # piper builds its own session; rebuild it with the lane's thread budget
                voice.session = onnxruntime.InferenceSession(
                    str(directory / "voice.onnx"), sess_options=options, providers=["CPUExecutionProvider"]
                )
            except Exception as exc:  # a broken voice must not take the box down: text only
                raise ModelError(f"piper voice for {lang} at {directory} failed to load: {exc}") from exc
            self._voices[lang] = voice
            self.load_seconds[lang] = time.perf_counter() - started

    def synthesize(self, text: str, lang: str) -> Speech:
        voice = self._voices.get(lang)
        if voice is None:
            raise ModelError(f"no voice installed for {lang}", code="voice_missing")
        started = time.perf_counter()
        spoken = speakable(text, lang)
        rate: int = voice.config.sample_rate
        pause = np.zeros(int(PAUSE_S * rate), dtype=np.float32)
        pieces: list[np.ndarray] = []
        config = None
        if not self.vary:
            from piper import SynthesisConfig

            config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
        for chunk in voice.synthesize(spoken, syn_config=config):
            if pieces:
                pieces.append(pause)
            pieces.append(chunk.audio_float_array)
        samples = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
        return Speech(samples, rate, time.perf_counter() - started, spoken)


def voice_note(speech: Speech) -> bytes:
    return encode_voice_note(speech.samples, speech.sample_rate)
