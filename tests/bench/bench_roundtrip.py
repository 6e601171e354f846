"""Round trip over the reply catalogues (issue 16): every message of ``hotelbox/dialogue/replies/``
in es/en/pt, filled with sample values the way the dialogue fills them (dates and prices through
the catalogue's own formatting, a booking reference, times, an e-mail, a phone number), made
speakable by the box, spoken by the language's default voice, encoded as the voice note the guest
gets (OGG/Opus), decoded and heard by the box's own Whisper (the language given, as the box does
for a known guest) — and the word error rate of what was heard against what was read, both sides
in words (numbers written out, accents and punctuation dropped).

Printed per language: corpus WER (errors over words), sentences heard perfectly, the worst
sentences with what Whisper heard (what :mod:`hotelbox.speech.speakable` should read better).
``HOTELBOX_ROUNDTRIP_LANGS`` (es,en,pt) and ``HOTELBOX_ROUNDTRIP_VOICES`` (e.g. en=en_US-joe-medium)
choose what runs; ``HOTELBOX_ROUNDTRIP_BEAMS`` (5) the Whisper beam sizes compared on the same audio.
For quick loops: ``HOTELBOX_ROUNDTRIP_KEYS`` (message keys, shell patterns, comma separated) runs a
subset; ``HOTELBOX_ROUNDTRIP_CACHE`` (a directory) keeps each voice note heard, keyed by voice,
speed and the exact speakable text, and what Whisper heard in it, keyed by the audio's bytes, beam
and prompt, so a run only speaks and hears what changed; ``HOTELBOX_ROUNDTRIP_WORST``
(8) how many of the worst messages are printed; ``HOTELBOX_ROUNDTRIP_SPEED`` (1.0) Kokoro's speed;
``HOTELBOX_ROUNDTRIP_PROMPT=1`` gives Whisper the hotel-vocabulary prompt of ``BENCH=vocabulary``.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import string
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import jiwer
import numpy as np

from hotelbox.config import load_settings
from hotelbox.dialogue.catalog import Catalog
from hotelbox.speech.audio import decode
from hotelbox.speech.engines import TtsSpec, VoiceSet, voice_spec
from hotelbox.speech.kokoro import kokoro_text
from hotelbox.speech.models import ModelStore
from hotelbox.speech.speakable import speakable
from hotelbox.speech.stt import WhisperStt
from hotelbox.speech.tts import voice_note
from tests.helpers import words

ROOMS = {"es": "Habitación doble", "en": "Double room", "pt": "Quarto duplo"}
SKIP = {"fmt_date"}  # a date pattern, not a sentence


def sample_values(catalog: Catalog, lang: str) -> dict[str, Any]:
    """What the dialogue puts in the placeholders, formatted by the catalogue like the dialogue does."""
    check_in, check_out = date(2027, 3, 12), date(2027, 3, 15)
    return {
        "hotel": "Hotel Miramar",
        "room": ROOMS[lang],
        "other": "Suíte" if lang == "pt" else "Suite",
        "rooms": f"{ROOMS[lang]}, Suite",
        "check_in": catalog.date(lang, check_in),
        "check_out": catalog.date(lang, check_out),
        "nights": catalog.nights(lang, 3),
        "guests": catalog.guests(lang, 2, 1),
        "total": catalog.money(lang, Decimal("345.50"), "EUR"),
        "old_total": catalog.money(lang, Decimal("230"), "EUR"),
        "other_check_in": catalog.date(lang, date(2027, 3, 13)),
        "near_in": catalog.date(lang, date(2027, 3, 13)),
        "near_out": catalog.date(lang, date(2027, 3, 16)),
        "other_total": catalog.money(lang, Decimal("361"), "EUR"),
        "diff": catalog.money(lang, Decimal("115.50"), "EUR"),
        "old_nights": catalog.nights(lang, 2),
        "price": catalog.money(lang, Decimal("95"), "EUR"),
        "ref": "HB-4821",
        "bookings": "HB-4821, HB-5230",
        "name": "Anna Miller",
        "email": "anna.miller@mail.com",
        "phone": "+34 600 123 456",
        "checkin_time": "15:00",
        "max": 8,
        "n": 3,
        "last": catalog.date(lang, check_out),
        "status": catalog.text(lang, "status_confirmed"),
        "question": catalog.text(lang, "ask_dates"),
        "request": catalog.text(lang, "ask_guests_again"),
        "description": "105 cm bed, private bathroom." if lang == "en" else "Cama de 105 cm.",
    }


def sentences(catalog: Catalog, lang: str) -> list[tuple[str, str]]:
    values = sample_values(catalog, lang)
    out = []
    for key, template in catalog.messages[lang].items():
        if key in SKIP:
            continue
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f}
        out.append((key, catalog.text(lang, key, **{f: values[f] for f in fields})))
    return out


def voices_from_env() -> dict[str, str]:
    voices = dict(load_settings(state_dir=Path("/nonexistent")).speech.voices)
    for pair in filter(None, os.environ.get("HOTELBOX_ROUNDTRIP_VOICES", "").split(",")):
        lang, name = pair.split("=", 1)
        voices[lang] = name
    return voices


def keys_from_env() -> list[str]:
    return [k.strip() for k in os.environ.get("HOTELBOX_ROUNDTRIP_KEYS", "").split(",") if k.strip()]


def selected(key: str, patterns: list[str]) -> bool:
    return not patterns or any(fnmatch.fnmatchcase(key, p) for p in patterns)


def with_speed(speed: float) -> None:
    """Kokoro at another speed, for this benchmark only (the product speaks at 1.0)."""
    from hotelbox.speech.kokoro import KokoroTts

    def _say(self: KokoroTts, sentence: str, style: np.ndarray, lang: str) -> np.ndarray:
        phonemes = self.voice_specs[lang].phonemes
        samples, _rate = self._kokoro.create(sentence, voice=style, lang=phonemes, speed=speed)
        return np.asarray(samples, dtype=np.float32)

    KokoroTts._say = _say  # type: ignore[method-assign]


def errors(ref: str, hyp: str) -> int:
    """Word errors (substitutions, deletions, insertions) of one message: what it adds to the corpus WER."""
    if not ref:
        return len(hyp.split())
    out = jiwer.process_words(ref, hyp)
    return int(out.substitutions + out.deletions + out.insertions)


def heard_audio(tts: VoiceSet, text: str, lang: str, key: str, cache: Path | None) -> np.ndarray:
    """The voice note as the box decodes it (16 kHz), from the cache when this exact text was spoken."""
    path = cache / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.npy" if cache else None
    if path is not None and path.is_file():
        return np.load(path)
    audio = decode(voice_note(tts.synthesize(text, lang))).samples
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, audio)
    return audio


def transcript(whisper: WhisperStt, audio: np.ndarray, lang: str, cache: Path | None) -> str:
    """What Whisper heard (language given), from the cache when it already heard these exact samples."""
    if cache is None:
        return whisper.transcribe(audio, lang).text
    digest = hashlib.sha256(audio.tobytes())
    digest.update(f"|{lang}|{whisper.beam_size}|{whisper.initial_prompt.get(lang, '')}".encode())
    path = cache / f"heard-{digest.hexdigest()[:32]}.txt"
    if path.is_file():
        return path.read_text(encoding="utf-8")
    heard = whisper.transcribe(audio, lang).text
    path.write_text(heard, encoding="utf-8")
    return heard


def wer_of(pairs: list[tuple[str, str]]) -> float:
    refs = [r for r, _ in pairs if r]
    hyps = [h for r, h in pairs if r]
    return float(jiwer.wer(refs, hyps)) if refs else 0.0


async def run(tmp: Path) -> dict[str, Any]:
    langs = os.environ.get("HOTELBOX_ROUNDTRIP_LANGS", "es,en,pt").split(",")
    beams = [int(b) for b in os.environ.get("HOTELBOX_ROUNDTRIP_BEAMS", "5").split(",")]
    store = ModelStore(tmp / "models", tmp / "model-cache")
    catalog = Catalog.load()
    voices = voices_from_env()
    patterns = keys_from_env()
    cache = (
        Path(os.environ["HOTELBOX_ROUNDTRIP_CACHE"]) if os.environ.get("HOTELBOX_ROUNDTRIP_CACHE") else None
    )
    worst_n = int(os.environ.get("HOTELBOX_ROUNDTRIP_WORST", "8"))
    speed = float(os.environ.get("HOTELBOX_ROUNDTRIP_SPEED", "1.0"))
    if speed != 1.0:
        with_speed(speed)
    prompt: dict[str, str] = {}
    if os.environ.get("HOTELBOX_ROUNDTRIP_PROMPT") == "1":
        from tests.bench.bench_vocabulary import PROMPTS

        prompt = dict(PROMPTS)
    whisper = {
        b: WhisperStt(
            store.locate("whisper-base"), "whisper-base", threads=1, beam_size=b, initial_prompt=prompt
        )
        for b in beams
    }
    for w in whisper.values():
        w.load()
    out: dict[str, Any] = {}
    print(
        f"### round trip over the reply catalogues: voices {voices}, Whisper base beam {beams}, speed {speed}, "
        f"prompt {'on' if prompt else 'off'}{', messages ' + ','.join(patterns) if patterns else ''}"
    )
    for lang in langs:
        tts = VoiceSet(TtsSpec((voice_spec(store, lang, voices[lang]),), threads=1))
        tts.load()
        rows: dict[int, list[tuple[str, str, str]]] = {b: [] for b in beams}
        took = {"tts": 0.0, **{f"stt{b}": 0.0 for b in beams}}
        for key, text in sentences(catalog, lang):
            if not selected(key, patterns):
                continue
            said = kokoro_text(text, lang) if voices[lang].startswith("kokoro") else speakable(text, lang)
            started = time.perf_counter()
            audio = heard_audio(tts, text, lang, f"{voices[lang]}|{speed}|{said}", cache)
            took["tts"] += time.perf_counter() - started
            for b, w in whisper.items():
                started = time.perf_counter()
                heard = transcript(w, audio, lang, cache)
                took[f"stt{b}"] += time.perf_counter() - started
                rows[b].append((key, words(said, lang), words(heard, lang)))
        result: dict[str, Any] = {
            "sentences": len(rows[beams[0]]),
            "voice": voices[lang],
            "speed": speed,
            "prompt": bool(prompt),
            "seconds": took,
        }
        for b in beams:
            pairs = [(r, h) for _, r, h in rows[b]]
            wer = wer_of(pairs)
            perfect = sum(1 for r, h in pairs if r == h)
            result[f"wer_beam{b}"] = wer
            print(
                f"{lang} ({voices[lang]}), beam {b}: WER {100 * wer:.1f} % over {len(pairs)} messages "
                f"({sum(len(r.split()) for r, _ in pairs)} words), {perfect} heard perfectly; "
                f"Whisper {took[f'stt{b}']:.0f} s, voice {took['tts']:.0f} s"
            )
        worst = sorted(rows[beams[0]], key=lambda row: -errors(row[1], row[2]))[:worst_n]
        for key, ref, hyp in worst:
            if ref != hyp:
                print(
                    f"  {key} ({errors(ref, hyp)} errors): read  «{ref}»\n"
                    f"  {' ' * len(key)}              heard «{hyp}»"
                )
        result["worst"] = worst
        result["rows"] = rows[beams[0]]  # every message: key, what was read, what was heard
        out[lang] = result
    return out
