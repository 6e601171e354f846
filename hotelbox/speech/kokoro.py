"""Text to speech with Kokoro-82M (int8 ONNX through kokoro-onnx): Spanish, Brazilian Portuguese
and English from one 92 MB model and a 522 KB style file per voice.

Phonemes come from espeak-ng (GPL) through phonemizer (GPL): that is why this module is only
imported by the speech worker process (:mod:`hotelbox.speech.worker`), never by the box itself.
espeak-ng is Debian's ``libespeak-ng1``, given to kokoro-onnx through ``EspeakConfig`` (the
``espeakng-loader`` wheel bundles a copy with no licence file: it is never used).

The text is synthesized sentence by sentence (one inference per sentence keeps memory flat and
lets long replies stream); onnxruntime keeps its memory arena (off, peaks reached 1.4 GB).
"""

from __future__ import annotations

import ctypes.util
import logging
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hotelbox.dialogue.varieties import localize
from hotelbox.errors import ModelError
from hotelbox.speech.speakable import speakable
from hotelbox.speech.tts import Speech

log = logging.getLogger(__name__)
SAMPLE_RATE = 24_000
PAUSE_S = 0.2
VOICE_SHAPE = (510, 1, 256)  # one style row per phoneme count
PHONEMES = {"es": "es", "pt": "pt-br", "en": "en-us"}  # espeak-ng languages; pt-BR voices
WORDING = {"pt": "pt-BR"}  # the variety each language's voices speak: they say its words


# What the Brazilian voice says instead of words it says ambiguously or Whisper hears as others
# (round trip, issue 16): Brazilian words a receptionist would say, for speech only — the text
# message keeps its own wording.
SAID: dict[str, tuple[tuple[re.Pattern[str], str], ...]] = {
    "pt": tuple(
        (re.compile(written), said)
        for written, said in (
            (r"\b([Ee])mail\b", r"\1-mail"),  # espeak reads "email" e-ma-iu: heard "e maio"
            (r"\b([Jj]á) avisei\b", r"\1 informei"),  # "já avisei" was heard "já visei"
            (r"\bDiga-me\b", "Me diga"),  # the Brazilian places the pronoun before the verb:
            (r"\bdiga-me\b", "me diga"),  # "diga-me as datas" was heard "diga minhas datas"
            (r"\bindicar-me\b", "me indicar"),
            (r"\benviar-me\b", "me enviar"),
            (r"\bfaltam-me\b", "ainda faltam"),
            (r"\b([Tt]ambém) lhe respondo\b", r"\1 respondo"),
            (r"\bmantém-se\b", "está mantida"),  # heard "mantência"
            (r"\bescrevê-l[oa](?= outra vez)", "escrever"),
            (r"\bescrevê-la\?", "escrever?"),
            (r"\bvai ouvi-la\b", "vai ouvir"),
            (r"\bPeço desculpa, algo correu mal\b", "Desculpe, algo deu errado"),  # "pesso de desculpa"
            (r"\bPara estadias de mais de\b", "Para hospedagens com mais de"),  # "estar dias demais de"
            (r"\bestes preços e esta disponibilidade\b", "esses preços e essa disponibilidade"),  # heard so
            (r"\btêm de ser\b", "precisam ser"),  # "têm de ser" was heard "tende ser"
            (r"\bResponda “sim”", "Responda: “sim”"),  # a pause: "responda sim" was heard "responda assim"
        )
    ),
}


def kokoro_text(text: str, lang: str) -> str:
    """What a Kokoro voice says for a reply: in its own variety's words (Kokoro's Portuguese is
    Brazilian: a European "vão responder-lhe" said with Brazilian phonemes was heard as
    "responder de"), the words it says ambiguously said otherwise (``SAID``), made speakable."""
    text = localize(text, WORDING.get(lang))
    for written, said in SAID.get(lang, ()):
        text = written.sub(said, text)
    return speakable(text, lang)


ESPEAK_DATA_DIRS = (
    "/usr/lib/x86_64-linux-gnu/espeak-ng-data",
    "/usr/lib/aarch64-linux-gnu/espeak-ng-data",
    "/usr/share/espeak-ng-data",
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class KokoroVoice:
    lang: str
    name: str
    path: Path  # raw float32 510×256
    phonemes: str


def system_espeak() -> tuple[str, str]:
    """Debian's libespeak-ng1 and its data directory, or ModelError (voice_missing)."""
    lib = ctypes.util.find_library("espeak-ng")
    data = next((d for d in ESPEAK_DATA_DIRS if Path(d, "phontab").is_file()), None)
    if lib is None or data is None:
        raise ModelError("espeak-ng is not installed (apt-get install libespeak-ng1)", code="espeak_missing")
    return lib, data


def load_voice_file(path: Path) -> np.ndarray:
    raw = np.fromfile(path, dtype="<f4")
    if raw.size != VOICE_SHAPE[0] * VOICE_SHAPE[2] or not np.isfinite(raw).all():
        raise ModelError(f"{path} is not a Kokoro voice (510×256 float32)", code="model_corrupt")
    return raw.reshape(VOICE_SHAPE)


def sentences(text: str) -> list[str]:
    return [s for s in (p.strip() for p in _SENTENCE.split(text)) if s]


class ShrinkingSession:
    """An onnxruntime session whose memory arena gives back what a run grew it by, at the end of
    each run: the arena stays on (turned off, peaks reached 1.4 GB) but the worker's idle memory
    returns near its loaded size after a long sentence instead of keeping that sentence's peak.

    ``interrupt`` stops the run under way (onnxruntime's ``RunOptions.terminate``, safe from
    another thread) and every run after it until ``resume`` (the end of the synthesis it stopped):
    a guest's voice note waiting to be heard does not wait for a voice reply's sentence to end."""

    def __init__(self, session: Any) -> None:
        self._session = session
        self._current: Any = None
        self._stopped = False

    def _options(self) -> Any:
        import onnxruntime

        options = onnxruntime.RunOptions()
        options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
        return options

    def run(self, output_names: Any, inputs: Any, run_options: Any = None) -> Any:
        options = run_options or self._options()
        self._current = options
        if self._stopped:  # interrupted between two runs
            options.terminate = True
        try:
            return self._session.run(output_names, inputs, options)
        finally:
            self._current = None

    def interrupt(self) -> None:
        self._stopped = True
        current = self._current
        if current is not None:
            current.terminate = True

    def resume(self) -> None:
        self._stopped = False

    @property
    def stopped(self) -> bool:
        return self._stopped

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


class KokoroTts:
    """Kokoro voices by language; ``synthesize`` returns 24 kHz float samples."""

    def __init__(self, model_path: Path, voices: list[KokoroVoice], threads: int = 1) -> None:
        self.model_path = model_path
        self.voice_specs = {v.lang: v for v in voices}
        self.threads = threads
        self._kokoro: Any = None
        self._session: ShrinkingSession | None = None
        self._styles: dict[str, np.ndarray] = {}
        self.load_seconds = 0.0

    @property
    def languages(self) -> set[str]:
        return set(self._styles)

    def load(self) -> None:
        import onnxruntime
        from kokoro_onnx import Kokoro
        from kokoro_onnx.config import EspeakConfig

        started = time.perf_counter()
        lib, data = system_espeak()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        # no spinning between ops: an idle Kokoro thread leaves the core to guests' text (issue 16)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            session = ShrinkingSession(
                onnxruntime.InferenceSession(
                    str(self.model_path), sess_options=options, providers=["CPUExecutionProvider"]
                )
            )
            # kokoro-onnx wants a voices file it can np.load; ours are raw files, passed per call
            with tempfile.TemporaryDirectory() as tmp:
                empty = Path(tmp) / "voices.npz"
                np.savez(empty)
                kokoro = Kokoro.from_session(
                    session, str(empty), espeak_config=EspeakConfig(lib_path=lib, data_path=data)
                )
        except Exception as exc:
            raise ModelError(f"Kokoro model {self.model_path} failed to load: {exc}") from exc
        self._kokoro, self._session = kokoro, session
        for lang, voice in self.voice_specs.items():
            self._styles[lang] = load_voice_file(voice.path)
        self.load_seconds = time.perf_counter() - started

    def synthesize(self, text: str, lang: str) -> Speech:
        style = self._styles.get(lang)
        if style is None or self._kokoro is None or self._session is None:
            raise ModelError(f"no voice installed for {lang}", code="voice_missing")
        started = time.perf_counter()
        spoken = kokoro_text(text, lang)
        pieces = [np.zeros(0, dtype=np.float32)]
        pause = np.zeros(int(PAUSE_S * SAMPLE_RATE), dtype=np.float32)
        try:
            for sentence in self.sentences(spoken):
                if len(pieces) > 1:
                    pieces.append(pause)
                pieces.append(self._say(sentence, style, lang))
        except Exception as exc:
            if self._session.stopped:
                raise ModelError(
                    "interrupted: a voice note waits to be heard", code="speech_interrupted"
                ) from exc
            raise
        finally:
            self._session.resume()
        samples = np.concatenate(pieces)
        return Speech(samples, SAMPLE_RATE, time.perf_counter() - started, spoken)

    def interrupt(self) -> bool:
        """Stop the synthesis under way, or the next one if it has not started yet (from another
        thread): it raises ModelError ``speech_interrupted``."""
        if self._session is None:
            return False
        self._session.interrupt()
        return True

    def sentences(self, spoken: str) -> list[str]:
        return sentences(spoken)

    def _say(self, sentence: str, style: np.ndarray, lang: str) -> np.ndarray:
        phonemes = self.voice_specs[lang].phonemes
        samples, _rate = self._kokoro.create(sentence, voice=style, lang=phonemes)
        return np.asarray(samples, dtype=np.float32)
