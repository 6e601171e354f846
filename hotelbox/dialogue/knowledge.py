"""The hotel's own answers (check-in time, wifi, parking…), per language and topic.

Defaults ship with hotelbox (the demo hotel's); a hotel overrides any of them with
``<knowledge_dir>/<lang>.toml`` files of the same shape (``[topics] wifi = "…"``), and the front
desk can edit them at run time through :meth:`Knowledge.set`.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path

LANGS = ("es", "en", "pt")


class Knowledge:
    def __init__(self, override_dir: Path | None = None) -> None:
        root = resources.files("hotelbox.dialogue") / "answers"
        self.answers: dict[str, dict[str, str]] = {
            lang: dict(tomllib.loads((root / f"{lang}.toml").read_text(encoding="utf-8"))["topics"])
            for lang in LANGS
        }
        if override_dir is not None:
            for lang in LANGS:
                path = override_dir / f"{lang}.toml"
                if path.is_file():
                    self.answers[lang].update(
                        tomllib.loads(path.read_text(encoding="utf-8")).get("topics", {})
                    )

    def topics(self) -> list[str]:
        return sorted({t for answers in self.answers.values() for t in answers})

    def answer(self, lang: str, topic: str | None) -> str | None:
        if not topic:
            return None
        return self.answers.get(lang, {}).get(topic) or None

    def set(self, lang: str, topic: str, text: str) -> None:
        self.answers.setdefault(lang, {})[topic] = text


# Words that name a topic, in any of the three languages (folded): to answer every question of
# a message ("what time is check-in? and check-out?"), and to say plainly what the hotel does not
# have ("penthouse", "private pool", "kitchen") instead of an unrelated answer.
TOPIC_WORDS: dict[str, tuple[str, ...]] = {
    "no_penthouse": ("penthouse", "atico", "cobertura", "pent house", "penthouse suite"),
    "no_private_pool": ("private pool", "piscina privada", "own pool", "pool in the room", "piscina propia",
                        "piscina privativa", "piscina particular", "plunge pool"),
    "no_kitchen": ("kitchen", "kitchenette", "cocina", "cozinha", "cocinar", "cook", "cozinhar", "cocinita", "cozinhinha"),
    "no_spa": ("spa", "sauna", "jacuzzi", "hot tub", "banho turco", "bano turco", "massage", "masaje", "massagem",
               "massages", "masajes", "massagens", "wellness", "hidromassagem", "hidromasaje"),
    "checkin_time": ("check-in", "check in", "checkin", "hora de entrada", "hora de llegada", "entrar al cuarto",
                     "what time can we arrive", "a que hora podemos llegar", "hora do check", "horario de entrada",
                     "hora de entrada", "horarios de entrada", "la entrada y la salida", "a entrada e a saida",
                     "se puede entrar", "podemos entrar", "hora de entrar"),
    "checkout_time": ("check-out", "check out", "checkout", "hora de salida", "hora de saida", "late checkout",
                      "horario de salida", "horario de saida", "horario de entrada y salida", "horario de entrada e saida",
                      "hora de entrada y salida", "hora de entrada e saida", "horarios de entrada y salida",
                      "la entrada y la salida", "a entrada e a saida", "dejar la habitacion", "deixar o quarto",
                      "entregar la habitacion", "entregar o quarto", "hora se sale", "hora hay que salir",
                      "horas tenho que sair", "hora tenho de sair"),
    "cot": ("cuna", "cunas", "cunita", "cot", "cots", "crib", "cribs", "berco", "bercos", "bercinho", "travel cot",
            "cuna de viaje", "berco de viagem"),
    "wifi": ("wifi", "wi-fi", "wi fi", "internet", "wireless"),
    "parking": ("parking", "aparcamiento", "aparcar", "estacionamiento", "estacionamento", "car park", "garage",
                "garaje", "estacionar", "where can i park", "park the car", "parquear",
                "garagem", "cochera", "where do we park", "where to park", "where can we park", "donde se aparca",
                "donde aparco", "donde aparcamos", "onde estaciono", "onde estacionar", "onde se estaciona"),
    "breakfast": ("desayuno", "desayunos", "desayunar", "breakfast", "pequeno-almoco", "pequeno almoco",
                  "cafe da manha", "tomar cafe"),
    "pets": ("perro", "perros", "perrito", "mascota", "mascotas", "dog", "dogs", "pet", "pets", "gato", "gatos",
             "cat", "cats", "cao", "caes", "cachorro", "cachorros", "animal", "animais", "animales"),
    "location": ("direccion", "address", "endereco", "donde estan", "where are you", "onde fica", "onde ficam",
                 "ubicacion", "localizacao", "where is the hotel", "donde queda", "playa", "beach", "praia",
                 "city centre", "city center", "centro", "perto do centro", "cerca del centro", "near the centre",
                 "near the center"),
    "payment": ("pagar", "pago", "payment", "pay", "tarjeta", "card", "cartao", "efectivo", "cash", "dinheiro", "cards",
                "tarjetas", "cartoes", "amex", "american express", "visa", "mastercard", "credit card",
                "tarjeta de credito", "cartao de credito", "bizum", "mb way", "pix"),
    "cancellation_policy": ("politica de cancelacion", "cancellation policy", "politica de cancelamento",
                            "free cancellation", "cancelacion gratuita", "cancelamento gratuito",
                            "por cancelar", "cancellation fee", "cancel fee", "penalizacion", "penalidade",
                            "cancel for free", "cancelar sem custos", "cancelar sin coste", "cancelar sin costo"),
    "airport_transfer": ("aeropuerto", "airport", "aeroporto", "traslado", "transfer", "shuttle"),
    "amenities": ("piscina", "pool", "alberca", "pileta", "swimming pool", "gimnasio", "gym", "academia", "ginasio", "lavanderia", "laundry"),
    "luggage": ("maleta", "maletas", "equipaje", "luggage", "bags", "bagagem", "malas", "consigna"),
    "bathtub": ("bathtub", "bath tub", "banera", "banheira", "whirlpool", "bath or shower", "banera o ducha"),
    "accessibility": ("silla de ruedas", "wheelchair", "accesible", "accessible", "cadeira de rodas", "acessivel",
                      "movilidad reducida", "mobilidade reduzida"),
}  # fmt: skip
# a question about the time of arrival or departure, named by the guest's own word for it
_TIME_QUESTION = re.compile(
    r"\b(?:a\s+q(?:ue)?\s+horas?|q(?:ue)?\s+horas?|what\s+time|until\s+when|hasta\s+q(?:ue)?\s+hora|ate\s+que\s+horas?"
    r"|horario|at\s+what\s+time)\b"
    r"|^\s*(?:(?:y|and|e|pero|but|mas)\s+)?(?:when|cuando|quando)\b(?=[^?]*\?)"  # asked, not "cuando lleguemos"
)
# "y la salida?", "and departure?", "e de saída?": nothing but the thing, after a question about time
_ELLIPTIC = re.compile(
    r"\s*(?:y|and|e|what\s+about|how\s+about)?\s*(?:de|da|do|of)?\s*(?:la|el|the|a|o)?\s*\w+\s*\?\s*"
)
_NOT_OF = r"(?!\s+(?:a|al|del|de|para|do|da|ao|en|no|na|to|of|for|in)\b)"  # "la entrada al museo": a ticket
_ARRIVAL = re.compile(rf"\b(?:entrada|llegada|chegada|arrival|check\s+in\s+time){_NOT_OF}")
_DEPARTURE = re.compile(
    rf"\b(?:(?:salida|saida|departure){_NOT_OF}|dejar\s+la\s+habitacion|deixar\s+o\s+quarto|leave\s+the\s+room"
    r"|vacate|salir\s+de\s+la\s+habitacion|sair\s+do\s+quarto)\b"
)
NOT_HAVE = ("no_penthouse", "no_private_pool", "no_kitchen", "no_spa")


def topics_in(text: str) -> list[str]:
    """The topics a message names, in the order it names them (at most one per topic)."""
    from hotelbox.nlu.text import fold

    folded = " ".join(re.sub(r"[^\w\s-]", " ", fold(text)).split())
    found: list[tuple[int, str]] = []
    for topic, words in TOPIC_WORDS.items():
        positions = [
            m.start() for w in words for m in re.finditer(rf"(?<![\w-]){re.escape(w)}(?![\w-])", folded)
        ]
        if positions:
            found.append((min(positions), topic))
    found += [(at, t) for at, t in _times_asked(fold(text)) if t not in {t for _, t in found}]
    topics = [t for _, t in sorted(found)]
    if "no_private_pool" in topics and "amenities" in topics:
        topics.remove("amenities")  # "a private pool" is not a question about the pool
    if _CANCEL_COST.search(fold(text)):  # "tenho de pagar alguma coisa por cancelar?": the policy
        topics = [t for t in topics if t != "payment"]
        if "cancellation_policy" not in topics:
            topics.insert(0, "cancellation_policy")
    return topics


# what cancelling costs, in the guest's words: the cancellation policy, not how to pay
_CANCEL_COST = re.compile(
    r"\b(?:pag\w*|pay\w*|cobr\w*|charg\w*|cost\w*|cuesta|custa|fee|penal\w*|gratis|gratuit\w*|free|multa|reembols\w*"
    r"|refund\w*|devuelv\w*|devolv\w*)\b[^.,;?!]{0,40}\b(?:cancel\w*|anul\w*|desmarc\w*)\b"
    r"|\b(?:cancel\w*|anul\w*|desmarc\w*)\b[^.,;?!]{0,40}\b(?:pag\w*|pay\w*|cobr\w*|charg\w*|cost\w*|cuesta|custa|fee"
    r"|penal\w*|gratis|gratuit\w*|free|multa|reembols\w*|refund\w*|devuelv\w*|devolv\w*)\b"
)


def _times_asked(folded: str) -> list[tuple[int, str]]:
    """ "a q hora es la entrada? y la salida?": check-in and check-out asked in the guest's words,
    each in a question about the time (or a short "and the departure?" right after one); a
    clause with a day in it ("llegada el 5") gives dates, it does not ask."""
    found: list[tuple[int, str]] = []
    at, timed = 0, False
    for clause in re.split(r"(?<=[?.!;,\n])", folded):
        if _TIME_QUESTION.search(clause) or (timed and _ELLIPTIC.fullmatch(clause)):
            timed = not re.search(r"\d", clause)
            for topic, pattern in (("checkin_time", _ARRIVAL), ("checkout_time", _DEPARTURE)):
                if timed and (m := pattern.search(clause)):
                    found.append((at + m.start(), topic))
        else:
            timed = False
        at += len(clause)
    return found
