"""Stay dates in Spanish, English and Portuguese, resolved against the hotel's "today".

Finds the date expressions a guest uses to describe a stay and turns them into check-in,
check-out and nights:

* absolute: "3 de diciembre", "December 3rd", "3rd of Dec", "15/12", "15/12/2026", "2026-12-15"
* ranges: "del 3 al 5 de diciembre", "from the 3rd to the 5th of December", "Dec 3-5",
  "entre el 30 de diciembre y el 2 de enero", "de 3 a 5 de dezembro", "do dia 3 ao dia 5"
* relative: "hoy", "esta noche", "mañana", "pasado mañana", "tomorrow", "amanhã",
  "el viernes", "this Friday", "next Friday", "na sexta", "sexta que vem",
  "este fin de semana", "next weekend", "dentro de 2 semanas", "in 3 days"
* bare days: "el 12", "dia 12", "the 12th" (the next 12th from today)
* lengths: "3 noches", "two nights", "3 noites", "una semana", "a week"
* roles: "a partir de", "desde", "from", "starting" → check-in; "hasta", "until", "até",
  "leaving" → check-out

Why rules and not dateparser: measured with dateparser 1.2 it resolves none of "el viernes",
"pasado mañana", "dia 12", "esta sexta", "la semana que viene", takes no ranges, and reads
"the 12th" as the 25th; rules are the right tool for this small closed grammar, and each
rule has a test.

A date without a year is the next such date from today, except when it passed within the
last month: "20 de noviembre" said on 25 November is kept in the past so the bot can say so
(the guest most likely made a slip) instead of silently booking next year.
"""

from __future__ import annotations

import calendar
import contextlib
import difflib
import itertools
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from hotelbox.nlu.text import ONE_WORDS, fold, numbers_to_digits

MONTHS: dict[str, int] = {}
for _i, _names in enumerate(
    [
        ("enero", "january", "janeiro"),
        ("febrero", "february", "fevereiro"),
        ("marzo", "march", "marco"),
        ("abril", "april"),
        ("mayo", "may", "maio"),
        ("junio", "june", "junho"),
        ("julio", "july", "julho"),
        ("agosto", "august"),
        ("septiembre", "setiembre", "september", "setembro"),
        ("octubre", "october", "outubro"),
        ("noviembre", "november", "novembro"),
        ("diciembre", "december", "dezembro"),
    ],
    start=1,
):
    for _n in _names:
        MONTHS[_n] = _i
# Abbreviations are only trusted next to a day number ("3 dic", "Dec 3").
MONTH_ABBR: dict[str, int] = {
    "ene": 1, "jan": 1, "feb": 2, "fev": 2, "mar": 3, "abr": 4, "apr": 4, "mai": 5,
    "jun": 6, "jul": 7, "ago": 8, "aug": 8, "sep": 9, "sept": 9, "set": 9, "oct": 10,
    "out": 10, "nov": 11, "dic": 12, "dec": 12, "dez": 12,
}  # fmt: skip
WEEKDAYS: dict[str, int] = {
    "lunes": 0, "martes": 1, "miercoles": 2, "jueves": 3, "viernes": 4, "sabado": 5,
    "domingo": 6, "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
    "saturday": 5, "sunday": 6, "segunda": 0, "terca": 1, "quarta": 2, "quinta": 3,
    "sexta": 4,
}  # fmt: skip
# Portuguese weekday names double as ordinals ("segunda" = second); they need "-feira" or a
# date-ish word around them.
_PT_ORDINAL_WEEKDAYS = {"segunda", "terca", "quarta", "quinta", "sexta"}

_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_ABBR_ALT = "|".join(sorted(MONTH_ABBR, key=len, reverse=True))
_MON = rf"(?:(?P<{{g}}>{_MONTH_ALT})|(?P<{{g}}a>{_ABBR_ALT})\.?)"


def _mon(group: str) -> str:
    return _MON.replace("{g}", group)


_ORD = r"(?:st|nd|rd|th|º|ª|o|a)?"
_DAY = r"(?:[12][0-9]|3[01]|0?[1-9])"
_YEAR = r"(?:,?\s*(?:de\s+|del\s+|of\s+)?(?P<{g}y>20\d\d))?"


def _year(group: str) -> str:
    return _YEAR.replace("{g}", group)


# "3 de diciembre", "3 diciembre", "3rd of december", "3 dic"
_D_MONTH = rf"(?P<d1>{_DAY}){_ORD}\s*(?:de\s+|of\s+)?(?:the\s+)?{_mon('m1')}{_year('m1')}"
# "december 3", "dec 3rd", "december the 3rd"
_MONTH_D = rf"{_mon('m2')}\s+(?:the\s+)?(?P<d2>{_DAY}){_ORD}\b{_year('m2')}"
# "15/12", "15/12/2026", "15.12.2026" (dots only with a year: "10.30" is a time); never "24/7"
_NUMERIC = (
    r"(?!24/7\b)(?P<n1>\d{1,2})(?P<sep>[/.])(?P<n2>\d{1,2})(?:(?P=sep)(?P<n3>\d{2}|\d{4}))?(?![\d/]|\.\d)"
)
_ISO = r"(?P<iy>20\d\d)-(?P<im>\d\d)-(?P<id>\d\d)"

# ranges sharing one month: "del 3 al 5 de diciembre", "3-5 dic", "from the 3rd to the 5th of dec"
_RANGE_SEP = (
    r"\s*(?:-|al|a|hasta(?:\s+el)?|y(?:\s+el)?|to(?:\s+the)?|till|until|and(?:\s+the)?"
    r"|ao(?:\s+dia)?|ate(?:\s+(?:o\s+)?dia)?|ate\s+o|e(?:\s+o)?(?:\s+dia)?|through|thru)\s*"
)
_RANGE_D_D_MONTH = (
    rf"(?P<r1>{_DAY}){_ORD}{_RANGE_SEP}(?:the\s+|dia\s+)?(?P<r2>{_DAY}){_ORD}\s*(?:de\s+|of\s+)?"
    rf"{_mon('rm')}{_year('rm')}"
)
_RANGE_MONTH_D_D = (
    rf"{_mon('sm')}\s+(?:the\s+)?(?P<s1>{_DAY}){_ORD}{_RANGE_SEP}(?:the\s+)?(?P<s2>{_DAY}){_ORD}\b"
    rf"{_year('sm')}"
)

_FULL_DATE = re.compile(
    rf"\b(?:{_RANGE_D_D_MONTH}|{_RANGE_MONTH_D_D}|{_D_MONTH}|{_MONTH_D}|{_ISO}|{_NUMERIC})\b"
)

_RELATIVE = re.compile(
    r"\b(?:(?P<dayafter>pasado\s+manana|depois\s+de\s+amanha|(?:the\s+)?day\s+after\s+tomorrow)"
    r"|(?P<tonight>esta\s+noche|tonight|esta\s+noite|hoje\s+a\s+noite|hoy\s+por\s+la\s+noche)"
    r"|(?P<today>hoy|today|hoje|hj)"
    r"|(?P<tomorrow>tomorrow|tommorow|tomorow|tommorrow|tmrw|2morrow|amanha|(?<!la\s)(?<!esta\s)(?<!por\s)(?<!\bde\s)(?<!en\s)manana"
    r"|(?<=partir\sde\s)manana)"
    r"|(?P<daybefore>anteayer|antier|anteontem|(?:the\s+)?day\s+before\s+yesterday)"
    r"|(?P<yesterday>ayer|yesterday|ontem|last\s+night|anoche))\b"
)
_IN_N = re.compile(
    r"\b(?:dentro\s+de|en|in|daqui\s+a|daqui|d'aqui\s+a|em|within)\s+(?P<n>\d{1,2}|un|una|um|uma|a|an|one)\s+"
    r"(?P<unit>dias?|days?|semanas?|weeks?)\b"
)
_WEEKEND = re.compile(
    r"\b(?:(?P<next1>proximo|next|el\s+otro)\s+)?(?:este\s+|el\s+|this\s+|o\s+|neste\s+|esse\s+|no\s+)?"
    r"(?P<we>fin\s+de\s+semana|finde|weekend|wknd|wkend|fim\s+de\s+semana|fds)"
    r"(?:\s+(?P<next2>(?:que|q)\s+viene|(?:que|q)\s+vem|proximo|siguiente|seguinte|after))?\b"
    rf"(?!\s+(?:largo\s+|long\s+|prolongado\s+|alargado\s+)?(?:de|of|in|em|en|do)\s+(?:{_MONTH_ALT})\b)"
    # "el weekend del 17 al 19": those days, not the coming weekend
    r"(?!\s*,?\s*(?:(?:largo|long|prolongado|alargado)\s+)?(?:del?|from\s+the|from|of\s+the|do|da|on\s+the|the)\s+(?:dia\s+)?\d{1,2}(?:st|nd|rd|th)?\b(?!\s*(?:noches?|nights?|noites?|dias?|days?)))"
)
_RANGE_END = re.compile(r"\s*(?:-|a|al|ao|ate|hasta|to|till|until|thru|through)\s")
# "o fds do dia 19", "the weekend of the 20th", "el finde del 13": a weekend named by one of its days
_WEEKEND_OF_DAY = re.compile(
    r"\b(?:fin\s+de\s+semana|finde|weekend|wknd|fim\s+de\s+semana|fds)\s+(?:del?|do|of\s+the|of|the)\s+(?:dia\s+)?"
    r"\d{1,2}(?:st|nd|rd|th)?\b(?!\s*(?:-|al|a|ao|to|till|until|hasta|ate|y|e|and)\s*(?:el\s+|o\s+|the\s+)?(?:dia\s+)?\d)"
)
_PT_ORDINAL_NOUN = re.compile(
    r"\s+(?:quinzena|vez|opcao|noite|semana|pessoa|via|classe|mao|parte|cama|andar|hora)"
)
_WEEKDAY_ALT = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
# "next week friday", "el viernes de la semana que viene", "quinta da semana que vem": next week's
_NEXT_WEEK = re.compile(
    r"\b(?:next\s+week|(?:la\s+|a\s+)?semana\s+(?:que\s+viene|que\s+vem|proxima|siguiente)"
    r"|(?:la\s+|a\s+)?proxima\s+semana)\b"
)
# "sexta e sábado", "sexta a domingo": a weekday beside another is a weekday, not an ordinal
_PT_WEEKDAY_PAIR = re.compile(rf"\s+(?:e|a|ate|ao|ou)\s+(?:o\s+|a\s+)?(?:{_WEEKDAY_ALT})\b")
# "chegamos quinta e saímos domingo": a weekday right after arriving or leaving is a weekday
_PT_WEEKDAY_VERB = re.compile(
    r"\b(?:cheg\w*|sai\w*|sa[ií]mos|entrada|saida|check[\s-]?in|checkout|partir\s+de|volt\w*|embora)\s+$"
)
_PT_WEEKDAY_PAIRED = re.compile(
    rf"\b(?:{_WEEKDAY_ALT})(?:[\s-]*feira)?\s+(?:e|a|ate|ao|ou)\s+(?:o\s+|a\s+)?$"
)
_WEEKDAY = re.compile(
    rf"\b(?:(?P<mod>este|esta|this|next|proximo|proxima|on|el|la|na|no|a|o|de|ate|hasta|until|pra|para|pro)\s+)?"
    rf"(?P<wd>{_WEEKDAY_ALT})(?P<feira>[\s-]*feira)?(?:\s+(?P<next>que\s+viene|que\s+vem|proximo|proxima))?\b"
    rf"(?!\s+(?:de|of|in|em|en|do)\s+(?:{_MONTH_ALT})\b)"  # "un sábado de junio": any Saturday of June
)
_AGES = r"anos|years?|yrs?|meses|months?|aninhos|y/?o\b"
# "the 2nd floor", "my 1st time": English ordinals that are no day of the month
_NOT_ORDINAL_DAY = (
    r"(?!\s+(?:floor|time|person|people|guest|room|option|choice|class|one|bed|night|week|adult|child|kid|row"
    r"|door|booking|reservation|message|call|visit|stay|year|birthday|anniversary|of\s+(?:us|them)))"
)
_BARE_DAY = re.compile(
    rf"\b(?:(?:el|del|al|o|do|ao|no|the|on\s+the|from\s+the|from|to\s+the|till\s+the|until\s+the)\s+"
    rf"(?:dia\s+)?|dia\s+|(?={_DAY}(?:st|nd|rd|th)\b{_NOT_ORDINAL_DAY}))(?P<d>{_DAY})(?P<ord>st|nd|rd|th|º|ª)?\b(?!\s*(?:/|:|h\b|\.\d|de\s+la|am\b|pm\b|a\.m|p\.m|o.?clock|ones?\b|1\s*(?:$|[,.!?]|please|pls|por\s+favor|porfa|thanks)|option|opci|opca|choice|floor|piso|andar|planta|noches?|nights?|noites?|personas?|adult|people|pessoas|huespedes|ninos|children|kids|euros?|€|of\s+us|{_AGES}))"
)
_NOT_DAY_AFTER = (
    r"(?!\s*(?:/|:|h\b|\.\d|noches?|nights?|noites?|personas?|adult|people|pessoas|huespedes|ninos"
    r"|children|kids|euros?|€|horas?|hours?|am\b|pm\b|de\s+la|of\s+us|" + _AGES + "))"
)
_BARE_RANGE = re.compile(
    rf"\b(?:de|del|from|do|entre|between|desde)\s+(?:o\s+|el\s+|the\s+)?(?:dia\s+)?(?P<d1>{_DAY})(?:st|nd|rd|th)?"
    rf"\s+(?:a|al|ao|to|till|until|hasta|ate|y|e|and|-)\s+(?:o\s+|el\s+|the\s+)?(?:dia\s+)?"
    rf"(?P<d2>{_DAY})(?:st|nd|rd|th)?\b{_NOT_DAY_AFTER}"
)
# "in july, 10-14": days joined by a dash, read only when a month is said nearby
_DASH_RANGE = re.compile(
    rf"(?<![\d/.:-])(?P<d1>{_DAY})(?:st|nd|rd|th)?\s*-\s*(?P<d2>{_DAY})(?:st|nd|rd|th)?\b(?![/.:-]\d){_NOT_DAY_AFTER}"
)
# "en enero", "in January", "em janeiro", "para marzo": the month of bare days said nearby
_CONTEXT_MONTH = re.compile(
    rf"\b(?:en|in|em|para|for|during|durante|de|of|mes\s+de|month\s+of|no\s+mes\s+de)\s+(?P<m>{_MONTH_ALT})\b"
)
_NIGHTS = re.compile(
    r"\b(?P<n>\d{1,2}|un|una|um|uma|a|an|one)\s+(?P<more1>(?:more|mas|mais|extra)\s+)?"
    r"(?P<unit>noches?|nights?|noites?|nites?|nts|nigths?|semanas?|weeks?|diarias?)\b(?P<more2>\s+(?:mas|more|mais|extra|adicional(?:es)?|adicionais))?"
)
_NIGHTS_OF = re.compile(
    r"\b(?:noches?|nights?|noites?)\s+(?P<prep>del|de|do|da|of\s+the|of|on\s+the|on)\s+(?:dia\s+)?\d{1,2}(?:st|nd|rd|th)?"
    r"(?P<sep>\s+(?:y|and|e|&)\s+(?:el\s+|the\s+|o\s+)?(?:dia\s+)?)\d{1,2}"
)
# "viernes 15", "Friday the 8th", "quinta-feira, 10": the weekday says which month the day is in
_WEEKDAY_DAY = re.compile(
    rf"\b(?P<wd>{_WEEKDAY_ALT})(?:[\s-]*feira)?,?\s+(?:the\s+|dia\s+)?(?P<d>{_DAY})(?:st|nd|rd|th|º|ª)?\b"
    r"(?!\s*(?:/|:|h\b|\.\d|noches?|nights?|noites?|personas?|people|pessoas|adult|euros?|€|de\s+la"
    r"|ppl|pax|pers\b|guests?|huespedes|hospedes|kids?|children|ninos|criancas|of\s+us|rooms?|habitacion|quartos?))"
)
# "friday and saturday night", "las noches del viernes y el sábado", "as noites de sexta e sábado":
# the nights named by their evenings, so the guest leaves the morning after the last one
_NIGHT_WORD = r"(?:noches?|nights?|noites?)"
_WEEKDAY_NIGHTS = re.compile(
    rf"\b(?:{_NIGHT_WORD}\s+(?:del?|of|do|da|on)\s+(?:the\s+|el\s+|la\s+|a\s+|o\s+)?(?:{_WEEKDAY_ALT})(?:[\s-]*feira)?"
    rf"\s+(?:y|and|e|&)\s+(?:el\s+|the\s+|o\s+|a\s+|de\s+|on\s+)?(?:{_WEEKDAY_ALT})"
    rf"|(?:{_WEEKDAY_ALT})(?:[\s-]*feira)?\s+(?:y|and|e|&)\s+(?:el\s+|the\s+|o\s+|a\s+|on\s+)?(?:{_WEEKDAY_ALT})"
    rf"(?:[\s-]*feira)?\s+(?:a\s+la\s+|a\s+|de\s+|at\s+)?(?:{_NIGHT_WORD}|night))\b"
)
_YESTERDAY_ROLE = re.compile(
    r"\b(?:a\s+partir\s+d[eo]|desde|from|since|starting|arriv\w*|llega\w*|llego|chego|chegamos|check[\s-]?in"
    r"|reserv\w*|book\w*|(?:room|habitacion|cuarto|quarto)(?=\s+(?:para|pra|for)\b))\s+(?:(?:para|pra|for)\s+)?"
    r"(?:(?:it|one|la|lo)\s+(?:(?:para|pra|for)\s+)?)?(?:the\s+|el\s+|o\s+|on\s+|de\s+)?$"
)
_D_TYPO = re.compile(rf"(?<=\d)\s+d\s+(?=(?:{_MONTH_ALT})\b)")
_CONNECTOR = re.compile(
    r"^\s*(?:,|-|al|a|hasta(?:\s+el)?|y(?:\s+el)?|to|till|until|and|ao|ate|ate\s+o|e|e\s+o|through"
    r"|y\s+salgo\s+el|y\s+nos\s+vamos\s+el|and\s+leave\s+on|e\s+saio\s+(?:no|na|em)|returning)"
    r"(?:\s+(?:the|el|o|dia))?\s*$"
)
_IN_ROLE = re.compile(
    r"\b(?:a\s+partir\s+d[eo]|desde|from|starting|arriv\w*|llega\w*|llego|chego|chegamos|chegada|entrada|check[\s-]?in|entre|between|do|del)\s+(?:the\s+|el\s+|o\s+|on\s+)?(?:dia\s+)?$"
)
_OUT_ROLE = re.compile(
    r"(?:hasta|until|till|ate|leav\w*|sali\w*|salgo|saio|saimos|saida|sair|irnos|irme|nos\s+(?:podemos|podriamos|queremos)\s+ir|departure|depart\w*|check[\s-]?out|me\s+voy|nos\s+vamos|out\s+on|vamos\s+embora"
    r"|regres\w*|volvemos|vuelvo|voltamos|volto|(?:vai|vou|vao)\s+embora|return\w*|(?:head|go|fly)(?:ing)?\s+back"
    r"|me\s+iria|nos\s+iriamos|saldria\w*|sairia\w*|iria\w*\s+embora|(?:would|'d)\s+leave|go\s+home"
    r"|(?:tenemos|tengo|tendriamos|temos|tenho)\s+(?:que|q|de)\s+(?:ir(?:nos|me)?|sair|salir|voltar|volver)"
    r"|(?:have|need|got)\s+to\s+(?:leave|go|check\s+out))\s+(?:on\s+)?(?:the\s+|el\s+|o\s+|a\s+|na\s+|no\s+)?(?:dia\s+)?$"
)
# "el domingo 19 en vez del sábado": the date being replaced is no date of the stay (a whole word:
# "¿tienen lugar de hoy a sábado?" replaces nothing)
_INSTEAD_OF = re.compile(
    r"\b(?:en\s+vez\s+de(?:l|\s+el|\s+la)?|en\s+lugar\s+de(?:l|\s+el|\s+la)?|instead\s+of(?:\s+the|\s+on)?"
    r"|rather\s+than(?:\s+the|\s+on)?|em\s+vez\s+d[aoe]|no\s+lugar\s+d[aoe]|ao\s+inves\s+d[aoe])\s+(?:dia\s+)?$"
)
# "de este mes", "next month", "do mês que vem": the month of bare days, said without its name
_THIS_MONTH = re.compile(r"\b(?:este|this|deste|neste|esse|del\s+presente)\s+mes\b|\bthis\s+month\b")
_NEXT_MONTH = re.compile(
    r"\b(?:(?:el|del|al)\s+)?(?:proximo|next|siguiente)\s+(?:mes|month)\b|\bmes\s+que\s+(?:viene|vem)\b"
    r"|\b(?:mes|month)\s+(?:proximo|siguiente)\b"
)


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    value: date
    end_value: date | None = None  # set for ranges and weekends
    explicit_year: bool = False
    kind: str = "date"


@dataclass
class StayDates:
    check_in: date | None = None
    check_out: date | None = None
    nights: int | None = None
    mentions: list[DateMention] = field(default_factory=list)
    extra_nights: int | None = None  # "una noche más", "two more nights"
    invalid: bool = False  # a date that does not exist ("31 de febrero")
    past: bool = False  # a date before today
    day_only: bool = False  # only days of the month were said ("until the 30th"): no month, no weekday
    weekday_only: bool = False  # only plain weekdays were said ("nos vamos el domingo")
    without_dates: str = ""  # the folded text (numbers as digits) with the date expressions blanked
    vague: str = ""  # a holiday said instead of dates ("el puente", "o feriado"): which nights is asked

    def as_entities(self) -> dict[str, object]:
        out: dict[str, object] = {}
        if self.check_in:
            out["check_in"] = self.check_in.isoformat()
        if self.check_out:
            out["check_out"] = self.check_out.isoformat()
        if self.nights is not None:
            out["nights"] = self.nights
        if self.extra_nights is not None:
            out["extra_nights"] = self.extra_nights
        return out


class _Invalid(ValueError):
    pass


def _make(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise _Invalid(str(exc)) from exc


def _infer_year(month: int, day: int, today: date) -> date:
    """The next (month, day) from today, unless it passed within the last month."""
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2024, month)[1]:  # 2024: leap
        raise _Invalid("no such date")
    for year in (today.year, today.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:  # 29 February
            continue
        if candidate >= today or (year == today.year and (today - candidate).days <= 31):
            return candidate
    # 29 February of a non-leap coming year, or a date passed long ago this year
    for year in range(today.year + 1, today.year + 5):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise _Invalid("no such date")


def _bare_day(day: int, today: date) -> date:
    """The next day-of-month ``day`` from today (today included)."""
    year, month = today.year, today.month
    for _ in range(13):
        if day <= calendar.monthrange(year, month)[1]:
            candidate = date(year, month, day)
            if candidate >= today:
                return candidate
        month += 1
        if month == 13:
            year, month = year + 1, 1
    raise _Invalid("no such day")


def _count(word: str) -> int:
    if word.isdigit():
        return int(word)
    if any(word in words for words in ONE_WORDS.values()):
        return 1
    raise ValueError(word)


def _month(m: re.Match[str], group: str) -> int | None:
    name = m.group(group)
    if name:
        return MONTHS[name]
    abbr = m.group(group + "a")
    return MONTH_ABBR[abbr] if abbr else None


def _with_year(m: re.Match[str], group: str, month: int, day: int, today: date) -> tuple[date, bool]:
    year = m.group(group + "y")
    if year:
        return _make(int(year), month, day), True
    return _infer_year(month, day, today), False


def _numeric(
    a: int, b: int, year: str | None, lang: str, today: date, month_first: bool = False
) -> tuple[date, bool]:
    # Day first, as in Spain and Portugal (and the UK); US order for a US guest, or when day-first
    # is impossible.
    day, month = a, b
    if (month > 12 and day <= 12) or (lang == "en" and a <= 12 < b) or (month_first and a <= 12):
        day, month = b, a
    if year:
        y = int(year)
        y = y + 2000 if y < 100 else y
        return _make(y, month, day), True
    return _infer_year(month, day, today), False


def _full_dates(
    text: str,
    lang: str,
    today: date,
    out: list[DateMention],
    blocked: list[DateMention],
    month_first: bool = False,
) -> bool:
    invalid = False
    # "28/12 to 2/1" from a US number: a date only readable day first says how this guest writes
    month_first = month_first and not any(
        m.group("n1") and int(m.group("n1")) > 12 for m in _FULL_DATE.finditer(text)
    )
    numeric: list[tuple[int, int, int, str | None]] = []
    for m in _FULL_DATE.finditer(text):
        try:
            if m.group("r1"):
                month = _month(m, "rm")
                assert month is not None
                d1, d2 = int(m.group("r1")), int(m.group("r2"))
                end, explicit = _with_year(m, "rm", month, d2, today)
                start = _range_start(d1, end)
                out.append(DateMention(m.start(), m.end(), start, end, explicit, "range"))
            elif m.group("s1"):
                month = _month(m, "sm")
                assert month is not None
                d1, d2 = int(m.group("s1")), int(m.group("s2"))
                start, explicit = _with_year(m, "sm", month, d1, today)
                end = start.replace(day=1) + timedelta(days=d2 - 1)
                if d2 <= d1:
                    nxt = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
                    end = _make(nxt.year, nxt.month, d2)
                else:
                    end = _make(start.year, start.month, d2)
                out.append(DateMention(m.start(), m.end(), start, end, explicit, "range"))
            elif m.group("d1"):
                month = _month(m, "m1")
                assert month is not None
                value, explicit = _with_year(m, "m1", month, int(m.group("d1")), today)
                out.append(DateMention(m.start(), m.end(), value, None, explicit))
            elif m.group("d2"):
                month = _month(m, "m2")
                assert month is not None
                value, explicit = _with_year(m, "m2", month, int(m.group("d2")), today)
                out.append(DateMention(m.start(), m.end(), value, None, explicit))
            elif m.group("iy"):
                value = _make(int(m.group("iy")), int(m.group("im")), int(m.group("id")))
                out.append(DateMention(m.start(), m.end(), value, None, True))
            else:
                if m.group("sep") == "." and not m.group("n3"):
                    continue
                value, explicit = _numeric(
                    int(m.group("n1")), int(m.group("n2")), m.group("n3"), lang, today, month_first
                )
                out.append(DateMention(m.start(), m.end(), value, None, explicit))
                numeric.append((len(out) - 1, int(m.group("n1")), int(m.group("n2")), m.group("n3")))
        except _Invalid:
            invalid = True
            blocked.append(DateMention(m.start(), m.end(), today, kind="invalid"))
    for (i, a1, b1, y1), (j, a2, b2, y2) in itertools.pairwise(numeric):
        # "7/2 to 7/5": day-first that is three months apart, month-first that is three nights;
        # "5/4 to 8/4" from a US number: month-first that is three months apart, day-first three nights
        first, second = out[i], out[j]
        if y1 or y2 or 0 < (second.value - first.value).days <= 31:
            continue
        if a1 != a2 or a1 > 12:
            if b1 == b2 and b1 <= 12 and a1 < a2:
                a1, b1, a2, b2 = b1, a1, b2, a2
            else:
                continue
        with contextlib.suppress(_Invalid):
            start, end = _infer_year(a1, b1, today), _infer_year(a2, b2, today)
            if 0 < (end - start).days <= 31:
                out[i] = DateMention(first.start, first.end, start, None, False)
                out[j] = DateMention(second.start, second.end, end, None, False)
    return invalid


MONTH_CROSSING_MAX_NIGHTS = 14


def _range_start(d1: int, end: date) -> date:
    """The first day of "del D1 al D2 <month>": same month, or the month before when the
    range crosses months ("del 30 al 2 de enero"). A backwards range that would make a long
    stay ("del 10 al 5 de marzo") is kept backwards: the guest slipped and will be asked."""
    if d1 < end.day:
        return _make(end.year, end.month, d1)
    prev = end.replace(day=1) - timedelta(days=1)
    try:
        crossing = _make(prev.year, prev.month, d1)
    except _Invalid:
        crossing = None
    if crossing is not None and (end - crossing).days <= MONTH_CROSSING_MAX_NIGHTS:
        return crossing
    return _make(end.year, end.month, min(d1, calendar.monthrange(end.year, end.month)[1]))


def _free(span: tuple[int, int], taken: list[DateMention]) -> bool:
    return all(span[1] <= t.start or span[0] >= t.end for t in taken)


def _relative(text: str, today: date, out: list[DateMention]) -> bool:
    tonight = False
    for m in _RELATIVE.finditer(text):
        if not _free(m.span(), out):
            continue
        if m.group("dayafter"):
            value = today + timedelta(days=2)
        elif m.group("tomorrow"):
            value = today + timedelta(days=1)
        elif m.group("yesterday") or m.group("daybefore"):
            # a past date the dialogue says so about, when it is about a stay
            back = 2 if m.group("daybefore") else 1
            out.append(DateMention(m.start(), m.end(), today - timedelta(days=back), kind="yesterday"))
            continue
        else:
            value = today
            tonight = tonight or bool(m.group("tonight"))
        out.append(DateMention(m.start(), m.end(), value, kind="relative"))
    for m in _IN_N.finditer(text):
        if not _free(m.span(), out):
            continue
        n = _count(m.group("n"))
        days = n * 7 if m.group("unit").startswith(("semana", "week")) else n
        out.append(DateMention(m.start(), m.end(), today + timedelta(days=days), kind="relative"))
    for m in _WEEKEND.finditer(text):
        if not _free(m.span(), out):
            continue
        friday = today + timedelta(days=(4 - today.weekday()) % 7)
        if today.weekday() == 5:  # Saturday: this weekend is now
            friday = today - timedelta(days=1)
        elif today.weekday() == 6:  # Sunday: the next one
            friday = today + timedelta(days=5)
        if m.group("next1") or m.group("next2"):
            friday += timedelta(days=7)
        start = max(friday, today)
        out.append(DateMention(m.start(), m.end(), start, friday + timedelta(days=2), kind="weekend"))
    for m in _WEEKDAY.finditer(text):
        if not _free(m.span(), out):
            continue
        wd = m.group("wd")
        mod = m.group("mod") or ""
        if (
            wd in _PT_ORDINAL_WEEKDAYS
            and (
                not (
                    m.group("feira")
                    or m.group("next")
                    or mod in ("na", "a", "esta", "proxima", "de", "ate", "pra", "para")
                )
                or _PT_ORDINAL_NOUN.match(text, m.end())
            )
            and not (
                _PT_WEEKDAY_PAIR.match(text, m.end())
                or _PT_WEEKDAY_PAIRED.search(text[max(0, m.start() - 20) : m.start()])
                or re.match(r"\s+(?:da|de)\s+(?:semana|proxima)|\s+(?:a|de|pela)\s+noite", text[m.end() :])
                or _PT_WEEKDAY_VERB.search(text[max(0, m.start() - 24) : m.start()])
            )
        ):
            continue
        delta = (WEEKDAYS[wd] - today.weekday()) % 7
        if delta == 0 and mod not in ("este", "esta", "this"):
            delta = 7
        elif mod == "next" and today.weekday() + delta <= 6:
            # English "next Friday" said on a Tuesday is the Friday of next week ("this
            # Friday" is the coming one); Spanish/Portuguese "próximo" is the coming one.
            delta += 7
        # "el domingo" is a weekday the dialogue may read against the stay being discussed;
        # "este domingo", "next Sunday" are counted from today
        plain = mod not in ("este", "esta", "this", "next", "proximo", "proxima") and not m.group("next")
        kind = "weekday" if plain else "weekday_from_today"
        value = today + timedelta(days=delta)
        if _NEXT_WEEK.search(text[max(0, m.start() - 30) : m.end() + 30]):
            value = today + timedelta(days=7 - today.weekday() + WEEKDAYS[wd])  # that day of next week
            kind = "weekday_from_today"
        out.append(DateMention(m.start(), m.end(), value, kind=kind))
    return tonight


def _context_month(text: str, taken: list[DateMention], today: date | None = None) -> int | None:
    for m in _CONTEXT_MONTH.finditer(text):
        if _free(m.span("m"), taken):
            return MONTHS[m.group("m")]
    if today is not None:
        if _THIS_MONTH.search(text):
            return today.month
        if _NEXT_MONTH.search(text):
            return today.month % 12 + 1
    return None


def _day_in(day: int, month: int | None, today: date) -> date:
    return _bare_day(day, today) if month is None else _infer_year(month, day, today)


def _bare_days(
    text: str, today: date, out: list[DateMention], weekdays: dict[int, int] | None = None
) -> bool:
    invalid = False
    weekdays = weekdays or {}
    month = _context_month(text, out, today)
    for m in _BARE_RANGE.finditer(text):
        if not _free(m.span(), out):
            continue
        try:
            d1, d2 = int(m.group("d1")), int(m.group("d2"))
            end = _day_in(d2, month, today)
            start = _range_start(d1, end)
            wd1, wd2 = weekdays.get(m.start("d1")), weekdays.get(m.start("d2"))
            if month is None and (wd1 is not None or wd2 is not None):
                if wd1 is not None:
                    start = _weekday_day(d1, wd1, today)
                    end = _bare_day(d2, start + timedelta(days=1))
                else:
                    assert wd2 is not None
                    end = _weekday_day(d2, wd2, today)
                    start = _range_start(d1, end)
                out.append(DateMention(m.start(), m.end(), start, end, kind="range"))
                continue
            if start < today and month is None and d1 > d2:  # "the 29th to the 1st" said on the 1st
                start = _bare_day(d1, today)
                end = _bare_day(d2, start + timedelta(days=1))
            elif start < today and month is None:  # "del 20 al 22" said on the 24th: next month
                end = _day_in(d2, None, today.replace(day=1) + timedelta(days=32))
                start = _make(end.year, end.month, d1) if d1 < d2 else start
            out.append(DateMention(m.start(), m.end(), start, end, kind="range" if month else "dayrange"))
        except _Invalid:
            invalid = True
    for m in _DASH_RANGE.finditer(text) if month is not None else ():
        if not _free(m.span(), out):
            continue
        try:
            end = _day_in(int(m.group("d2")), month, today)
            out.append(
                DateMention(m.start(), m.end(), _range_start(int(m.group("d1")), end), end, kind="range")
            )
        except _Invalid:
            invalid = True
    for m in _BARE_DAY.finditer(text):
        span = (m.start("d"), m.end())
        if not _free(span, out):
            continue
        try:
            if month is None and (wd := weekdays.get(m.start("d"))) is not None:
                value = _weekday_day(int(m.group("d")), wd, today)
                out.append(DateMention(span[0], span[1], value, kind="date"))
                continue
            value = _day_in(int(m.group("d")), month, today)
            out.append(DateMention(span[0], span[1], value, kind="day" if month is None else "date"))
        except _Invalid:
            invalid = True
    return invalid


def _weekday_day(day: int, weekday: int, today: date) -> date:
    """The next ``day`` of a month (from today) that falls on ``weekday``; the plain next
    ``day`` when none does within two years (the guest mixed them up: the number wins)."""
    year, month = today.year, today.month
    for _ in range(24):
        if day <= calendar.monthrange(year, month)[1]:
            candidate = date(year, month, day)
            if candidate >= today and candidate.weekday() == weekday:
                return candidate
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return _bare_day(day, today)


def _blank_weekdays(text: str) -> tuple[str, dict[int, int]]:
    """ "del jueves 2 al domingo 5" → "del dia    2 al dia     5": the weekday leaves a neutral
    "dia" so the day is read as any day is, and is kept (by the day's position) to pick the month."""
    weekdays: dict[int, int] = {}
    out = text
    for m in _WEEKDAY_DAY.finditer(text):
        weekdays[m.start("d")] = WEEKDAYS[m.group("wd")]
        gap = m.start("d") - m.start()
        out = out[: m.start()] + ("dia" + " " * (gap - 3) if gap >= 4 else " " * gap) + out[m.start("d") :]
    return out, weekdays


def _nights(text: str, taken: list[DateMention]) -> tuple[int | None, bool]:
    """(nights, whether they are extra nights on top of a stay: "una noche más")."""
    for m in _NIGHTS.finditer(text):
        if not _free(m.span(), taken):
            continue
        try:
            n = _count(m.group("n"))
        except ValueError:
            continue
        if m.group("unit").startswith(("diaria", "noite")) and m.group("n") in ("a", "an"):
            continue  # "a diária", "à noite": the night's rate, in the evening (Portuguese)
        n = n * 7 if m.group("unit").startswith(("semana", "week")) else n
        return n, bool(m.group("more1") or m.group("more2"))
    return None, False


_LONG_MONTHS = [m for m in MONTHS if len(m) >= 5]
_WORD_NEAR_DAY = re.compile(
    r"(?<=\d)(?:st|nd|rd|th)?\s+(?:(?:de|of|the)\s+)?(?P<a>[a-z]{5,10})\b|\b(?P<b>[a-z]{5,10})\s+(?:the\s+)?(?=\d)"
)
# words that look like a month and are none: "junto", "mayores", "julia"
_NOT_MONTH = {
    "junto",
    "juntos",
    "juntas",
    "mayor",
    "mayores",
    "julia",
    "junta",
    "agosto",
    "marcos",
    "setembro",
}


def _month_typos(folded: str) -> str:
    """ "10 al 14 de agosot", "augst 10-14", "12 a 15 de outbro": a word next to a day number that
    is one slip away from a month's name is that month."""

    def fix(m: re.Match[str]) -> str:
        group = "a" if m.group("a") else "b"
        word = m.group(group)
        if word in MONTHS or word in WEEKDAYS or word in _NOT_MONTH:
            return m.group(0)
        close = difflib.get_close_matches(word, _LONG_MONTHS, n=1, cutoff=0.8)
        if not close or close[0][0] != word[0]:
            return m.group(0)
        start, end = m.span(group)
        return m.group(0)[: start - m.start()] + close[0] + m.group(0)[end - m.start() :]

    return _WORD_NEAR_DAY.sub(fix, folded)


WEEKDAY_ABBR: dict[str, str] = {
    "mon": "monday", "tue": "tuesday", "tues": "tuesday", "wed": "wednesday", "thu": "thursday",
    "thur": "thursday", "thurs": "thursday", "fri": "friday", "sat": "saturday", "sun": "sunday",
    "lun": "lunes", "mie": "miercoles", "mier": "miercoles", "jue": "jueves", "vie": "viernes",
    "sab": "sabado", "dom": "domingo", "seg": "segunda", "ter": "terca", "qui": "quinta",
    "sex": "sexta", "qua": "quarta", "qta": "quinta",
}  # fmt: skip
_WD_ABBR_ALT = "|".join(sorted(WEEKDAY_ABBR, key=len, reverse=True))
_WD_ANY = rf"(?:{_WEEKDAY_ALT}|{_WD_ABBR_ALT})"
# "sat to mon", "vie-dom", "sex a dom": abbreviations are weekdays only paired with another weekday
_WD_ABBR_RANGE = re.compile(
    rf"\b(?P<a>{_WD_ANY})\.?\s*(?P<sep>-|to|till|until|thru|through|al|a|hasta|ao|ate|(?<=\s)(?:and|y|e|&)(?=\s))"
    rf"\s*(?P<b>{_WD_ANY})\b\.?"
)


# "desde el vie", "from fri", "na sex", "arriving sat": one abbreviation, said where a day goes
_WD_ABBR_AFTER_ROLE = re.compile(
    rf"\b(?P<role>desde\s+el|a\s+partir\s+del|el|from|on|this|next|este|till|until|hasta\s+el|na|ate|pra|para\s+el"
    r"|arriv(?:e|ing)|leav(?:e|ing)|check(?:ing)?[\s-]?(?:in|out)|checkout)\s+"
    rf"(?P<a>{_WD_ABBR_ALT})\b\.?(?!\s*(?!(?:leav\w*|and|till|until|hasta|ate|check\w*)\b)[a-z]{{3,}}\b(?<!\bto\b)(?<!\bal\b))"
)


# "2 niños de 3 y 5", "filhos de 3 e 9", "kids 4 and 7": ages, never days of the month
_CHILD_AGES = re.compile(
    r"\b(?P<who>ninos|ninas|nenes|nenas|hij[oa]s|kids|children|sons|daughters|boys|girls|criancas|filh[oa]s|miudos"
    r"|peques|pequenos|pequenas|chicos|chicas|crios|bebes)\s+(?:de|of|aged|ages|con|com|with|\()?\s*"
    r"(?:1[0-7]|0?[1-9])(?:\s*(?:,|y|e|and|&)\s*(?:1[0-7]|0?[1-9]))+\b"
    rf"(?!\s*(?:de\s+|of\s+)?(?:{_MONTH_ALT}|{_ABBR_ALT})\b)(?!\s*/)"
)


def _weekday_abbreviations(folded: str) -> str:
    folded = _WD_ABBR_AFTER_ROLE.sub(
        lambda m: (
            f"{m.group('role')} {WEEKDAY_ABBR[m.group('a')]}"
            if m.group("a") not in ("sun", "sex", "ter", "qui", "mar", "sat")
            or m.group("role")
            in ("desde el", "a partir del", "from", "on", "this", "next", "na", "till", "until")
            or m.group("role").startswith(("arriv", "leav", "check"))
            else m.group(0)
        ),
        folded,
    )

    def full(m: re.Match[str]) -> str:
        a, b = m.group("a"), m.group("b")
        if a in WEEKDAYS and b in WEEKDAYS:
            return m.group(0)
        return f"{WEEKDAY_ABBR.get(a, a)} {m.group('sep')} {WEEKDAY_ABBR.get(b, b)}"

    return _WD_ABBR_RANGE.sub(full, folded)


_EN_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
_EN_ORD_ALT = "|".join(sorted(_EN_ORDINALS, key=len, reverse=True))
# "on the twentieth", "the twenty third", "january thirty-first": ordinals said in words, where a
# day goes ("the first time", "a second room" stay words)
_EN_ORDINAL_DAY = re.compile(
    rf"\b(?P<lead>the|(?:{_MONTH_ALT})|(?P<role>until|till|to|thru|through|from|and|on))\s+"
    rf"(?:(?P<tens>twenty|thirty)[\s-]+)?(?P<ord>{_EN_ORD_ALT})\b"
)


def _ordinal_words(folded: str) -> str:
    def day(m: re.Match[str]) -> str:
        value = _EN_ORDINALS[m.group("ord")] + (
            20 if m.group("tens") == "twenty" else 30 if m.group("tens") else 0
        )
        if value > 31 or (m.group("tens") and _EN_ORDINALS[m.group("ord")] > 9):
            return m.group(0)
        if m.group("role") and value < 4:  # "and second", "from first": only where "the" says a day
            return m.group(0)
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(value % 10 if value not in (11, 12, 13) else 0, "th")
        return f"{m.group('lead')} {value}{suffix}"

    return _EN_ORDINAL_DAY.sub(day, folded)


# Nights named by a holiday: the eve is one date; the others ("el puente", "o feriado",
# "Easter") move each year or span a choice of nights, so they are no dates: the dialogue asks.
_HOLIDAY_EVE = re.compile(
    r"\b(?P<nye>nochevieja|noche\s+vieja|new\s+years?\s+eve|new\s+year'?s\s+eve|nye|reveillon|revellion"
    r"|vespera\s+de\s+ano\s+novo)\b"
    r"|\b(?P<xe>nochebuena|noche\s+buena|christmas\s+eve|xmas\s+eve|vespera\s+de\s+natal|consoada)\b"
)
_HOLIDAY = re.compile(
    r"\b(?:(?:el|un|los|este|o|um|no|na|the|a|this|over)\s+)?(?P<h>puentes?|feriados?|feriadao|festivos?|semana\s+santa"
    r"|semana\s+de\s+pascua|pascuas?|pascoa|easter|carnaval|carnival|navidad(?:es)?|natal|christmas|xmas"
    r"|ano\s+nuevo|ano\s+novo|fin\s+de\s+ano|fim\s+de\s+ano|new\s+year'?s?|reyes|bank\s+holidays?|long\s+weekend"
    r"|thanksgiving|half[\s-]term)\b"
)

# Holy Week's days by name, a fixed number of days from Easter Sunday: "del jueves santo al domingo",
# "good friday to easter monday", "sexta-feira santa"
_EASTER_DAYS = re.compile(
    r"\b(?:(?P<palm>domingo\s+de\s+ramos|palm\s+sunday)|(?P<thu>jueves\s+santo|maundy\s+thursday|holy\s+thursday"
    r"|quinta(?:[\s-]*feira)?\s+santa)|(?P<fri>viernes\s+santo|good\s+friday|sexta(?:[\s-]*feira)?\s+santa|sexta\s+da\s+paixao)"
    r"|(?P<sat>sabado\s+santo|sabado\s+de\s+gloria|holy\s+saturday|easter\s+saturday|sabado\s+de\s+aleluia)"
    r"|(?P<sun>domingo\s+de\s+(?:pascua|resurreccion|pascoa)|easter\s+sunday|easter\s+day)"
    r"|(?P<mon>lunes\s+de\s+pascua|easter\s+monday|segunda(?:[\s-]*feira)?\s+de\s+pascoa))\b"
)
_EASTER_OFFSET = {"palm": -7, "thu": -3, "fri": -2, "sat": -1, "sun": 0, "mon": 1}
_MONTH_NAMES_EN = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
                   "october", "november", "december")  # fmt: skip


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (the anonymous algorithm, as in every computus table)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _easter_days(folded: str, today: date) -> str:
    """Holy Week's named days written as dates ("jueves santo" → "25 march 2027"): the coming ones."""

    def sub(m: re.Match[str]) -> str:
        offset = _EASTER_OFFSET[next(k for k in _EASTER_OFFSET if m.group(k))]
        day = easter_sunday(today.year) + timedelta(days=offset)
        if day < today:
            day = easter_sunday(today.year + 1) + timedelta(days=offset)
        return f"{day.day} {_MONTH_NAMES_EN[day.month - 1]} {day.year}"

    return _EASTER_DAYS.sub(sub, folded)


_AND_JOIN = re.compile(r"\s*,?\s*(?:y|and|e|&)\s+(?:(?:el|the|o|a|la|on|dia|de|do|da)\s+)*")
_LISTED_RANGE = re.compile(rf"\d{{1,2}}{_ORD}{_AND_JOIN.pattern}\d")
_BETWEEN = re.compile(r"\b(?:entre|between)\s+(?:(?:el|the|o|os|a|as|los|las|dia|dias|days)\s+)*$")


def _listed_nights(folded: str, mentions: list[DateMention]) -> bool:
    """Two days in a row joined by "and" ("el 24 y 25 de diciembre", "the 24th and 25th", "hoy y
    mañana", "sábado e domingo") name the nights: the guest leaves the morning after the second.
    "entre el 24 y el 25" and "llego el 24 y me voy el 25" are arrival and departure."""
    if not mentions or _BETWEEN.search(folded[: mentions[0].start]):
        return False
    if len(mentions) == 1:
        mm = mentions[0]
        return mm.kind in ("range", "dayrange") and bool(_LISTED_RANGE.match(folded, mm.start))
    return len(mentions) == 2 and bool(_AND_JOIN.fullmatch(folded, mentions[0].end, mentions[1].start))


_ONE_NIGHT_AFTER = re.compile(
    r"\s*(?:por\s+la\s+|a\s+la\s+|a\s+|de\s+|at\s+|en\s+la\s+|pela\s+|na\s+)?(?:noche|night|noite)\b"
)
_ONE_NIGHT_BEFORE = re.compile(
    r"\b(?:la\s+|the\s+|a\s+)?(?:noche|night|noite)\s+(?:(?:del?|of|do|da|on)\s+)?(?:(?:el|the|a|o|dia)\s+)*$"
)
_ARRIVING = re.compile(
    r"\b(?:lleg\w*|arriv\w*|cheg\w*|get(?:ting)?\s+(?:there|in)|come|coming|entramos|entrada|check[\s-]?in)\b"
    r"(?:\s+\w+){0,3}\s*$"
)


def _one_night(folded: str, mentions: list[DateMention]) -> bool:
    """ "friday night only", "el viernes por la noche", "a noite de sábado", "the night of the 12th":
    one night, unless it is when the guest arrives ("llegamos el viernes por la noche")."""
    if len(mentions) != 1 or mentions[0].kind not in ("weekday", "weekday_from_today", "day", "date"):
        return False
    mm = mentions[0]
    before = folded[max(0, mm.start - 40) : mm.start]
    if _ARRIVING.search(before) or _OUT_ROLE.search(before):
        return False
    return bool(_ONE_NIGHT_AFTER.match(folded, mm.end) or _ONE_NIGHT_BEFORE.search(before))


def extract_stay(text: str, lang: str, today: date, *, month_first: bool = False) -> StayDates:
    """Find check-in, check-out and nights in ``text`` (any case, accents or not).
    ``month_first``: the guest writes numeric dates month first (a US number): "1/4" is 4 January."""
    folded = fold(re.sub(r"\b[nN]\s*[º°]\s*(?=\d)", "numero ", text))
    if lang == "en":
        folded = _ordinal_words(folded)
    folded = numbers_to_digits(folded, lang)
    folded = _month_typos(folded)
    # WhatsApp shorthand: "2pax", "3noches", "p/ 2", "15-17/5" (= 15/5 to 17/5)
    folded = re.sub(
        r"\b(\d{1,2})(pax|ppl|personas?|pessoas?|people|adult\w*|adul|ninos?|kids?|noches?|nights?|noites?)\b",
        r"\1 \2",
        folded,
    )
    # "de mañana a pasado mañana", "mañana y pasado": tomorrow, then the day after
    folded = re.sub(
        r"\bde\s+(manana|amanha)\s+(?=(?:a|al|hasta|ate|y|e)\s+(?:pasado|depois))", r"\1 ", folded
    )
    folded = re.sub(r"\b(manana\s+(?:y|a|hasta)\s+)pasado\b(?!\s+manana)", r"\1pasado manana", folded)
    folded = re.sub(r"\b(amanha\s+(?:e|a|ate)\s+)depois\b(?!\s+de\s+amanha)", r"\1depois de amanha", folded)
    folded = re.sub(
        r"\b(tomorrow\s+(?:and|to|till|until)\s+)(?:the\s+)?day\s+after\b(?!\s+tomorrow)",
        r"\1day after tomorrow",
        folded,
    )
    # "de hoje a 8 dias", "de hoy en quince días": a week, two weeks from today (the day itself counted)
    folded = re.sub(
        r"\b(?:de\s+)?(?:hoje|hoy|hj)\s+(?:a|em|en)\s+(\d{1,2})\s+dias\b",
        lambda m: f"dentro de {int(m.group(1)) - 1 if m.group(1) in ('8', '15') else m.group(1)} dias",
        folded,
    )
    # "a week from today", "de hoy a una semana", "3 days from now": a day, counted from today
    folded = re.sub(
        r"\b(?:(?:de\s+)?(?:hoy|hoje|hj)\s+(?:a|en|em)\s+(?P<w>una|uma|um|1|2)\s+semanas?"
        r"|(?P<e>a|one|1|2)\s+weeks?\s+from\s+(?:today|now)|(?P<d>\d{1,2})\s+days\s+from\s+(?:today|now))\b",
        lambda m: (
            f"dentro de {m.group('d')} dias"
            if m.group("d")
            else f"dentro de {14 if (m.group('w') or m.group('e')) == '2' else 7} dias"
        ),
        folded,
    )
    # "5 days from monday", "por 3 días", "for 4 days": a stay counted in days is counted in nights
    folded = re.sub(
        r"\b(\d{1,2})\s+(?:dias|days)\b(?=\s+(?:from|starting|beginning|a\s+partir|apartir|desde)\b)",
        r"\1 nights",
        folded,
    )
    folded = re.sub(r"\b(por|for|durante|during)\s+(\d{1,2})\s+(?:dias|days)\b", r"\1 \2 nights", folded)
    folded = re.sub(r"(?<!\w)p/\s*(?=\d)", "para ", folded)
    folded = re.sub(r"\bpal\s+(?=\d)", "para el ", folded)  # "pal 15": spoken "para el"
    # "12.7 - 15.7": dotted day.month dates read in a range (a lone "10.30" stays a time)
    folded = re.sub(
        r"(?<![\d.:])\b(\d{1,2})\.(\d{1,2})\.?\s*(-|to|al|a|ao|ate|until|till|bis)\s*(\d{1,2})\.(\d{1,2})\b\.?(?![.:]?\d)",
        lambda m: (
            f"{m.group(1)}/{m.group(2)} {m.group(3)} {m.group(4)}/{m.group(5)}"
            if 1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(5)) <= 12
            else m.group(0)
        ),
        folded,
    )
    folded = re.sub(r"\bx(?=\d{1,2}\s+[a-z])", "x ", folded)  # "x2 personas", "x3 noches"
    folded = re.sub(
        r"(?<![\d/.-])\b(\d{1,2})\s*(-|al|a|ao|to|ate)\s*(\d{1,2})/(\d{1,2})\b(?!/)",
        lambda m: (
            f"{m.group(1)}/{m.group(4)} {m.group(2)} {m.group(3)}/{m.group(4)}"
            if int(m.group(1)) < int(m.group(3))
            else m.group(0)
        ),
        folded,
    )
    folded = _weekday_abbreviations(folded)
    folded = _easter_days(folded, today)
    folded = _CHILD_AGES.sub(lambda m: m.group("who") + " " * (len(m.group(0)) - len(m.group("who"))), folded)
    folded = re.sub(r"\b(primero|primeiro|first|1o|1ro|1ero|1er)\b(?=\s+(?:de|of)\b)", "1", folded)
    folded = _D_TYPO.sub(" de ", folded)  # "del 14 al 17 d abril"
    folded = re.sub(r"\bcheck(?:ing|ed)?[\s-]out\b", "checkout", folded)
    if lang != "pt":  # "in 4/1, out 6/1", "go out the 23": leaving, not October ("out" is Portuguese)
        folded = re.sub(r"\bout\b(?=\s+(?:on\s+)?(?:the\s+)?\d)", "leaving", folded)
    # "from 14. to 18. April": a day written with a dot after it
    folded = re.sub(
        r"\b(\d{1,2})\.(?=\s+(?:to|bis|-|al|a|ao|ate|until|till|\d|[a-z]{3,}\b))", r"\1", folded
    )  # "check out 21st" is no October ("out")
    # "mais uma noite", "otra noche", "another night": nights on top of the stay, said before the count
    folded = re.sub(r"\bmais\s+(\d{1,2}|uma|um)\s+(noites?)\b", r"\1 \2 mais", folded)
    folded = re.sub(r"\b(?:another|otra|outra)\s+(noche|night|noite)\b", r"1 \1 more", folded)
    # "add a night", "añadir 2 noches", "acrescentar uma noite": nights on top of the stay
    folded = re.sub(
        r"\b(?:add|adding|anadir|anadimos|agregar|agregamos|sumar|adicionar|acrescentar|extend\s+(?:it\s+)?by)"
        r"\s+(?:(?:an?|one|una?|uma?)\s+|(\d{1,2})\s+)(noches?|nights?|noites?)\b(?!\s+(?:mas|more|mais|extra))",
        lambda m: f"{m.group(1) or 1} {m.group(2)} more",
        folded,
    )
    # "las noches del 12 y 13", "the nights of the 12th and 13th": check-out the morning after the last
    nights_of = _NIGHTS_OF.search(folded)
    if nights_of:
        folded = (
            folded[: nights_of.start("prep")]
            + "del"
            + folded[nights_of.end("prep") : nights_of.start("sep")]
            + " al "
            + folded[nights_of.end("sep") :]
        )
    # "dia 18 e 19", "el 19 y 20": the second number of a pair of days is a day too
    folded = re.sub(
        rf"\b((?:dia|el|o|on\s+the|the)\s+{_DAY}(?:st|nd|rd|th|º)?\s+(?:e|y|and|&)\s+)(?={_DAY}\b{_NOT_DAY_AFTER}(?!\s*(?:de\s+)?(?:{_MONTH_ALT}|{_ABBR_ALT})\b))",
        r"\1dia ",
        folded,
    )
    weekday_nights = _WEEKDAY_NIGHTS.search(folded)
    folded, weekdays = _blank_weekdays(folded)
    mentions: list[DateMention] = []
    blocked: list[DateMention] = []
    invalid = _full_dates(folded, lang, today, mentions, blocked, month_first)
    mentions.extend(blocked)
    tonight = _relative(folded, today, mentions)
    invalid = _bare_days(folded, today, mentions, weekdays) or invalid
    mentions = [
        mm
        for mm in mentions
        if mm.kind != "invalid" and not _INSTEAD_OF.search(folded[max(0, mm.start - 30) : mm.start])
    ]
    if (
        all(mm.kind == "yesterday" for mm in mentions)
        and not any(_YESTERDAY_ROLE.search(folded[max(0, mm.start - 30) : mm.start]) for mm in mentions)
        and not _NIGHTS.search(folded)
    ):
        mentions = []  # "who won the match yesterday?" is no stay
    elif any(mm.kind != "yesterday" for mm in mentions):
        # "yesterday I asked about the 20th to the 22nd": when the message says the stay, a
        # yesterday no stay word leads to is when something happened, not a night
        mentions = [
            mm
            for mm in mentions
            if mm.kind != "yesterday"
            or _YESTERDAY_ROLE.search(folded[max(0, mm.start - 30) : mm.start])
            or _RANGE_END.match(folded, mm.end)  # "de ontem até domingo": a stay from yesterday
            or re.search(r"\b(?:de|desde|from|entre|between)\s+$", folded[max(0, mm.start - 8) : mm.start])
        ]
    if any(mm.kind in ("range", "dayrange", "date") for mm in mentions) or (
        weekday_nights and any(mm.kind.startswith("weekday") for mm in mentions)
    ):
        # "¿tienen lugar el finde largo? del viernes 12 al lunes 15": the days said win
        mentions = [mm for mm in mentions if mm.kind != "weekend"]
    weekend_of = _WEEKEND_OF_DAY.search(folded)
    holidays = list(_HOLIDAY.finditer(folded))
    # "Easter weekend", "el finde del puente": that holiday's weekend, not the coming one
    mentions = [
        mm
        for mm in mentions
        if mm.kind != "weekend"
        or not any(h.start() - 25 <= mm.start and mm.end <= h.end() + 25 for h in holidays)
    ]
    vague = ""
    if not mentions:
        if eve := _HOLIDAY_EVE.search(folded):
            with contextlib.suppress(_Invalid):
                value = _infer_year(12, 31 if eve.group("nye") else 24, today)
                mentions.append(DateMention(eve.start(), eve.end(), value, kind="date"))
        elif holidays:
            vague = holidays[0].group("h")
    mentions.sort(key=lambda mm: mm.start)
    nights, extra = _nights(folded, mentions)
    stay = StayDates(mentions=mentions, invalid=invalid, nights=None if extra else nights, vague=vague)
    if extra:
        stay.extra_nights = nights

    check_in: date | None = None
    check_out: date | None = None
    paired = False
    i = 0
    while i < len(mentions):
        mention = mentions[i]
        before = folded[max(0, mention.start - 40) : mention.start]
        if mention.end_value is not None:
            if check_in is None:
                check_in, check_out = mention.value, mention.end_value
            i += 1
            continue
        nxt = mentions[i + 1] if i + 1 < len(mentions) else None
        if (
            nxt is not None
            and nxt.end_value is None
            and _CONNECTOR.match(folded[mention.end : nxt.start])
            and check_in is None
        ):
            check_in, check_out = mention.value, nxt.value
            paired = True
            i += 2
            continue
        if _OUT_ROLE.search(before) and not _IN_ROLE.search(before[-12:]):
            # "el jueves 10 y el viernes 11, me voy el sábado 12": the departure said as such wins
            if check_out is None or (paired and check_in is not None and mention.value > check_out):
                check_out = mention.value
        elif check_in is None:
            check_in = mention.value
        elif check_out is None and mention.value > check_in:
            check_out = mention.value
        elif check_out is None and mention.kind == "day" and not stay.nights:
            # "the 3rd of july and go the 6th": a bare day after the arrival is the next one after it
            with contextlib.suppress(_Invalid):
                check_out = _bare_day(mention.value.day, check_in + timedelta(days=1))
        elif check_out is None and mention.kind == "weekday" and not stay.nights:
            # "de quarta a sábado" said on a Wednesday: the Saturday after that Wednesday
            check_out = check_in + timedelta(days=(mention.value.weekday() - check_in.weekday()) % 7 or 7)
        i += 1

    if check_in and check_out and check_out <= check_in:
        # "on the 6th of april, leaving the 9th", "friday the 5th of march, leave on the monday":
        # a bare day or weekday of departure is the next one after arrival
        for mm in mentions:
            if mm.value == check_out and mm.end_value is None and mm.kind in ("day", "weekday"):
                if mm.kind == "weekday":
                    check_out = check_in + timedelta(days=(check_out.weekday() - check_in.weekday()) % 7 or 7)
                else:
                    with contextlib.suppress(_Invalid):
                        check_out = _bare_day(check_out.day, check_in + timedelta(days=1))
                break
    if check_in and check_out and check_out < check_in and stay.nights is None:
        # "del 3 al 1", or a check-out day that fell into the next month: keep what was said
        pass
    said = folded[mentions[0].start : mentions[-1].end] if mentions else ""
    if (
        check_in
        and check_out
        and stay.nights
        and (check_out - check_in).days == stay.nights - 1
        and re.search(r"\b(?:y|and|e)\b|&", said)
        and not re.search(r"-|\b(?:al|to|a|ao|hasta|ate|until|till|through|thru|entre|between)\b", said)
    ):
        check_out = check_in + timedelta(days=stay.nights)  # "2 nights, the 14th and 15th": nights named
    if check_in and check_out is None:
        if stay.nights:
            check_out = check_in + timedelta(days=stay.nights)
        elif tonight and check_in == today:
            check_out = today + timedelta(days=1)
    if check_out and check_in is None and stay.nights:
        check_in = check_out - timedelta(days=stay.nights)
    if (
        (nights_of or weekday_nights)
        and check_in
        and check_out
        and check_out > check_in
        and stay.nights is None
    ):
        check_out += timedelta(days=1)
    if (
        check_in
        and check_out
        and stay.nights is None
        and (check_out - check_in).days == 1
        and not (nights_of or weekday_nights)
        and _listed_nights(folded, mentions)
    ):
        check_out += timedelta(days=1)  # "el 24 y 25", "sábado e domingo": the nights named
    if (
        weekend_of
        and check_in
        and check_out is None
        and stay.nights is None
        and len(mentions) == 1
        and check_in.weekday() >= 4
    ):
        # "o fds do dia 19", "the weekend of the 20th": that day's weekend, Friday or Saturday to Sunday
        if check_in.weekday() == 6:
            check_in -= timedelta(days=2)
        check_out = check_in + timedelta(days=6 - check_in.weekday())
    if check_in and check_out is None and stay.nights is None and _one_night(folded, mentions):
        check_out = check_in + timedelta(days=1)  # "friday night only", "la noche del 12"
    if check_in and check_out and stay.nights is None and check_out > check_in:
        stay.nights = (check_out - check_in).days
    stay.check_in, stay.check_out = check_in, check_out
    stay.day_only = bool(mentions) and all(mm.kind in ("day", "dayrange") for mm in mentions)
    stay.weekday_only = bool(mentions) and all(mm.kind == "weekday" for mm in mentions)
    blanked = list(folded)
    for mm in mentions:
        blanked[mm.start : mm.end] = " " * (mm.end - mm.start)
    stay.without_dates = "".join(blanked)
    stay.past = any(d < today for d in (check_in, check_out) if d is not None)
    return stay
