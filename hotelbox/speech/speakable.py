"""Reply text → text a voice reads well, per language.

Piper (through espeak-ng) reads raw digits, symbols and codes badly: "240,50 €", "15:00",
"HB-4821" or "12 December" come out wrong or not at all. Numbers are written out with
num2words (es, en, pt), prices with their currency, times as a person says them, booking
references spelled character by character, emoji and links dropped, list lines made sentences.
"""

from __future__ import annotations

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
REFERENCE = re.compile(
    r"\b(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9]{1,5}(?:-[A-Z0-9]{1,8})+\b|\b[A-Z]{2,4}\d{3,}\b"
)
PHONE = re.compile(r"\+?\d(?:[ \-]?\d){7,14}\b")
URL = re.compile(r"https?://\S+|www\.\S+")
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
EN_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({MONTHS_EN})\b", re.IGNORECASE)
EN_MONTH_DAY = re.compile(rf"\b({MONTHS_EN})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b", re.IGNORECASE)
EN_ORDINAL = re.compile(r"\b(\d{1,3})(?:st|nd|rd|th)\b", re.IGNORECASE)  # "the 12th of March"
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
EMAIL_WORDS = {"es": ("arroba", "punto"), "pt": ("arroba", "ponto"), "en": ("at", "dot")}
ONE_BEFORE_NOUN = re.compile(r"\b1\s+([^\W\d_]+)")
FEMININE = {  # nouns the replies count that take "una" / "uma" (the others take "un" / "um")
    "es": {"noche", "habitación", "persona", "cama", "hora", "semana", "suite", "niña", "cuna", "reserva"},
    "pt": {"noite", "pessoa", "cama", "hora", "semana", "suíte", "criança", "reserva", "diária"},
}


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
    """'HB-4821' → 'H, B, cuatro, ocho, dos, uno': one character at a time, so it can be written down."""
    parts = [_words(int(ch), lang) if ch.isdigit() else ch for ch in reference if ch.isalnum()]
    return ", ".join(parts)


def speakable(text: str, lang: str) -> str:
    lang = lang if lang in ("es", "en", "pt") else "en"
    at, dot = EMAIL_WORDS[lang]
    text = EMAIL.sub(lambda m: m.group(0).replace("@", f" {at} ").replace(".", f" {dot} "), text)
    text = URL.sub("", text)
    text = "".join(
        ch for ch in text if unicodedata.category(ch) not in ("So", "Sk", "Cs", "Co") and ch != "\ufe0f"
    )
    text = re.sub(r"^\s*(?:[-*•·]|\d+[.)])\s+", "", text, flags=re.MULTILINE)  # list markers
    text = re.sub(r"([:.!?;,])\s*\n+\s*", r"\1 ", text.strip())  # a line ending in punctuation
    text = re.sub(r"\s*\n+\s*", ". ", text)  # list items and paragraphs: sentences
    text = REFERENCE.sub(lambda m: spell(m.group(0), lang), text)
    text = PHONE.sub(lambda m: spell(m.group(0), lang), text)

    def price(amount_text: str, symbol: str) -> str:
        amount = _amount(amount_text, lang)
        if amount is None:
            return f"{amount_text} {symbol}"
        return say_price(amount, SYMBOLS.get(symbol, symbol), lang)

    text = PRICE_AFTER.sub(lambda m: price(m.group(1), m.group(2)), text)
    text = PRICE_BEFORE.sub(lambda m: price(m.group(2), m.group(1)), text)
    text = TIME.sub(lambda m: say_time(int(m.group(1)), int(m.group(2)), lang), text)
    if lang == "en":
        text = EN_DAY_MONTH.sub(
            lambda m: f"the {_words(int(m.group(1)), lang, 'ordinal')} of {m.group(2)}", text
        )
        text = EN_MONTH_DAY.sub(lambda m: f"{m.group(1)} {_words(int(m.group(2)), lang, 'ordinal')}", text)

    if lang == "en":
        text = EN_ORDINAL.sub(lambda m: _words(int(m.group(1)), lang, "ordinal"), text)
    else:  # "1 noche" is "una noche", "1 adulto" "un adulto" (num2words says "uno")
        one = {"es": ("un", "una"), "pt": ("um", "uma")}[lang]
        text = ONE_BEFORE_NOUN.sub(
            lambda m: f"{one[m.group(1).lower() in FEMININE[lang]]} {m.group(1)}", text
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
