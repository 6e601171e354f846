"""Hotel vocabulary for Whisper (issue 16): word error rate with and without an initial prompt
naming the hotel, its rooms and "check-in", per language, on the real recorded FLEURS speech the
tests carry and on hotel questions spoken by Kokoro (the words the prompt is meant to help)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import jiwer

from hotelbox.speech.audio import decode
from hotelbox.speech.models import ModelStore
from hotelbox.speech.stt import WhisperStt
from tests.helpers import kokoro_voice_note
from tests.support import DATA

PROMPTS = {
    "es": "Hotel Miramar. Habitación individual, habitación doble, suite familiar. Check-in, check-out.",
    "en": "Hotel Miramar. Single room, double room, family suite. Check-in, check-out.",
    "pt": "Hotel Miramar. Quarto individual, quarto duplo, suíte familiar. Check-in, check-out.",
}
HOTEL_QUESTIONS = {
    "es": [
        "Hola, quiero reservar una habitación doble en el Hotel Miramar para dos noches.",
        "¿A qué hora es el check-in y hasta qué hora es el check-out?",
        "¿Tienen una suite familiar libre para el fin de semana?",
        "Prefiero una habitación individual con vistas, por favor.",
    ],
    "en": [
        "Hi, I would like to book a double room at Hotel Miramar for two nights.",
        "What time is check-in, and when is check-out?",
        "Do you have a family suite free this weekend?",
        "I would prefer a single room with a view, please.",
    ],
    "pt": [
        "Olá, quero reservar um quarto duplo no Hotel Miramar para duas noites.",
        "A que horas é o check-in e até que horas é o check-out?",
        "Vocês têm uma suíte familiar livre para o fim de semana?",
        "Prefiro um quarto individual com vista, por favor.",
    ],
}


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower().replace("-", " "))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def measure(store: ModelStore, cache: Path) -> dict[str, Any]:
    path = store.locate("whisper-base")
    plain = WhisperStt(path, "whisper-base", threads=2)
    prompted = WhisperStt(path, "whisper-base", threads=2, initial_prompt=PROMPTS)
    plain.load()
    prompted.load()
    out: dict[str, Any] = {}
    print("### hotel vocabulary (initial_prompt): word error rate, whisper-base int8, language given")
    print("lang  FLEURS without   with      hotel questions without   with")
    for lang in ("es", "en", "pt"):
        sets: dict[str, list[tuple[Any, str]]] = {
            "fleurs": [
                (decode(p.read_bytes()).samples, p.with_suffix(".txt").read_text())
                for p in sorted((DATA / "speech" / "fleurs").glob(f"fleurs-{lang}-*.ogg"))
            ],
            "hotel": [(decode(kokoro_voice_note(q, lang, cache)).samples, q) for q in HOTEL_QUESTIONS[lang]],
        }
        row: dict[str, Any] = {}
        for name, clips in sets.items():
            refs = [norm(ref) for _, ref in clips]
            for label, stt in (("without", plain), ("with", prompted)):
                hyps = [norm(stt.transcribe(samples, lang).text) for samples, _ in clips]
                row[f"{name}_{label}"] = float(jiwer.wer(refs, hyps))
        out[lang] = row
        print(
            f"{lang:5} {100 * row['fleurs_without']:10.1f} % {100 * row['fleurs_with']:6.1f} %"
            f"   {100 * row['hotel_without']:20.1f} % {100 * row['hotel_with']:6.1f} %"
        )
    return out


async def run(tmp: Path) -> dict[str, Any]:
    return measure(ModelStore(tmp / "models", tmp / "model-cache"), tmp / "model-cache")
