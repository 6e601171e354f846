"""What a guest says beside the flow's own step, answered in any state of any flow.

Questions about what a room HAS (a bathtub, a balcony, the view, the bed) are answered from the
room's own description as the PMS gives it; what no description says is a question for reception
("I've asked reception", and the desk is told), never a guess. Requests (a cot, a late arrival,
an allergy…) are kept with the booking as a note the front desk sees, and acknowledged once.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from hotelbox.dialogue.knowledge import features_in, room_has
from hotelbox.nlu.text import fold

if TYPE_CHECKING:
    from hotelbox.dialogue.engine import TurnBuilder

# -- requests --------------------------------------------------------------------------------
_WANT = (
    r"need|needs|needed|want|wanted|would\s+like|'?d\s+like|please|pls|plz|could\s+(?:we|you|i)|can\s+(?:we|you|i)"
    r"|necesit\w*|querr\w*|quiero|queremos|queria\w*|pod(?:eis|rias?|rian|emos|ria)|puede[ns]?|precis\w*|quer[oe]?"
    r"|queremos|gostari\w*|pode[ms]?|bring|add|trae\w*|levar\w*|levamos|pon(?:er|ga|gan)|poner|colocar|preparar"
    r"|reserv\w*|book|also|tambien|tambem|with|con|com|for\s+the\s+baby|para\s+el\s+bebe|para\s+o\s+bebe"
)
_COT = r"cunas?|cunita|cots?|cribs?|bercos?|bercinho|travel\s+cot|cuna\s+de\s+viaje|berco\s+de\s+viagem"
_OFFERED = re.compile(
    r"\b(?:do\s+you\s+have|have\s+you\s+got|tienen|teneis|hay|tem|teem|ha|is\s+there|are\s+there)\b"
)
REQUESTS: dict[str, re.Pattern[str]] = {
    "cot": re.compile(rf"\b(?:{_COT})\b"),
    "late_arrival": re.compile(
        r"\blate\s+(?:arrival|check[\s-]?in)\b|\bllegada\s+tard\w*|\bchegada\s+tard\w*"
        r"|\b(?:arriv\w*|get(?:ting)?\s+(?:there|in)|llega\w*|llegu\w*|cheg\w*)\b[^.?!]{0,40}?"
        r"(?:\blate\b|(?<!la\s)(?<!\ba\s)(?<!\bas\s)\btarde\b|\bmidnight\b|\bmedianoche\b|\bmeia[\s-]noite\b|\bmadrugada\b"
        r"|\b(?:2[1-3]|0?[01])(?::\d\d|h|\s?pm)?\s*(?:h|hrs|horas|pm)\b|\b(?:10|11)\s?pm\b"
        r"|\b(?:10|11)\s+(?:de\s+la\s+noche|da\s+noite|at\s+night)\b)"
    ),
    "early_checkin": re.compile(
        r"\bearly\s+check[\s-]?in\b|\bcheck[\s-]?in\s+(?:temprano|antes|cedo|mas\s+cedo|early|earlier)\b"
        r"|\b(?:entrar|llegar|chegar|arrive|get\s+in|check\s+in)\s+(?:a\s+la\s+habitacion\s+|no\s+quarto\s+)?"
        r"(?:pronto|temprano|cedo|early|earlier|antes\s+de\s+las?\s+(?:15|3)|before\s+(?:15|3))\b"
    ),
    "parking_space": re.compile(
        r"\b(?:reserv\w*|book|need|necesit\w*|precis\w*|quer\w*|want|guard\w*|keep)\b[^.?!]{0,30}"
        r"\b(?:parking|aparcamiento|estacionamento|garaje|garagem|vaga|car\s+park|plaza\s+de\s+(?:parking|garaje))\b"
        r"|\b(?:venimos|vamos|iremos|vamos\s+a\s+ir|come|coming|driving|vimos|vamos\s+de)\s+(?:en|de|by|com|no|with\s+the|in\s+the|in\s+our)"
        r"\s+(?:coche|carro|car|auto)\b"
    ),
    "diet": re.compile(
        r"\b(?:alerg\w*|allerg\w*|celiac\w*|coeliac\w*|celiaco|intoleran\w*|lactos\w*|vegan\w*|vegetarian\w*"
        r"|kosher|halal|sin\s+gluten|sem\s+gluten|gluten[\s-]free)\b"
    ),
    "quiet_room": re.compile(
        r"\bquiet\s+(?:room|floor|one|place)\b|\b(?:room|habitacion|cuarto|quarto)\b[^.?!]{0,20}"
        r"\b(?:quiet|tranquil[oa]|silencios[oa]|sossegad[oa]|sin\s+ruido|sem\s+barulho)\b"
        r"|\b(?:away\s+from\s+(?:the\s+)?(?:noise|lift|elevator|street)|lejos\s+del\s+(?:ruido|ascensor)"
        r"|longe\s+do\s+(?:barulho|elevador))\b"
    ),
    "beds": re.compile(
        r"\b(?:twin\s+beds?|two\s+(?:single\s+|separate\s+)?beds|separate\s+beds|camas\s+separadas|dos\s+camas"
        r"|duas\s+camas|camas\s+de\s+solteiro|one\s+big\s+bed|a\s+double\s+bed|cama\s+de\s+matrimonio"
        r"|cama\s+de\s+casal|cama\s+grande)\b"
    ),
    "anniversary": re.compile(
        r"\b(?:anniversary|aniversario|honeymoon|luna\s+de\s+miel|lua\s+de\s+mel|birthday|cumpleanos|bodas\s+de\s+\w+"
        r"|proposal|pedida\s+de\s+mano|pedido\s+de\s+casamento)\b"
    ),
}
_PERSON_DIET = re.compile(
    r"\b(?:alerg\w*|allerg\w*|celiac\w*|coeliac\w*|celiaco|intoleran\w*|vegan\w*|vegetarian\w*)\b"
)
ATTENTION = {"cot": "cot_request"}  # what the desk is told now; other requests: special_request


def requests_in(text: str) -> list[str]:
    """The requests a message makes. "Do you have cots?" asks (the answer says so); "we need a
    cot", "and a cot please" request one."""
    folded = " ".join(fold(text).split())
    found = [kind for kind, pattern in REQUESTS.items() if pattern.search(folded)]
    if "beds" in found and not re.search(rf"\b(?:{_WANT}|instead|en\s+vez|em\s+vez|prefer\w*)\b", folded):
        found.remove("beds")  # "what beds does it have?": a question about the room, nothing asked for
    if _OFFERED.search(folded) and not re.search(rf"\b(?:{_WANT})\b", folded):
        asked = ("cot",) if _PERSON_DIET.search(folded) else ("cot", "diet")  # "my wife is celiac" tells
        found = [k for k in found if k not in asked]  # only asked whether there are cots, gluten-free food
    return found


def noted(t: TurnBuilder, kind: str) -> bool:
    return any(n.startswith(f"[{kind}]") for n in t.state.notes)


def take_requests(t: TurnBuilder, text: str, *, cot: bool = True) -> list[str]:
    """Keep each request in the message with the booking (its remark) and tell the desk;
    acknowledged once per conversation and kind. The kinds newly taken."""
    kinds = [kind for kind in requests_in(text) if not noted(t, kind) and (cot or kind != "cot")]
    for kind in kinds:
        note_request(t, kind, text)
        t.turn.attention = ATTENTION.get(kind, "special_request")
    return kinds


def note_request(t: TurnBuilder, kind: str, text: str) -> None:
    """Keep one request with the booking (its remark) and acknowledge it; the desk is told by the
    caller (the turn's attention)."""
    t.state.notes.append(f"[{kind}] {' '.join(text.split())[:200]}")
    if kind == "cot":  # the catalogue's own line: a cot goes in the room, not counted as a guest
        if not any(r.key in ("cot_noted", "info:cot") for r in t.turn.replies):
            t.say("cot_noted")
    elif said := t.dialogue.knowledge.sentence(t.lang, "requests", kind):
        t.say_text(said, f"request:{kind}")


# -- what a room has -------------------------------------------------------------------------
def _room_in_view(t: TurnBuilder, entities: dict[str, Any]) -> str | None:
    """The room the guest is asking about: named now, offered, chosen, or the booking's."""
    state = t.state
    for code in (
        entities.get("room_type"),
        (state.quote or {}).get("room_type"),
        state.slots.room_type,
        (state.target or {}).get("room_type"),
    ):
        if isinstance(code, str) and t.dialogue.room_type(code):
            return code
    if len(state.offers) == 1:
        code = state.offers[0].get("room_type")
        return code if isinstance(code, str) and t.dialogue.room_type(code) else None
    return None


def answer_rooms(t: TurnBuilder, text: str, entities: dict[str, Any]) -> bool:
    """Answer each question about what a room has; True when the message asked one."""
    knowledge, rooms = t.dialogue.knowledge, t.dialogue.room_types
    asked = features_in(text)
    for feature in asked:  # a feature the hotel answers in its own words (a "bathtub" topic): those
        if own := knowledge.answer(t.lang, feature):
            t.say_text(own, f"info:{feature}")  # once, if the topic was answered already
    features = [f for f in asked if not knowledge.answer(t.lang, f)]
    if not features:
        return bool(asked)
    code = _room_in_view(t, entities)
    unknown = False
    offered = {o.get("room_type") for o in t.state.offers}
    for feature in features[:3]:
        having = [rt for rt in rooms if room_has(feature, rt.descriptions, text)]
        having = [rt for rt in having if rt.code in offered] or having  # of the rooms just offered
        if code:
            rt = t.dialogue.room_type(code)
            assert rt is not None
            if rt in having:
                said = knowledge.sentence(
                    t.lang,
                    "rooms",
                    "has",
                    room=t.room_name(code),
                    description=_description(t, rt.descriptions),
                )
                if said:
                    t.say_text(said, f"info:room:{code}")
                continue
            if having:
                name = t.room_name(code) if t.lang == "en" else t.room_name(code).lower()  # "para la suite"
                said = knowledge.sentence(t.lang, "rooms", "not_listed", room=name)
                if said:
                    t.say_text(said, "info:room_unknown")
                _some_have(t, having)
                unknown = True
                continue
        elif having:
            _some_have(t, having)
            continue
        unknown = True
        if said := knowledge.sentence(t.lang, "rooms", "ask_reception"):
            t.say_text(said, "info:room_unknown")
    if unknown:
        t.turn.attention = "unanswered_question"  # reception answers what the room details do not say
    return True


def _description(t: TurnBuilder, descriptions: dict[str, str]) -> str:
    return descriptions.get(t.lang) or descriptions.get("en") or next(iter(descriptions.values()), "")


def _some_have(t: TurnBuilder, having: list[Any]) -> None:
    lines = "\n".join(f"• {t.room_name(rt.code)}: {_description(t, rt.descriptions)}" for rt in having)
    said = t.dialogue.knowledge.sentence(t.lang, "rooms", "some_have", rooms=lines)
    if said:
        t.say_text(said, "info:room_list")
