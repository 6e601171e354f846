"""Which of es / en / pt a bot reply is written in — judged apart from the bot's own language id.

Function words and spelling marks only each language has; a reply is called "in another
language" only when that other language clearly wins (so names, addresses, room names and
short replies such as "OK" never fail a conversation by themselves).
"""

from __future__ import annotations

import re
import unicodedata

WORDS = {
    "es": set(
        ["el", "la", "los", "las", "y", "en", "del", "al", "un", "una", "unos", "unas", "es", "está", "están", "estás", "hay", "muy", "gracias", "hola", "usted", "ustedes", "vosotros", "su", "sus", "tu", "tus", "para", "por", "con", "sin", "pero", "habitación", "habitaciones", "noche", "noches", "reserva", "reservas", "quiere", "quieres", "puede", "puedo", "podemos", "desea", "día", "días", "fecha", "fechas", "cuántas", "cuántos", "personas", "nombre", "correo", "también", "ahora", "aquí", "le", "les", "lo", "qué", "cómo", "cuándo", "dónde", "sí", "desayuno", "llegada", "salida", "niños", "adultos", "hasta", "desde", "entre", "esta", "este", "estos", "estas", "ese", "esa", "eso", "mañana", "semana", "precio", "total", "cama", "baño", "mi", "hacer", "tiene", "tenemos", "somos"]
    ),
    "en": set(
        ["the", "and", "to", "of", "in", "is", "are", "you", "your", "we", "our", "for", "with", "at", "on", "it", "this", "that", "be", "have", "has", "will", "would", "can", "could", "please", "thanks", "thank", "hello", "hi", "room", "rooms", "night", "nights", "booking", "bookings", "book", "what", "when", "where", "how", "which", "who", "yes", "no", "not", "do", "does", "from", "until", "by", "an", "a", "as", "or", "if", "there", "here", "name", "email", "breakfast", "arrival", "departure", "children", "adults", "guests", "people", "price", "total", "bed", "bathroom", "let", "me", "my", "us"]
    ),
    "pt": set(
        ["o", "os", "e", "em", "do", "da", "dos", "das", "no", "na", "nos", "nas", "um", "uma", "é", "está", "estão", "você", "vocês", "obrigado", "obrigada", "olá", "seu", "sua", "seus", "suas", "para", "por", "com", "sem", "mas", "quarto", "quartos", "noite", "noites", "reserva", "reservas", "quer", "pode", "posso", "podemos", "deseja", "dia", "dias", "data", "datas", "quantas", "quantos", "pessoas", "nome", "também", "agora", "aqui", "lhe", "qual", "como", "quando", "onde", "sim", "não", "café", "manhã", "chegada", "saída", "crianças", "adultos", "até", "desde", "entre", "esta", "este", "estes", "estas", "esse", "essa", "isso", "semana", "preço", "total", "cama", "banheiro", "casa", "de", "banho", "meu", "minha", "fazer", "tem", "temos", "somos", "ao", "à"]
    ),
}
MARKS = {
    "es": re.compile(r"ñ|¿|¡|ción\b|ciones\b"),
    "pt": re.compile(r"ã|õ|ç|ção\b|ções\b|\bnh|lh"),
    "en": re.compile(r"\b(?:th|wh)\w+|'s\b|'ll\b|n't\b"),
}


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", text.lower())


def scores(text: str) -> dict[str, int]:
    words = _words(text)
    lowered = text.lower()
    return {lang: sum(w in WORDS[lang] for w in words) + len(MARKS[lang].findall(lowered)) for lang in WORDS}


def clearly_other(text: str, expected: str) -> str | None:
    """The language ``text`` is clearly written in, if that is not ``expected``; else None."""
    s = scores(_strip_quoted(text))
    best = max(s, key=lambda k: s[k])
    if best == expected:
        return None
    if s[best] >= 4 and s[best] >= 2 * max(1, s[expected]):
        return best
    return None


def _strip_quoted(text: str) -> str:
    """Drop what the bot quotes back (the guest's own words in quotes, e-mail addresses)."""
    text = re.sub(r"[\"“«][^\"”»]{0,200}[\"”»]", " ", text)
    return re.sub(r"\S+@\S+", " ", text)


def fold(text: str) -> str:
    """Case- and accent-insensitive form for ``mentions``/``never`` and names."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())
