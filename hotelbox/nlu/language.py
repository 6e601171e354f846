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
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from hotelbox.nlu.text import fold

_CODES = {Language.SPANISH: "es", Language.ENGLISH: "en", Language.PORTUGUESE: "pt"}
# Words that settle the language on their own, for one- or two-word messages lingua is unsure of.
_MARKERS = {
    "es": {"hola", "gracias", "si", "vale", "buenas", "buenos", "adios", "habitacion", "quiero", "noches", "chao", "nop",
           "yo", "porfa", "dale", "graciass", "muchas"},
    "en": {"hi", "hello", "thanks", "thank", "yes", "please", "room", "book", "nights", "bye", "hey",
           "thx", "ty", "pls", "plz", "thanx", "yep", "yeah", "nope", "cheers"},
    "pt": {"oi", "ola", "obrigado", "obrigada", "sim", "nao", "quarto", "quero", "noites", "tchau", "valeu",
           "eu", "obg", "brigado", "brigada", "blz", "vlw", "beleza", "muito"},
}  # fmt: skip
# Words every guest writes whatever their language ("ok", "top", "jajaja"/"hahaha" aside): alone, they
# say nothing of it, so a first "ok" is answered in the language of the number's country.
NEUTRAL_WORDS = frozenset({
    "ok", "okay", "okey", "oki", "okis", "okk", "okok", "k", "kk", "top", "super", "wow", "hmm", "hm", "mmm",
    "ah", "oh", "eh", "uh", "ahh", "ohh", "xd", "lol", "np",
})  # fmt: skip
SWITCH_MIN_WORDS = 3
SWITCH_MIN_CONFIDENCE = 0.80


@dataclass(frozen=True)
class LanguageGuess:
    lang: str
    confidence: float
    sticky: bool = False  # kept from the conversation rather than read from this text


DomainScorer = Callable[[str], dict[str, float]]


_PT_SPELLING = re.compile(r"[ãõç]|\b[^\W\d_]{3,}-(?:me|te|se|lhe|lhes|nos|vos|lo|la|los|las)\b")
_ES_SPELLING = re.compile(r"[ñÑ¿¡]")


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

    @staticmethod
    def neutral(text: str) -> bool:
        """Only words of every language ("ok", "ok ok!!", "hmm ok"): no language to read."""
        words = [w.strip("!?.,¡¿:;-()") for w in fold(text).split()]
        return all(w in NEUTRAL_WORDS or not any(c.isalpha() for c in w) for w in words)

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
        pt_mark, es_mark = bool(_PT_SPELLING.search(text.lower())), bool(_ES_SPELLING.search(text))
        if lang == "es" and pt_mark and not es_mark:
            lang = "pt"  # "desculpe, enganei-me no número": ã, õ, ç and "-me" after a verb are Portuguese
        elif lang == "pt" and es_mark and not pt_mark:
            lang = "es"  # "ñ", "¿", "¡" are Spanish
        if hint and lang != hint and (len(words) < SWITCH_MIN_WORDS or confidence < SWITCH_MIN_CONFIDENCE):
            return LanguageGuess(hint, confidence, sticky=True)
        return LanguageGuess(lang, confidence)


# Languages the bot does not speak but guests write in: a few very common words settle it
# (lingua is restricted to our three, so it would force French onto Spanish or Portuguese).
_FOREIGN = {
    "fr": {"bonjour", "bonsoir", "je", "voudrais", "chambre", "merci", "nous", "avec", "est-ce", "vous",
           "avez", "une", "pour", "nuits", "deux", "personnes", "s'il", "plait", "reserver", "salut",
           "oui", "combien", "coute", "petit-dejeuner", "j'aimerais", "sommes", "aimerions"},
    "de": {"hallo", "ich", "mochte", "moechte", "zimmer", "danke", "wir", "haben", "sie", "fur", "fuer",
           "bitte", "guten", "tag", "nachte", "nachten", "personen", "buchen", "ein", "einen", "eine",
           "und", "ist", "das", "frühstück", "fruhstuck", "wie", "viel", "kostet", "gibt", "es", "noch"},
    "it": {"buongiorno", "buonasera", "vorrei", "prenotare", "camera", "camere", "notti", "notte", "per", "avete",
           "grazie", "due", "persone", "costa", "colazione", "stasera", "domani", "siamo", "matrimoniale",
           "c'e", "disponibile", "libera", "salve", "prezzo", "una", "quanto", "della", "sono", "anche"},
    "nl": {"goedemiddag", "goedemorgen", "goedenavond", "goedendag", "heeft", "hebben", "jullie", "kamer", "kamers",
           "vrij", "voor", "twee", "personen", "wij", "willen", "graag", "bedankt", "dank", "alstublieft", "nachten",
           "boeken", "ik", "wil", "het", "een", "hoeveel", "kost", "ontbijt", "zijn", "nog", "beschikbaar", "u"},
}  # fmt: skip
# Words of ours that the foreign lists share (es "es", pt "une"…): they must not tip the balance.
_OURS = {w for words in _MARKERS.values() for w in words} | {
    "es", "de", "que", "para", "con", "una", "un", "the", "and", "is", "room", "quiero", "quero",
    "reservar", "habitacion", "quarto", "noches", "noites", "personas", "pessoas", "com", "por",
}  # fmt: skip


# "parlez-vous français?", "do you speak German?", "¿hablan francés?": asking for a language we do not speak
_OTHER_LANGUAGE = {
    "fr": r"francais|french|frances|franc[eê]s|frances|francese",
    "de": r"deutsch|german|aleman|alemao|allemand|tedesco",
    "it": r"italiano|italian|italien",
    "nl": r"dutch|nederlands|holandes|neerlandes",
}
_SPEAK = (
    r"(?:parlez(?:-vous)?|parle|parles|speak|speaks|speaking|talk|hablan|hablas|habla|hablar|hablais"
    r"|falam|fala|falar|falas|sprechen|spricht|sprichst|parlate|parla|spreekt|spreken)"
)
_ASKS_LANGUAGE = re.compile(
    rf"\b{_SPEAK}\s+(?:\w+\s+){{0,3}}?(?:(?:en|in|em)\s+)?(?P<lang>"
    + "|".join(f"(?P<{code}>{words})" for code, words in _OTHER_LANGUAGE.items())
    + r")\b|\b(?:en|in|em|auf)\s+(?:"
    + "|".join(f"(?P<{code}2>{words})" for code, words in _OTHER_LANGUAGE.items())
    + r")\b(?:\s+(?:please|por\s+favor|s'il\s+vous\s+plait|bitte))?\s*[?!.]*$"
)


def foreign_language(text: str) -> str | None:
    """'fr' or 'de' when the text is clearly French or German, or asks for a language we do not
    speak ("parlez-vous français?", "do you speak German?"); else None."""
    if m := _ASKS_LANGUAGE.search(fold(text)):
        return next(code for code in _OTHER_LANGUAGE if m.group(code) or m.group(f"{code}2"))
    words = [w.strip("!?.,;:¡¿()\"'") for w in fold(text).split()]
    words = [w for w in words if w]
    if len(words) < 2:
        return None
    for lang, markers in _FOREIGN.items():
        hits = sum(1 for w in words if w in markers and w not in _OURS)
        if hits >= 2 and hits * 3 >= len(words):
            return lang
    return None


# Where a number's country says how the guest writes: Latin American Spanish (ustedes) and
# Brazilian Portuguese; Spain and Portugal are the catalogues' own wording.
_LATAM_CODES = ("+52", "+54", "+57", "+56", "+51", "+58", "+593", "+591", "+595", "+598", "+506", "+507",
                "+502", "+503", "+504", "+505", "+53", "+1809", "+1829", "+1849", "+1787", "+1939")  # fmt: skip
_ES_419_WORDS = ("ustedes", "celular", "carro", "cuadra", "chevere", "platicar", "ahorita", "apartar",
                 "recamara", "alberca", "boletos", "manejar", "computadora", "pileta", "departamento",
                 "ustedes tienen", "che ", "vos tenes", "vos sabes", "tenes", "queres", "podes", "sabes vos",
                 "ocupo ", "ocupamos ", "regalame", "me regalas", "parqueadero", "rentar", "checar",
                 "que onda", "q onda", "cuanto sale", "decime", "contame", "fijate", "avisame", "mandame",
                 "chamba", "padrisimo", "buena onda", "orale", "ahorita", "mande ")  # fmt: skip
_ES_ES_WORDS = (
    "vosotros",
    "vosotras",
    "teneis",
    "podeis",
    "quereis",
    "vuestr",
    "os alojais",
    "coche",
    "vale",
)
_PT_BR_WORDS = ("voce", "vc ", "vcs", "cafe da manha", "banheiro", "onibus", "celular", "a gente", "legal",
                "trem ", "sobrenome", "oi ", "tudo bem", "gostaria", "quarto de casal", "beleza", "valeu",
                "to ", "tamo ", "ta bom")  # fmt: skip
# "estamos a sair", "está a chover": "estar a" + infinitive is European
_PT_PT_INFINITIVE = re.compile(r"\b(?:estou|estamos|esta|estao|estas)\s+a\s+[a-z]+[aei]r\b")
# "tô chegando", "estamos indo": the gerund after "estar" is Brazilian ("estou a chegar" in Portugal)
_PT_BR_GERUND = re.compile(r"\b(?:estou|estamos|esta|estao|to|ta|tamo|tamos)\s+\w+ndo\b")
_PT_PT_WORDS = ("pequeno-almoco", "pequeno almoco", "casa de banho", "telemovel", "autocarro", "apelido",
                "estou a ", "tu queres", "esta bem", "ola bom dia", "comboio", "rapariga", "miudo")  # fmt: skip


_PUNCT = re.compile(r"[^\w\s'-]")


def variety(lang: str, text: str, phone: str | None, current: str | None = None) -> str | None:
    """'es-419' / 'pt-BR' when the words or the phone's country say so; 'es-ES' / 'pt-PT' when
    the words say so; else ``current`` (a conversation's variety is sticky)."""
    if lang not in ("es", "pt"):
        return current
    t = f" {_PUNCT.sub(' ', fold(text))} "  # "che, ¿cuánto…": the words, not their commas
    t = re.sub(r"\s+", " ", t)
    if lang == "es":
        if any(w in t for w in _ES_ES_WORDS):
            return "es-ES"
        if any(f" {w}" in t for w in _ES_419_WORDS):
            return "es-419"
    else:
        if any(f" {w}" in t for w in _PT_PT_WORDS) or _PT_PT_INFINITIVE.search(t):
            return "pt-PT"
        if any(f" {w}" in t for w in _PT_BR_WORDS) or _PT_BR_GERUND.search(t):
            return "pt-BR"
    if current and current.startswith(lang):
        return current
    if phone:
        if lang == "es" and phone.startswith(_LATAM_CODES):
            return "es-419"
        if lang == "pt" and phone.startswith("+55"):
            return "pt-BR"
    return current if current and current.startswith(lang) else None


_PT_CODES = ("+351", "+55", "+244", "+258", "+238", "+245", "+239", "+670")
_EN_CODES = ("+44", "+353", "+61", "+64", "+27", "+1")


def month_first(lang: str, phone: str | None) -> bool:
    """Whether a guest writes "4/5" as April 5th: English from a North American number (the
    Spanish-speaking Caribbean shares +1 and writes day first, as Spain, Portugal and the UK do)."""
    return (
        lang == "en"
        and bool(phone)
        and str(phone).startswith("+1")
        and not str(phone).startswith(_LATAM_CODES)
    )


def phone_language(phone: str | None) -> str | None:
    """The language a number's country most likely writes (for a message with no readable words:
    an emoji, a keyboard mash), or None when the country says nothing about es/en/pt."""
    if not phone:
        return None
    if phone.startswith(_PT_CODES):
        return "pt"
    if phone.startswith(("+34", *_LATAM_CODES)):
        return "es"
    if phone.startswith(_EN_CODES):
        return "en"
    return None
