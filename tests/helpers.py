"""Language and speech helpers shared by test modules (import them from here, never from another
test module; the running box's kit — recording channel, guest, wait_for, run_cli — is
``tests/support.py``)."""

from __future__ import annotations

import contextlib
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import jiwer

_kokoro: dict[str, Any] = {}
_kokoro_lock = threading.Lock()
GUEST_VOICES = {"es": "kokoro-em_alex", "pt": "kokoro-pm_alex", "en": "kokoro-af_heart"}


def kokoro_voice_note(text: str, lang: str, model_cache: Path | None = None) -> bytes:
    """A guest's voice note (OGG/Opus) of ``text`` spoken by Kokoro, which has no random sampling:
    the same sentence is the same audio on every run, so speech-to-text tests are not flaky. The
    guest's voices are the male ones (the box answers with the female ones)."""
    from hotelbox.speech.engines import TtsSpec, VoiceSet, voice_spec
    from hotelbox.speech.models import ModelStore
    from hotelbox.speech.tts import voice_note

    with _kokoro_lock:
        if "voices" not in _kokoro:
            cache = model_cache or Path(tempfile.gettempdir()) / "hotelbox-test-model-cache"
            store = ModelStore(cache / "installed", cache)
            specs = tuple(voice_spec(store, lg, name) for lg, name in GUEST_VOICES.items())
            voices = VoiceSet(TtsSpec(specs, threads=2))
            voices.load()
            assert not voices.problems, voices.problems
            _kokoro["voices"] = voices
        voices = _kokoro["voices"]
        return voice_note(voices.synthesize(text, lang))


def normalise(text: str) -> str:
    """Lower case, no accents, no punctuation: words to compare."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def said_wer(reply: str, heard: str, lang: str) -> float:
    """Word error rate of what Whisper heard against what the voice was given to read: both sides
    in words (the reply through the box's own speakable step, Whisper's digits written out)."""
    from hotelbox.speech.speakable import speakable

    return float(jiwer.wer(normalise(speakable(reply, lang)), normalise(speakable(heard, lang))))


@contextlib.contextmanager
def wyoming_servers(tmp: Path) -> Iterator[tuple[str, str]]:
    """The real wyoming-faster-whisper and wyoming-piper, on the models the project ships, offline."""
    from hotelbox.speech.models import ModelStore
    from tests.support import free_port

    store = ModelStore(tmp / "m", tmp / "c")
    whisper = store.locate("whisper-base")
    voice_dir = tmp / "piper"
    voice_dir.mkdir()
    joe = store.locate("en_US-joe-medium")
    (voice_dir / "en_US-joe-medium.onnx").symlink_to(joe / "voice.onnx")
    (voice_dir / "en_US-joe-medium.onnx.json").symlink_to(joe / "voice.onnx.json")
    stt_uri, tts_uri = f"tcp://127.0.0.1:{free_port()}", f"tcp://127.0.0.1:{free_port()}"
    bin_dir = Path(sys.executable).parent
    procs = [
        subprocess.Popen(
            [str(bin_dir / "wyoming-faster-whisper"), "--uri", stt_uri, "--model", str(whisper),
             "--data-dir", str(tmp / "fw"), "--local-files-only", "--language", "auto",
             "--compute-type", "int8", "--beam-size", "5", "--cpu-threads", "2"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ),
        subprocess.Popen(
            [str(bin_dir / "wyoming-piper"), "--uri", tts_uri, "--voice", "en_US-joe-medium",
             "--data-dir", str(voice_dir), "--local-files-only",
             # no sampling noise, as the box's own piper speaks (speech/tts.py): VITS noise made
             # "Breakfast" heard as "Reckless" about once in ten runs
             "--noise-scale", "0", "--noise-w-scale", "0"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ),
    ]  # fmt: skip
    try:
        for uri in (stt_uri, tts_uri):
            port = int(uri.rsplit(":", 1)[1])
            deadline = time.monotonic() + 120
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    assert time.monotonic() < deadline, f"{uri} did not start"
                    time.sleep(0.2)
        yield stt_uri, tts_uri
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(20)


MONTHS = {
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "en": "January February March April May June July August September October November December",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
}


def say_date(d: date, lang: str) -> str:
    month = MONTHS[lang].split()[d.month - 1]
    return f"{month} {d.day}" if lang == "en" else f"{d.day} de {month}"
