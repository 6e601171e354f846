"""What a guest says beside the flow's own step, answered in any state of any flow.

Questions about what a room HAS (a bathtub, a balcony, the view, the bed) are answered from the
room's own description as the PMS gives it; what no description says is a question for reception
("I've asked reception", and the desk is told), never a guess. Requests (a cot, a late arrival,
an allergy…) are kept with the booking as a note the front desk sees, and acknowledged once.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from hotelbox.dialogue.choices import holds
from hotelbox.dialogue.knowledge import features_in, room_has
from hotelbox.dialogue.state import BookingAction
from hotelbox.errors import PmsError
from hotelbox.nlu.text import fold

if TYPE_CHECKING:
    from hotelbox.dialogue.engine import TurnBuilder
    from hotelbox.dialogue.state import DialogueState
    from hotelbox.nlu.understanding import Understanding

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
        r"\b(?:parking|aparcamiento|estacionamento|garaje|garagem|car\s+park|plaza\s+de\s+(?:parking|garaje)"
        # "tem vaga?" asks for a room; "vaga de garagem", "vaga pro carro" is a parking space
        r"|vaga\s+(?:de\s+(?:estacionamento|garagem|carro)|(?:para|pra|pro)\s+(?:o\s+)?carro))\b"
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
# a stay moved by days ("a day later", "dos días más tarde"): a change of dates, not a late arrival
_SHIFT = re.compile(
    r"\b(?:un|una|dos|tres|cuatro|a|an|one|two|three|um|uma|dois|duas|tres|\d+)\s+(?:dia|dias|day|days|noche|noches"
    r"|night|nights|noite|noites|semana|semanas|week|weeks)\s+(?:mas\s+|more\s+|mais\s+)?(?:tarde|later|despues|depois"
    r"|after|antes|earlier|before|cedo|pronto)\b"
)
ATTENTION = {"cot": "cot_request"}  # what the desk is told now; other requests: special_request


def requests_in(text: str) -> list[str]:
    """The requests a message makes. "Do you have cots?" asks (the answer says so); "we need a
    cot", "and a cot please" request one."""
    folded = " ".join(fold(text).split())
    found = [kind for kind, pattern in REQUESTS.items() if pattern.search(folded)]
    if "late_arrival" in found and _SHIFT.search(folded):
        found.remove("late_arrival")  # "llegamos un día más tarde": other dates, not a late hour
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
    _acknowledge(t, kind)


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


# -- small talk around the flows -------------------------------------------------------------
# "sorry, wrong chat", "ignore that", "número equivocado", "foi mal, era outra conversa": the last
# message was not for us. Said alone (no question, no fact), it is answered with "no problem",
# never read as a complaint, a date or a topic.
_FOR_THEIRS = (
    r"\b(?:meant\s+for|was\s+for|were\s+for|is\s+for|sent\s+(?:it\s+|this\s+)?to|era\s+para|era\s+pra|era\s+pa|iba\s+para"
    r"|es\s+para|foi\s+para|foi\s+pra)\s+(?:my|mi|mis|minha|meu|a\s+minha|o\s+meu)\s+(?:sister|brother|mum|mom|mother"
    r"|dad|father|wife|husband|friend|boss|son|daughter|partner|girlfriend|boyfriend|cousin|hermana|hermano|madre|mama"
    r"|padre|papa|esposa|esposo|marido|mujer|amig[oa]|jefe|jefa|hij[oa]|novi[oa]|prim[oa]|irma|irmao|mae|pai|filh[oa]"
    r"|namorad[oa]|chefe)\b"
)
_FOR_THEIRS_RE = re.compile(_FOR_THEIRS)
_OOPS = re.compile(
    r"^(?:(?:jaja\w*|haha\w*|lol|kk\w*|rs\w*|jeje\w*)\s+)?"
    r"(?:o+ps+|o+ops+|opa|opsss*|ups|upa|uy|whoops|oopsie|my\s+bad|sorry|sry|perdon|perdona|disculpa|disculpe"
    r"|desculpa|desculpe|foi\s+mal|lo\s+siento)(?:\s+(?:jaja\w*|haha\w*|lol|kk\w*|rs\w*))?[\s!.]*$"
    r"|\bwrong\s+(?:\w+\s+)?(?:chat|number|person|conversation|convo|group|contact|window|thread|whatsapp|guy|hotel|app"
    r"|application|tab|screen|message|text|box)\b"
    r"|\bsent\s+(?:it|this|that)\s+to\s+the\s+wrong\b|\b(?:please\s+)?(?:ignore|disregard)\s+(?:that|this|it|my\s+last"
    r"|the\s+last|previous|the\s+previous|my\s+previous|the\s+message|my\s+message|me)\b|\bnever\s?mind\b|\bnvm\b"
    r"|\b(?:was|wasn'?t|is|isn'?t|not)\s+(?:meant\s+)?for\s+you\b|\bmeant\s+for\s+someone\s+else\b"
    r"|\bequivoqu\w*\s+(?:de\s+)?(?:chat|numero|persona|conversacion|contacto|grupo|whatsapp|hotel|mensaje)\b"
    r"|\b(?:numero|chat|mensaje|msj|contacto|conversacion|persona|grupo)\s+equivocad[oa]\b"
    r"|\bno\s+(?:era|es|iba)\s+(?:para|pa)\s+(?:ti|vos|usted|ustedes|vosotros|ustedes|este\s+(?:chat|numero)|aca|aqui)\b"
    r"|\b(?:era|es|iba)\s+(?:para|pa)\s+otr[oa]s?\s+(?:persona|conversacion|chat|gente|grupo|contacto|numero)\b"
    r"|\b(?:ignora|ignoralo|ignorad|ignore|olvidalo|olvida\s+eso|no\s+hagas\s+caso|haz\s+caso\s+omiso|borra\s+eso)\b"
    r"|\b(?:numero|conversa|chat|pessoa|contato|contacto|grupo|mensagem|msg)\s+errad[oa]\b"
    r"|\b(?:mandei|enviei|escrevi)\s+(?:errado|no\s+lugar\s+errado|pra\s+pessoa\s+errada|para\s+a\s+pessoa\s+errada)\b"
    r"|\b(?:sorry|sry|perdon|perdona|disculpa|disculpen|desculpa|desculpe|foi\s+mal|lo\s+siento)\b.{0,30}\b(?:my|mi|meu|minha"
    r"|el|la|o|a)\s+(?:kid|kids|child|toddler|son|daughter|baby|little\s+one|hij[oa]|nin[oa]|nene|nena|peque|filh[oa]"
    r"|bebe|crianca|cat|dog|gato|perro|cachorro)\b"
    r"|\b(?:grabbed|took|cogio|agarro|pego|pegou|mexeu\s+n)\w*\s+(?:the|my|el|mi|o|meu|no)\s+(?:phone|mobile|movil|celular"
    r"|telefone|telemovel|cel)\b"
    r"|\bengan\w*(?:-me|\s+me)?\s+(?:no|de|na|do|da)\s+(?:numero|pessoa|conversa|contacto|contato|chat|grupo)\b"
    r"|\bfoi\s+engano\b|\b(?:era|e|foi)\s+(?:pra\s+|para\s+|de\s+|em\s+|na\s+|no\s+)?outr[ao]s?\s+(?:pessoa|conversa|gente"
    r"|grupo|contato|numero|chat)\b|\b(?:era|es|iba)\s+(?:de\s+|en\s+)?otr[oa]\s+(?:chat|conversacion|grupo|numero)\b"
    r"|\b(?:for|to)\s+(?:another|a\s+different|the\s+other)\s+(?:chat|person|group|conversation|number)\b"
    # "jaja perdón, era para alexa", "that was meant for siri", "foi pro google": a voice assistant's order
    r"|\b(?:for|to|para|pa|pra|pro|era\s+para|was\s+for|meant\s+for|talking\s+to|hablaba\s+con|falava\s+com)\s+"
    r"(?:(?:el|la|o|a|my|mi|meu|minha)\s+)?(?:alexa|siri|google|ok\s+google|cortana|bixby|assistente|asistente"
    r"|assistant|gpt|chatgpt)\b|^(?:hey|oye|ok|ei|e\s+ai)\s+(?:siri|alexa|google)\b"
    r"|^(?:alexa|siri)\s+(?:stop|para|pare|play|pon|toca|turn|set|what|que|qual|call|llama|liga|apaga|enciende|volume"
    r"|volumen|sube|baja|abre|open)\b"
    # "sorry, that was meant for my sister", "era pra minha mãe": someone of theirs, not the hotel
    r"|"
    + _FOR_THEIRS
    + r"|\bnao\s+(?:era|e)\s+(?:pra|para)\s+(?:voce|voces|vc|vcs|aqui|o\s+senhor|a\s+senhora|si)\b"
    r"|\b(?:ignora|ignore|ignorem|esquece|esqueca|esquecam|desconsidera|desconsidere)\s*(?:isso|isto|a\s+mensagem"
    r"|essa\s+mensagem|a\s+msg|$)"
)
# a complaint in the guest's words, whatever else the message names (a booking, a room): a person
_COMPLAINT = re.compile(
    r"\b(?:not\s+happy|unhappy|disappointed|unacceptable|disgusting|dirty|filthy|smells?\s+(?:of|like|bad|awful)"
    r"|stinks?|(?:is|are|was)\s+broken|doesn'?t\s+work|does\s+not\s+work|not\s+working|no\s+hot\s+water|rude"
    r"|terrible|awful|horrible|worst|complain\w*|overcharged|charged\s+(?:me\s+)?twice|cockroach\w*|bed\s?bugs|mou?ld"
    r"|suci[oa]s?|asco|asqueros[oa]|huele\s+(?:a|fatal|mal)|mal\s+olor|olor\s+a|rot[oa]s?|no\s+funciona\w*|no\s+sirve"
    r"|queja\w*|reclamacion\w*|reclamar|verguenza|inaceptable|pesim[oa]|fatal|decepcionad[oa]s?|indignad[oa]s?"
    r"|cobra\w*\s+dos\s+veces|cucarachas?|maleducad[oa]|grosero|sem\s+agua\s+quente|sin\s+agua\s+caliente"
    r"|suj[oa]s?|nojent[oa]|fedor|cheiro\s+(?:de|ruim|horrivel)|quebrad[oa]s?|estragad[oa]s?|nao\s+funciona\w*"
    r"|reclamacao|absurdo|vergonha|inaceitavel|pessim[oa]|horrivel|decepcionad[oa]s?|cobra\w*\s+duas\s+vezes"
    r"|mal\s+educad[oa]|grossei?r[oa])\b"
    # something in the room that fails, in the guest's words: "the air con isn't cooling", "the
    # door won't lock", "no sale agua caliente", "o chuveiro não esquenta"
    r"|\b(?:isn'?t|is\s+not|aren'?t|are\s+not|wasn'?t|won'?t|will\s+not|doesn'?t|don'?t|didn'?t|can'?t|cannot"
    r"|keeps?)\s+(?:(?:even|really|properly|at\s+all|still)\s+)?(?:work\w*|cool\w*|heat\w*|drain\w*|flush\w*"
    r"|lock\w*|open\w*|clos\w*|turn\w*\s+on|switch\w*\s+on|connect\w*|get\w*\s+(?:hot|warm|cold)|leak\w*)\b"
    r"|\b(?:no|nao)\s+(?:me\s+|nos\s+|se\s+|te\s+)?(?:enfria|calienta|esquenta|gela|esfria|aquece|desagua|abre|cierra|fecha|tranca"
    r"|liga|enciende|prende|conecta|sale\s+(?:el\s+)?agua|sai\s+agua|hay\s+(?:toallas|papel|jabon|agua|luz)"
    r"|tem\s+(?:toalhas?|papel|sabonete|agua|luz)|ha\s+(?:toalhas|papel|agua|luz))\b"
    r"|\b(?:there\s+(?:are|is)\s+no|there'?s\s+no|we\s+have\s+no|we'?ve\s+got\s+no)\s+(?:clean\s+)?(?:towels|toilet\s+paper|soap"
    r"|shampoo|hot\s+water|water|electricity|power|light)\b(?!\s+(?:included|in\s+the\s+price))"
    r"|\b(?:nobody|no\s+one|noone|nadie|ninguem)\s+(?:has\s+|ha\s+|nos\s+|me\s+)?(?:clean\w*|came|come|answer\w*"
    r"|help\w*|limpi\w*|limpo\w*|vino|viene|contest\w*|atiend\w*|atende\w*|respond\w*|veio|vem|ajud\w*)\b"
    r"|\b(?:is|are|got|gets|esta|estan|ta|sigue|sigue\s+estando)\s+(?:completely\s+|totally\s+|all\s+)?(?:blocked|clogged"
    r"|flooded|overflowing|atascad[oa]s?|inundad[oa]s?|entupid[oa]s?|alagad[oa]s?)\b|\bsigue\s+sin\s+funcionar\b"
    r"|\bcontinua\s+(?:sem\s+funcionar|a\s+nao\s+funcionar)\b"
    r"|\b(?:very|too|so|really|extremely|muy|demasiado|super|muito|mega|bem)\s+(?:noisy|loud|ruidos[oa]|barulhent[oa])\b"
    r"|\b(?:can'?t|cannot|could\s+not|couldn'?t)\s+sleep\b|\bno\s+(?:podemos|puedo|pudimos|pude|hay\s+quien\s+pueda)\s+dormir\b"
    r"|\bnao\s+(?:consigo|conseguimos|da\s+pra|da\s+para|deu\s+pra)\s+dormir\b"
    r"|\b(?:estamos|llevamos|seguimos|estoy|we'?re|we\s+are|we'?ve\s+been|i'?m|i'?ve\s+been|ficamos|to|tamo|estou)\s+"
    r"(?:[\w-]+\s+){0,3}?(?:sin|sem|without)\s+(?:luz|agua|electricidad|corriente|energia|power|electricity|lights?"
    r"|hot\s+water|water|internet|wifi|calefaccion|heating|aquecimento|aire|air\s+con\w*|ar\s+condicionado)\b"
    # charged more than agreed: "me habéis cobrado dos noches de más", "cobraram a mais", "charged me extra"
    r"|\b(?:cobrad[oa]|cobraron|cobrasteis|cobraste|habeis\s+cobrado|han\s+cobrado|cobraram|cobrou)\s+(?:[\w-]+\s+){0,4}?"
    r"(?:de\s+mas|demas|a\s+mais|de\s+mais|en\s+exceso|dos\s+veces|duas\s+vezes|doble|o\s+dobro)\b"
    r"|\b(?:charged|billed)\s+(?:me|us)?\s*(?:\w+\s+){0,3}?(?:extra|too\s+much|more\s+than|double|twice|the\s+wrong)\b"
    r"|\bdouble[\s-](?:charged|billed)\b|\bwrong\s+(?:amount|charge|bill)\b"
    r"|\b(?:ridiculous|outrageous|unbelievable|shocking|ridicul[oa]|indignante|inadmisible|inadmissivel"
    r"|lamentable|lamentavel|pesadilla|pesadelo|leaking|leaks|gotera|goteira|vazamento|vazando|atascad[oa]"
    r"|entupid[oa]|couldn'?t\s+sleep|kept\s+us\s+(?:up|awake)|no\s+(?:hemos|he)\s+podido\s+dormir"
    r"|nao\s+(?:conseguimos|consegui)\s+dormir)\b"
)


def complains(text: str) -> bool:
    """The guest's own words say something is wrong ("smells of smoke", "no funciona")."""
    return bool(_COMPLAINT.search(" ".join(fold(text).split())))


# the message was not for the hotel at all (another person, a wrong number): what it started goes
_NOT_FOR_US = re.compile(
    r"\b(?:number|numero|person|persona|pessoa|contact|contacto|contato|chat|conversation|conversacion|conversa"
    r"|whatsapp|group|grupo|gente|hotel)\b"
)
_BYE = re.compile(
    r"\b(?:bye|byebye|goodbye|see\s+you|see\s+ya|cya|take\s+care|adios|hasta\s+(?:pronto|luego|manana|la\s+vista)"
    r"|nos\s+vemos|chau|chao|tchau|ate\s+(?:logo|breve|mais|amanha|ja)|abracos?|saludos|un\s+saludo|cumprimentos"
    r"|buenas\s+noches|boa\s+noite|good\s+night)\b"
)
# a keyboard mash or a child at the phone: "asdf", "jjjjjj", "sdfghjk" (noise, not a misunderstanding)
_MASH = re.compile(
    r"(?:(?:[^\Waeiouy\d]{4,}|(\w)\1{2,}|\w*(?:asdf|qwer|zxcv|sdfg|dfgh|fghj|ghjk|hjkl|jkl|wert|erty|uiop|xcvb)\w*)"
    r"[\s;.,!?]*){1,4}"
)
# words that ask for a person: a question about the hotel that names one ("hay ascensor? vamos con
# una persona mayor") asks no person to take over
_ASKS_PERSON = re.compile(
    r"\b(?:hablar|talk|speak|falar|conversar)\s+(?:con|with|to|com)\b|\b(?:llam\w*|call|ligu\w*|liga\w*|telefon\w*)\b"
    r"|\b(?:persona|person|pessoa|someone|alguien|alguem)\s+(?:real|de\s+verdad|de\s+verdade|human\w*)\b|\bhuman\w*"
    r"|\bagent\w*|\brecep\w*|\batendente|\boperador\w*|\boperator|\bmanager|\bgerente|\bstaff\b"
)
# "I'll think about it and write again", "lo pienso y os digo", "vou pensar e depois falo": the
# guest is leaving it there for now
_LATER = re.compile(
    r"\b(?:i'?ll|i\s+will|we'?ll|we\s+will|let\s+me|i\s+need\s+to|we\s+need\s+to)\s+(?:think|get\s+back|write\s+(?:again|back|later)"
    r"|let\s+you\s+know|talk\s+(?:to|with)\s+my|decide|come\s+back|check\s+with|ask\s+my)"
    r"|\blo\s+(?:pienso|pensamos|hablo|hablamos|consulto|consultamos|miro|vemos|veo|platico|platicamos|checo|chequeo"
    r"|reviso|charlo|charlamos|converso|conversamos)\b"
    r"|\b(?:os|te|les)\s+(?:digo|decimos|aviso|avisamos|escribo|escribimos|confirmo|confirmamos)\s+(?:algo|luego|despues|mas\s+tarde|manana)?"
    r"|\b(?:vou|vamos)\s+(?:pensar|ver\s+com|falar\s+com|conversar)|\bdepois\s+(?:eu\s+)?(?:falo|escrevo|confirmo|aviso|volto)\b"
    r"|\b(?:te|lhe|vos)\s+(?:aviso|falo|escrevo)\b|\bvolto\s+a\s+(?:falar|escrever)\b"
)
_FOREIGN_THANKS = re.compile(
    r"(?:ok\s+|okay\s+|d'accord\s+)?(?:merci|merci\s+beaucoup|merci\s+bien|grazie|grazie\s+mille|danke|danke\s+schon"
    r"|vielen\s+dank|dank\s+je(?:\s+wel)?|bedankt|tack|takk|dziekuje|spasibo)(?:\s+\w+)?[\s!.]*"
)
# a short nod when nothing was asked: "ok", "ah ok", "vale", "entendi", "got it", "perfecto"
_NOD = re.compile(
    r"(?:(?:ah|ahh|oh|aa|ahn|hmm?|ok|okay|okey|oki|okis|vale|dale|bueno|bien|perfecto|perfect|great|genial"
    r"|estupendo|entendido|entiendo|entendi|got\s+it|i\s+see|understood|alright|all\s+right|fine|cool|nice|sure"
    r"|de\s+acuerdo|claro|listo|ta|ta\s+bom|tudo\s+bem|beleza|blz|certo|show|otimo|perfeito|combinado|fechado"
    r"|ya|ya\s+veo|va|sale|okk+|top|joia|massa|si|sim|yes|yeah|yep|yup"
    r"|(?:ja|je|ha|he|ka|rs|lo)(?:ja|je|ha|he|ka|rs|l)+|k{3,}|lol|xd|jsjs\w*)[\s,.!]*){1,4}"
)
# the questions that ask for a fact (dates, who, a name): "thanks" does not answer them, it closes
_DATA_QUESTIONS = frozenset(
    {
        "dates",
        "check_out",
        "guests",
        "name",
        "new_dates",
        "new_party",
        "booking_ref",
        "owner_name",
        "room_type",
    }
)
_STAY = ("check_in", "check_out", "nights", "adults", "children", "room_type", "guest_name", "email")


def small_talk(t: TurnBuilder, u: Understanding, intent: str, entities: dict[str, Any]) -> bool:
    """What is said around the hotel's business — "sorry, wrong chat", "thanks, bye" while a
    question waits, "ok" with nothing asked, a request about a booking the guest already has —
    answered here whatever the flow; True when that was the whole message."""
    from hotelbox.dialogue.knowledge import topics_in

    state = t.state
    folded = " ".join(fold(u.text).split())
    facts = any(k in entities for k in (*_STAY, "booking_ref", "_party_change"))
    asked = "?" in u.text or bool(topics_in(u.text)) or bool(features_in(u.text))
    told = any(
        k in entities for k in (*_STAY[:6], "email", "booking_ref", "_party_change")
    )  # a name: misread
    if told and _FOR_THEIRS_RE.search(folded) and not set(entities) - {"adults", "children", "guest_name"}:
        told = False  # "that was meant for my sister" names someone, it adds nobody to the stay
    if _OOPS.search(folded) and not told and not asked and not requests_in(u.text):
        _phone_language(t, u)  # "enganei-me no número" proves no language: the phone's country says
        if _NOT_FOR_US.search(folded) or not state.prompt:
            state.reset_flow()  # "Oi mãe, chego às 8" was not a booking: nothing of it is kept
            state.slots = type(state.slots)(guest_name=state.slots.guest_name, email=state.slots.email)
            t.say("oops_ack")
        else:
            t.say("oops_ack")
            t.reprompt()
        state.misunderstood = 0
        return True
    if (
        _COMPLAINT.search(folded)
        and state.flow != "booking"  # "no, too expensive, terrible" to an offer is no case for a person
        and (  # "my hotel is awful, book me from today to Saturday": a stay asked for
            not _plans_stay(t, entities, folded)
            or ("booking_ref" in entities and not {"check_in", "check_out", "nights"} & entities.keys())
        )
        and intent not in ("request_human", "complaint")
        and not (
            _asked_about(u.text) and (topics_in(u.text) or features_in(u.text))
        )  # "is the room noisy?" asks
    ):
        t.handoff("complaint", "handoff_complaint")  # "booking HB-…: the room smells of smoke"
        return True
    if (
        intent == "request_human"
        and "?" in u.text
        and topics_in(u.text)
        and not any(
            k in entities for k in ("check_in", "check_out", "nights", "booking_ref")
        )  # "una persona mayor"
        and not _ASKS_PERSON.search(folded)
        and not u.flags & {"emergency"}
    ):
        t.dialogue.answer_asides(t, u, "ask_info")  # "hay ascensor? vamos con una persona mayor"
        t.answered = True
        t.reprompt()
        return True
    if _MASH.fullmatch(folded) and not facts:
        _phone_language(t)  # a mash is no language: the phone's country says which
        t.say("no_words")  # a child at the keyboard: what we can do, not counted towards a person
        t.reprompt()
        return True
    if requests_on_booking(t, u, intent, entities):
        return True
    if (
        _LATER.search(folded)
        and not any(
            k in entities for k in (*_STAY[:3], *_STAY[5:], "booking_ref", "_party_change")
        )  # "…with my wife"
        and "?" not in u.text
        and intent not in ("request_human", "complaint")
        and not (state.expect and holds(u.text))  # to a question pending: the flow keeps it open
    ):
        t.say("goodbye")  # "I'll think about it and write again": whenever they like
        state.misunderstood = 0
        return True
    closing = (u.intent in ("thanks", "goodbye") and u.confidence >= 0.5) or bool(_BYE.search(folded))
    if _FOREIGN_THANKS.fullmatch(folded) and not state.expect:
        t.say("thanks")  # "merci beaucoup", "danke": thanks, in any language
        return True
    if closing and not facts and "?" not in u.text and intent not in ("request_human", "complaint"):
        thanks_only = u.intent == "thanks" and not _BYE.search(folded)
        if state.expect in _DATA_QUESTIONS or (u.intent == "thanks" and _BYE.search(folded)):
            # "ok thanks" to "which dates?": the guest is leaving it there, not answering
            t.say("thanks" if thanks_only else "goodbye")
            state.misunderstood = 0
            return True
    if (
        not state.flow
        and not state.expect
        and not facts
        and _NOD.fullmatch(folded)
        and intent in ("affirm", "deny", "provide_info", "out_of_scope")
    ):
        t.say("ack")  # "ah ok", "entendi", "vale": nothing was asked, nothing to misunderstand
        state.misunderstood = 0
        return True
    return False


def _asked_about(text: str) -> bool:
    """Is the grievance a question ("is the room noisy?") rather than said ("the toilet is blocked.
    Could someone have a look?")? True when every clause naming it ends in a question mark."""
    clauses = [
        c for c in re.findall(r"[^.,;!?\n]+[.,;!?\n]*", text) if _COMPLAINT.search(" ".join(fold(c).split()))
    ]
    return bool(clauses) and all("?" in c for c in clauses)


# words that ask for a stay ("can I come to you from today?"): a grievance said beside them is about
# somewhere else, and the message is a booking
_WANTS_STAY = re.compile(
    r"\b(?:book\w*|reserv\w*|availab\w*|disponib\w*|vaga|room\s+for|habitacion\s+para|quarto\s+para"
    r"|come\s+to\s+you|ir\s+con\s+ustedes|ir\s+a\s+vuestro|ir\s+pra\w*|(?:have|got)\s+(?:you\s+got\s+)?a\s+room"
    r"|tienen\s+algo|teneis\s+algo|tem\s+algo|tem\s+quarto|hay\s+habitacion\w*|for\s+tonight|para\s+(?:esta|hoje)\s+noite"
    r"|para\s+hoy|para\s+esta\s+noche)\b"
)


def _plans_stay(t: TurnBuilder, entities: dict[str, Any], folded: str) -> bool:
    """Does the message ask for a stay? A party, a room, a departure or a day to come do; "today"
    alone ("nobody cleaned our room today") does only beside words that ask for a room."""
    if any(k in entities for k in ("check_out", "nights", "adults", "children", "room_type")):
        return True
    check_in = entities.get("check_in")
    if not check_in:
        return False
    return str(check_in) > t.guest.today.isoformat() or bool(_WANTS_STAY.search(folded))


def _phone_language(t: TurnBuilder, u: Understanding | None = None) -> None:
    """A message that proves no language (a mash, an apology for a wrong number) before the
    conversation has one: answered in the language of the phone's country, when it says one.
    A short apology read faintly as Spanish from a Portuguese number ("desculpe, enganei-me no
    número") is the number's language too."""
    from hotelbox.nlu.language import phone_language, variety

    home = phone_language(t.guest.phone)
    if not home or home == t.state.lang:
        return
    faint = u is not None and u.lang in ("es", "pt") and home in ("es", "pt") and u.lang_confidence < 0.8
    if not t.state.lang_sure or faint:
        t.state.lang = home
        t.state.variety = variety(home, u.text if u is not None else "", t.guest.phone, None)


def unless_complaint(u: Understanding, state: DialogueState) -> str:
    """The message's intent, except a complaint read from a message that names no grievance
    ("no wait, keep it", "desculpe, o meu filho pegou no telemóvel… têm wifi?") when it was read
    faintly, gives a stay, or comes in the middle of a flow: the answer to the pending yes/no
    question, a question about the hotel when it names a topic, else the model's next reading —
    never a reason to hand the guest over or to drop their answer. A change to the offer on the
    table ("mamma mia, too expensive.. the double then") is a change, whatever words it uses."""
    from hotelbox.dialogue.choices import polarity
    from hotelbox.dialogue.knowledge import topics_in

    if u.intent != "complaint":
        return u.intent
    if (
        state.flow == "booking"
        and state.quote is not None
        and any(k in u.entities for k in ("room_type", "check_in", "check_out", "nights", "adults"))
    ):
        return "provide_info"
    stay = any(k in u.entities for k in _STAY[:6])  # "too expensive, maybe the double, same dates"
    if not ("low_confidence" in u.flags or stay or state.flow):
        return u.intent
    if complains(u.text):
        return u.intent
    answer = polarity(u.text) if state.expect else None
    if answer in ("yes", "no"):
        return "affirm" if answer == "yes" else "deny"
    if topics_in(u.text):
        return "ask_info"
    others = [
        a.intent
        for a in u.alternatives
        if a.intent not in ("complaint", "request_human") and a.confidence >= 0.1
    ]
    return others[0] if others else "out_of_scope"


def nodded(t: TurnBuilder, text: str) -> bool:
    """A "👍" or "👌" with nothing asked: acknowledged, not answered with what the bot can do."""
    from hotelbox.dialogue.choices import polarity

    if t.state.expect or polarity(text) != "yes":
        return False
    t.say("ack")
    return True


# -- a request about a booking the guest already has -----------------------------------------
def requests_on_booking(t: TurnBuilder, u: Understanding, intent: str, entities: dict[str, Any]) -> bool:
    """ "booking HB-…: we'll arrive late", "can we have a cot?" after booking: no booking is being
    made, so the request is for one the guest has — noted (and written into that booking's remark
    by :func:`file_requests`), acknowledged, the desk told; never a change of dates asked for."""
    from hotelbox.dialogue.knowledge import topics_in

    state = t.state
    if state.flow == "booking" or intent in ("cancel_booking", "request_human", "complaint"):
        return False
    if entities.get("_party_change") or any(k in entities for k in _STAY[:6]):
        return False
    kinds = requests_in(u.text)
    from hotelbox.dialogue.engine import _HAVE_BOOKING

    own = "booking_ref" in entities or bool(_HAVE_BOOKING.search(fold(u.text))) or bool(state.created)
    if not kinds or (not own and (topics_in(u.text) or features_in(u.text))):
        return False  # "is there parking, can I bring my dog?": questions first, requests beside them
    for kind in kinds:
        if noted(t, kind):
            _acknowledge(t, kind)
        else:
            note_request(t, kind, u.text)
        t.turn.attention = ATTENTION.get(kind, "special_request")
    t.dialogue.answer_asides(t, u, intent)  # "…and what time is check-in?": answered too
    t.answered = True
    if state.flow and state.prompt:
        t.reprompt()
    return True


def _acknowledge(t: TurnBuilder, kind: str) -> None:
    if kind == "cot":  # the catalogue's own line: a cot goes in the room, not counted as a guest
        if not any(r.key in ("cot_noted", "info:cot") for r in t.turn.replies):
            t.say("cot_noted")
    elif said := t.dialogue.knowledge.sentence(t.lang, "requests", kind):
        t.say_text(said, f"request:{kind}")


async def file_requests(t: TurnBuilder) -> None:
    """Requests kept while no booking is being made belong to a booking the guest already has:
    written into that booking's remark in the PMS (a change through the durable outbox, like any
    other), so the desk finds them on the booking — never kept for the next booking made."""
    state = t.state
    if not state.notes or state.flow == "booking" or state.expect == "booking_result" or t.turn.handoff:
        return
    reference = await _booking_in_view(t)
    if reference is None:
        return  # no booking yet: the requests wait for the one being made next
    remark = "; ".join(state.notes)[:1000]
    t.turn.actions.append(BookingAction("modify", {"reference": reference, "remark": remark, "note": True}))
    state.notes = []


async def _booking_in_view(t: TurnBuilder) -> str | None:
    """The guest's own live booking the conversation is about: named in the message, being
    changed or shown, made in this conversation, or the only one their phone or e-mail has."""
    from hotelbox.dialogue.manage import owns

    state, pms, today = t.state, t.dialogue.pms, t.guest.today
    named = (t.message.entities.get("booking_ref") if t.message is not None else None) or None
    seen = (
        [named] if named else [(state.target or {}).get("reference"), state.discussed, *state.created[::-1]]
    )
    for reference in seen:
        if not isinstance(reference, str) or not reference:
            continue
        try:
            booking = await pms.get_booking(reference)
        except PmsError:
            continue
        if booking.status == "confirmed" and booking.check_out >= today and owns(booking, t.guest, state):
            return booking.reference
    if named or (not t.guest.phone and not t.guest.email) or t.guest.channel == "webchat":
        return None  # a reference that is not theirs names no booking of theirs
    try:
        found = await pms.find_bookings(email=t.guest.email, phone=t.guest.phone)
    except PmsError:
        return None
    live = [b for b in found if b.status == "confirmed" and b.check_out >= today and owns(b, t.guest, state)]
    return live[0].reference if len(live) == 1 else None  # several: the desk, told already, decides


def note_written(t: TurnBuilder, event: dict[str, Any]) -> None:
    """The PMS's answer to a request written into a booking's remark: the guest heard it was
    noted already; only a failure is for the desk."""
    if event.get("outcome") not in ("confirmed", "pending"):
        t.turn.attention = "special_request"


def is_note(event: dict[str, Any]) -> bool:
    return bool((event.get("request") or {}).get("note"))
