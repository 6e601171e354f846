"""Text folding and number words for Spanish, English and Portuguese.

Guests type fast on phones: no accents, no capitals, "q" for "que". Everything rule-based in
understanding works on :func:`fold` (lower-case, accents removed, quotes unified, spaces
collapsed) and on :func:`numbers_to_digits`, which writes cardinal number words as digits.

Why not text2num's alpha2digit: it reads Portuguese "um quarto" (a room) as "1 4º" and turns
weekday names like "sexta" into ordinals (checked with text2num 3.1.0); guest counts and
dates both depend on those words, so the small per-language tables below are safer.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "´": "'", "`": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced form of ``text`` (length may change)."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return _SPACES.sub(" ", strip_accents(text).lower()).strip()


# Cardinal words (accent-free). Articles ("un", "una", "um", "uma") are not numbers here;
# the patterns that want "una noche" = 1 night say so themselves.
_UNITS = {
    "es": {
        "cero": 0, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
        "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12, "trece": 13,
        "catorce": 14, "quince": 15, "dieciseis": 16, "diecisiete": 17, "dieciocho": 18,
        "diecinueve": 19, "veinte": 20, "veintiuno": 21, "veintiun": 21, "veintiuna": 21,
        "veintidos": 22, "veintitres": 23, "veinticuatro": 24, "veinticinco": 25,
        "veintiseis": 26, "veintisiete": 27, "veintiocho": 28, "veintinueve": 29,
    },
    "en": {
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
        "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
        "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
        "nineteen": 19, "twenty": 20,
    },
    "pt": {
        "zero": 0, "dois": 2, "duas": 2, "tres": 3, "quatro": 4, "cinco": 5, "seis": 6,
        "sete": 7, "oito": 8, "nove": 9, "dez": 10, "onze": 11, "doze": 12, "treze": 13,
        "catorze": 14, "quatorze": 14, "quinze": 15, "dezesseis": 16, "dezasseis": 16,
        "dezessete": 17, "dezassete": 17, "dezoito": 18, "dezenove": 19, "dezanove": 19,
        "vinte": 20,
    },
}  # fmt: skip
_TENS = {
    "es": {"veinte": 20, "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60},
    "en": {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60},
    "pt": {"vinte": 20, "trinta": 30, "quarenta": 40, "cinquenta": 50, "sessenta": 60},
}
_TENS_JOIN = {"es": r"\s+y\s+", "en": r"[\s-]+", "pt": r"\s+e\s+"}
# Words that mean 1 only in counting position ("una noche", "one night", "um adulto").
ONE_WORDS = {"es": ("un", "una", "uno"), "en": ("a", "an", "one"), "pt": ("um", "uma")}


@lru_cache(maxsize=8)
def _number_pattern(lang: str) -> tuple[re.Pattern[str], dict[str, int]]:
    units = dict(_UNITS[lang])
    if lang == "pt":
        units["um"] = 1
        units["uma"] = 1
    tens = _TENS[lang]
    unit_alt = "|".join(sorted(map(re.escape, units), key=len, reverse=True))
    tens_alt = "|".join(sorted(map(re.escape, tens), key=len, reverse=True))
    compound = rf"(?P<tens>{tens_alt})(?:{_TENS_JOIN[lang]}(?P<unit>{unit_alt}))?"
    pattern = re.compile(rf"\b(?:{compound}|(?P<single>{unit_alt}))\b")
    return pattern, {**units, **tens}


def numbers_to_digits(folded: str, lang: str) -> str:
    """Write number words of ``lang`` as digits in already-folded text ("dos noches" → "2 noches").

    Portuguese "um"/"uma" stay words (they are mostly articles); counting patterns treat them.
    """
    if lang not in _UNITS:
        return folded
    pattern, values = _number_pattern(lang)

    def sub(m: re.Match[str]) -> str:
        if m.group("single"):
            word = m.group("single")
            if lang == "pt" and word in ("um", "uma"):
                return word
            return str(values[word])
        value = values[m.group("tens")]
        if m.group("unit"):
            value += values[m.group("unit")]
        return str(value)

    return pattern.sub(sub, folded)
