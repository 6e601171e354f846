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

from hotelbox.dialogue.choices import polarity
from hotelbox.nlu.dates import extract_stay
from hotelbox.nlu.entities import clean_name, looks_like_name
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


def in_context(t: TurnBuilder, u: Understanding) -> dict[str, Any]:
    """The message's entities, with day-only dates read against the stay being discussed."""
    entities = dict(u.entities)
    stay = stay_in_discussion(t)
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
    return entities


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
        if name:
            entities["guest_name"] = name
            return True
    return False


_FILLER = re.compile(
    r"^(?:ok(?:ay)?|vale|si|sí|sim|yes|yeah|sure|claro|perfecto|perfeito|bueno|bem|well|so|pues|entonces"
    r"|it'?s|is|es|é|e|a\s+nombre\s+de|en\s+nombre\s+de|under|em\s+nome\s+de|name|nombre|nome"
    r"|para|for|pra)\b[\s,.:!-]*",
    re.IGNORECASE,
)
_EMAIL_OR_PHONE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\+?\d[\d\s().-]{6,}\d")


def name_in(text: str) -> str | None:
    """The name in an answer to "who is the booking under?": "Ana Souza", "ok John Smith,
    john@x.com", "a nombre de Lucía Fernández Ruiz, gracias"."""
    parts = []
    for part in re.split(r"[,;\n.!?]|\s+-\s+", _EMAIL_OR_PHONE.sub(",", text)):
        part = part.strip(" .!")
        while (m := _FILLER.match(part)) and m.end() > 0:
            part = part[m.end() :]
        parts.append(part)
    capitalised = [p for p in parts if p and all(w[:1].isupper() for w in p.split() if len(w) > 3)]
    for part in [*capitalised, *parts]:  # "great, book it please. it's Tom Baker": Tom Baker
        if part and len(part.split()) <= 5 and polarity(part) is None and (name := clean_name(part)):
            return name
    return None


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
    if check_in:
        s.check_in = check_in
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
    for key in ("guest_name", "email", "phone"):
        if entities.get(key):
            setattr(s, key, entities[key])
    if s.check_in and s.check_out and not s.nights:
        s.nights = (date.fromisoformat(s.check_out) - date.fromisoformat(s.check_in)).days
    return before != (s.check_in, s.check_out, s.adults, s.children, s.room_type)
