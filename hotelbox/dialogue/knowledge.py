"""The hotel's own answers (check-in time, wifi, parking…), per language and topic.

Defaults ship with hotelbox (the demo hotel's); a hotel overrides any of them with
``<knowledge_dir>/<lang>.toml`` files of the same shape (``[topics] wifi = "…"``), and the front
desk can edit them at run time through :meth:`Knowledge.set`.
"""

from __future__ import annotations

import functools
import re
import tomllib
from importlib import resources
from pathlib import Path

LANGS = ("es", "en", "pt")


SECTIONS = ("rooms", "requests")  # sentences beside the topics: about the rooms, requests noted


class Knowledge:
    def __init__(self, override_dir: Path | None = None) -> None:
        root = resources.files("hotelbox.dialogue") / "answers"
        shipped = {lang: tomllib.loads((root / f"{lang}.toml").read_text(encoding="utf-8")) for lang in LANGS}
        self.answers: dict[str, dict[str, str]] = {lang: dict(shipped[lang]["topics"]) for lang in LANGS}
        self.sections: dict[str, dict[str, dict[str, str]]] = {
            lang: {name: dict(shipped[lang].get(name, {})) for name in SECTIONS} for lang in LANGS
        }
        if override_dir is not None:
            for lang in LANGS:
                path = override_dir / f"{lang}.toml"
                if path.is_file():
                    own = tomllib.loads(path.read_text(encoding="utf-8"))
                    self.answers[lang].update(own.get("topics", {}))
                    for name in SECTIONS:
                        if isinstance(own.get(name), dict):
                            self.sections[lang][name].update(own[name])

    def sentence(self, lang: str, section: str, key: str, **values: str) -> str | None:
        """A sentence of the ``[rooms]`` or ``[requests]`` section, its ``{fields}`` filled."""
        text = self.sections.get(lang, {}).get(section, {}).get(key)
        if not text:
            return None
        return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), text)

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
                        "piscina privativa", "piscina particular", "plunge pool", "alberca privada", "pileta privada",
                        "private swimming pool", "own swimming pool", "piscina exclusiva", "alberca propia",
                        "pileta propia", "piscina propria", "private plunge pool"),
    # answers6: an indoor pool, apartments (what the hotel has instead: the outdoor pool, rooms)
    "no_indoor_pool": ("indoor pool", "indoor swimming pool", "covered pool", "inside pool", "piscina cubierta",
                       "piscina interior", "piscina techada", "alberca techada", "alberca cubierta", "pileta cubierta",
                       "pileta techada", "piscina coberta", "piscina interna", "piscina climatizada cubierta"),
    "no_apartment": ("apartment", "apartments", "apartamento", "apartamentos", "departamento", "departamentos",
                     "bungalow", "bungalows", "duplex", "apartment hotel", "aparthotel",
                     "holiday flat", "self catering", "self-catering"),
    "no_kitchen": ("kitchen", "kitchenette", "cocina", "cozinha", "cocinar", "cook", "cozinhar", "cocinita", "cozinhinha"),
    "no_spa": ("spa", "sauna", "banho turco", "bano turco", "massage", "masaje", "massagem",
               "massages", "masajes", "massagens", "wellness"),
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
                "donde aparco", "donde aparcamos", "onde estaciono", "onde estacionar", "onde se estaciona",
                "parqueadero", "parqueaderos", "parqueo", "parking lot", "vaga de garagem", "vaga para carro",
                "vaga pro carro", "vaga para o carro", "deixar o carro", "dejar el coche", "dejar el carro",
                "leave the car", "estacionamentos"),
    "breakfast": ("desayuno", "desayunos", "desayunar", "breakfast", "pequeno-almoco", "pequeno almoco",
                  "cafe da manha", "tomar cafe"),
    "pets": ("perro", "perros", "perrito", "mascota", "mascotas", "dog", "dogs", "pet", "pets", "gato", "gatos",
             "cat", "cats", "cao", "caes", "cachorro", "cachorros", "animal", "animais", "animales"),
    "location": ("direccion", "address", "endereco", "donde estan", "where are you", "onde fica", "onde ficam",
                 "ubicacion", "localizacao", "where is the hotel", "donde queda", "playa", "beach", "praia",
                 "city centre", "city center", "centro", "perto do centro", "cerca del centro", "near the centre",
                 "near the center", "location", "located", "localizacion", "ubicados", "ubicado", "localizados",
                 "localizado", "morada", "directions", "como llegar", "como llego", "como llegamos", "como chegar",
                 "como chego", "como chegamos", "how do i get there", "how do we get there", "how to get there",
                 "how to get to you", "how do i get to you", "how do we get to you", "how far", "que tan lejos",
                 "a que distancia", "que distancia", "quao longe", "esta lejos", "estan lejos", "queda lejos",
                 "fica longe", "ficam longe", "e longe", "is it far", "are you far", "far from", "lejos de",
                 "longe do", "longe da", "close to the", "near the beach", "cerca de la playa", "perto da praia",
                 "en que zona", "em que zona", "what area", "which area", "que barrio", "que bairro",
                 "google maps", "maps"),
    "payment": ("pagar", "pago", "payment", "pay", "tarjeta", "card", "cartao", "efectivo", "cash", "dinheiro", "cards",
                "tarjetas", "cartoes", "amex", "american express", "visa", "mastercard", "master card", "paypal",
                "bizum", "mb way", "pix", "credit card", "debit card", "tarjeta de credito", "cartao de credito"),
    "cancellation_policy": ("politica de cancelacion", "cancellation policy", "politica de cancelamento",
                            "free cancellation", "cancelacion gratuita", "cancelamento gratuito",
                            "por cancelar", "cancellation fee", "cancel fee", "penalizacion", "penalidade",
                            "cancel for free", "cancelar sem custos", "cancelar sin coste", "cancelar sin costo"),
    "airport_transfer": ("aeropuerto", "airport", "aeroporto", "traslado", "transfer", "shuttle"),
    # answers6: what guests ask that the hotel's answers do not say: reception answers it, never a guess
    "for_reception": ("room service", "servicio de habitaciones", "servicio a la habitacion", "servicio al cuarto",
                      "servico de quarto", "room-service", "babysitter", "babysitting", "ninera", "canguro",
                      "bike rental", "bicycles", "bikes", "bicicletas", "alquiler de bicis", "aluguel de bicicleta",
                      "aluguer de bicicletas", "iron", "ironing", "plancha", "ferro de engomar", "ferro de passar",
                      "excursions", "excursiones", "excursoes", "tours", "guided tour", "visita guiada"),
    "restaurant": ("restaurant", "restaurants", "restaurante", "restaurantes", "bar", "terrace bar", "dinner",
                   "lunch", "cenar", "almuerzo", "almorzar", "jantar", "almoco", "almocar", "comer algo",
                   "place to eat", "somewhere to eat", "donde comer", "onde comer"),
    "amenities": ("piscina", "pool", "alberca", "pileta", "swimming pool", "gimnasio", "gym", "academia", "ginasio", "lavanderia", "laundry"),
    "luggage": ("maleta", "maletas", "equipaje", "luggage", "bags", "bagagem", "malas", "consigna"),
    "bathtub": ("bathtub", "bath tub", "banera", "banheira", "whirlpool", "bath or shower", "banera o ducha"),
    "accessibility": ("silla de ruedas", "wheelchair", "accesible", "accessible", "cadeira de rodas", "acessivel",
                      "movilidad reducida", "mobilidade reduzida", "ascensor", "ascensores", "elevador",
                      "elevadores", "lift", "elevator", "escaleras", "escadas", "stairs", "persona mayor",
                      "personas mayores", "pessoa idosa", "idosos", "elderly", "adaptada", "adaptadas", "adapted"),
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
# "¿dónde estáis?", "onde vcs ficam", "where r u located": where the hotel is, in the guest's words
# (a where-word, a verb of being somewhere, then nothing but who or "the hotel": "onde fica o
# estacionamento?" asks where the car park is, which the parking answer says)
_WHERE = re.compile(
    r"\b(?:donde|onde|where|whereabouts)\s+(?:es\s+que\s+|exactly\s+|exactamente\s+|exatamente\s+)?"
    r"(?:(?:vcs|voces|voce|vc|ustedes|vosotros|vos|you|u|ya|y'?all)\s+)?"
    r"(?:quedan|queda|estan|estais|esta|estas|se\s+encuentra\w*|se\s+ubica\w*|ficam|fica|ficas|estao|se\s+localiza\w*"
    r"|are|is|r)"
    r"(?:\s+(?:ustedes|vosotros|vos|vcs|voces|voce|vc|you|u|ya|guys|located|situated|exactamente|exatamente"
    r"|exactly|el|o|the|hotel|miramar|it|this|ese|esse|este|localizados?|ubicados?|situados?|situad[oa]s?))*"
    r"\s*(?:$|[?.!,;]|\b(?:y|and|e|pls|please|por\s+favor|porfa|pf)\b)"
)
NOT_HAVE = ("no_penthouse", "no_private_pool", "no_kitchen", "no_spa", "no_indoor_pool", "no_apartment")
# what the hotel's "no" already names: the general list said after it again is the same thing twice
_SAID_BY: dict[str, tuple[str, ...]] = {
    "no_private_pool": ("amenities",),
    "no_indoor_pool": ("amenities",),
    "no_spa": ("amenities",),
    "no_kitchen": ("restaurant",),
}
# the facilities each "no" names itself: "spa or gym?" needs no list after it, "indoor pool? and a gym?" does
_NAMED_BY: dict[str, re.Pattern[str]] = {
    "no_spa": re.compile(r"piscina|pool|alberca|pileta|swimming\s+pool|gimnasio|gym|academia|ginasio"),
    "no_private_pool": re.compile(r"piscina|pool|alberca|pileta|swimming\s+pool"),
    "no_indoor_pool": re.compile(r"piscina|pool|alberca|pileta|swimming\s+pool"),
}


# one pattern per topic (its words, longest first), compiled once: a turn asks for the topics of
# its message several times, and ~300 patterns looked up one by one cost milliseconds each time
_TOPIC_PATTERNS = {
    topic: re.compile(
        r"(?<![\w-])(?:"
        + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        + r")(?![\w-])"
    )
    for topic, words in TOPIC_WORDS.items()
}


def topics_in(text: str, *, cancelling: bool = False) -> list[str]:
    """The topics a message names, in the order it names them (at most one per topic).
    ``cancelling``: a cancellation waits for its yes, so "will I be charged?" asks its policy."""
    return list(_topics_in(text, cancelling))


@functools.lru_cache(maxsize=256)
def _topics_in(text: str, cancelling: bool) -> tuple[str, ...]:
    from hotelbox.nlu.text import fold

    folded = " ".join(re.sub(r"[^\w\s-]", " ", fold(text)).split())
    found: list[tuple[int, str]] = []
    for topic, pattern in _TOPIC_PATTERNS.items():
        if m := pattern.search(folded):
            found.append((m.start(), topic))
    found += [(at, t) for at, t in _times_asked(fold(text)) if t not in {t for _, t in found}]
    if "location" not in {t for _, t in found} and (where := _WHERE.search(fold(text))):
        found.append((where.start(), "location"))  # "onde vcs ficam?", "where are you guys?"
    topics = [t for _, t in sorted(found)]
    if _RECOMMEND.search(folded):  # "me recomiendas un restaurante por la zona?": reception knows the area
        topics = [t for t in topics if t not in ("restaurant", "location")]
        topics += [] if "for_reception" in topics else ["for_reception"]
    for lack, said in _SAID_BY.items():
        for topic in said:
            if lack in topics and topic in topics and (topic != "amenities" or _only_named(lack, folded)):
                topics.remove(topic)  # "a private pool?", "spa or gym?": the "no" says the pool and gym too
    if _CANCEL_COST.search(fold(text)) or (cancelling and _CHARGE.search(fold(text))):
        # "tenho de pagar alguma coisa por cancelar?", "will I be charged?" while cancelling: the policy
        rest = _CANCEL_COST.sub(" ", " ".join(re.sub(r"[^\w\s-]", " ", fold(text)).split()))
        if cancelling or not _TOPIC_PATTERNS["payment"].search(rest):  # "…? and do I pay upfront?": both
            topics = [t for t in topics if t != "payment"]
        if "cancellation_policy" not in topics:
            topics.insert(0, "cancellation_policy")
    return tuple(topics)


# a recommendation of the area asked for: places the hotel's answers do not know
_RECOMMEND = re.compile(
    r"\b(?:recommend\w*|recomiend\w*|recomend\w*|suggest\w*|sugier\w*|suger\w*|indica(?:r|s|m)?\s+(?:um|uma|algum|alguma)"
    r"|(?:good|nice|best)\s+(?:places?|restaurants?|bars?|beaches)\s+(?:to|near|around|in)|what\s+to\s+(?:see|do|visit)"
    r"|que\s+(?:ver|visitar|hacer)\s+(?:en|por)|o\s+que\s+(?:ver|visitar|fazer)\s+(?:em|por|na|no))\b"
)


def _only_named(lack: str, folded: str) -> bool:
    """The hotel's facilities the message names are only those the "no" answer says too."""
    named = _TOPIC_PATTERNS["amenities"].findall(folded)
    return lack in _NAMED_BY and all(_NAMED_BY[lack].fullmatch(w) for w in named)


_CHARGE = re.compile(
    r"\b(?:charg\w*|cobr\w*|pay\w*|pag\w*|cost\w*|cuesta|custa|fee|penal\w*|gratis|gratuit\w*|free|multa"
    r"|reembols\w*|refund\w*|devuelv\w*|devolv\w*|money\s+back|dinero|dinheiro)\b"
)
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


# What a room HAS, asked in the guest's words (folded): answered from the rooms' own descriptions
# (the PMS's), each feature with the words a description uses for it; a feature no description
# names ("is there a kettle?") is a question for reception, never a guess.
ROOM_FEATURES: dict[str, tuple[str, str]] = {
    "bathtub": (r"bath\s?tubs?|tubs?|(?:a|en)\s+bath|banera|banheira|tina|jacuzzi|whirlpool|hot\s+tub|hidromasaje"
                r"|hidromassagem", r"whirlpool|bathtub|banera|banheira|hidromasaje|hidromassagem"),
    "bathroom": (r"(?:private|own|en\s?suite)\s+bath(?:room)?|bathrooms?|ensuite|en\s+suite|banos?|aseos?|casas?\s+de\s+banho"
                 r"|banheiros?|wc|toilets?|shower|ducha|duche|chuveiro",
                 r"bathroom|bano|casa\s+de\s+banho|banheiro|whirlpool|banera|banheira"),
    "balcony": (r"balcon(?:y|ies|es)?|varandas?|sacadas?|terrac(?:e|es|o)|terrazas?",
                r"balcony|balcon|varanda|terrace|terraza|terraco"),
    "view": (r"(?:sea|ocean|city)\s+views?|views?|vistas?\s+(?:al|a\s+la|para\s+o|pro|pra|do|de|sobre|a)\b"
             r"|con\s+vistas?|com\s+vistas?|vista\s+(?:mar|al\s+mar)", r"views?|vistas?"),
    "air_conditioning": (r"air\s?con(?:ditioning|ditioned|dition|ditioner)?|air-condition\w*|aircon|a/c|aire\s+acondicionado"
                         r"|ar[\s-]condicionado|climatizad[oa]s?|climatizacion|heating|calefaccion|aquecimento", r"$^"),
    "tv": (r"tvs?|tele|television|televisao|televisor|smart\s?tv|netflix", r"$^"),
    "kettle": (r"kettle|hervidor|chaleira|coffee\s+(?:machine|maker)|cafetera|cafeteira|maquina\s+de\s+cafe"
               r"|nespresso|tea\s+and\s+coffee|te\s+y\s+cafe", r"$^"),
    "fridge": (r"fridge|minibar|mini\s+bar|nevera|frigo|frigorifico|geladeira|frigobar", r"$^"),
    "safe": (r"(?:a|an\s+in-room|in-room|room)\s+safe(?!\s+(?:area|place|neighbou?rhood|zone|city|street|walk|to))"
             r"|safe\s+(?:box|deposit)|safety\s+(?:box|deposit)|caja\s+fuerte"
             r"|cofre|caixa[\s-]forte", r"$^"),
    "size": (r"how\s+(?:big|large|spacious)|size|square\s+met(?:er|re)s?|sq\s?m|m2|metros\s+(?:cuadrados|quadrados)"
             r"|cuantos\s+metros|quantos\s+metros|tamano|tamanho|que\s+tan\s+grande|de\s+que\s+tamanho", r"$^"),
    "bed": (r"(?:what|which|kind\s+of|type\s+of)\s+beds?|beds?|camas?|king\s?size|queen\s?size|cama\s+de\s+(?:matrimonio|casal)"
            r"|camas\s+separadas|twin\s+beds", r"beds?|camas?"),
    "hairdryer": (r"hair\s?dryer|secador(?:\s+de\s+pelo|\s+de\s+cabelo)?", r"$^"),
}  # fmt: skip
_NOT_A_BED = re.compile(
    r"\b(?:cama\s+extra|extra\s+bed|cama\s+supletoria|supletoria|camas?\s+de\s+bebe|sofa[\s-]?cama)\b"
)


def features_in(text: str) -> list[str]:
    """The room features a message names (folded words), in the order it names them."""
    from hotelbox.nlu.text import fold

    folded = " ".join(re.sub(r"[^\w\s/-]", " ", fold(text)).split())
    found: list[tuple[int, str]] = []
    for feature, (asked, _) in ROOM_FEATURES.items():
        if feature == "bed" and _NOT_A_BED.search(folded):
            continue
        if m := re.search(rf"(?<![\w-])(?:{asked})(?![\w-])", folded):
            found.append((m.start(), feature))
    features = [f for _, f in sorted(found)]
    if "bathtub" in features and "bathroom" in features:
        features.remove("bathroom")  # "a bathroom with a tub?": the tub is the question
    return features


def room_has(feature: str, descriptions: dict[str, str], asked: str = "") -> bool:
    """Does a room's description (any language) name this feature — the sea view when the guest
    asked for the sea (``asked``: the guest's message)?"""
    from hotelbox.nlu.text import fold

    fact = ROOM_FEATURES[feature][1]
    said = [fold(d) for d in descriptions.values() if d]
    if not any(re.search(rf"\b(?:{fact})\b", d) for d in said):
        return False
    for wanted, named in _QUALIFIERS.get(feature, ()):
        if re.search(wanted, fold(asked)) and not any(re.search(named, d) for d in said):
            return False
    return True


# what kind of a feature the guest asks for, and how a description names that kind
_QUALIFIERS: dict[str, tuple[tuple[str, str], ...]] = {
    "view": (
        (r"\b(?:sea|mar|ocean|oceano|playa|praia|beach)\b", r"\b(?:sea|mar)\b"),
        (r"\b(?:city|ciudad|cidade|town)\b", r"\b(?:city|ciudad|cidade)\b"),
    ),
}


# A question asked without a question mark ("y el desayuno va aparte o esta incluido"): words
# that ask, in the three languages (folded)
_ASKING = re.compile(
    r"\b(?:incluid[oa]s?|included|incluso|inclus[oa]s?|va\s+aparte|aparte|se\s+paga|se\s+cobra|cuanto|cuanta|quanto"
    r"|how\s+much|how\s+many|tienen|teneis|tendrian|hay|tem|tens|teem|ha\s+(?:algum|alguma)|do\s+you|does\s+(?:it|the)"
    r"|is\s+there|are\s+there|is\s+it|do\s+ye|have\s+you|can\s+(?:i|we|you)|could\s+(?:i|we|you)|se\s+puede"
    r"|puedo|posso|da\s+pra|da\s+para|aceptan|aceitam|accept|take)\b"
)


def asks_quietly(text: str) -> bool:
    """Words that ask a question about the hotel, where the guest left out the question mark."""
    from hotelbox.nlu.text import fold

    return bool(_ASKING.search(fold(text)))


PRICED = ("parking", "breakfast", "pets", "airport_transfer", "cot", "luggage")  # answers that carry a price


def priced_aside(text: str, entities: dict[str, object]) -> bool:
    """ "e estacionamento? quanto custa por dia?": the price asked is the topic's own (its answer
    says it), not a room's — unless the message is also about a stay."""
    from hotelbox.nlu.text import fold

    stay = ("check_in", "check_out", "nights", "adults", "children", "room_type")
    return (
        any(t in PRICED for t in topics_in(text))
        and not any(k in entities for k in stay)
        and not _ROOM_PRICE.search(fold(text))
    )


_ROOM_PRICE = re.compile(
    r"\b(?:rooms?|habitacion\w*|cuartos?|quartos?|noches?|nights?|noites?|total|todo|tudo|everything|estancia"
    r"|estadia|stay|reserva|booking)\b"
)


def about_the_stay(text: str) -> bool:
    """Words of the room or the stay ("the room", "in total", "la reserva"): a price asked of them
    is the stay's, never a topic's."""
    from hotelbox.nlu.text import fold

    return bool(_ROOM_PRICE.search(fold(text)))
