"""How a guest says what to change in a stay they already have (a booking, or the offer).

"Until the 30th" is the 30th of the booking's month; "the 15th instead of the 14th" and
"en vez del 13 al 16, del 20 al 23" name the old dates only to replace them; "me iría el
domingo 19" is a departure; "one night less", "a day later", "adiá-la uma semana", "al finde
siguiente" move the stay without naming a date. Understanding reads dates from today; here
they are read against the stay being changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from hotelbox.nlu.dates import MONTHS, StayDates, extract_stay
from hotelbox.nlu.entities import RoomTypeLexicon
from hotelbox.nlu.text import fold, numbers_to_digits

_MONTH_WORDS = "|".join(sorted(MONTHS, key=len, reverse=True))
# what opens the new value after the old one: "podría ser", "could it be", "pode ser", "que sea"
_PROPOSE = (
    r"(?:podria\w*|podemos|could|can|would|pode|podia|poderia\w*|podemos|seria|sea|fosse|que\s+sea"
    r"|que\s+seja|make\s+it|better|mejor|melhor)"
)
# "instead of the 14th", "en vez del 13 al 16 de julio", "em vez de 8": the old value, left out
_INSTEAD = re.compile(
    r"\b(?:instead\s+of|rather\s+than|en\s+vez\s+de(?:l)?|en\s+lugar\s+de(?:l)?|em\s+vez\s+d[eoa]s?"
    r"|ao\s+inves\s+d[eoa]s?|no\s+lugar\s+d[eoa]s?"
    # "the 21st, not the 22nd", "el 21 y no el 22", "dia 21 e não dia 22": a date that is not wanted
    r"|(?:^|(?<=,)|(?<=,\s)|(?<=\by\s)|(?<=\be\s)|(?<=\band\s)|(?<=\bbut\s)|(?<=\bpero\s))(?:not|no|nao)(?=(?:\s+(?:on|the|el|la|o|a|dia|del|do|day))*\s+\d)"
    r"|not(?=(?:\s+(?:on|the|day))*\s+\d))\b[^,.;!?]*?"
    # the old date ends at its month ("en lugar del 9 al 12 de julio podría ser del 10 al 13") or
    # where the new one is proposed ("instead of the 9th could it be…", "em vez de 9 pode ser 10")
    rf"(?:\b(?:{_MONTH_WORDS})\b(?!\s*\d)|(?=[,.;!?]|\s+(?:and|y|e|pero|but|mas|sino|senao|{_PROPOSE})\s|$))"
    # "no el 8, el 9", "não é dia 8, é dia 9", "no es el 11 sino el 12": a day said only to be denied
    r"|\b(?:no|nao)\s+(?:(?:es|e|era|seria|sera|el|la|o|a|dia|the|dels?|do)\s+)*\d{1,2}(?:st|nd|rd|th|º)?\b"
    r"(?!\s*(?:adult\w*|personas?|people|pessoas?|noches?|nights?|noites?|nin\w*|kids?|crian\w*|hues\w*"
    r"|guests?|h\b|hrs?\b|:|%|euros?|€))"
)
# "me iría el domingo", "saio a 9", "we'd leave on the 19th": a lone date is the departure
_LEAVE = re.compile(
    r"\b(?:me\s+ir[ií]a|me\s+voy|nos\s+vamos|nos\s+ir[ií]amos|irnos|irme|salimos|saldr[ií]amos|salgo|saldr[ií]a"
    r"|q(?:ue)?\s+ir|leave|leaving|depart\w*|check\s*-?\s*out|checkout|saio|(?<!quanto )(?:sai|saem)|sair\w*|sa[ií]mos|embora|partimos"
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
_EARLIER = r"(?:antes|earlier|early|before|mas\s+temprano|mais\s+cedo)"
# "llegamos un día antes", "we arrive a day earlier", "chegamos um dia antes": only the arrival moves
_ARRIVE = re.compile(
    r"\b(?:llegamos|llegar\w*|llego|llegaria\w*|arrive|arriving|arrival|get\s+there|come|coming|check\s*-?\s*in"
    r"|chegamos|chegar\w*|chego|chegaria\w*|entrada|entramos|entrar)\b"
)
_DEPART = re.compile(
    _LEAVE.pattern + r"|\b(?:salir|salida|saida|go\s+home|volver\w*|voltar\w*|regresar\w*)\b"
)
_DELAY = r"(?:adiar|adia-?la|adia-?lo|adia|postpone|posponer|pospon\w*|retrasar\w*|atrasar\w*|delay|push(?:\s+(?:it|us|everything))?(?:\s+back)?|shift|bump|mover\w*|move|pasar\w*|passar\w*)"
_SHIFTS: tuple[tuple[re.Pattern[str], tuple[int, int]], ...] = (
    # (pattern on folded text with numbers as digits, (days moved at arrival, at departure) per unit)
    (re.compile(rf"\b(\d+)\s+{_NIGHT}\s+{_MORE}\b|\b(?:mais|more|another|otra|outra|extra)\s+(\d+)?\s*{_NIGHT}\b"), (0, 1)),
    (re.compile(rf"\b(?:extend\w*|alarg\w*|prolong\w*|estend\w*|ampli\w*|add|anadir|agregar|sumar|acrescentar|adicionar)\b"
                rf"[^.;!?]{{0,30}}?\b(\d+)\s+(?:{_NIGHT}|dias?|days?)\b"), (0, 1)),
    (re.compile(rf"\b(\d+)\s+(?:semanas?|weeks?)\s+{_MORE}\b|\b(?:mais|more|another|otra|outra|extra)\s+(\d+)?\s*(?:semanas?|weeks?)\b"), (0, 7)),
    (re.compile(rf"\b(\d+)\s+{_NIGHT}\s+{_LESS}\b|\b{_LESS}\s+(\d+)?\s*{_NIGHT}\b"), (0, -1)),
    (re.compile(rf"\b(?:quitar\w*|quita\w*|remove|drop|cut|skip|tirar\w*|tira\w*|sin|without|sem)\b.{{0,25}}\b(?:ultima|last)\s+{_NIGHT}"), (0, -1)),
    (re.compile(rf"\b(?:quitar\w*|quita\w*|remove|drop|cut|skip|tirar\w*|tira\w*|sin|without|sem)\b.{{0,25}}\b(?:primera|first|primeira)\s+{_NIGHT}"), (1, 0)),
    # "quitar una noche", "tirar uma noite", "cut a night", "1 night shorter": the stay ends a night earlier
    (re.compile(rf"\b(?:quitar\w*|quita\w*|quitad|quiten|remove|drop|cut|skip|tirar\w*|tira\w*|tirem|reduc\w*"
                rf"|shorten\w*|acortar\w*|recortar\w*|encurtar\w*|diminu\w*)\b.{{0,15}}?\b(\d+)\s+{_NIGHT}\b"
                rf"|\b(\d+)\s+{_NIGHT}\s+(?:shorter|less)\b"), (0, -1)),
    (re.compile(rf"\b(\d+)\s+(?:dias?|days?)\s+{_LATER}\b|\b{_DELAY}\b.{{0,20}}\b(\d+)\s+(?:dias?|days?)\b"), (1, 1)),
    (re.compile(rf"\b(\d+)\s+(?:dias?|days?)\s+{_EARLIER}\b|\b(?:adelantar\w*|antecipar\w*|bring\s+(?:it\s+)?forward)\b.{{0,20}}\b(\d+)\s+(?:dias?|days?)\b"), (-1, -1)),
    (re.compile(rf"\b(\d+)\s+(?:semanas?|weeks?)\s+{_LATER}\b|\b{_DELAY}\b.{{0,20}}\b(\d+)\s+(?:semanas?|weeks?)\b"), (7, 7)),
    (re.compile(rf"\b(\d+)\s+(?:semanas?|weeks?)\s+{_EARLIER}\b|\b(?:adelantar\w*|antecipar\w*|bring\s+(?:it\s+)?forward)\b.{{0,20}}\b(\d+)\s+(?:semanas?|weeks?)\b"), (-7, -7)),
    (re.compile(r"\b(?:(?:the\s+)?(?:following\s+week|week\s+after)|(?:la\s+)?semana\s+(?:siguiente|de\s+despues|posterior)"
                r"|(?:a\s+)?semana\s+(?:seguinte|a\s+seguir|depois))\b"), (7, 7)),
    (re.compile(r"\b(?:(?:al\s+)?(?:finde|fin\s+de\s+semana)\s+(?:siguiente|que\s+viene|de\s+despues)|(?:al\s+)?otro\s+finde"
                r"|(?:the\s+)?(?:following|next)\s+weekend|weekend\s+after|fim\s+de\s+semana\s+seguinte|(?:o\s+)?outro\s+fim\s+de\s+semana)\b"), (7, 7)),
)  # fmt: skip


def _counted(folded: str, lang: str) -> str:
    """Folded text with numbers as digits and "a night" / "una semana" as "1 night"."""
    t = numbers_to_digits(folded, lang)
    return re.sub(
        r"\b(?:an?|uma?|una?)\s+(?=(?:extra\s+)?(?:noche|night|noite|dia|day|semana|week)s?\b)", "1 ", t
    )


def _without_shift(folded: str, lang: str) -> str:
    """The text without the change it says relative to the stay ("quitar una noche", "push it a
    day"): "una noche" there is not the stay's new length, nor "1 day" a date."""
    t = _counted(folded, lang)
    cut = t
    for pattern, _ in _SHIFTS:
        cut = pattern.sub(" ", cut)
    return cut if cut != t else folded


# "the same dates next month", "mismas fechas del mes que viene", "um mês depois": whole months
_MONTH_SHIFT = re.compile(
    r"\b(?:(?:the\s+)?(?:same\s+(?:dates?|days?)|mismas?\s+(?:fechas?|dias?)|mesm[ao]s\s+(?:datas?|dias?))"
    r"(?:\s+(?:but|pero|mas|so\s+que))?\s+(?:(?:of|in|for|del|de|en|el|do|no|para|pro|pra)\s+)?(?:the\s+|el\s+|o\s+)?"
    r"(?P<next>next\s+month|month\s+after|following\s+month|mes\s+(?:que\s+viene|siguiente|proximo|de\s+despues)"
    r"|(?:proximo|siguiente)\s+mes|mes\s+(?:que\s+vem|seguinte|a\s+seguir)|(?:proximo|seguinte)\s+mes)"
    r"|(?P<n>1|un|una|uma?|a|one)\s+(?:month|mes)\s+(?:later|after|despues|mas\s+tarde|depois|mais\s+tarde)"
    r"|(?:to|al|para\s+el|para\s+o|pro|pra|ao)\s+(?:(?:the|el|o)\s+)?(?:next\s+month|following\s+month|mes\s+que\s+viene"
    r"|mes\s+siguiente|proximo\s+mes|mes\s+que\s+vem|mes\s+seguinte))\b"
)


def month_shift(text: str) -> int:
    """Whole months a stay moves by when the guest says "the same dates next month" / "un mes
    después" (1), else 0."""
    return 1 if _MONTH_SHIFT.search(fold(text)) else 0


def _months_later(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


# the stay keeps its length: "same number of nights", "las mismas noches", "as mesmas noites"
_SAME_LENGTH = re.compile(
    r"\b(?:(?:the\s+)?same\s+(?:number\s+of\s+|amount\s+of\s+)?nights|(?:las\s+)?mismas\s+noches"
    r"|(?:el\s+)?mismo\s+numero\s+de\s+noches|(?:as\s+)?mesmas\s+noites|(?:o\s+)?mesmo\s+numero\s+de\s+noites)\b"
)


def relative_shift(text: str, lang: str) -> tuple[int, int] | None:
    """Days to move (arrival, departure) for a change said without dates, else None."""
    t = _counted(fold(text), lang)
    for pattern, (arrive, leave) in _SHIFTS:
        if m := pattern.search(t):
            n = next((int(g) for g in m.groups() if g), 1)
            if arrive == leave and re.search(r"\b(?:dias?|days?|semanas?|weeks?)\b", m.group(0)):
                # a day / a week earlier or later: of the end the guest names, if only one
                arriving, leaving = bool(_ARRIVE.search(t)), bool(_DEPART.search(t))
                if _SAME_LENGTH.search(t):  # "we come a day later but stay the same number of nights"
                    return arrive * n, leave * n
                if arriving != leaving:
                    return (arrive * n, 0) if arriving else (0, leave * n)
                if arriving and (kept := _kept_end(t)):  # "…a day later but leave the same day"
                    return (0, leave * n) if kept == "arrival" else (arrive * n, 0)
            return arrive * n, leave * n
    return None


_SAME = (
    r"(?:(?:the\s+|el\s+|la\s+|o\s+|a\s+|no\s+)?(?:same\s+(?:day|date)|mismo\s+dia|misma\s+fecha|mesmo\s+dia|mesma\s+data)"
    r"|as\s+(?:planned|booked|before)|como\s+(?:estaba|previsto|esta|antes)|igual)"
)
_KEPT_DEPART = re.compile(
    rf"(?:{_DEPART.pattern})(?:\s+\w+){{0,3}}?\s+{_SAME}|\b{_SAME}\s+(?:departure|check\s*-?\s*out|salida|saida)\b"
)
_KEPT_ARRIVE = re.compile(
    rf"(?:{_ARRIVE.pattern})(?:\s+\w+){{0,3}}?\s+{_SAME}|\b{_SAME}\s+(?:arrival|check\s*-?\s*in|llegada|chegada|entrada)\b"
)


_SAME_END = r"\b(?:same|misma|mesma|igual)\s+(?:(?:dia|day|date|fecha|data)\s+(?:de\s+|of\s+)?)?"
_KEPT_DEPART_SHORT = re.compile(_SAME_END + r"(?:departure|check\s*-?\s*out|salida|saida)\b")
_KEPT_ARRIVE_SHORT = re.compile(_SAME_END + r"(?:arrival|check\s*-?\s*in|llegada|chegada|entrada)\b")


def _kept_end(t: str) -> str | None:
    """The end of the stay the guest keeps ("but we leave the same day", "same checkout"), if
    they say so."""
    if _KEPT_DEPART_SHORT.search(t):
        return "departure"
    if _KEPT_ARRIVE_SHORT.search(t):
        return "arrival"
    if _KEPT_DEPART.search(t):
        return "departure"
    if _KEPT_ARRIVE.search(t):
        return "arrival"
    return None


# "from 3 to 4 pm", "2 a 3 personas": numbers that are not days
_NOT_DAYS = (
    r"(?!\s*(?:pm|am|h\b|hs?\b|hrs?|horas?|hours?|personas?|people|pessoas?|adult\w*|nin\w*|kids?|crian\w*"
    r"|euros?|€|%|noches|nights|noites|dias|days|semanas|weeks))"
)


def reread(
    text: str,
    lang: str,
    check_in: date,
    check_out: date,
    today: date,
    named: tuple[tuple[date, date], ...] = (),
) -> dict[str, object]:
    """The dates in ``text`` as they change the stay ``check_in``–``check_out``: old dates left
    out, day-only and weekday dates read near the stay, a lone date after "leave" a departure.
    A stay in ``named`` (the booking, while a change of it is discussed) only names it ("sim, é
    essa, de 6 a 9. passaria para 13 a 16"). Empty when the text names no date."""
    t = fold(text)
    if not re.search(r"\d", t) and not _WHEN_WORDS.search(t):
        return {}  # "yes, that's the one" names no day
    denied = {
        int(d)
        for m in _INSTEAD.finditer(t)
        for d in re.findall(r"\b(\d{1,2})(?:st|nd|rd|th|º|o)?\b", m.group(0))
    }
    kept = _without_shift(_INSTEAD.sub(" ", t), lang)
    # "passaria para 13 a 16": a bare range of days, as understanding reads it with "de"
    kept = re.sub(rf"(?<!\bde )(?<!\bdel )(?<!\bfrom )(?<!\bdo )\b(\d{{1,2}})\s+(?:a|al|ao|to)\s+(\d{{1,2}})\b(?!\s*:){_NOT_DAYS}",
                  r"de \1 a \2", kept)  # fmt: skip
    kept = re.sub(
        rf"(?<![\d/.-])\b(\d{{1,2}})\s*[-–]\s*(\d{{1,2}})\b(?![\d/.-]){_NOT_DAYS}", r"de \1 a \2", kept
    )  # "21-24"
    also = tuple(known[0] for known in named)
    stay = _nearest(kept, lang, check_in, today, also)
    if stay is None and (both := _arrive_and_leave(kept, check_in)):
        return {
            "check_in": both[0].isoformat(),
            "check_out": both[1].isoformat(),
            "nights": (both[1] - both[0]).days,
        }
    if stay is None and (m := _LEAVE_DAY.search(kept)):
        day = _day_near(int(m.group("day")), check_out)  # "saio a 9": the 9th, near the stay
        return {"check_out": day.isoformat()} if day and day > check_in else {}
    stays = ((check_in, check_out), *named)
    if stay is None or any(_same(stay, *known) for known in stays):
        for clause in reversed(re.split(r"[,.;!?]|\s+(?:para|pra)\s+(?=\d)", kept)):
            other = _nearest(clause, lang, check_in, today, also)
            if other is not None and not any(_same(other, *known) for known in stays):
                stay = other
                break
    if stay is None or any(_same(stay, *known) for known in named):
        return {}
    found: dict[str, object] = {}
    ci, co = stay.check_in, stay.check_out
    if ci and not co and _DEPART.search(kept) and not _ARRIVE.search(kept) and ci > check_in:
        ci, co = None, ci  # "me iría el domingo 19", "cambiar la fecha de salida al domingo": the departure
    if ci and not co and check_out.day in denied and check_in.day not in denied and ci > check_in:
        ci, co = None, ci  # "not the 11th, the 12th" about a stay ending on the 11th: the departure
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


_ARRIVE_DAY = re.compile(
    _ARRIVE.pattern
    + r"\s+(?:(?:el|a|o|on|the|dia|day|no)\s+)*(?P<day>\d{1,2})(?:st|nd|rd|th)?\b(?!\s*(?:h\b|:|pm|am))"
)


def _arrive_and_leave(text: str, check_in: date) -> tuple[date, date] | None:
    """ "Arrive 13 and leave 16", "chegamos a 13 e saímos a 16": both ends by their day alone,
    read near the stay."""
    arrive, leave = _ARRIVE_DAY.search(text), _LEAVE_DAY.search(text)
    if arrive is None or leave is None:
        return None
    ci = _day_near(int(arrive.group("day")), check_in)
    co = _day_near(int(leave.group("day")), ci + timedelta(days=1)) if ci else None
    return (ci, co) if ci and co and ci < co <= ci + timedelta(days=31) else None


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


def _nearest(
    text: str, lang: str, check_in: date, today: date, also: tuple[date, ...] = ()
) -> StayDates | None:
    """The reading of ``text``'s dates closest to the stay (from today, the stay's month or its
    first day), never in the past; ``also``: other arrivals in view (the booking, while a change of
    it waits: "sorry, I meant July" is the booking's July, not the change's)."""
    best: tuple[int, StayDates] | None = None
    anchors = {today}
    for day in (check_in, *also):
        anchors |= {max(today, day.replace(day=1)), max(today, day - timedelta(days=3))}
    for anchor in anchors:
        stay = extract_stay(text, lang, anchor)
        first = stay.check_in or stay.check_out
        if first is None or stay.invalid or first < today:
            continue
        distance = min(abs((first - day).days) for day in (check_in, *also))
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
    prefer_departure: bool = False,
    named: tuple[tuple[date, date], ...] = (),
) -> tuple[date, date] | None:
    """The dates wanted instead of ``check_in``–``check_out``: "until the 30th" (of that month),
    "the 15th instead of the 14th", "one night less", "a week later", "mais uma noite"; None when
    the message asks for no change of dates."""
    if against_stay:  # read again against the stay, not from today
        said = reread(text, lang, check_in, check_out, today, named)
        dated = said or any(k in entities for k in ("check_in", "check_out"))
        entities = {k: v for k, v in entities.items() if k not in ("check_in", "check_out", "nights")}
        if not dated and (nights := _nights_alone(text, lang)):
            said["nights"] = nights  # "al final solo nos quedamos 2 noches": from the same arrival
        entities.update(said)
    if (
        prefer_departure
        and entities.get("check_in")
        and not entities.get("check_out")
        and not _ARRIVE.search(fold(text))
        and date.fromisoformat(entities["check_in"]) > check_in
    ):
        entities["check_out"] = entities.pop("check_in")  # "no sorry, the 19th" after a new departure
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
    if (
        ci
        and not entities.get("nights")
        and ci < check_out
        and (_arrival_only(text) or _kept_end(fold(text)) == "departure")
    ):
        return ci, check_out  # "can we arrive on Friday instead of Saturday?": the departure stays
    if ci:  # same length of stay from the new arrival day
        return ci, ci + timedelta(days=int(entities.get("nights") or (check_out - check_in).days))
    if co:
        return check_in, co
    if shift:
        return check_in + timedelta(days=shift[0]), check_out + timedelta(days=shift[1])
    if months := month_shift(text):  # "the same dates next month"
        return _months_later(check_in, months), _months_later(check_in, months) + (check_out - check_in)
    nights = int(entities.get("nights") or 0)
    if nights and nights != (check_out - check_in).days:
        return check_in, check_in + timedelta(days=nights)
    return None


_NIGHTS_ALONE = re.compile(rf"\b(\d{{1,2}})\s+{_NIGHT}\b")


def _nights_alone(text: str, lang: str) -> int | None:
    """ "Solo nos quedamos 2 noches", "we can only stay 2 nights": the stay's new length, when
    the message names no date and no change relative to the stay ("2 nights more")."""
    if relative_shift(text, lang) is not None:
        return None
    found = {int(n) for n in _NIGHTS_ALONE.findall(numbers_to_digits(fold(text), lang))}
    return found.pop() if len(found) == 1 else None


_MOVE = re.compile(
    rf"\b(?:{_DELAY}|adelantar\w*|antecipar\w*|bring\s+(?:it\s+)?forward|everything|todo|tudo)\b"
)


def _arrival_only(text: str) -> bool:
    """Only the arrival is said to change ("llegar el viernes en vez del sábado"), nothing moved
    as a whole ("move it to Friday", "push everything") and no departure named."""
    t = fold(text)
    return bool(_ARRIVE.search(t)) and not _DEPART.search(t) and not _MOVE.search(t)


def says_change(text: str, lang: str) -> bool:
    """Does the message change a stay relative to itself ("one more night", "instead of", "leave
    on Sunday") rather than give new dates outright?"""
    t = fold(text)
    return (
        relative_shift(text, lang) is not None
        or bool(month_shift(text))
        or bool(_INSTEAD.search(t))
        or bool(_LEAVE.search(t))
    )


def says_instead(text: str) -> bool:
    """Does the message name a day or date only to replace it ("instead of the 20th", "no el 8")?"""
    return bool(_INSTEAD.search(fold(text)))


_UNTIL = re.compile(r"\b(?:until|till|til|hasta|ate|up\s+to)\b")


def says_new_end(text: str) -> bool:
    """ "Can we stay until the 2nd?", "hasta el 2", "até dia 2": a new last day for the stay."""
    return bool(_UNTIL.search(fold(text)))


def leave_day(text: str, check_in: date | None) -> date | None:
    """The departure a message names by its day alone ("me voy el 30", "saio a 9"), after ``check_in``."""
    m = _LEAVE_DAY.search(fold(text))
    if not m or check_in is None:
        return None
    day = _day_near(int(m.group("day")), check_in + timedelta(days=1))
    return day if day and day > check_in else None


# -- who comes: a change of party said against the booking (issue 12) -------------------------
_ONE = r"(?:\d+|an?|una?|uma?|another|otr[oa]|outr[oa])"
_KID = (
    r"(?:hij[oa]s?|bebes?|babys?|babies|daughters?|sons?|child(?:ren)?|kids?|nin[oa]s?|nenes?|nenas?|filh[oa]s?"
    r"|criancas?|menin[oa]s?|miud[oa]s?|toddlers?|infants?|peques?|pequen[oa]s?)"
)
_GROWN = (
    r"(?:adult[oa]s?|adults?|personas?|persons?|people|pessoas?|huespedes?|guests?|hospedes?"
    r"|mujer|esposa|esposo|marido|novi[oa]|pareja|madre|mama|padre|papa|herman[oa]|amig[oa]s?|suegr[oa]|abuel[oa]"
    r"|wife|husband|partner|girlfriend|boyfriend|friends?|mum|mom|mother|dad|father|sister|brother|colleague"
    r"|grandma|grandmother|grandpa|grandfather|mulher|namorad[oa]|mae|pai|irma|irmao|sogr[oa]|avo|colega"
    r"|cunad[oa]|cunhad[oa]|brother-in-law|sister-in-law|ti[oa]|prim[oa]|uncle|aunt|cousin)"
)
# whose relative someone is: "wife's" (sister), "de mi mujer", "da minha mulher" — not one more guest
_WHOSE = re.compile(
    rf"\b(?:my|our|his|her|their)?\s*\w+'s\b(?=\s+(?:\w+\s+)?(?:{_KID}|{_GROWN})\b)"
    rf"|(?<=\w)\s+(?:de|del|da|do|das|dos)\s+(?:(?:mi|mis|tu|su|sus|nuestr[oa]s?|minhas?|meus?|nossas?|nossos?|la|el|a|o)\s+)+"
    rf"(?:{_KID}|{_GROWN})\b"
)
_COUPLE_OF = r"(?:padres|parents|pais|suegros|in-laws|sogros|abuelos|grandparents|avos)"
_ADD = (
    r"(?:add|adding|bring|bringing|include|including|traer|traemos|traigo|traere|llevar|llevamos|llevo"
    r"|anadir|anade|anadid|anademe|agregar|agrega|agreguen|sumar|suma|incluir|incluye|incluyan|viene|vienen"
    r"|acrescentar|acrescenta|adicionar|adiciona|incluam|levar|levamos|levo|trazer|trazemos|trago|vem|vai|comes|coming)"
)
_REMOVE = (
    r"(?:remove|take\s+off|quitar|quita|quitad|quiten|sacar|saca|tirar|tira|tirem|without|sin|sem"
    r"|(?:no|nao)\s+(?:viene|vienen|vem|podra\s+venir|pode\s+vir)|(?:can'?t|cannot|won'?t)\s+come)"
)
_MORE_WORD = r"(?:mas|more|extra|a\s+mais|de\s+mais|adicional)"
_LESS_WORD = r"(?:menos|less|fewer|a\s+menos|de\s+menos)"
_COT = re.compile(
    r"\b(?:(?:a|an|una?|uma?)\s+)?(?:baby\s+)?(?:cunas?|cots?|cribs?|bercos?|camitas?|cama\s+(?:extra|supletoria)"
    r"|extra\s+beds?|supletorias?)(?:\s+(?:para|for|pro|pra|de)\s+(?:(?:el|la|o|a|the|our|my|nuestro|nuestra|mi|meu|minha"
    r"|nosso|nossa)\s+)*" + _KID + r")?\b"
)
_ALONE_NOW = re.compile(
    r"\b(?:solo\s+yo|yo\s+sol[oa]|sol[oa]\s+yo|just\s+me|only\s+me|me\s+alone|just\s+myself|so\s+eu|apenas\s+eu"
    r"|eu\s+sozinh[oa]|sozinh[oa]|iré\s+sol[oa]|ire\s+sol[oa]|voy\s+sol[oa]|vou\s+sozinh[oa]|on\s+my\s+own"
    r"|(?:i'?m|i\s+am|i'?ll\s+be|i\s+will\s+be)\s+(?:now\s+)?(?:travel+ing\s+|coming\s+|going\s+)?alone|alone\s+now"
    r"|(?:viajo|vengo|ire|voy\s+a\s+ir|ahora\s+voy|ahora\s+viajo)\s+sol[oa]|(?:viajo|venho|viajarei)\s+sozinh[oa])\b"
)
_NOW_WE_ARE = re.compile(
    r"\b(?:seremos|somos|seriamos|we'?ll\s+be|we\s+will\s+be|we\s+are|we'?re|we'?d\s+be|vamos\s+a\s+ser|vamos\s+ser"
    r"|seremos\s+ahora|agora\s+somos|ahora\s+somos|now\s+we'?re|sao|serao)\s+(?:(?:solo|so|only|just|ya|now|ahora"
    r"|agora|al\s+final|afinal|then)\s+)?(?P<n>\d{1,2})\b(?!\s*(?:noches?|nights?|noites?|dias?|days?|de\s|/|:"
    r"|menos|less|fewer|a\s+menos|mas|more|a\s+mais))"
)
# "seremos uno menos", "we'll be one fewer", "vamos ser um a mais": the party, one person more or less
_ONE_LESS = re.compile(
    r"\b(?:seremos|somos|seriamos|we'?ll\s+be|we\s+will\s+be|we\s+are|we'?re|we'?d\s+be|vamos\s+a\s+ser|vamos\s+ser"
    r"|serao|sao)\s+(?:(?:al\s+final|afinal|now|ahora|agora|then|ya)\s+)?(?P<n>\d{1,2})\s+"
    r"(?P<sign>menos|less|fewer|a\s+menos|de\s+menos|mas|more|a\s+mais|de\s+mais)\b"
)
_COUNTED = re.compile(
    rf"\b(?P<n>{_ONE})\s+(?:{_MORE_WORD}\s+)?(?P<who>{_KID}|{_GROWN})\s+(?P<more>{_MORE_WORD}|{_LESS_WORD})\b"
)
_MORE_FIRST = re.compile(
    rf"\b(?:(?P<n1>{_ONE})\s+(?P<sign1>{_MORE_WORD}|{_LESS_WORD})|(?P<sign2>mais|more|menos|less)\s+(?P<n2>{_ONE})"
    rf"|(?P<another>another|otr[oa]|outr[oa]))\s+(?P<who>{_KID}|{_GROWN})\b"
)
_WHO = re.compile(rf"(?:\b(?P<n>\d+)\s+)?\b(?:(?P<kid>{_KID})|(?P<two>{_COUPLE_OF})|(?P<grown>{_GROWN}))\b")
# "mi amigo no viene", "my parents are coming too", "a minha mãe também vem"
# "nuestro hijo de 8 años", "my son (8)", "he's 8": an age between the person and the verb
_AGE = r"(?:\s*\(?\s*(?:de\s+)?\d{1,2}\s*(?:anos|anitos|years?(?:\s+old)?|yo|y/o|meses|months?)?\s*\)?)?"
_IN_THE_END = r"(?:(?:al\s+final|afinal|no\s+fim|after\s+all|finalmente|in\s+the\s+end|now|ahora|agora)\s+)?"
_WHO_THEN = re.compile(
    rf"\b(?:(?P<kid>{_KID})|(?P<two>{_COUPLE_OF})|(?P<grown>{_GROWN})){_AGE}\s+{_IN_THE_END}(?:(?P<out>(?:ya\s+)?no\s+(?:viene|vienen|vendra|vendran"
    r"|puede\s+venir|pueden\s+venir)|(?:can'?t|cannot|won'?t)\s+come|(?:is|are)n'?t\s+coming|(?:is|are)\s+not\s+coming"
    r"|nao\s+(?:vem|vai|pode\s+vir|vao))|(?P<in>(?:(?:is|are)\s+)?(?:also\s+)?(?:coming|comes|come)\s+(?:too|as\s+well|also)"
    r"|(?:tambien\s+)?(?:viene|vienen)\s+tambien|tambien\s+(?:viene|vienen)|tambem\s+(?:vem|vai|vao)|(?:vem|vai|vao)\s+tambem"
    # "nosso filho vai com a gente", "mi hijo se viene con nosotros", "my son is coming with us / after all"
    r"|(?:(?:al\s+final|afinal|no\s+fim|tambem|tambien|also)\s+)?(?:se\s+)?(?:vai|vem|vao|viene|vienen|va|van"
    r"|(?:(?:is|are)\s+)?(?:coming|comes|come))\s+(?:com\s+a\s+gente|conosco|com\s+nos(?:co)?|con\s+nosotros|with\s+us"
    r"|along|after\s+all|al\s+final|afinal|no\s+fim)"
    # "my son has decided he's coming after all": the person, then what they decided
    r"|(?:has|have)\s+decided\s+(?:he'?s|she'?s|they'?re|to)\s+(?:coming|come)))"
)
# "can we add him?", "da pra colocar ele?", "¿se puede añadirlo?", "pode incluí-la?": the one named is added
_PUT_IN = (
    r"(?:add|include|put|bring|anadir|agregar|incluir|sumar|meter|poner|apuntar|colocar|acrescentar|adicionar"
    r"|por|botar|levar|traer|llevar)"
)
_PRONOUN_ADD = re.compile(
    rf"\b(?:{_PUT_IN}\s+(?:him|her|them|ele|ela|eles|elas)|{_PUT_IN}(?:lo|la|los|las|le|les)"
    r"|(?:coloca|inclui|acrescenta|adiciona|po|bota|mete|leva|anota)-(?:lo|la|los|las))\b"
)
# "he's 8", "tiene 8 años", "tem 6 anos", "(8)": an age that makes the one added a child
_CHILD_AGE = re.compile(
    r"\b(?:(?:he|she)'?s|(?:he|she)\s+is)\s+(?P<age>\d{1,2})\b(?!\s*(?:noches?|nights?|noites?|dias?|days?|/|:|am|pm))"
    r"|\b(?P<years>\d{1,2})\s*(?:anos|years?\s+old|yo|y/o|anitos|meses|months?)\b"
)
_PERSON_NAMED = re.compile(rf"\b(?:(?P<kid>{_KID})|(?P<two>{_COUPLE_OF})|(?P<grown>{_GROWN})){_AGE}")


@dataclass(frozen=True)
class Party:
    """The party a message asks for against the booking's, and whether it asks for a cot."""

    adults: int
    children: int
    cot: bool = False


def _number(word: str | None) -> int:
    return int(word) if word and word.isdigit() else 1


def new_party(text: str, lang: str, adults: int, children: int, entities: dict[str, Any]) -> Party | None:
    """The party wanted instead of ``adults`` + ``children``: "add my son" (one child more),
    "one more adult", "una persona menos", "seremos 3", "2 adultos y 2 niños", "só eu afinal".
    A cot or an extra bed is a request for the room, not a guest ("a baby cot", "una cuna para
    el bebé"). None when the message says nothing about who comes; a Party with the same
    numbers and ``cot`` when it only asks for a cot."""
    t = numbers_to_digits(fold(text), lang)
    cot = bool(_COT.search(t))
    t = _COT.sub(" ", t)
    t = _INSTEAD.sub(" ", t)
    t = _WHOSE.sub(" ", t)  # "my wife's sister", "la hermana de mi mujer": one person, the sister
    if _ALONE_NOW.search(t):
        return Party(1, 0, cot)
    new_adults, new_children = adults, children
    said = False
    for m in _COUNTED.finditer(t):  # "un adulto más", "2 ninos mas", "1 more adult", "una persona menos"
        sign = -1 if re.fullmatch(_LESS_WORD, m.group("more")) else 1
        n = _number(m.group("n")) * sign
        if re.fullmatch(_KID, m.group("who")):
            new_children += n
        else:
            new_adults += n
        said = True
    if not said:
        for m in _MORE_FIRST.finditer(t):  # "mais um adulto", "one more child", "another person"
            sign_word = m.group("sign1") or m.group("sign2") or ""
            sign = -1 if re.fullmatch(_LESS_WORD + r"|less", sign_word) else 1
            n = _number(m.group("n1") or m.group("n2")) * sign
            if re.fullmatch(_KID, m.group("who")):
                new_children += n
            else:
                new_adults += n
            said = True
    if not said and (one_less := _ONE_LESS.search(t)):
        sign = 1 if re.fullmatch(r"mas|more|a\s+mais|de\s+mais", one_less.group("sign")) else -1
        new_adults += sign * int(one_less.group("n"))
        said = True
    if not said:
        for verb, sign in ((_ADD, 1), (_REMOVE, -1)):
            for m in re.finditer(rf"\b{verb}\b(?P<rest>[^.;!?]{{0,60}})", t):
                for who in _WHO.finditer(m.group("rest")):
                    n = _number(who.group("n")) * sign
                    if who.group("kid"):
                        new_children += n
                    elif who.group("two"):
                        new_adults += 2 * sign
                    else:
                        new_adults += n
                    said = True
                if said:
                    break
    if not said:
        for m in _WHO_THEN.finditer(t):
            sign = -1 if m.group("out") else 1
            if m.group("kid"):
                new_children += sign
            else:
                new_adults += sign * (2 if m.group("two") else 1)
            said = True
    if not said and _PRONOUN_ADD.search(t):  # "my son, he's 8: can we add him?"
        named = _PERSON_NAMED.search(t)
        age = _CHILD_AGE.search(t)
        if named is not None:
            if named.group("kid"):
                new_children += 1
            else:
                new_adults += 2 if named.group("two") else 1
            said = True
        elif age is not None and int(age.group("age") or age.group("years")) < 18:
            new_children += 1
            said = True
    if not said:
        now_we_are = _NOW_WE_ARE.search(t)
        kids = entities.get("children")
        grown = entities.get("adults")
        if grown is not None and (kids is not None or not now_we_are):
            new_adults, new_children = int(grown), int(kids if kids is not None else children)
            said = True  # "2 adults and 1 child", "seremos 3 adultos"
        elif now_we_are:
            persons = int(now_we_are.group("n"))
            if kids is not None:
                new_adults, new_children = max(persons - int(kids), 1), int(kids)
            else:
                new_adults = persons - children if persons > children else persons
                new_children = children if persons > children else 0
            said = True
    if not said:
        return Party(adults, children, True) if cot else None
    return Party(max(new_adults, 0), max(new_children, 0), cot)


def says_cot(text: str, lang: str) -> bool:
    """Does the message ask for a cot or an extra bed (a request for the room, not a guest)?"""
    return bool(_COT.search(numbers_to_digits(fold(text), lang)))


def says_party_change(text: str, lang: str) -> bool:
    """Does the message change who comes ("add my son", "seremos 3", "one more adult", "só eu
    afinal", "a cot")? For routing it to the change of an existing booking."""
    t = numbers_to_digits(fold(text), lang)
    return bool(
        _COT.search(t)
        or _ALONE_NOW.search(t)
        or _COUNTED.search(t)
        or _MORE_FIRST.search(t)
        or _NOW_WE_ARE.search(t)
        or _ONE_LESS.search(t)
        or _WHO_THEN.search(t)
        or (_PRONOUN_ADD.search(t) and (_PERSON_NAMED.search(t) or _CHILD_AGE.search(t)))
        or re.search(rf"\b(?:{_ADD}|{_REMOVE})\b[^.;!?]{{0,60}}?\b(?:{_KID}|{_GROWN}|{_COUPLE_OF})\b", t)
    )


_ROOM_SWITCH = re.compile(
    r"\b(?:cambi\w*|pasar\w*|pasarnos|switch\w*|change\w*|move\w*|upgrade\w*|mudar\w*|mudanca|passar\w*|trocar\w*"
    r"|en\s+vez\s+de|instead|em\s+vez\s+de|prefer\w*|mejor|rather|make\s+it|hacerla|convertir\w*|deixar\s+(?:em|como))\b"
)


def says_room_switch(text: str) -> bool:
    """Does the message ask to move to another room type ("cambiar a la suite", "mudar para o
    quarto familiar", "can we switch to the family room?")? The room itself is an entity."""
    return bool(_ROOM_SWITCH.search(fold(text)))


@lru_cache(maxsize=8)
def _room_lexicon(aliases: tuple[tuple[str, tuple[str, ...]], ...]) -> RoomTypeLexicon:
    return RoomTypeLexicon(dict(aliases))


def rooms_named(text: str, aliases: Mapping[str, Iterable[str]]) -> set[str]:
    """Every room type the message names ("una doble … cambiar a la suite" names both)."""
    lexicon = _room_lexicon(tuple(sorted((code, tuple(words)) for code, words in aliases.items())))
    named = set(lexicon.find_all(text))
    if not named and (misspelt := lexicon.find(text)):  # "the familair room"
        named.add(misspelt)
    return named


_PRICE_WORDS = re.compile(
    r"\b(?:cuanto|how\s+much|quanto|precio|price|preco|diferencia|difference|diferenca|cost\w*|cuesta\w*|custa\w*"
    r"|costaria|custaria|saldria|sairia|suplemento|supplement|extra\s+charge)\b"
)


def room_wanted(text: str, current: str, named: set[str], entity: str | None) -> str:
    """The room type a guest asks to move their booking to, or "": one named that is not the
    booking's own ("tengo una doble y queremos cambiar a la suite"), asked as a switch ("cambiar
    a", "instead") or as what it would cost ("what would the suite cost?")."""
    others = named - {current}
    if entity and entity != current and (entity in others or not named):
        wanted = entity
    elif len(others) == 1:
        wanted = next(iter(others))
    else:
        return ""
    folded = fold(text)
    return wanted if _ROOM_SWITCH.search(folded) or _PRICE_WORDS.search(folded) else ""


def asks_price(text: str) -> bool:
    """Does the message ask what something costs ("¿cuánto sería la diferencia?")?"""
    return bool(_PRICE_WORDS.search(fold(text)))


_ADD_TO = r"(?:add|adding|include|including|anadir|anade|anadid|agregar|agrega|incluir|incluye|sumar|meter|apuntar|colocar|acrescentar|acrescenta|adicionar|adiciona)"


_NEW_BOOKING = re.compile(
    r"\b(?:reservar|to\s+book|book\s+(?:a|an|one|two|\d+|for)|hacer\s+una\s+reserva|fazer\s+uma\s+reserva"
    r"|make\s+a\s+(?:booking|reservation)|new\s+booking|nueva\s+reserva|nova\s+reserva|una\s+habitacion\s+para"
    r"|um\s+quarto\s+para|a\s+room\s+for|teneis\s+habitacion|tienen\s+habitacion|tem\s+quarto|tem\s+quartos"
    r"|have\s+(?:a\s+)?rooms?|any\s+rooms?)\b"
)


def adds_someone(text: str, lang: str) -> bool:
    """Does the message add someone to (or take someone off) a stay ("can I add my son?",
    "¿puedo añadir a mi hijo?", "posso acrescentar o meu filho?")? Nobody adds a guest to a
    booking that does not exist: with no booking in view, it is about the guest's own."""
    t = numbers_to_digits(fold(text), lang)
    if _NEW_BOOKING.search(t):
        return False  # "I want to book a double, can I add my son?": a new stay, for the booking flow
    return bool(
        re.search(rf"\b(?:{_ADD_TO}|{_REMOVE})\b[^.;!?]{{0,40}}?\b(?:{_KID}|{_GROWN}|{_COUPLE_OF})\b", t)
        or (_PRONOUN_ADD.search(t) and (_PERSON_NAMED.search(t) or _CHILD_AGE.search(t)))
        or _WHO_THEN.search(t)  # "mi pareja no puede venir", "our son is coming with us after all"
    )


# -- who the booking is under: a new name or e-mail for it (issue 12) ----------------------------
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NAME_CUE = (
    r"(?:(?:in|under|to)\s+(?:the\s+)?name\s+of|(?:a|en|bajo)\s+nombre\s+de(?:l)?|(?:em|no)\s+nome\s+d[eoa]s?"
    r"|name\s+(?:to|should\s+be|must\s+be)|nombre\s+(?:a|de|por)|nome\s+(?:para|pra|por))"
)
_CONTACT = re.compile(
    rf"\b(?:must|has\s+to|have\s+to|should|needs?\s+to|tiene\s+que|tendria\s+que|debe\w*|tem\s+que|deve\w*|precisa\w*"
    rf"|que\s+(?:este|quede|fique|esteja)|quede|fique|esteja|ponga|pongan|coloquem?|pasen|passem?)\b[^.;!?]{{0,25}}?\b{_NAME_CUE}\b"
    r"|\b(?:chang\w*|updat\w*|correct\w*|fix|put|cambi\w*|correg\w*|corrij\w*|actualiz\w*|pon\w*|mud\w*|alter\w*"
    r"|troc\w*|corrig\w*|atualiz\w*|coloc\w*)\b[^.;!?]{0,30}?\b(?:name|nombre|nome|e-?mail|correo|mail|titular|holder)\b"
    r"|\b(?:name|nombre|nome|e-?mail|correo|mail)\b[^.;!?]{0,25}?\b(?:is\s+wrong|wrong|incorrect[oa]?|esta\s+mal"
    r"|mal\s+escrit[oa]|errad[oa]|errone[oa])\b|\b(?:new|nuevo|novo)\s+(?:e-?mail|correo|mail)\b"
)
_RELATIVE = (
    r"(?:(?:my|our|mi|mis|nuestr[oa]|meu|minha|nosso|nossa|o|a|el|la)\s+)?(?:husband|wife|partner|son|daughter"
    r"|mother|father|friend|colleague|boss|marido|mujer|esposa|esposo|pareja|hij[oa]|madre|padre|amig[oa]|jefe"
    r"|mulher|filh[oa]|mae|pai|chefe)"
)
_NAME_WORDS = re.compile(
    r"[^\W\d_][\w'’-]*(?:\s+(?:(?:de|del|da|do|dos|das|van|von|la)\s+)?[^\W\d_][\w'’-]*){1,3}"
)
_NOT_NAME = re.compile(
    r"\b(?:please|pls|por\s+favor|porfa|gracias|thanks|obrigad[oa]|and|y|e|instead|thank|en\s+vez|em\s+vez)\b.*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ContactChange:
    """A new name and/or e-mail for a booking, as the guest wrote them ("" when not said)."""

    name: str = ""
    email: str = ""


def contact_change(text: str) -> ContactChange | None:
    """ "Booking HB-… must be in the name of my husband, Carlos Lima", "cambiad el correo a
    x@y.com", "o nome está errado, é Ana Souza": the booking's new holder or e-mail. None when the
    message asks for no such change or gives no new value."""
    folded = fold(text)
    if not _CONTACT.search(folded):
        return None
    email = m.group(0) if (m := _EMAIL.search(text)) else ""
    name = ""
    rest = _EMAIL.sub(" ", text)
    cue = re.search(rf"\b{_NAME_CUE}\b", fold(rest)) or re.search(  # "the name … to / is / é"
        r"\b(?:name|nombre|nome|titular|holder)\b[^.;!?]{0,30}?\b(?:is|es|e|sea|seja|should\s+be|to|a|para|pra|por)\b"
        r"(?=\s+[^\W\d_])",
        fold(rest),
    )
    if cue is not None and (email == "" or re.search(r"\b(?:name|nombre|nome|titular|holder)\b", folded)):
        after = rest[cue.end() :]  # fold keeps positions: it only strips accents and case
        after = re.sub(rf"^\s*(?:{_RELATIVE})\s*[,:(-]?\s*", "", after, flags=re.IGNORECASE)
        after = re.split(r"[,.;!?()\n]", after.strip(), maxsplit=1)[0]
        after = _NOT_NAME.sub("", after).strip()
        if (m := _NAME_WORDS.fullmatch(after)) and not re.search(r"\bHB\b", after, re.IGNORECASE):
            name = " ".join(w[:1].upper() + w[1:] for w in m.group(0).split())
    if not (name or email):
        return None
    return ContactChange(name, email)
