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
