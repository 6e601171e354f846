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
"""

from __future__ import annotations

import os
import string
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import jiwer

from hotelbox.config import load_settings
from hotelbox.dialogue.catalog import Catalog
from hotelbox.speech.audio import decode
from hotelbox.speech.engines import TtsSpec, VoiceSet, voice_spec
from hotelbox.speech.models import ModelStore
from hotelbox.speech.speakable import speakable
from hotelbox.speech.stt import WhisperStt
from hotelbox.speech.tts import voice_note
from tests.helpers import normalise

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
        "price": catalog.money(lang, Decimal("95"), "EUR"),
        "ref": "HB-4821",
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


def words(text: str, lang: str) -> str:
    """Both sides as words: written out by the box's speakable step, accents and punctuation gone,
    one spelling for a word written two ways ("e-mail" and "email")."""
    return normalise(speakable(text, lang)).replace("e mail", "email")


def voices_from_env() -> dict[str, str]:
    voices = dict(load_settings(state_dir=Path("/nonexistent")).speech.voices)
    for pair in filter(None, os.environ.get("HOTELBOX_ROUNDTRIP_VOICES", "").split(",")):
        lang, name = pair.split("=", 1)
        voices[lang] = name
    return voices


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
    whisper = {
        b: WhisperStt(store.locate("whisper-base"), "whisper-base", threads=1, beam_size=b) for b in beams
    }
    for w in whisper.values():
        w.load()
    out: dict[str, Any] = {}
    print(f"### round trip over the reply catalogues: voices {voices}, Whisper base beam {beams}")
    for lang in langs:
        tts = VoiceSet(TtsSpec((voice_spec(store, lang, voices[lang]),), threads=1))
        tts.load()
        rows: dict[int, list[tuple[str, str, str]]] = {b: [] for b in beams}
        took = {"tts": 0.0, **{f"stt{b}": 0.0 for b in beams}}
        for key, text in sentences(catalog, lang):
            said = speakable(text, lang)
            started = time.perf_counter()
            audio = decode(voice_note(tts.synthesize(text, lang))).samples
            took["tts"] += time.perf_counter() - started
            for b, w in whisper.items():
                started = time.perf_counter()
                heard = w.transcribe(audio, lang).text
                took[f"stt{b}"] += time.perf_counter() - started
                rows[b].append((key, words(said, lang), words(heard, lang)))
        result: dict[str, Any] = {"sentences": len(rows[beams[0]]), "voice": voices[lang], "seconds": took}
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
        worst = sorted(rows[beams[0]], key=lambda row: -jiwer.wer(row[1], row[2]) if row[1] else 0)[:8]
        for key, ref, hyp in worst:
            if ref != hyp:
                print(f"  {key}: read  «{ref}»\n  {' ' * len(key)}  heard «{hyp}»")
        result["worst"] = worst
        result["rows"] = rows[beams[0]]  # every message: key, what was read, what was heard
        out[lang] = result
    return out
