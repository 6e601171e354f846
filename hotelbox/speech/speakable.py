"""Reply text → text a voice reads well, per language.

Piper (through espeak-ng) reads raw digits, symbols and codes badly: "240,50 €", "15:00",
"HB-4821" or "12 December" come out wrong or not at all. Numbers are written out with
num2words (es, en, pt), prices with their currency, times as a person says them, booking
references the way a receptionist reads them out (letters one by one, digits in pairs: "H B,
cuarenta y ocho, veintiuno"), counts in the gender of what they count ("duas noites"),
abbreviations and units in full, date ranges with their preposition, emoji and links dropped
(an emoji that ended a sentence still ends it), list lines made sentences.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from num2words import num2words

CURRENCIES = {  # symbol or code → (singular, plural, cents) per language
    "EUR": {"es": ("euro", "euros", "céntimos"), "pt": ("euro", "euros", "cêntimos"), "en": ("euro", "euros", "cents")},
    "USD": {"es": ("dólar", "dólares", "centavos"), "pt": ("dólar", "dólares", "cêntimos"), "en": ("dollar", "dollars", "cents")},
    "GBP": {"es": ("libra", "libras", "peniques"), "pt": ("libra", "libras", "pence"), "en": ("pound", "pounds", "pence")},
    "BRL": {"es": ("real", "reales", "centavos"), "pt": ("real", "reais", "centavos"), "en": ("real", "reais", "centavos")},
}  # fmt: skip
SYMBOLS = {"€": "EUR", "$": "USD", "US$": "USD", "£": "GBP", "R$": "BRL"}
AND_CENTS = {"es": "con", "pt": "e", "en": "and"}
HOURS = {"es": "horas", "pt": "horas"}
MONTHS_EN = "january|february|march|april|may|june|july|august|september|october|november|december"

_SYMBOL = r"(?:R\$|US\$|€|\$|£|EUR|USD|GBP|BRL)"
_AMOUNT = r"\d{1,3}(?:[.,\u202f\u00a0 ]\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
PRICE_AFTER = re.compile(rf"({_AMOUNT})\s?({_SYMBOL})")
PRICE_BEFORE = re.compile(rf"({_SYMBOL})\s?({_AMOUNT})")
TIME = re.compile(r"\b([01]?\d|2[0-3])[:.h]([0-5]\d)\b")
HOUR_H = re.compile(r"\b([01]?\d|2[0-3])\s?h\b")  # "15h", "15 h": the hour as Portuguese and Spanish write it
REFERENCE = re.compile(
    r"\b(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9]{1,5}(?:-[A-Z0-9]{1,8})+\b"
    r"|\b(?!(?:EUR|USD|GBP|BRL)\b)[A-Z]{2,4} ?\d{3,}\b"  # "HB4821", "HB 4821" (not "EUR 240")
)
LETTERS_DIGITS = re.compile(r"\b([A-Z]{1,4})(\d+)\b")
PHONE = re.compile(r"\+?\d(?:[ \-]?\d){7,14}\b")
URL = re.compile(r"https?://\S+|www\.\S+")
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
EN_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({MONTHS_EN})\b", re.IGNORECASE)
EN_MONTH_DAY = re.compile(rf"\b({MONTHS_EN})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b", re.IGNORECASE)
EN_ORDINAL = re.compile(r"\b(\d{1,3})(?:st|nd|rd|th)\b", re.IGNORECASE)  # "the 12th of March"
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
EMAIL_WORDS = {"es": ("arroba", "punto"), "pt": ("arroba", "ponto"), "en": ("at", "dot")}
COUNT_BEFORE_WORD = re.compile(r"(?<![\d.,])\b(\d+)\s+([^\W\d_]+)")
FEMININE = {  # nouns the replies count that take "una" / "uma", "duas" (the others take "un" / "um", "dois")
    "es": {"noche", "habitación", "persona", "cama", "hora", "semana", "suite", "niña", "cuna", "reserva"},
    "pt": {"noite", "pessoa", "cama", "hora", "semana", "suíte", "criança", "reserva", "diária"},
}
NOT_A_NOUN = {  # after "1": no apocope ("el 1 de marzo" is "uno de marzo", not "un de marzo")
    "es": {"de", "del", "a", "al", "y", "o", "e", "u", "en", "por", "para", "con", "hasta"},
    "pt": {"de", "do", "da", "a", "ao", "e", "ou", "em", "por", "para", "com", "até"},
}
ABBREVIATIONS = {  # written short in the replies, said in full
    "es": {"máx.": "máximo", "pers.": "personas", "tel.": "teléfono"},
    "pt": {"máx.": "máximo", "pess.": "pessoas", "tel.": "telefone"},
    "en": {"max.": "maximum", "tel.": "phone"},
}
UNITS = {"cm": {"es": "centímetros", "pt": "centímetros", "en": "centimeters"}}
UNIT = re.compile(r"(\d)\s?(cm)\b")
RANGE_DASH = re.compile(r"\s+–\s+")  # "12 de marzo – 15 de marzo"
RANGE_WORD = {"es": "al", "pt": "a", "en": "to"}
EMOJI_CATEGORIES = ("So", "Sk", "Cs", "Co")


def _words(n: int | Decimal, lang: str, to: str = "cardinal") -> str:
    return str(num2words(n, lang=lang, to=to))


def _amount(text: str, lang: str) -> Decimal | None:
    """'1.240,50', '1,240.50', '240,5' or '240' → Decimal. A separator followed by one or two
    digits at the end is the decimal one, whatever the language (thousands come in threes)."""
    t = re.sub(r"[\u202f\u00a0 ]", "", text)
    m = re.fullmatch(r"([\d.,]*?)[.,](\d{1,2})", t)
    whole, cents = (m.group(1), m.group(2)) if m else (t, "")
    whole = re.sub(r"[.,]", "", whole) or "0"
    try:
        return Decimal(f"{whole}.{cents}" if cents else whole)
    except InvalidOperation:
        return None


def say_price(amount: Decimal, currency: str, lang: str) -> str:
    one, many, cents_word = CURRENCIES.get(currency, CURRENCIES["EUR"])[lang]
    whole = int(amount)
    cents = int((amount - whole) * 100)
    out = f"{_words(whole, lang)} {one if whole == 1 else many}"
    if lang == "es":  # before a noun: "un euro", "veintiún euros", "treinta y un euros"
        out = re.sub(r"veintiuno\b", "veintiún", out)
        out = re.sub(r"\buno\b", "un", out)
    if cents:
        out += f" {AND_CENTS[lang]} {_words(cents, lang)} {cents_word}"
    return out


def say_time(h: int, m: int, lang: str) -> str:
    if lang == "en":
        suffix = "a m" if h < 12 else "p m"
        h12 = h % 12 or 12
        if m == 0:  # "three p m", as people say it (and write it: 3 p.m.)
            return f"{_words(h12, lang)} {suffix}"
        minutes = f"oh {_words(m, lang)}" if m < 10 else _words(m, lang)
        return f"{_words(h12, lang)} {minutes} {suffix}"
    hour = _words(h, lang)
    if lang == "pt":  # "hora" is feminine: uma, duas, vinte e uma, vinte e duas
        hour = re.sub(r"\bum$", "uma", re.sub(r"\bdois$", "duas", hour))
    if m == 0:
        return f"{hour} {HOURS[lang]}"
    joiner = "y" if lang == "es" else "e"
    said = {15: "cuarto" if lang == "es" else "quinze", 30: "media" if lang == "es" else "meia"}
    return f"{hour} {joiner} {said.get(m) or _words(m, lang)}"  # "diez y media", "sete e meia"


def spell(reference: str, lang: str) -> str:
    """A phone number, one digit at a time: '+34 952…' → 'tres, cuatro, nueve, cinco, dos…'."""
    parts = [_words(int(ch), lang) if ch.isdigit() else ch for ch in reference if ch.isalnum()]
    return ", ".join(parts)


def _digit_groups(digits: str, lang: str) -> list[str]:
    """'4821' → ['cuarenta y ocho', 'veintiuno']: up to three digits as one number, longer runs in
    pairs (three first when odd); a group starting with 0 digit by digit ('05' → 'cero cinco')."""
    if len(digits) <= 3:
        groups = [digits]
    else:
        head = 3 if len(digits) % 2 else 2
        groups = [digits[:head]] + [digits[i : i + 2] for i in range(head, len(digits), 2)]
    said = []
    for group in groups:
        if group.startswith("0") and len(group) > 1:
            said.append(" ".join(_words(int(d), lang) for d in group))
        else:
            said.append(_words(int(group), lang))
    return said


def say_reference(reference: str, lang: str) -> str:
    """'HB-4821' → 'H B, cuarenta y ocho, veintiuno', as a receptionist reads it out: the letters one
    by one, the digits in pairs (one character at a time was heard as 'hbmil doscientos…'). In
    Portuguese the letters stay one word, 'HB' (the voice says 'agá-bê'; 'H B', said 'agá bê', was
    heard 'GB', 'AB' or 'Gabé')."""
    groups: list[str] = []
    for part in re.findall(r"[A-Za-z]+|\d+", reference):
        if part.isdigit():
            groups.extend(_digit_groups(part, lang))
        else:
            groups.append(part.upper() if lang == "pt" else " ".join(part.upper()))
    return ", ".join(groups)


def _reference(m: re.Match[str], lang: str) -> str:
    """A reference in Portuguese comes after a pause, as a receptionist sets it apart ('a reserva,
    HB, …'): run into the word before it, 'reserva agá' was heard 'reserva GB'."""
    said = say_reference(m.group(0), lang)
    if lang == "pt" and re.search(r"[^\W\d_]\s*$", m.string[: m.start()]):
        return f", {said}"
    return said


def _counted(n: int, noun: str, lang: str) -> str:
    """A count in the gender of what it counts: 'una noche', 'un adulto', 'duas noites', 'vinte e uma'."""
    said = _words(n, lang)
    word = noun.lower()
    if word in NOT_A_NOUN[lang]:
        return said
    singular = re.sub(r"(?<=[^s])e?s$", "", word) if lang == "es" else re.sub(r"s$", "", word)
    feminine = word in FEMININE[lang] or singular in FEMININE[lang] or word.rstrip("s") in FEMININE[lang]
    if lang == "es":
        if feminine:
            return re.sub(r"uno$", "una", said)
        return re.sub(r"\buno$", "un", re.sub(r"veintiuno$", "veintiún", said))
    if feminine:
        return re.sub(r"\bdois$", "duas", re.sub(r"\bum$", "uma", said))
    return said


def _unit(m: re.Match[str], text: str, lang: str) -> str:
    """'105 cm' → 'ciento cinco centímetros'; English before a noun is singular ('a 105 centimeter bed')."""
    said = UNITS[m.group(2)][lang]
    if lang == "en" and re.match(r"\s+[a-z]", text[m.end() :]):
        return said.removesuffix("s")
    return said


def _abbreviation(m: re.Match[str], full: str) -> str:
    return full.capitalize() if m.group(0)[0].isupper() else full


def speakable(text: str, lang: str) -> str:
    lang = lang if lang in ("es", "en", "pt") else "en"
    at, dot = EMAIL_WORDS[lang]
    text = EMAIL.sub(lambda m: m.group(0).replace("@", f" {at} ").replace(".", f" {dot} "), text)
    text = URL.sub("", text)
    text = "".join(
        "\x00" if unicodedata.category(ch) in EMOJI_CATEGORIES or ch == "\ufe0f" else ch for ch in text
    )
    # "Hecho ✅ Tu reserva…": the emoji ended the sentence; said without it, the sentence still ends
    text = re.sub(r"(?<=[^\W_])[ \x00]*\x00[ \x00]*(?=[A-ZÁÉÍÓÚÂÊÔÃÕÇ¿¡])", ". ", text)
    text = text.replace("\x00", "")
    for short, full in ABBREVIATIONS[lang].items():
        text = re.sub(
            rf"(?<!\w){re.escape(short)}", functools.partial(_abbreviation, full=full), text, flags=re.I
        )
    text = UNIT.sub(lambda m: f"{m.group(1)} {_unit(m, text, lang)}", text)
    text = RANGE_DASH.sub(f" {RANGE_WORD[lang]} ", text)
    text = re.sub(r"\s+[—·]\s+", ", ", text)  # "desta vez — esperamos", "Anna Miller · anna@…"
    text = re.sub(r"^\s*(?:[-*•·]|\d+[.)])\s+", "", text, flags=re.MULTILINE)  # list markers
    text = re.sub(r"([:.!?;,])\s*\n+\s*", r"\1 ", text.strip())  # a line ending in punctuation
    text = re.sub(r"\s*\n+\s*", ". ", text)  # list items and paragraphs: sentences
    text = REFERENCE.sub(functools.partial(_reference, lang=lang), text)
    text = LETTERS_DIGITS.sub(r"\1 \2", text)  # "HB48" (a code the voice would read as one word)
    text = PHONE.sub(lambda m: spell(m.group(0), lang), text)

    def price(amount_text: str, symbol: str) -> str:
        amount = _amount(amount_text, lang)
        if amount is None:
            return f"{amount_text} {symbol}"
        return say_price(amount, SYMBOLS.get(symbol, symbol), lang)

    text = PRICE_AFTER.sub(lambda m: price(m.group(1), m.group(2)), text)
    text = PRICE_BEFORE.sub(lambda m: price(m.group(2), m.group(1)), text)
    text = TIME.sub(lambda m: say_time(int(m.group(1)), int(m.group(2)), lang), text)
    if lang != "en":
        text = HOUR_H.sub(lambda m: say_time(int(m.group(1)), 0, lang), text)
    if lang == "en":
        text = EN_DAY_MONTH.sub(
            lambda m: f"the {_words(int(m.group(1)), lang, 'ordinal')} of {m.group(2)}", text
        )
        text = EN_MONTH_DAY.sub(lambda m: f"{m.group(1)} {_words(int(m.group(2)), lang, 'ordinal')}", text)

    if lang == "en":
        text = EN_ORDINAL.sub(lambda m: _words(int(m.group(1)), lang, "ordinal"), text)
    else:  # "1 noche" is "una noche", "1 adulto" "un adulto", "2 noites" "duas noites"
        text = COUNT_BEFORE_WORD.sub(
            lambda m: f"{_counted(int(m.group(1)), m.group(2), lang)} {m.group(2)}", text
        )

    def number(m: re.Match[str]) -> str:
        value = m.group(0)
        if "," in value or "." in value:
            amount = _amount(value, lang)
            return _words(amount, lang) if amount is not None else value
        return _words(int(value), lang)

    text = NUMBER.sub(number, text)
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r"([.!?])\.+", r"\1", text)
    return re.sub(r"\s{2,}", " ", text).strip()
