"""Which of Spanish, English and Portuguese a guest is writing.

lingua (restricted to the three languages) is the general detector: on the short texts guests
send it beats py3langid ("hola" → es where py3langid says en; "sim" → pt, "sí" → es). It is
combined with the domain language model trained on the hotel examples, which knows what lingua
has no reason to ("hay parking" is Spanish, "alterar reserva" Portuguese). A
conversation's language is sticky: a short or unsure message ("ok", "2", "Ana García") keeps
the language the conversation already has; only a confident, longer message switches it.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from hotelbox.nlu.text import fold

_CODES = {Language.SPANISH: "es", Language.ENGLISH: "en", Language.PORTUGUESE: "pt"}
# Words that settle the language on their own, for one- or two-word messages lingua is unsure of.
_MARKERS = {
    "es": {"hola", "gracias", "si", "vale", "buenas", "buenos", "adios", "habitacion", "quiero", "noches", "chao", "nop"},
    "en": {"hi", "hello", "thanks", "thank", "yes", "please", "room", "book", "nights", "bye", "hey"},
    "pt": {"oi", "ola", "obrigado", "obrigada", "sim", "nao", "quarto", "quero", "noites", "tchau", "valeu"},
}  # fmt: skip
SWITCH_MIN_WORDS = 3
SWITCH_MIN_CONFIDENCE = 0.80


@dataclass(frozen=True)
class LanguageGuess:
    lang: str
    confidence: float
    sticky: bool = False  # kept from the conversation rather than read from this text


DomainScorer = Callable[[str], dict[str, float]]


class LanguageIdentifier:
    """lingua, combined (geometric mean) with the domain model when one is given."""

    def __init__(self, default: str = "es", domain: DomainScorer | None = None) -> None:
        self.default = default
        self.domain = domain
        self._detector: LanguageDetector | None = None
        self._lock = threading.Lock()

    def load(self) -> None:
        with self._lock:
            if self._detector is None:
                self._detector = (
                    LanguageDetectorBuilder.from_languages(*_CODES).with_preloaded_language_models().build()
                )

    def _scores(self, text: str) -> list[tuple[str, float]]:
        if self._detector is None:
            self.load()
        assert self._detector is not None
        values = {
            _CODES[v.language]: v.value for v in self._detector.compute_language_confidence_values(text)
        }
        if self.domain is not None:
            domain = self.domain(text)
            combined = {
                lang: math.sqrt(max(p, 1e-6) * max(domain.get(lang, 0.0), 1e-6)) for lang, p in values.items()
            }
            total = sum(combined.values())
            values = {lang: p / total for lang, p in combined.items()}
        return sorted(values.items(), key=lambda kv: kv[1], reverse=True)

    def identify(self, text: str, hint: str | None = None) -> LanguageGuess:
        words = [w for w in fold(text).split() if any(c.isalpha() for c in w)]
        if not words:
            return LanguageGuess(hint or self.default, 0.0, sticky=True)
        if len(words) <= 2:
            for lang, markers in _MARKERS.items():
                if any(w.strip("!?.,¡¿") in markers for w in words):
                    if hint and hint != lang:
                        return LanguageGuess(hint, 0.5, sticky=True)
                    return LanguageGuess(lang, 0.9)
        lang, confidence = self._scores(text)[0]
        if hint and lang != hint and (len(words) < SWITCH_MIN_WORDS or confidence < SWITCH_MIN_CONFIDENCE):
            return LanguageGuess(hint, confidence, sticky=True)
        return LanguageGuess(lang, confidence)
