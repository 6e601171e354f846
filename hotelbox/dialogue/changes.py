"""How a guest says what to change in a stay they already have (a booking, or the offer).

"Until the 30th" is the 30th of the booking's month; "the 15th instead of the 14th" and
"en vez del 13 al 16, del 20 al 23" name the old dates only to replace them; "me iría el
domingo 19" is a departure; "one night less", "a day later", "adiá-la uma semana", "al finde
siguiente" move the stay without naming a date. Understanding reads dates from today; here
they are read against the stay being changed.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from hotelbox.nlu.dates import StayDates, extract_stay
from hotelbox.nlu.text import fold, numbers_to_digits

# "instead of the 14th", "en vez del 13 al 16 de julio", "em vez de 8": the old value, left out
_INSTEAD = re.compile(
    r"\b(?:instead\s+of|rather\s+than|en\s+vez\s+de(?:l)?|en\s+lugar\s+de(?:l)?|em\s+vez\s+d[eoa]s?"
    r"|ao\s+inves\s+d[eoa]s?|no\s+lugar\s+d[eoa]s?|not)\b[^,.;!?]*?(?=[,.;!?]|\s+(?:and|y|e|pero|but|mas)\s|$)"
)
# "me iría el domingo", "saio a 9", "we'd leave on the 19th": a lone date is the departure
_LEAVE = re.compile(
    r"\b(?:me\s+ir[ií]a|me\s+voy|nos\s+vamos|nos\s+ir[ií]amos|irnos|irme|salimos|saldr[ií]amos|salgo|saldr[ií]a"
    r"|q(?:ue)?\s+ir|leave|leaving|depart\w*|check\s*-?\s*out|checkout|saio|sair\w*|sa[ií]mos|embora|partimos"
    r"|partiria)\b"
)
_LEAVE_DAY = re.compile(
    _LEAVE.pattern + r"\s+(?:(?:el|a|o|on|the|dia|day|no)\s+)*(?P<day>\d{1,2})(?:st|nd|rd|th)?\b"
)
_WHEN_WORDS = re.compile(
    r"\b(?:lunes|martes|miercoles|jueves|viernes|sabado|domingo|monday|tuesday|wednesday|thursday|friday"
    r"|saturday|sunday|segunda|terca|quarta|quinta|sexta|manana|tomorrow|amanha|hoy|today|hoje|ayer|yesterday"
    r"|ontem|finde|weekend|semana|week)\b"
)
_NIGHT = r"(?:noches?|nights?|noites?)"
_MORE = r"(?:mas|more|extra|a\s+mais|adicional(?:es)?|adicionais)"
_LESS = r"(?:menos|less|fewer|a\s+menos)"
_LATER = r"(?:despues|mas\s+tarde|later|after|depois|mais\s+tarde|adelante)"
_EARLIER = r"(?:antes|earlier|before|mas\s+temprano|mais\s+cedo)"
_DELAY = r"(?:adiar|adia-?la|adia-?lo|adia|postpone|posponer|pospon\w*|retrasar\w*|atrasar\w*|delay|push\s+(?:it\s+)?back|mover\w*|move|pasar\w*|passar\w*)"
_SHIFTS: tuple[tuple[re.Pattern[str], tuple[int, int]], ...] = (
    # (pattern on folded text with numbers as digits, (days moved at arrival, at departure) per unit)
    (re.compile(rf"\b(\d+)\s+{_NIGHT}\s+{_MORE}\b|\b(?:mais|more|another|otra|outra|extra)\s+(\d+)?\s*{_NIGHT}\b"), (0, 1)),
    (re.compile(rf"\b(\d+)\s+{_NIGHT}\s+{_LESS}\b|\b{_LESS}\s+(\d+)?\s*{_NIGHT}\b"), (0, -1)),
    (re.compile(rf"\b(?:quitar\w*|quita\w*|remove|drop|cut|skip|tirar\w*|tira\w*|sin|without|sem)\b.{{0,25}}\b(?:ultima|last)\s+{_NIGHT}"), (0, -1)),
    (re.compile(rf"\b(?:quitar\w*|quita\w*|remove|drop|cut|skip|tirar\w*|tira\w*|sin|without|sem)\b.{{0,25}}\b(?:primera|first|primeira)\s+{_NIGHT}"), (1, 0)),
    (re.compile(rf"\b(\d+)\s+(?:dias?|days?)\s+{_LATER}\b|\b{_DELAY}\b.{{0,20}}\b(\d+)\s+(?:dias?|days?)\b"), (1, 1)),
    (re.compile(rf"\b(\d+)\s+(?:dias?|days?)\s+{_EARLIER}\b|\b(?:adelantar\w*|antecipar\w*|bring\s+(?:it\s+)?forward)\b.{{0,20}}\b(\d+)\s+(?:dias?|days?)\b"), (-1, -1)),
    (re.compile(rf"\b(\d+)\s+(?:semanas?|weeks?)\s+{_LATER}\b|\b{_DELAY}\b.{{0,20}}\b(\d+)\s+(?:semanas?|weeks?)\b"), (7, 7)),
    (re.compile(rf"\b(\d+)\s+(?:semanas?|weeks?)\s+{_EARLIER}\b|\b(?:adelantar\w*|antecipar\w*|bring\s+(?:it\s+)?forward)\b.{{0,20}}\b(\d+)\s+(?:semanas?|weeks?)\b"), (-7, -7)),
    (re.compile(r"\b(?:(?:al\s+)?(?:finde|fin\s+de\s+semana)\s+(?:siguiente|que\s+viene|de\s+despues)|(?:al\s+)?otro\s+finde"
                r"|(?:the\s+)?(?:following|next)\s+weekend|weekend\s+after|fim\s+de\s+semana\s+seguinte|(?:o\s+)?outro\s+fim\s+de\s+semana)\b"), (7, 7)),
)  # fmt: skip


def relative_shift(text: str, lang: str) -> tuple[int, int] | None:
    """Days to move (arrival, departure) for a change said without dates, else None."""
    t = numbers_to_digits(fold(text), lang)
    t = re.sub(
        r"\b(?:an?|uma?|una?)\s+(?=(?:extra\s+)?(?:noche|night|noite|dia|day|semana|week)s?\b)", "1 ", t
    )
    for pattern, (arrive, leave) in _SHIFTS:
        if m := pattern.search(t):
            n = next((int(g) for g in m.groups() if g), 1)
            return arrive * n, leave * n
    return None


def reread(text: str, lang: str, check_in: date, check_out: date, today: date) -> dict[str, object]:
    """The dates in ``text`` as they change the stay ``check_in``–``check_out``: old dates left
    out, day-only and weekday dates read near the stay, a lone date after "leave" a departure.
    Empty when the text names no date."""
    t = fold(text)
    if not re.search(r"\d", t) and not _WHEN_WORDS.search(t):
        return {}  # "yes, that's the one" names no day
    kept = _INSTEAD.sub(" ", t)
    # "passaria para 13 a 16": a bare range of days, as understanding reads it with "de"
    kept = re.sub(r"(?<!\bde )(?<!\bdel )(?<!\bfrom )(?<!\bdo )\b(\d{1,2})\s+(?:a|al|ao|to)\s+(\d{1,2})\b(?!\s*:)",
                  r"de \1 a \2", kept)  # fmt: skip
    stay = _nearest(kept, lang, check_in, today)
    if stay is None and (m := _LEAVE_DAY.search(kept)):
        day = _day_near(int(m.group("day")), check_out)  # "saio a 9": the 9th, near the stay
        return {"check_out": day.isoformat()} if day and day > check_in else {}
    if stay is None or _same(stay, check_in, check_out):
        for clause in reversed(re.split(r"[,.;!?]|\s+(?:para|pra)\s+(?=\d)", kept)):
            other = _nearest(clause, lang, check_in, today)
            if other is not None and not _same(other, check_in, check_out):
                stay = other
                break
    if stay is None:
        return {}
    found: dict[str, object] = {}
    ci, co = stay.check_in, stay.check_out
    if ci and not co and _LEAVE.search(kept) and ci > check_in:
        ci, co = None, ci  # "me iría el domingo 19": the departure
    leave = _LEAVE_DAY.search(kept)
    if ci and leave and int(leave.group("day")) == ci.day and ci > check_in:
        ci, co = None, ci  # "one night less, we leave on the 22nd": not one night from the 22nd
    if ci:
        found["check_in"] = ci.isoformat()
    if co:
        found["check_out"] = co.isoformat()
    if ci and co:
        found["nights"] = (co - ci).days
    return found


def _day_near(day: int, near: date) -> date | None:
    """That day of the month, in the month of ``near`` or the next one, whichever is closer."""
    options = []
    for months in (-1, 0, 1):
        month, year = near.month + months, near.year
        month, year = (month - 1) % 12 + 1, year + (month - 1) // 12
        try:
            options.append(date(year, month, day))
        except ValueError:
            continue
    return min(options, key=lambda d: abs((d - near).days)) if options else None


def _same(stay: StayDates, check_in: date, check_out: date) -> bool:
    return (stay.check_in, stay.check_out) in ((check_in, check_out), (check_in, None))


def _nearest(text: str, lang: str, check_in: date, today: date) -> StayDates | None:
    """The reading of ``text``'s dates closest to the stay (from today, the stay's month or its
    first day), never in the past."""
    best: tuple[int, StayDates] | None = None
    for anchor in {today, max(today, check_in.replace(day=1)), max(today, check_in - timedelta(days=3))}:
        stay = extract_stay(text, lang, anchor)
        first = stay.check_in or stay.check_out
        if first is None or stay.invalid or first < today:
            continue
        distance = abs((first - check_in).days)
        if best is None or distance < best[0]:
            best = (distance, stay)
    return best[1] if best else None


def new_dates(
    text: str,
    lang: str,
    check_in: date,
    check_out: date,
    today: date,
    entities: dict[str, Any],
    *,
    against_stay: bool = True,
) -> tuple[date, date] | None:
    """The dates wanted instead of ``check_in``–``check_out``: "until the 30th" (of that month),
    "the 15th instead of the 14th", "one night less", "a week later", "mais uma noite"; None when
    the message asks for no change of dates."""
    if against_stay:  # read again against the stay, not from today
        entities = {k: v for k, v in entities.items() if k not in ("check_in", "check_out", "nights")}
        entities.update(reread(text, lang, check_in, check_out, today))
    ci = date.fromisoformat(entities["check_in"]) if entities.get("check_in") else None
    co = date.fromisoformat(entities["check_out"]) if entities.get("check_out") else None
    extra = int(entities.get("extra_nights") or 0)
    shift = relative_shift(text, lang)
    if ci == check_in and (extra or shift):
        ci = co = None  # "my booking of the 16th: one night more": the 16th names the booking
    if ci and co and (extra or (shift and shift[0] == 0)):
        ci = None  # "one more night, until the 12th": the arrival stays, whatever "1 night" suggests
    if ci == check_in and (co is None or co == check_out):
        ci = None
    if co == check_out:
        co = None
    if extra and co is None and ci is None:
        return check_in, check_out + timedelta(days=extra)
    if ci and co:
        return ci, co
    if ci:  # same length of stay from the new arrival day
        return ci, ci + timedelta(days=int(entities.get("nights") or (check_out - check_in).days))
    if co:
        return check_in, co
    if shift:
        return check_in + timedelta(days=shift[0]), check_out + timedelta(days=shift[1])
    nights = int(entities.get("nights") or 0)
    if nights and nights != (check_out - check_in).days:
        return check_in, check_in + timedelta(days=nights)
    return None


def says_change(text: str, lang: str) -> bool:
    """Does the message change a stay relative to itself ("one more night", "instead of", "leave
    on Sunday") rather than give new dates outright?"""
    t = fold(text)
    return relative_shift(text, lang) is not None or bool(_INSTEAD.search(t)) or bool(_LEAVE.search(t))


def leave_day(text: str, check_in: date | None) -> date | None:
    """The departure a message names by its day alone ("me voy el 30", "saio a 9"), after ``check_in``."""
    m = _LEAVE_DAY.search(fold(text))
    if not m or check_in is None:
        return None
    day = _day_near(int(m.group("day")), check_in + timedelta(days=1))
    return day if day and day > check_in else None
