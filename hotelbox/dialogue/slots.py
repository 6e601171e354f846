"""Slot filling: the one place that takes facts from a guest's message, whatever was asked.

Understanding finds dates, party, room type, name, e-mail and references in a message on its
own; here they are read in the light of the conversation: a bare "3" is a party only as the
answer to the party question, "until the 30th" is the 30th of the month of the stay being
discussed, a lone "Lucía Fernández Ruiz" is a name even when we asked something else, and
:func:`fill_stay` puts it all into the booking's slots without losing what was said before.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from hotelbox.dialogue import changes
from hotelbox.dialogue.choices import months_named, polarity
from hotelbox.nlu.dates import extract_stay
from hotelbox.nlu.entities import clean_name, extract_guests, is_common_word, looks_like_name
from hotelbox.nlu.text import fold, numbers_to_digits

if TYPE_CHECKING:
    from hotelbox.dialogue.engine import TurnBuilder
    from hotelbox.nlu.understanding import Understanding

STAY_KEYS = ("check_in", "check_out", "nights", "adults", "children", "room_type")
NAME_EXPECTS = ("name", "owner_name")


def stay_in_discussion(t: TurnBuilder) -> tuple[date, date] | None:
    """The stay the guest is talking about: the booking being changed, else the offer."""
    state = t.state
    target = state.target or {}
    if target.get("current_check_in") and target.get("current_check_out"):
        return date.fromisoformat(target["current_check_in"]), date.fromisoformat(target["current_check_out"])
    ci, co = state.slots.dates()
    if ci and co:
        return ci, co
    if state.quote:
        return date.fromisoformat(state.quote["check_in"]), date.fromisoformat(state.quote["check_out"])
    return None


_WEEKDAY_DAY = re.compile(
    r"\b(?:lunes|martes|miercoles|jueves|viernes|sabado|domingo|monday|tuesday|wednesday|thursday|friday|saturday"
    r"|sunday|mon|tue|wed|thu|fri|sat|sun|segunda|terca|quarta|quinta|sexta)(?:-feira)?,?\s+(?:(?:el|the|dia|o)\s+)?"
    r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\b"
)
_SAME_DATES = re.compile(
    r"\b(?:same|mism[oa]s|mesm[oa]s|iguais|iguales)\s+(?:dates?|fechas?|datas?|days?|dias?|nights?|noches?|noites?"
    r"|stay|estancia|estadia|periodo|period)\b|\b(?:dates?|fechas|datas|dias|days)\s+(?:iguais|iguales)\b"
)
_CONTACT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\+?\d[\d\s().-]{6,}\d")
_TOTAL = re.compile(
    r"\b(?:somos|seremos|we\s+are|we'?re|we'?ll\s+be|we\s+will\s+be|there\s+are|there\s+will\s+be|sao|vamos\s+ser|vamos)\s+(\d{1,2})\b(?!\s*(?:de|of|a|al|to|-)\s)"
)
# a child named in a message that gives the party's total ("we'll be 3, my son comes too")
_KID = re.compile(
    r"\b(?:my|our|mi|nuestr[oa]|meu|minha|noss[oa]|o|a|el|la|the)\s+(?:little\s+|pequen[oa]\s+)?(?:son|daughter|kid|child"
    r"|baby|boy|girl|hij[oa]|nin[oa]|nene|nena|peque|bebe|filh[oa]|crianca|menin[oa]|miud[oa]|nenem)\b"
)
# the answer to "how many?" opening a longer message: "2, e chegamos tarde", "3 and a dog, is that ok?"
_LEADING_COUNT = re.compile(
    r"^\W*(\d{1,2})(?=\s*(?:[,.;:!)]|$|\s+(?:y|e|and|pero|but|mas|mais|tb|tambien|also|plus|\+)\b))"
)
_PA = re.compile(r"\bpa\s+(?:mi|mis|nosotr[oa]s|los|las|el|la|dos|tres|cuatro|2|3|4)\b")
_PA_WORD = re.compile(r"\bpa\b")
# "9 chicas", "6 friends", "4 amigos": a party counted in people who are not "adults"
_GROUP = re.compile(
    r"\b(\d{1,2})\s+(?:chic[oa]s|amig[oa]s|girls|guys|boys|friends|mates|ladies|colleagues|colegas|meninas|meninos"
    r"|rapazes|raparigas|senhoras|señoras|chavales|compañer[oa]s|companheir[oa]s|colegas|pax)\b"
)
_ROOM_FOR_N = re.compile(
    r"\b(?:suites?|dobles?|doubles?|duplos?|individual(?:es)?|singles?|familiar(?:es)?|family|habitacion(?:es)?|rooms?"
    r"|quartos?|cuartos?)\b[^,.;!?\d]{0,12}\b(?:para|for|pra|pa)\s+(\d{1,2})\b"
    r"(?!\s*(?:noches?|nights?|noites?|dias?|days?|semanas?|weeks?|h\b|:|am\b|pm\b|de\s+[a-z]|of\s|th\b|st\b"
    r"|nd\b|rd\b|o\b|a\s+\d|al\s|-|/))"
)


def without_contact(text: str) -> str:
    """The message with its e-mail addresses and phone numbers taken out."""
    return " ".join(_CONTACT.sub(" ", text).split())


# "the 12th or the 13th", "el 12 o el 13 de mayo", "dia 12 ou 13": two arrival days to choose from
_EITHER_DAY = re.compile(
    r"\b(?P<one>\d{1,2})(?:st|nd|rd|th|º)?\s+(?:or|o|u|ou)\s+(?:(?:on\s+)?the\s+|el\s+|o\s+|dia\s+)?"
    r"(?P<two>\d{1,2})(?:st|nd|rd|th|º)?\b(?!\s*(?:noches?|nights?|noites?|dias?|days?|personas?|people|pessoas?|adult))"
)


def _either_day(t: TurnBuilder, u: Understanding, entities: dict[str, Any]) -> None:
    """Two arrival days offered ("arriving the 12th or 13th of May, whichever is cheaper"): the
    first as the stay, the other kept so that the offer can compare them."""
    text = numbers_to_digits(fold(u.text), u.lang)
    m = _EITHER_DAY.search(text)
    if not m or int(m.group("one")) == int(m.group("two")):
        return
    first = text[: m.start()] + m.group("one") + text[m.end("two") :]
    second = text[: m.start()] + m.group("two") + text[m.end("two") :]
    one = extract_stay(first, u.lang, t.guest.today)
    two = extract_stay(second, u.lang, t.guest.today)
    if not (one.check_in and two.check_in) or one.past or two.past:
        return
    for key in ("check_in", "check_out", "nights", "extra_nights"):
        entities.pop(key, None)
    entities.update({k: v for k, v in one.as_entities().items() if k != "extra_nights"})
    u.flags -= {"past_date", "day_only"}
    nights = one.nights or ((one.check_out - one.check_in).days if one.check_out else t.state.slots.nights)
    t.state.slots.other_check_in = two.check_in.isoformat() if nights else None
    if nights and "nights" not in entities:
        entities["nights"] = nights


def in_context(t: TurnBuilder, u: Understanding) -> dict[str, Any]:
    """The message's entities, with day-only dates read against the stay being discussed."""
    entities = dict(u.entities)
    if _EITHER_DAY.search(numbers_to_digits(fold(u.text), u.lang)):
        _either_day(t, u, entities)
    if _WEEKDAY_DAY.search(fold(u.text)):
        # "del jueves 25 al lunes 29 de marzo": the day numbers say it; the weekdays only agree
        text = _WEEKDAY_DAY.sub(r"\g<day>", fold(u.text))
        plain = extract_stay(text, u.lang, t.guest.today)
        # never a poorer reading than understanding's ("from friday the 19th till sunday": both ends)
        if (
            (plain.check_in or plain.check_out)
            and (plain.check_in or "check_in" not in entities)
            and (plain.check_out or "check_out" not in entities)
        ):
            for key in ("check_in", "check_out", "nights"):
                entities.pop(key, None)
            entities.update({k: v for k, v in plain.as_entities().items() if k != "extra_nights"})
            leave = changes.leave_day(text, plain.check_in)  # "…, me voy el jueves 30"
            if plain.check_in and leave:
                entities["check_out"] = leave.isoformat()
                entities["nights"] = (leave - plain.check_in).days
            if plain.past:
                u.flags.add("past_date")
            else:
                u.flags.discard("past_date")
    stay = stay_in_discussion(t)
    s = t.state.slots
    last = t.state.last_stay
    if stay is None and last and "check_in" not in entities and _SAME_DATES.search(fold(u.text)):
        entities["check_in"], entities["check_out"] = last  # "another room for the same dates"
        entities["nights"] = (date.fromisoformat(last[1]) - date.fromisoformat(last[0])).days
    if (
        stay is None
        and not any(k in entities for k in ("check_in", "check_out"))
        and (months := months_named(u.text))
    ):
        s.month = months[0]  # "quiero reservar en agosto": the days will come later
    if "day_only" in u.flags and stay is None and s.month:
        year = t.guest.today.year + (1 if s.month < t.guest.today.month else 0)
        anchor = max(t.guest.today, date(year, s.month, 1))
        again = extract_stay(u.text, u.lang, anchor)  # "del 16 al 23" after "en agosto"
        if again.check_in or again.check_out:
            for key in ("check_in", "check_out", "nights"):
                entities.pop(key, None)
            entities.update({k: v for k, v in again.as_entities().items() if k != "extra_nights"})
    if "day_only" in u.flags and stay is not None:
        # "until the 30th" about a July stay is 30 July, not the next 30th from today
        anchor = max(t.guest.today, stay[0].replace(day=1))
        again = extract_stay(u.text, u.lang, anchor)
        if again.check_out and not again.check_in and again.check_out <= stay[0]:
            again = extract_stay(u.text, u.lang, stay[0] + timedelta(days=1))
        for key in ("check_in", "check_out", "nights", "extra_nights"):
            entities.pop(key, None)
        entities.update(again.as_entities())
        if again.past or (again.check_in is None and again.check_out is None):
            u.flags.discard("past_date")
    elif "weekday_only" in u.flags and stay is not None and stay[0] > t.guest.today:
        # "nos tenemos que ir el domingo" about an August stay: the Sunday after its arrival;
        # "llegamos el viernes": the Friday nearest to the arrival discussed
        again = extract_stay(u.text, u.lang, max(t.guest.today, stay[0] - timedelta(days=3)))
        if again.check_out and not again.check_in:
            again = extract_stay(u.text, u.lang, stay[0] + timedelta(days=1))
        for key in ("check_in", "check_out", "nights", "extra_nights"):
            entities.pop(key, None)
        entities.update(again.as_entities())
    offer = _offer_stay(t)
    if (
        offer is not None
        and t.state.flow == "booking"
        and ("extra_nights" in entities or changes.says_change(u.text, u.lang))
    ):
        # "one more night, until the 12th" about the offer: the offer's stay changed, not a new one
        wanted = changes.new_dates(u.text, u.lang, offer[0], offer[1], t.guest.today, entities)
        for key in ("check_in", "check_out", "nights", "extra_nights"):
            entities.pop(key, None)
        if wanted:
            entities["check_in"], entities["check_out"] = wanted[0].isoformat(), wanted[1].isoformat()
            entities["nights"] = (wanted[1] - wanted[0]).days
            u.flags.discard("past_date")
    if (
        t.state.expect in NAME_EXPECTS
        and s.adults is not None
        and ("guest_name" in entities or full_name_in(u.text))
        and not re.search(r"\d", numbers_to_digits(fold(_CONTACT.sub(" ", u.text)), u.lang))
    ):
        # "it's for my wife, Sarah Connor" answering whose name: whose booking, not a new party
        entities.pop("adults", None)
        entities.pop("children", None)
    if t.state.expect == "guests" and "adults" not in entities:
        lead = _LEADING_COUNT.match(numbers_to_digits(fold(_CONTACT.sub(" ", u.text)), u.lang))
        if lead and 1 <= int(lead.group(1)) <= 30 and not _only_a_time(u.text, u.lang, int(lead.group(1))):
            entities["adults"] = int(lead.group(1))  # "2, e chegamos tarde tipo às 23h": the party asked for
    if "adults" in entities and _only_a_time(u.text, u.lang, int(entities["adults"])):
        entities.pop("adults")  # "llegamos a las 5": an hour, not five guests
    total = _TOTAL.search(numbers_to_digits(fold(u.text), u.lang))
    if "adults" not in entities and _PA.search(fold(u.text)):
        # "pa mi novia y pa mi" (spoken "para"): the party read as written out
        party = extract_guests(_PA_WORD.sub("para", fold(u.text)), u.lang)
        if party.adults:
            entities["adults"] = party.adults
            if party.children is not None:
                entities["children"] = party.children
            if "pa" in fold(str(entities.get("guest_name", ""))).split():
                entities.pop("guest_name")
    group = _GROUP.search(numbers_to_digits(fold(u.text), u.lang))
    if "adults" not in entities and "children" not in entities and group:
        entities["adults"] = int(group.group(1))  # "una despedida, 9 chicas": nine guests
    if (
        total
        and "children" not in entities
        and entities.get("adults") == int(total.group(1))
        and not re.search(r"\badult", fold(u.text))
        and (kids := len(_KID.findall(numbers_to_digits(fold(u.text), u.lang))))
        and int(total.group(1)) > kids
    ):
        # "we will be 3, my son comes also": the total counts the child named in it
        entities["adults"], entities["children"] = int(total.group(1)) - kids, kids
    if "adults" not in entities and "children" in entities and total:  # "somos 3: mi mujer, yo y el peque"
        entities["adults"] = max(int(total.group(1)) - int(entities["children"]), 1)
    if "adults" not in entities and (entities.get("room_type") or t.state.slots.room_type):
        folded = fold(_CONTACT.sub(" ", u.text))
        m = _ROOM_FOR_N.search(folded)  # "una suite para 2 del 8 al 10": a room for two people
        if m and 1 <= int(m.group(1)) <= 20:
            entities["adults"] = int(m.group(1)) - int(entities.get("children", 0))
    if stay is not None and not ("check_in" in entities and "check_out" in entities):
        # "hmm afinal 21 a 24", "mejor 21 al 24", "no, 21-24": a range of days about the stay discussed
        said = changes.reread(_CONTACT.sub(" ", u.text), u.lang, stay[0], stay[1], t.guest.today)
        if said.get("check_in") and said.get("check_out"):
            entities.pop("extra_nights", None)
            entities.update(said)
            u.flags.discard("past_date")
    refused = s.refused if stay is None and s.refused else None
    if refused and not any(k in entities for k in ("check_in", "check_out", "nights", "extra_nights")):
        stay = date.fromisoformat(refused[0]), date.fromisoformat(refused[1])  # "that date has passed"
    if stay is not None and not any(
        k in entities for k in ("check_in", "check_out", "nights", "extra_nights")
    ):
        months = months_named(u.text)
        if months and months[0] != stay[0].month and not re.search(r"\d", u.text):
            moved = _month_moved(stay, months[0])  # "sorry, I meant July, not June": same days
            if moved and moved[0] >= t.guest.today:
                entities["check_in"], entities["check_out"] = moved[0].isoformat(), moved[1].isoformat()
    return entities


_AT_HOUR = re.compile(
    r"\b(?:a\s+las|sobre\s+las|hacia\s+las|at|around|as|às|pelas|por\s+volta\s+das|ate\s+as|hasta\s+las"
    r"|desde\s+las|despues\s+de\s+las|antes\s+de\s+las|depois\s+das|antes\s+das)\s+(\d{1,2})"
    r"(?![\d/-])(?:[:h.]\d{2})?\b(?!\s*(?:de|of|to|a|al|ao|-|del|do)\s)|\b(\d{1,2})\s*(?::\d{2}|h\b|am\b|pm\b|hrs?\b|horas\b)"
)
_PEOPLE = re.compile(
    r"\b(?:personas?|people|persons?|pax|adult\w*|pessoas?|huespedes|hospedes|guests?|somos|seremos|sao|we\s+are"
    r"|we'?re|of\s+us|nin[oa]s?|kids?|children|child|criancas?|bebes?|babies|baby|hij[oa]s|filh[oa]s)\b"
)


def _only_a_time(text: str, lang: str, adults: int) -> bool:
    """Is the party's number only an hour of the day ("a las 5 llegamos", "we arrive at 5")?"""
    t = numbers_to_digits(fold(text), lang)
    hours = {int(a or b) for a, b in _AT_HOUR.findall(t)}
    return adults in hours and not _PEOPLE.search(t)


def _month_moved(stay: tuple[date, date], month: int) -> tuple[date, date] | None:
    """The stay with its days kept in another month ("errei o mês: é julho")."""
    ci, co = stay
    year = ci.year if month >= ci.month else ci.year + 1
    try:
        new_ci = ci.replace(year=year, month=month)
    except ValueError:
        return None
    return new_ci, new_ci + (co - ci)


def _offer_stay(t: TurnBuilder) -> tuple[date, date] | None:
    """The dates of the stay being booked, when both are known."""
    ci, co = t.state.slots.dates()
    return (ci, co) if ci and co else None


def answers_expected(t: TurnBuilder, u: Understanding, entities: dict[str, Any]) -> bool:
    """Read a message that carries no clear intent as the answer to what we asked (adding the
    entity to ``entities``); True when it is one."""
    expect = t.state.expect
    text = u.text.strip()
    if expect == "owner_name":
        entities["_text"] = text  # checked against the booking's surname, whatever it looks like
        return True
    if expect in NAME_EXPECTS and "guest_name" not in entities:
        name = name_in(text)
        if name and "?" in text and not _as_written(name, text):
            name = None  # a question, not a name
        if name:
            entities["guest_name"] = name
            return True
    if expect == "email" and "email" not in entities and "bad_email" in u.flags:
        entities["_bad_email"] = True
        return True
    number = text.rstrip(".!").strip()
    if expect == "guests" and "adults" not in entities:
        words = numbers_to_digits(fold(text), u.lang).split()
        if words and words[0].isdigit() and len(words) <= 6:  # "3", "3 y un bebé", "two"
            adults = int(words[0]) - int(entities.get("children", 0) if "total" in words else 0)
            entities["adults"] = adults
            return True
    if number.isdigit():
        n = int(number)
        if expect == "check_out" and "nights" not in entities:
            entities["nights"] = n
            return True
        if expect == "room_type" and 1 <= n <= len(t.state.offers):
            entities["room_type"] = t.state.offers[n - 1]["room_type"]
            return True
    if t.state.flow == "booking" and "guest_name" not in entities:
        contact = "email" in entities or "phone" in entities
        name = name_in(text) if contact else clean_name(text) if _unasked_name(u) else None
        if name and _has_full_name(t):
            name = full_name_in(text)  # "email is tom@x.com if u need it": not a new name
        if name:
            entities["guest_name"] = name
            return True
    return False


_FILLER = re.compile(
    r"^(?:ok(?:ay)?|vale|si|sí|sim|yes|yeah|sure|claro|perfecto|perfeito|bueno|bem|well|so|pues|entonces"
    r"|ah|oh|y|and|also|tambien|también|tb|btw|ah\s+y|hi|hello|hey|hola|ola|olá|oi|buenas|good\s+morning"
    r"|bom\s+dia|boa\s+tarde|buenos\s+d[ií]as|buen\s+d[ií]a|buenas\s+tardes|buenas\s+noches|boa\s+noite|good\s+evening"
    r"|(?:my\s+|the\s+|mi\s+|el\s+|meu\s+|o\s+meu\s+|o\s+)?(?:full\s+)?(?:name|nombre|nome)(?:'s|\s+is|\s+es|\s+[eé]|\s+completo)?"
    r"|it'?s|is|es|é|e|i'?m|i\s+am|this\s+is|soy|sou|me\s+llamo|me\s+chamo|chamo-me"
    r"|(?:quem\s+)?fala\s+(?:o|a|é\s+o|é\s+a|e\s+o|e\s+a)|aqui\s+(?:é|e)(?:\s+(?:o|a))?|(?:te|le|les)\s+(?:habla|escribe|saluda)"
    r"|(?:quien\s+)?(?:escribe|saluda|writing\s+is|escreve)"
    r"|(?:sou|soy)\s+(?:o|a|el|la)|here\s+is|you'?re\s+talking\s+to"
    r"|(?:la\s+|a\s+)?reserva\s+(?:seria\s+|sería\s+|fica\s+|va\s+)?(?=(?:a|en|em|no|na)\s)"
    r"|(?:a|en|em|no|na)\s+(?:mi\s+|meu\s+)?(?:nombre|nome)(?:\s+de)?|under(?:\s+the\s+name(?:\s+of)?)?"
    r"|(?:booking|reservation)\s+(?:is\s+)?(?:under|for)|in\s+the\s+name\s+of"
    r"|para|for|pra|solo|sólo|só|just|only|apenas|simplemente|nada\s+más|nothing\s+else)\b[\s,.:!-]*",
    re.IGNORECASE,
)
# "Mark Evans here", "pedro gomez por favor", "Joana Silva falando": words after a name
_TRAILER = re.compile(
    r"(?:\s+(?:here|speaking|mesmo|mesma|mismo|misma|only|nomas|(?:por\s+)?aqui|(?:por\s+)?aquí|falando|hablando|por\s+favor|porfa|please|pls|plz|thanks|thank\s+you"
    r"|thx|gracias|obrigad[oa]|de\s+nuevo|again))+\s*$",
    re.IGNORECASE,
)
_EMAIL_OR_PHONE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\+?\d[\d\s().-]{6,}\d")


_SURNAME_FIRST = re.compile(
    r"^\s*(?P<last>[A-ZÁÉÍÓÚÂÊÔÃÕÇÑÜ][\w'-]+(?:\s+(?:(?:de|del|da|do|dos|das|la)\s+)?[A-ZÁÉÍÓÚÂÊÔÃÕÇÑÜ][\w'-]+){0,2})"
    r"\s*,\s*(?P<first>[A-ZÁÉÍÓÚÂÊÔÃÕÇÑÜ][\w'-]+(?:\s+[A-ZÁÉÍÓÚÂÊÔÃÕÇÑÜ][\w'-]+)?)\s*[.!]*\s*$"
)


def _surname_first(text: str) -> str | None:
    """ "García López, Ana", "Smith, John": a name written as on a form, surnames first."""
    m = _SURNAME_FIRST.match(_EMAIL_OR_PHONE.sub(" ", text).strip(" ,;-"))
    if not m or _FILLER.match(m.group("last")) or _FILLER.match(m.group("first")):
        return None
    words = [*m.group("last").split(), *m.group("first").split()]
    if any(is_common_word(w) or fold(w) in _NOT_NAME_WORDS for w in words) or polarity(m.group("last")):
        return None
    return clean_name(f"{m.group('first')} {m.group('last')}")


def name_in(text: str) -> str | None:
    """The name in an answer to "who is the booking under?": "Ana Souza", "ok John Smith,
    john@x.com", "a nombre de Lucía Fernández Ruiz, gracias", "García López, Ana"."""
    if reversed_name := _surname_first(text):
        return reversed_name
    parts = []
    for part in re.split(r"[,;\n.!?()]|\s+-\s+", _EMAIL_OR_PHONE.sub(",", text)):
        part = part.strip(" .!")
        while (m := _FILLER.match(part)) and m.end() > 0:
            part = part[m.end() :]
        parts.append(_TRAILER.sub("", part))
    capitalised = [p for p in parts if p and all(w[:1].isupper() for w in p.split() if len(w) > 3)]
    names = [
        name
        for part in [*capitalised, *parts]  # "great, book it please. it's Tom Baker": Tom Baker
        if part
        and len(part.split()) <= 5
        and polarity(part) is None
        and (name := clean_name(part))
        and not any(fold(w) in _NOT_NAME_WORDS for w in name.split())  # "mejor la suite"
        and (part in capitalised or len(name.split()) >= len(part.split()))  # not "Back To" the double
    ]
    # "Lovely, it's for Jess Taylor": a first name and surname before a lone word
    return next((n for n in names if len(n.split()) >= 2), names[0] if names else None)


_NOT_NAME_WORDS = frozenset(
    [
        "hotel",
        "miramar",
        "room",
        "rooms",
        "suite",
        "double",
        "single",
        "family",
        "habitacion",
        "quarto",
        "reserva",
        "booking",
        "semana",
        "santa",
        "easter",
        "christmas",
        "navidad",
        "natal",
        "wifi",
        "check",
        "doble",
        "dobles",
        "duplo",
        "individual",
        "familiar",
        "cuarto",
        "habitaciones",
        "quartos",
        "noche",
        "noches",
        "night",
        "nights",
        "noite",
        "noites",
        "adultos",
        "adults",
        "personas",
        "pessoas",
        "people",
        # words of a request, never of a name: "mi correo es …, quería reservar"
        "reservar",
        "reserve",
        "book",
        "quiero",
        "queria",
        "quero",
        "gostaria",
        "want",
        "need",
        "necesito",
        "preciso",
    ]
)


def full_name_in(text: str) -> str | None:
    """A first name and surname written with capitals somewhere in a longer message, whatever was
    asked: "ok, fico com a suite. Bernardo Leite Sampaio", "it's Harry Potts, sorry"."""
    name = name_in(text)
    if not name or len(name.split()) < 2 or not _as_written(name, text):
        name = _capitalised_tail(text)  # "sorry, make it Jane Doe Smith", "put it under Ana Souza"
    if not name or len(name.split()) < 2:
        return None
    if not _as_written(name, text):
        return None  # as the guest wrote it: "somos dos adultos" is not "Somos Dos Adultos"
    words = name.split()
    if any(fold(w) in _NOT_NAME_WORDS for w in words):
        return None
    return name


_CAPITALISED_TAIL = re.compile(
    r"\b(?:it|be|under|is|es|é|e|named|called|llamo|chamo|nombre|nome|name|seria|sería|fica)\s+((?:[A-ZÁÉÍÓÚÂÊÔÃÕÇÑÜ][\w'-]+\s+)(?:(?:de|del|da|do|dos|das|la|van|von)\s+)?"
    r"[A-ZÁÉÍÓÚÂÊÔÃÕÇÑÜ][\w'-]+(?:\s+(?:(?:de|del|da|do|dos|das|la|van|von)\s+)?[A-ZÁÉÍÓÚÂÊÔÃÕÇÑÜ][\w'-]+){0,2})"
    r"\s*[.!]*\s*$"
)


def _capitalised_tail(text: str) -> str | None:
    """First name and surname written with capitals at the end of a sentence that is not a name."""
    for part in reversed(re.split(r"[,;\n?()]", _EMAIL_OR_PHONE.sub(",", text))):
        m = _CAPITALISED_TAIL.search(part.strip())
        if m and (name := clean_name(m.group(1))) and len(name.split()) >= 2:
            return name
    return None


def _as_written(name: str, text: str) -> bool:
    """Is every word of ``name`` in ``text`` with its capital, as a name is written?"""
    written = {w.strip(".,;:!?()") for w in text.split()}
    return all(w in written and (w[:1].isupper() or fold(w) in _PARTICLES) for w in name.split())


_PARTICLES = frozenset(("de", "del", "la", "las", "los", "da", "do", "dos", "das", "van", "von"))


def take_name(t: TurnBuilder, u: Understanding, entities: dict[str, Any], booking_talk: bool) -> None:
    """The guest's full name from any message, whatever was asked; a cleaner reading replaces
    understanding's ("Name is Paul Walker" is Paul Walker, not "Is Paul Walker")."""
    expect = t.state.expect
    if expect == "owner_name":
        return
    given = entities.get("guest_name")
    contact = "email" in entities or "phone" in entities
    found = name_in(u.text) if (expect in NAME_EXPECTS or (contact and not _has_full_name(t))) else None
    if found and "?" in u.text and not _as_written(found, u.text):
        found = None  # "quanto fica no total?" asked while we wait for the name: a question
    full = full_name_in(u.text)
    candidate = full or (found if found and len(found.split()) >= 2 else None)
    if given and _has_full_name(t) and expect not in NAME_EXPECTS and not _as_written(given, u.text):
        entities.pop("guest_name")  # "o email é … caso precisem dele": not a name, and we have one
        return
    if given and any(fold(w) in _NOT_NAME_WORDS for w in given.split()):
        entities.pop("guest_name")  # "mejor la suite": a change of room, not a guest called so
        given = None
    if given:
        if (
            candidate
            and candidate != given
            and (
                given.endswith(candidate)
                or (candidate.endswith(given) and _as_written(candidate, u.text))  # "García López, Ana"
                or len(given.split()) < 2
                or not _as_written(given, u.text)
            )
        ):
            # "viagem de trabalho. Tiago Moreira, …": the name as a name is written, not the words
            entities["guest_name"] = candidate
        return
    if candidate and (booking_talk or expect in NAME_EXPECTS or contact):
        entities["guest_name"] = candidate  # "hi, Mark Evans here, mark@x.com": who they are, for later


def shortened(name: str, full: str) -> bool:
    """Is ``name`` ``full`` written shorter ("Beatriz Moreno", "Richard" for "Beatriz Moreno Calvo",
    "Richard Hughes"): every word of it in the full name, in order, and fewer of them?"""
    words, known = [fold(w) for w in name.split()], [fold(w) for w in full.split()]
    if not words or len(words) >= len(known) or words[0] != known[0]:
        return False
    at = 0
    for w in words:
        if w not in known[at:]:
            return False
        at = known.index(w, at) + 1
    return True


def _has_full_name(t: TurnBuilder) -> bool:
    name = t.state.slots.guest_name
    return bool(name and len(name.split()) >= 2)


def _unasked_name(u: Understanding) -> bool:
    """A whole message that is only a full name, sent while we asked something else."""
    text = u.text.strip()
    if not looks_like_name(text) or len(text.split()) < 2 or u.entities:
        return False
    return "unknown_words" in u.flags or all(w[:1].isupper() for w in text.split() if len(w) > 3)


def fill_stay(t: TurnBuilder, entities: dict[str, Any]) -> bool:
    """Put what the guest said into the booking's slots; True when the stay itself changed.
    A new check-in keeps the length of stay; what was not mentioned is kept."""
    s = t.state.slots
    before = (s.check_in, s.check_out, s.adults, s.children, s.room_type)
    if "nights" in entities:
        s.nights = int(entities["nights"])
    check_in, check_out = entities.get("check_in"), entities.get("check_out")
    if check_in and not check_out and t.state.expect == "check_out" and s.check_in and check_in > s.check_in:
        check_in, check_out = None, check_in  # "until Sunday" answering "which day do you leave?"
    if check_in and not check_out and "nights" not in entities and s.refused and s.refused[1] > check_in:
        check_out = s.refused[1]  # "desde ayer hasta el domingo" refused, then "desde hoy": still Sunday
    if check_in:
        s.check_in = check_in
        s.refused = None
        if check_out:
            s.check_out = check_out
        elif "nights" in entities or (s.nights and before[0] != check_in):
            s.check_out = (date.fromisoformat(check_in) + timedelta(days=s.nights or 1)).isoformat()
        elif s.check_out and s.check_out <= check_in:
            s.check_out = None
    elif check_out:
        s.check_out = check_out
    elif "nights" in entities and s.check_in:
        s.check_out = (date.fromisoformat(s.check_in) + timedelta(days=s.nights or 0)).isoformat()
    if (
        "room_type" in entities
        and s.adults is None
        and "adults" not in entities
        and "children" not in entities
    ):
        rt = t.dialogue.room_type(entities["room_type"])
        if rt is not None and rt.max_guests == 1:
            entities["adults"] = 1  # "a single room": one guest, no need to ask
    if "adults" in entities:
        s.adults = int(entities["adults"])
        if "children" not in entities and t.state.expect == "guests":
            s.children = 0
    if "children" in entities:
        s.children = int(entities["children"])
    if "room_type" in entities and (room := t.dialogue.room_type(entities["room_type"])):
        s.room_type = entities["room_type"]
        if s.adults is None and room.max_guests == 1:
            s.adults, s.children = 1, 0  # "a single for tomorrow": one guest, nothing to ask
    if (
        s.guest_name
        and len(s.guest_name.split()) >= 2
        and len(str(entities.get("guest_name") or "x y").split()) < 2
        and t.state.expect not in NAME_EXPECTS
    ):
        entities.pop("guest_name")  # "perdón, el correo bueno es …": one word never replaces a full name
    if entities.get("guest_name") and s.guest_name and shortened(str(entities["guest_name"]), s.guest_name):
        entities.pop("guest_name")  # "Beatriz Moreno" signing for "Beatriz Moreno Calvo": the same person
    for key in ("guest_name", "email", "phone"):
        if entities.get(key) and getattr(s, key) != entities[key]:
            setattr(s, key, entities[key])
            t.progress = True
    if s.check_in and s.check_out and not s.nights:
        s.nights = (date.fromisoformat(s.check_out) - date.fromisoformat(s.check_in)).days
    changed = before != (s.check_in, s.check_out, s.adults, s.children, s.room_type)
    t.progress = t.progress or changed
    return changed
