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

from hotelbox.speech.speakable import EMAIL_WORDS, speakable

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


ONE_LETTER_WORDS = {
    "es": {"a", "e", "o", "u", "y"},
    "pt": {"a", "e", "o"},
    "en": {"a", "i"},
}  # after normalise


def join_letters(text: str, lang: str) -> str:
    """Letters spelled one by one are one word, written either way: "H B", "H.B." and "HB" are all
    "hb" (a language's one-letter words, "y", "e", "a", are never joined)."""
    out: list[str] = []
    run: list[str] = []
    for word in [*text.split(), ""]:
        if len(word) == 1 and word.isalpha() and word not in ONE_LETTER_WORDS[lang]:
            run.append(word)
            continue
        out.extend(["".join(run)] if len(run) > 1 else run)
        run = []
        if word:
            out.append(word)
    return " ".join(out)


SPELLINGS = {  # one word written two ways (after normalise): both sides get the first
    "e mail": "email",
    "wi fi": "wifi",
    "recepcao": "rececao",  # Brazilian and European spellings of one word (Whisper writes either)
    "contato": "contacto",
}
_SPELLINGS = re.compile(r"\b(" + "|".join(re.escape(k) for k in SPELLINGS) + r")\b")


# A booking reference written with its pairs of digits apart ("GB 48.21", "AB, 48, 21", "HB 48-21"):
# the same words as "HB-4821" read in pairs, not a decimal number ("quarenta e oito vírgula dois um")
SPLIT_REFERENCE = re.compile(r"\b(?!(?:EUR|USD|GBP|BRL)\b)([A-Z]{2,4})[\s,.-]*(\d{2})[\s,.-]+(\d{2})\b")

# A domain written as such ("mail.com", the end of an address heard without its "@"): the words
# "mail ponto com" the voice said for it
DOMAIN = re.compile(r"(?<![@\w.])([^\W\d_][\w-]*)\.(com|net|org|pt|br|es)\b")


# A half hour Whisper wrote as a decimal ("sete e meia" → "7,5", "siete y media" → "7,5"): the time
# the voice said, as the reply writes it ("7:30")
HALF_HOUR = re.compile(r"\b([01]?\d|2[0-3]),5\b")


def words(text: str, lang: str) -> str:
    """Both sides as words, the same way: written out by the box's speakable step, accents and
    punctuation gone, one spelling for a word written two ways ("e-mail" and "email", "Wi-Fi" and
    "wifi", "recepção" and "receção", "contato" and "contacto"; spelled letters "H B" and "HB"; a
    reference's digit pairs written apart "HB 48.21" and together "HB-4821"; "mail.com" and "mail ponto
    com"; a half hour written "7,5" and "7:30")."""
    if lang in ("es", "pt"):
        text = HALF_HOUR.sub(r"\1:30", text)
    text = SPLIT_REFERENCE.sub(r"\1-\2\3", text)
    text = DOMAIN.sub(lambda m: f"{m.group(1)} {EMAIL_WORDS[lang][1]} {m.group(2)}", text)
    return join_letters(
        _SPELLINGS.sub(lambda m: SPELLINGS[m.group(1)], normalise(speakable(text, lang))), lang
    )


def said_wer(reply: str, heard: str, lang: str) -> float:
    """Word error rate of what Whisper heard against what the voice was given to read: both sides
    as words, the round-trip benchmark's way (``words``)."""
    return float(jiwer.wer(words(reply, lang), words(heard, lang)))


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
