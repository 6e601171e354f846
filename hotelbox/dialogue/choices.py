"""Confirmations and choices, read one way for every flow.

Whatever the bot last offered (buttons, a list, or a plain yes/no question), the guest may tap
an option, type its label ("Sí, cancelar"), type its number ("2", "la segunda", "option 1"),
or answer in words with more words around them ("yes, go ahead and cancel it", "sí, anúlala",
"sim, pode cancelar", "mejor no, déjala"). :func:`read_choice` turns all of these into the id
of the option meant, or ``"yes"`` / ``"no"`` for a question without buttons; flows only ever
see option ids.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from typing import Any

from hotelbox.messages import Option
from hotelbox.nlu.dates import MONTHS
from hotelbox.nlu.text import fold

# Options that say "yes" / "no" to the question they answer, whatever their label.
YES_IDS = ("yes", "cancel_booking")
NO_IDS = ("no", "keep", "dont_book")

_YES = (
    # es
    "si", "sii", "sip", "vale", "ok", "okey", "okay", "claro", "dale", "perfecto", "de acuerdo", "adelante",
    "confirmo", "confirma", "confirmala", "confirmalo", "confirmar", "correcto", "exacto", "eso es",
    "por supuesto", "venga", "hazlo", "reservala", "reservalo", "reservamela", "listo", "genial", "seguro",
    "me parece bien", "esta bien", "andale", "sale", "procede", "sigue", "hagale",
    # en
    "yes", "yeah", "yea", "yep", "yup", "ya", "sure", "go ahead", "please do", "do it", "confirm", "confirmed",
    "correct", "right", "absolutely", "of course", "definitely", "sounds good", "great", "perfect", "book it",
    "fine", "alright", "all right", "go for it", "that's right", "thats right", "lets do it",
    "let's do it", "proceed",
    # pt
    "sim", "pode", "podes", "isso", "certo", "confirme", "perfeito", "combinado", "beleza", "bora",
    "com certeza", "pode ser", "exato", "exatamente", "fechado", "ta bom", "esta bem", "pode reservar",
    "claro que sim", "manda ver", "certinho", "certissimo", "fechou", "demorou", "ta otimo", "otimo",
    # taking what was offered: "me la quedo", "I'll take it", "fico com ele", "de una", "reservá nomás"
    "me la quedo", "me lo quedo", "nos la quedamos", "nos lo quedamos", "me quedo con", "nos quedamos con",
    "de una", "buenisimo", "barbaro", "joya", "hagamosle",
    "i'll take it", "ill take it", "we'll take it", "well take it", "i'll take", "we'll take", "take it",
    "let's go with", "lets go with", "go with that", "works for me", "that works",
    "fico com", "ficamos com", "quero esse", "quero essa", "pode fechar", "pode mandar", "manda bala",
)  # fmt: skip
_YES_ALONE = ("s", "y", "k", "kk", "yy", "ss", "va", "sale")
# "cancel it" says yes to "cancel the booking?", but no to "shall I make the booking?"
_CANCEL = (
    "cancelala", "cancelalo", "cancela", "cancelar", "cancelarla", "anulala", "anulalo", "anula", "anular",
    "cancel", "cancel it", "cancel please", "pode cancelar", "cancele", "cancelar a reserva",
)  # fmt: skip
# not now: the guest wants time, or to ask someone, before answering ("let me check with my wife",
# "lo hablo con mi marido y te digo", "deixa eu ver com meu marido"): no to doing it now, and the
# question stays open (a booking keeps its offer; "yes" later books it)
HOLD = (
    "lo pienso", "lo pensare", "me lo pienso", "lo voy a pensar", "dejame pensarlo", "dejame pensar", "dejame ver",
    "dejame consultarlo", "lo consulto", "lo hablo con", "lo miro con", "le pregunto a mi", "tengo que preguntarle",
    "tengo que consultarlo", "tengo que hablarlo", "te digo algo", "te confirmo luego", "te confirmo mas tarde",
    "luego te digo", "despues te digo", "ahora te digo", "dame un momento", "dame un minuto",
    "i'll think", "ill think", "let me think", "let me check", "let me ask my", "i need to ask my", "i have to ask my",
    "need to check with", "i'll check with", "ill check with", "i'll ask my", "ill ask my", "i'll let you know",
    "ill let you know", "get back to you", "give me a minute", "give me a sec", "hold on", "let me talk to",
    "vou pensar", "deixa me pensar", "deixa eu pensar", "deixa me ver", "deixa eu ver", "vou ver com",
    "vou falar com", "vou perguntar a", "vou perguntar pro", "vou perguntar pra", "tenho que ver com",
    "preciso ver com", "preciso falar com", "ja te digo", "depois te digo", "depois te aviso", "ja te aviso",
    "depois te falo", "so um minuto", "espera ai",
)  # fmt: skip
_NO_START = (
    "no", "nop", "nops", "nopes", "nope", "nah", "nao", "naum", "nn", "negativo", "nunca", "never", "mejor no", "better not",
    "melhor nao", "not", "nem", "ni hablar", "no thanks", "no gracias", "nao obrigado",
)  # fmt: skip
_NO = (
    "dejala", "dejalo", "dejala asi", "mantenla", "mantener", "no la canceles", "no cancelar",
    "keep it", "keep the booking", "never mind", "nevermind", "don't", "dont", "do not", "not now",
    "mantem", "manter", "deixa", "deixa estar", "nao cancela", "nao cancele", "no quiero", "i don't want",
    "i dont want", "nao quero", "todavia no", "aun no", "not yet", "ainda nao", "olvidalo", "forget it",
    "esquece", "cancel the request", "no reserves", "nao reserve", "lo pienso", "lo pensare", "me lo pienso",
    "lo voy a pensar", "i'll think", "ill think", "let me think", "vou pensar", "deixa-me pensar", "deixa eu pensar",
    *HOLD,
)  # fmt: skip
# Keeping what is being discussed, said with its pronoun: of an existing booking being cancelled
# or changed, it stays as it is (no); of a room on offer, the guest takes it (yes, in _YES)
_KEEP = (
    "la mantengo", "la mantenemos", "lo mantengo", "me la quedo", "me lo quedo", "nos la quedamos",
    "nos lo quedamos", "la conservo", "mantenerla", "fico com ela", "fico com ele", "ficamos com ela",
    "ficamos com ele", "mantenho a reserva", "mantemos a reserva", "i'll keep it", "we'll keep it",
    "keep it as it is", "keep it",
)  # fmt: skip
# At a summary that offers "change", only these drop the request; a plain "no" asks what to change.
_DROP = (
    *_NO, "thanks", "thank you", "gracias", "obrigado", "obrigada", "mejor no", "better not", "melhor nao", "nunca",
    "never", "ni hablar", "negativo", "no reservar", "nao reservar", "dont book", "don't book",
)  # fmt: skip
_YES_MARKS = frozenset("👍👌✅✔☑🆗🙆🤝💯" + "\ufe0f")
_NO_MARKS = frozenset("👎❌✖🚫🙅" + "\ufe0f")
_SKIN = frozenset(chr(c) for c in range(0x1F3FB, 0x1F400)) | {"\u200d", "\u2640", "\u2642", "!", "."}
NO_EMAIL = (
    r"(?:^|\s)(?:no|sin|sem|without|not?\s+(?:an?\s+)?|no\s+tengo|nao\s+tenho|don'?t\s+have(?:\s+an?)?|i\s+have\s+no"
    r"|no\s+have|prefiero\s+no\s+dar(?:\s+el)?|prefiro\s+nao\s+dar(?:\s+o)?|rather\s+not\s+give(?:\s+my)?|nao\s+uso|no\s+uso)"
    r"\s+(?:tengo\s+|tenho\s+)?(?:e-?mail|email|correo|mail|correio)s?(?=$|\s)"
)
_NO_EMAIL = re.compile(NO_EMAIL)
# "it doesn't matter": says nothing about yes or no, whatever its "no"
_INDIFFERENT = re.compile(
    r"(?:^|\s)(?:no\s+importa|nao\s+importa|doesn'?t\s+matter|does\s+not\s+matter|no\s+matter|never\s*mind"
    r"|da\s+igual|tanto\s+faz|whatever|ni\s+modo|no\s+pasa\s+nada|nao\s+faz\s+mal|igualmente|anyway|na\s+mesma)(?=$|\s)"
)
_NOT_NO = ("no problem", "no worries", "no hay problema", "sin problema", "sem problema", "no pasa nada")
_NEGATION = re.compile(r"\b(?:no|not|don'?t|nao|nunca|never|ni|nem)\b")
_ORDINALS = {
    1: ("1", "primero", "primera", "primer", "first", "primeiro", "primeira", "uno", "one", "um", "uma"),
    2: ("2", "segundo", "segunda", "second", "dos", "two", "dois", "duas"),
    3: ("3", "tercero", "tercera", "tercer", "third", "terceiro", "terceira", "tres", "three"),
    4: ("4", "cuarto", "cuarta", "fourth", "quarto", "quarta", "cuatro", "four", "quatro"),
    5: ("5", "quinto", "quinta", "fifth", "cinco", "five"),
}
_NUMBER = re.compile(
    r"^(?:(?:la|el|lo|the|a|o|opcion|option|opcao|numero|number|n|no\.?|#)\s*)*"
    r"(?P<n>[1-9]|[a-z]+)(?:\s*(?:one|opcion|option|opcao|\.|\)))?$"
)
_PUNCT = re.compile(r"[^\w\s']+")
# courtesy around a number or a label: "la 1 porfa", "option 2 please", "a primeira, obrigado"
_POLITE = re.compile(
    r"(?<=\s)(?:por\s+favor|porfa|porfis|pf|pls|plz|please|thanks|thank\s+you|thx|ty|gracias|obrigad[oa]"
    r"|se\s+faz\s+favor|por\s+gentileza|pfv|pfvr)(?=\s)"
)
# An unaccented "si" that opens a clause of its own is "if", not "yes": "en el mismo cuarto si se
# puede", "si no es molestia, confírmalo". It is one when words come before it in its clause, or
# when a verb or "no" follows it ("si es posible"); "claro q si", "si dale", "sí, se puede" say yes.
_IF_AFTER = (
    "no", "se", "hay", "es", "fuera", "fuese", "hubiera", "puede", "pueden", "puedes", "podemos", "podeis",
    "podes", "quieres", "quiere", "quieren", "tienen", "tiene", "tienes", "acaso", "cancelo", "llegamos",
)  # fmt: skip
_CLAUSES = re.compile(r"[^,.;:!?¡¿\n]+")
# "no más" / "nomás" after a verb is "just" in Latin America ("resérvela no más")
_JUST = re.compile(r"(?<=\w)\s+(?:no\s+mas|nomas)(?=$|\s+(?:porfa|por\s+favor|gracias)$)")
# what stays as it is in a change being confirmed ("as datas mantêm-se", "the dates stay the same",
# "no mesmo quarto" — pt "no" is "in the"): no refusal, whatever its "mantém" or "no"
_SAME_KEPT = re.compile(
    r"(?:^|\s)(?:(?:as|las|los|the|os|our|nuestras|nossas)\s+)?(?:datas|fechas|dates|dias|days|room|quarto|habitacion)\s+"
    r"(?:mantem\s+se|se\s+mantem|mantem|se\s+mantienen|se\s+quedan\s+igual|(?:stay|remain)(?:\s+the\s+same)?|ficam(?:\s+iguais)?)(?=$|\s)"
    r"|(?:^|\s)no\s+(?=(?:mesm[oa]|dia|quarto|hotel|meu|minha|nosso|nossa|fim|nome)(?:$|\s))"
)
# a message opening with a question word asks; it does not answer yes
_ASKS = re.compile(
    r"(?:(?:y|and|e|pero|but|mas)\s+)?(?:cuanto|cuanta|cuantos|cuantas|que|como|cuando|donde|cual|how|what|when"
    r"|where|which|quanto|quanta|quantos|quantas|quando|onde|qual)\b"
)
# a verb said with "no más" ("reservá nomás"): do it
_DO_IT = (
    "reserva",
    "reservala",
    "reservalo",
    "hacelo",
    "hazlo",
    "confirma",
    "confirmala",
    "confirmalo",
    "dale",
    "mandale",
)
# what makes a hold an answer after all: "lo pensé y sí, resérvala", "ok I checked, go ahead"
_YES_AFTER_HOLD = ("go ahead", "book it", "adelante", "reservala", "pode reservar", "confirmo", "confirm")
_WHY_NOT = ("why not", "por que no", "porque no", "pq no", "por que nao", "porque nao", "pq nao")
MAX_WORDS = 14  # a longer message is a message, not an answer to a button


def _words(text: str) -> str:
    return " ".join(_PUNCT.sub(" ", fold(text)).split())


def _has(text: str, phrases: Sequence[str]) -> bool:
    return bool(_phrases(tuple(phrases)).search(text))


@lru_cache(maxsize=128)
def _phrases(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """One compiled pattern per word list (a pattern per phrase, built on every call, overflowed
    the ``re`` module's cache and recompiled on each message: ~10 ms a turn)."""
    words = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?:^|\s)(?:{words})(?:$|\s)")


def _without_ifs(text: str) -> str:
    """``text`` less its conditional clauses ("si se puede"), read before accents are folded away."""
    kept: list[str] = []
    for clause in _CLAUSES.findall(text.lower()):
        words = clause.split()
        at = next((i for i, w in enumerate(words) if w == "si" and i + 1 < len(words)), None)
        if at is not None:
            after = fold(words[at + 1])
            if (at > 0 and not _has(after, _YES)) or after in _IF_AFTER:
                words = words[:at]
        kept.append(" ".join(words))
    return ", ".join(w for w in kept if w)


_SENTENCES = re.compile(r"[^.!?\n]+[.!?]*")
SIDE_WORDS = 8  # a sentence around the answer ("Thank you for the quick reply.") is at most this long


def polarity(text: str) -> str | None:
    """'yes', 'no' or None for a typed answer to a yes/no question; in a message of several
    sentences ("Thank you for the quick reply. Yes please, go ahead. Richard Hughes"), the one
    sentence that answers, when the others are only courtesy or a signature."""
    answer = _polarity(text)
    sentences = [m.group().strip() for m in _SENTENCES.finditer(text) if _words(m.group())]
    if answer is not None or len(sentences) < 2:
        return answer
    said = [(_polarity(p), p) for p in sentences]
    answers = {a for a, _ in said if a is not None}
    if len(answers) != 1 or any(
        a is None and ("?" in p or len(_words(p).split()) > SIDE_WORDS) for a, p in said
    ):
        return None
    return answers.pop()


def _polarity(text: str) -> str | None:
    marks = {c for c in text if not c.isspace() and c not in _SKIN}
    if marks and marks <= _YES_MARKS:
        return "yes"  # "👍", "👌🏻", "✅"
    if marks and marks <= _NO_MARKS:
        return "no"
    t = _words(_without_ifs(text))
    if not t and _words(text):
        return None  # "si no es molestia": a condition, and nothing else
    just = _JUST.sub("", t)  # "resérvela no más": just book it, no "no"
    if just != t and _has(just, _DO_IT) and not _NEGATION.search(just):
        return "yes"  # "reservá nomás", "hacelo nomás": the imperative, just done
    t = just
    t = _SAME_KEPT.sub(" ", t).strip()  # "sim, as datas mantêm-se", "no mesmo quarto": nothing refused
    if _NO_EMAIL.search(t):  # "no email", "sin correo": about the e-mail, not a no to the booking
        t = " ".join(_NO_EMAIL.sub(" ", t).split())
        if not t:
            return None
    rest = _INDIFFERENT.sub(" ", t).split()
    if t and not rest:
        return "no" if _has(t, _NO) else None  # "never mind" alone drops it; "no importa" says neither
    if len(rest) < len(t.split()):
        t = " ".join(rest)  # "never mind, book it anyway", "não importa, pode reservar": the rest says
    if not t or len(t.split()) > MAX_WORDS:
        return None
    if _has(t, _NOT_NO):
        return "yes"
    first_two = " ".join(t.split()[:2])
    if any(t == p or t.startswith(p + " ") for p in _NO_START) or _has(first_two, ("no",)):
        return "no"
    if _has(t, _NO):
        return "no"
    head = " ".join(t.split()[:5])
    if "?" in text and _ASKS.match(t):
        return None  # "¿y cuánto sale con la suite?": a question, whatever its "sale"
    if _has(head, _WHY_NOT):
        return "yes"  # "sure, why not"
    if _NEGATION.search(t):
        return None
    if t in _YES_ALONE or _has(head, _YES):
        return "yes"
    if _has(head, _CANCEL) and "?" not in text:  # "can I cancel for free?" asks, it does not answer
        return "cancel"
    return None


def says_cancel(text: str) -> bool:
    """ "cancélala", "uff, muy caro, mejor cancélala", "just cancel it then": a request to cancel
    (not "no la canceles", not "can I cancel for free?")."""
    if "?" in text:
        return False
    answer = polarity(text)
    return answer == "cancel" or (
        answer in (None, "yes")  # "ok actually yes, cancel it"
        and _has(_words(text), _CANCEL)
        and not _NEGATION.search(_words(text))
    )


def declines_email(text: str) -> bool:
    """ "no email", "sin correo", "não tenho email": the guest would rather not give one."""
    return bool(_NO_EMAIL.search(_words(text)))


def holds(text: str) -> bool:
    """ "let me check with my wife first", "me lo pienso", "deixa eu ver com meu marido": not now,
    with the question kept open (and no yes or other answer in the same message)."""
    t = _words(text)
    return bool(t) and len(t.split()) <= MAX_WORDS and _has(t, HOLD) and not _has(t, _YES_AFTER_HOLD)


# "the cheapest one", "la más barata", "o mais em conta": the room chosen by its price
_CHEAPEST = re.compile(
    r"\b(?:cheapest|cheaper\s+one|least\s+expensive|lowest\s+price|most\s+affordable|(?:lo|la|el|o|a)\s+mas\s+barat[oa]"
    r"|(?:la|el|lo)\s+mas\s+economic[oa]|(?:la|el|lo|o|a)\s+menos\s+car[oa]|(?:o|a)\s+mais\s+(?:barat[oa]|em\s+conta|economic[oa])"
    r"|(?:opcao|opcion)\s+mais\s+(?:barata|em\s+conta|economica)|(?:opcion)\s+mas\s+(?:barata|economica))\b"
)


def wants_cheapest(text: str) -> bool:
    """ "the cheapest one", "la más barata", "vou querer a opção mais em conta"."""
    return bool(_CHEAPEST.search(fold(text))) and "?" not in text


def after_questions(text: str) -> str:
    """What a message says after its last question ("…incluido? bueno, resérvala igualmente")."""
    return text.rpartition("?")[2].strip() if "?" in text else ""


def says_yes(text: str) -> bool:
    """A yes, in the whole message or after the questions it asks first."""
    return polarity(text) == "yes" or polarity(after_questions(text)) == "yes"


def _by_number(t: str, options: Sequence[Option]) -> Option | None:
    m = _NUMBER.match(t)
    if not m:
        return None
    word = m.group("n")
    for n, words in _ORDINALS.items():
        if word in words and n <= len(options):
            return options[n - 1]
    return None


def _by_label(t: str, options: Sequence[Option]) -> Option | None:
    for option in options:
        label = _words(option.title)
        if label and (t == label or (len(label) >= 4 and t.startswith(label + " "))):
            return option
    return None


_ARTICLES = frozenset(("the", "a", "an", "el", "la", "los", "las", "o", "os", "as", "un", "una", "um", "uma"))


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 4 and word.endswith("s") else word


def _by_word(t: str, options: Sequence[Option]) -> Option | None:
    """ "the dates", "la habitación", "as pessoas" answering "dates, guests or room?": the one option
    whose own words (in no other option's label) are all the short answer says. Never for a yes/no question,
    where "book" must not pick "Don't book"."""
    words = [w for w in t.split() if w not in _ARTICLES and w not in ("one", "ones")]
    if not words or len(words) > 3 or any(o.id in YES_IDS + NO_IDS for o in options):
        return None
    labels = {o.id: {_stem(w) for w in _words(o.title).split() if len(w) >= 4} for o in options}
    said = {_stem(w) for w in words}
    found = [
        o
        for o in options
        if said <= labels[o.id] and not any(labels[p.id] & said for p in options if p.id != o.id)
    ]
    return found[0] if len(found) == 1 else None


def option_named(text: str, options: Sequence[Option]) -> str | None:
    """The id of the option whose label or number the guest typed ("Sí, confirmar", "la opción 1
    porfa", "option 2 please"), else None: unmistakable, whatever else the message resembles."""
    t = _words(text)
    if not t:
        return None
    bare = _POLITE.sub(" ", f" {t} ").strip() or t
    option = _by_label(bare, options) or _by_number(bare, options) or _by_word(bare, options)
    return option.id if option is not None else None


def read_choice(text: str, options: Sequence[Option], *, tapped: str | None = None) -> str | None:
    """The id of the option the guest means (tap, label, number, yes/no words), else None.

    With no option that says yes or no, a "yes" is ``"yes"`` and a "no" is ``"no"``."""
    if tapped:
        return tapped
    t = _words(text)
    if not t and not polarity(text):  # "👍" has no words, and says yes
        return None
    named = option_named(text, options)
    if named is not None:
        return named
    if any(o.id.startswith("room:") for o in options) and wants_cheapest(text):
        return "cheapest"  # the flow knows the prices
    answer = polarity(text)
    ids = [o.id for o in options]
    new_booking = "dont_book" in ids or any(i.startswith("room:") for i in ids)
    if not new_booking and _has(t, _KEEP):  # "vale, me la quedo" to "are you sure you want to cancel?"
        answer = "no"
    if answer == "cancel":  # "cancélala": yes to cancelling a booking, no to making one
        # with nothing offered, "cancel it" is a request (the flow's to read), not a yes
        answer = "yes" if "cancel_booking" in ids else "no" if "dont_book" in ids else None
    if answer is None:
        return None
    if answer == "no" and "change" in ids and not _has(_words(text), _DROP):
        return "change"  # a plain "no" to the summary: something in it is wrong, ask what
    wanted = YES_IDS if answer == "yes" else NO_IDS
    return next((o.id for o in options if o.id in wanted), answer)


# -- which of the guest's bookings: "the August one", "a do dia 13 ao 15", "la de la suite" ---------
_CONTACT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\+?\d[\d\s().-]{6,}\d")
_MONTH_WORD = re.compile(r"\b(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b")
_NOT_BEFORE = re.compile(
    r"(?:\bno|\bnao|\bnot|\bnor|\bni|\bnem|instead\s+of|en\s+vez\s+de|em\s+vez\s+de"
    r"|en\s+lugar\s+de|no\s+lugar\s+de|rather\s+than)\s+(?:(?:el|la|the|o|a|en|in|em|de|do|del|of)\s+)*$"
)


def months_named(text: str) -> list[int]:
    """The months a message names, in order, leaving out those it denies ("julho, nao junho")."""
    text = _CONTACT.sub(" ", text)  # marco.rossi@example.it
    folded = fold(text)
    months: list[int] = []
    original = text.split()
    for m in _MONTH_WORD.finditer(folded):
        word = m.group(1)
        before = folded[: m.start()]
        at = len(before.split())
        if at < len(original) and _in_name(original, at):
            continue  # "Hugo Lorente Marco", "Marco Rossi": a name, not March
        if word == "may" and not re.search(
            r"\b(?:in|for|the|of|on|from|until|to|mid|early|late)\s+$", before
        ):
            continue  # "may I…"
        if _NOT_BEFORE.search(before[-30:]):
            continue
        if MONTHS[word] not in months:
            months.append(MONTHS[word])
    return months


def _in_name(words: list[str], at: int) -> bool:
    """Is the capitalised word at ``at`` joined (no punctuation between) to another capitalised one?"""
    if not words[at][:1].isupper():
        return False
    before = at > 0 and words[at - 1][:1].isupper() and words[at - 1][-1].isalpha()
    after = at + 1 < len(words) and words[at][-1].isalpha() and words[at + 1][:1].isupper()
    return bool(before or after)


def choose_by_stay(text: str, entities: dict[str, Any], candidates: Sequence[dict[str, Any]]) -> str | None:
    """The reference of the one booking among ``candidates`` (reference, check_in, check_out,
    room_type) that the guest describes by its days, its month or its room; None when unclear."""

    def one(matches: list[dict[str, Any]]) -> str | None:
        return matches[0]["reference"] if len(matches) == 1 else None

    def day(value: Any) -> date:  # a candidate's dates: ISO text or a date
        return date.fromisoformat(value) if isinstance(value, str) else value

    days = {
        int(n)
        for n in re.findall(r"\b(\d{1,2})(?:st|nd|rd|th|º|o)?\b", _CONTACT.sub(" ", text))
        if 1 <= int(n) <= 31
    }
    if days:  # "the one from the 13th to the 15th", "a do dia 13"
        found = one([
            c for c in candidates
            if day(c["check_in"]).day in days and (len(days) < 2 or day(c["check_out"]).day in days)
        ])  # fmt: skip
        if found:
            return found
    for month in months_named(text):
        found = one([c for c in candidates if day(c["check_in"]).month == month])
        if found:
            return found
    room = entities.get("room_type")
    return one([c for c in candidates if c.get("room_type") == room]) if room else None
