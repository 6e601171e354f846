"""Stay dates in ES/EN/PT against a fixed "today" (Tuesday 24 November 2026)."""

from __future__ import annotations

from datetime import date

import pytest

from hotelbox.nlu.dates import extract_stay

TODAY = date(2026, 11, 24)  # a Tuesday

CASES = [
    # (lang, text, check_in, check_out, nights)
    ("es", "del 3 al 5 de diciembre", "2026-12-03", "2026-12-05", 2),
    ("es", "del 30 de diciembre al 2 de enero", "2026-12-30", "2027-01-02", 3),
    ("es", "del 30 al 2 de enero", "2026-12-30", "2027-01-02", 3),
    ("es", "mañana, 2 noches", "2026-11-25", "2026-11-27", 2),
    ("es", "pasado mañana", "2026-11-26", None, None),
    ("es", "mañana por la mañana llego", "2026-11-25", None, None),
    ("es", "este viernes dos noches", "2026-11-27", "2026-11-29", 2),
    ("es", "llego el viernes y me voy el domingo", "2026-11-27", "2026-11-29", 2),
    ("es", "el martes", "2026-12-01", None, None),  # today is Tuesday: the next one
    ("es", "este fin de semana", "2026-11-27", "2026-11-29", 2),
    ("es", "el fin de semana que viene", "2026-12-04", "2026-12-06", 2),
    ("es", "3 noches a partir del 12", "2026-12-12", "2026-12-15", 3),
    ("es", "para esta noche", "2026-11-24", "2026-11-25", 1),
    ("es", "del 15/12 al 18/12", "2026-12-15", "2026-12-18", 3),
    ("es", "entre el 3 y el 5 de enero", "2027-01-03", "2027-01-05", 2),
    ("es", "el primero de diciembre", "2026-12-01", None, None),
    ("es", "en enero, del 14 al 16", "2027-01-14", "2027-01-16", 2),
    ("es", "dentro de dos semanas, una noche", "2026-12-08", "2026-12-09", 1),
    ("es", "llego el 12 y salgo el 15", "2026-12-12", "2026-12-15", 3),
    ("es", "treinta de diciembre", "2026-12-30", None, None),  # day written in words
    ("en", "from December 3rd to December 5th", "2026-12-03", "2026-12-05", 2),
    ("en", "Dec 3-5", "2026-12-03", "2026-12-05", 2),
    ("en", "from the 3rd to the 5th of December", "2026-12-03", "2026-12-05", 2),
    ("en", "this Friday for two nights", "2026-11-27", "2026-11-29", 2),
    ("en", "next Friday", "2026-12-04", None, None),  # "next" on a Tuesday: next week's
    ("en", "next weekend", "2026-12-04", "2026-12-06", 2),
    ("en", "tomorrow, a week", "2026-11-25", "2026-12-02", 7),
    ("en", "arriving on the 12th, leaving on the 15th", "2026-12-12", "2026-12-15", 3),
    ("en", "12/15", "2026-12-15", None, None),
    ("en", "Jan 14 2027 for 3 nights", "2027-01-14", "2027-01-17", 3),
    ("en", "30th Dec to 2nd Jan", "2026-12-30", "2027-01-02", 3),
    ("en", "the day after tomorrow", "2026-11-26", None, None),
    ("pt", "3 noites a partir de dia 12", "2026-12-12", "2026-12-15", 3),
    ("pt", "de 3 a 5 de dezembro", "2026-12-03", "2026-12-05", 2),
    ("pt", "na sexta-feira", "2026-11-27", None, None),
    ("pt", "sexta que vem, 2 noites", "2026-11-27", "2026-11-29", 2),
    ("pt", "depois de amanhã por três noites", "2026-11-26", "2026-11-29", 3),
    ("pt", "do dia 3 ao dia 5", "2026-12-03", "2026-12-05", 2),
    ("pt", "chego dia 20 e saio dia 23", "2026-12-20", "2026-12-23", 3),
    ("pt", "neste fim de semana", "2026-11-27", "2026-11-29", 2),
    ("pt", "hoje à noite", "2026-11-24", "2026-11-25", 1),
    ("pt", "em janeiro, de 14 a 16", "2027-01-14", "2027-01-16", 2),
]


@pytest.mark.parametrize(("lang", "text", "check_in", "check_out", "nights"), CASES)
def test_stay_dates(
    lang: str, text: str, check_in: str | None, check_out: str | None, nights: int | None
) -> None:
    stay = extract_stay(text, lang, TODAY)
    assert (
        stay.check_in and stay.check_in.isoformat(),
        stay.check_out and stay.check_out.isoformat(),
        stay.nights,
    ) == (check_in, check_out, nights)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("es", "a las 10.30"),
        ("en", "open 24/7?"),
        ("en", "the 2 of us"),
        ("pt", "quero um quarto duplo"),
        ("pt", "um quarto para a segunda quinzena"),
        ("es", "quién ganó el partido ayer?"),  # "yesterday" is never a stay
        ("es", "somos 4 personas"),
        ("en", "we arrive at 3pm"),
    ],
)
def test_no_stay_where_none_was_said(lang: str, text: str) -> None:
    stay = extract_stay(text, lang, TODAY)
    assert (stay.check_in, stay.check_out) == (None, None)


def test_invalid_date_is_flagged_not_guessed() -> None:
    stay = extract_stay("el 31 de febrero", "es", TODAY)
    assert stay.invalid
    assert stay.check_in is None


def test_recent_past_date_is_kept_in_the_past_so_the_guest_can_be_told() -> None:
    stay = extract_stay("20 de noviembre", "es", TODAY)
    assert stay.check_in == date(2026, 11, 20)
    assert stay.past


def test_long_past_month_day_means_next_year() -> None:
    assert extract_stay("3 de marzo", "es", TODAY).check_in == date(2027, 3, 3)


def test_explicit_year_in_the_past_is_past() -> None:
    stay = extract_stay("15/11/2025", "es", TODAY)
    assert stay.check_in == date(2025, 11, 15)
    assert stay.past


def test_extra_nights_are_told_apart_from_a_stay_length() -> None:
    assert extract_stay("quiero una noche más", "es", TODAY).extra_nights == 1
    assert extract_stay("two more nights please", "en", TODAY).extra_nights == 2
    assert extract_stay("3 noites", "pt", TODAY).extra_nights is None


def test_leap_day_without_year_is_the_next_leap_year() -> None:
    assert extract_stay("29 de febrero", "es", TODAY).check_in == date(2028, 2, 29)


# Issue 12, dates class: weekday + day checked against each other, nights named by their
# evening, "a partir de mañana", bare ranges, and numbers that are ages, not days.
WEEKDAY_AND_NIGHT_CASES = [
    ("es", "llegamos el viernes 15, dos noches", "2027-01-15", "2027-01-17", 2),  # Dec 15 is a Tuesday
    ("en", "Friday the 8th to Sunday the 10th", "2027-01-08", "2027-01-10", 2),
    ("en", "friday 11th till sunday 13th", "2026-12-11", "2026-12-13", 2),
    ("pt", "de sexta 4 a domingo 6 de dezembro", "2026-12-04", "2026-12-06", 2),
    ("pt", "de quinta-feira 10 a sábado 12", "2026-12-10", "2026-12-12", 2),
    ("es", "del jueves 3 al domingo 6 de diciembre", "2026-12-03", "2026-12-06", 3),
    ("es", "el jueves 10 y el viernes 11, me voy el sabado 12", "2026-12-10", "2026-12-12", 2),
    ("en", "this friday and saturday night", "2026-11-27", "2026-11-29", 2),
    ("es", "las noches del viernes y el sábado", "2026-11-27", "2026-11-29", 2),
    ("pt", "as noites de sexta e sábado", "2026-11-27", "2026-11-29", 2),
    ("es", "a partir de mañana, 4 noches", "2026-11-25", "2026-11-29", 4),
    ("pt", "três noites a partir de sexta", "2026-11-27", "2026-11-30", 3),
    ("es", "de 3 a 5", "2026-12-03", "2026-12-05", 2),
    ("en", "the 3rd to the 5th", "2026-12-03", "2026-12-05", 2),
    ("es", "una noche más, hasta el 12", None, "2026-12-12", None),
]


@pytest.mark.parametrize(("lang", "text", "check_in", "check_out", "nights"), WEEKDAY_AND_NIGHT_CASES)
def test_weekday_days_and_nights(
    lang: str, text: str, check_in: str | None, check_out: str | None, nights: int | None
) -> None:
    stay = extract_stay(text, lang, TODAY)
    assert (
        stay.check_in and stay.check_in.isoformat(),
        stay.check_out and stay.check_out.isoformat(),
        stay.nights,
    ) == (check_in, check_out, nights)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("es", "somos 2 adultos y 2 niños de 3 y 5 años"),
        ("en", "2 kids aged 6 and 9"),
        ("en", "the kids are 4 to 7 years old"),
        ("pt", "dois filhos de 4 e 7 anos"),
    ],
)
def test_childrens_ages_are_no_dates(lang: str, text: str) -> None:
    stay = extract_stay(text, lang, TODAY)
    assert (stay.check_in, stay.check_out) == (None, None)


def test_a_weekend_of_another_month_is_not_this_weekend() -> None:
    """ "el finde largo de octubre, del 9 al 12": the days said, not the coming weekend."""
    stay = extract_stay("para el finde largo de enero? del 8 al 11", "es", TODAY)
    assert (stay.check_in, stay.check_out) == (date(2027, 1, 8), date(2027, 1, 11))


def test_a_weekday_of_a_month_is_no_date_of_its_own() -> None:
    """ "un sábado de marzo, el 13 por ejemplo": the 13th of March, not the coming Saturday."""
    stay = extract_stay("cuánto cuesta una noche un sábado de marzo? el 13 por ejemplo", "es", TODAY)
    assert (stay.check_in, stay.check_out) == (date(2027, 3, 13), date(2027, 3, 14))
    stay = extract_stay("how much is a friday in january, say the 15th, one night", "en", TODAY)
    assert (stay.check_in, stay.check_out) == (date(2027, 1, 15), date(2027, 1, 16))


@pytest.mark.parametrize(
    ("lang", "text", "check_in", "check_out"),
    [
        ("es", "tienen algo para el weekend del 4 al 6 de diciembre?", "2026-12-04", "2026-12-06"),
        ("en", "the weekend of the 11th to the 13th", "2026-12-11", "2026-12-13"),
        ("pt", "o fim de semana de 11 a 13 de dezembro", "2026-12-11", "2026-12-13"),
        ("es", "este fin de semana, 2 noches", "2026-11-27", "2026-11-29"),
        ("es", "un fin de semana de 2 noches", "2026-11-27", "2026-11-29"),
    ],
)
def test_a_weekend_with_its_days_is_those_days(lang: str, text: str, check_in: str, check_out: str) -> None:
    stay = extract_stay(text, lang, TODAY)
    assert (str(stay.check_in), str(stay.check_out)) == (check_in, check_out)


@pytest.mark.parametrize(
    ("lang", "text", "check_in", "check_out"),
    [
        ("es", "nos iríamos el viernes 4 en vez del jueves", None, "2026-12-04"),
        ("es", "al final nos tenemos que ir el 6", None, "2026-12-06"),
        ("en", "we'd leave on the 6th instead of the 5th", None, "2026-12-06"),
        ("en", "we have to leave on the 6th", None, "2026-12-06"),
        ("pt", "sairíamos dia 6 em vez de dia 5", None, "2026-12-06"),
        ("es", "del 26 al 28 de este mes", "2026-11-26", "2026-11-28"),
        ("en", "the 3rd to the 5th of next month", "2026-12-03", "2026-12-05"),
        ("pt", "de 3 a 5 do mês que vem", "2026-12-03", "2026-12-05"),
    ],
)
def test_departures_replaced_dates_and_months_said_without_a_name(
    lang: str, text: str, check_in: str | None, check_out: str | None
) -> None:
    stay = extract_stay(text, lang, TODAY)
    assert (stay.check_in and str(stay.check_in), stay.check_out and str(stay.check_out)) == (
        check_in,
        check_out,
    )


@pytest.mark.parametrize(
    ("lang", "text", "extra"),
    [
        ("pt", "dava para ficarmos mais uma noite?", 1),
        ("pt", "queria ficar mais 2 noites", 2),
        ("es", "podemos quedarnos otra noche?", 1),
        ("en", "could we stay another night?", 1),
    ],
)
def test_nights_more_said_before_the_count_are_extra_nights(lang: str, text: str, extra: int) -> None:
    stay = extract_stay(text, lang, TODAY)
    assert (stay.extra_nights, stay.nights) == (extra, None)


@pytest.mark.parametrize(
    ("lang", "text", "check_in", "check_out"),
    [
        # English ordinals without "the"; "check out" is no October ("out")
        ("en", "arrive dec 4, depart 6th", "2026-12-04", "2026-12-06"),
        ("en", "check in 4th check out 7th", "2026-12-04", "2026-12-07"),
        ("en", "the 27th-29th", "2026-11-27", "2026-11-29"),
        ("en", "2nd floor room, our 1st time here", None, None),
        # days joined by a dash when the month is said nearby
        ("en", "in january, 8-11", "2027-01-08", "2027-01-11"),
        ("es", "en enero 8-11", "2027-01-08", "2027-01-11"),
        ("pt", "em janeiro, 8 - 11", "2027-01-08", "2027-01-11"),
        ("es", "llamame de 8-11 de la mañana", None, None),
        # a long weekend named by its days; "1ro"; Brazilian "diárias"; "hj"
        ("es", "el finde largo del 4 al 7 de diciembre", "2026-12-04", "2026-12-07"),
        ("en", "the long weekend from the 4th to the 7th of december", "2026-12-04", "2026-12-07"),
        ("es", "el 1ro de diciembre 2 noches", "2026-12-01", "2026-12-03"),
        ("pt", "3 diárias a partir de 1 de dezembro", "2026-12-01", "2026-12-04"),
        ("pt", "quanto custa a diária?", None, None),
        ("en", "2 nites from the 1st of december", "2026-12-01", "2026-12-03"),
        ("pt", "pra hj, 1 noite", "2026-11-24", "2026-11-25"),
        # Portuguese weekdays side by side are weekdays; "à noite" is no night count
        ("pt", "quinta e sexta à noite", "2026-11-26", "2026-11-28"),
        # a weekday of next week
        ("en", "next week friday for 2 nights", "2026-12-04", "2026-12-06"),
        ("es", "el viernes de la semana que viene, 2 noches", "2026-12-04", "2026-12-06"),
        ("pt", "da quinta da semana que vem até o domingo", "2026-12-03", "2026-12-06"),
        # a departure day or weekday said alone is the next one after arrival
        ("en", "arriving on the 3rd of january, leaving the 6th", "2027-01-03", "2027-01-06"),
        ("en", "we'd come saturday the 9th of january and leave on the tuesday", "2027-01-09", "2027-01-12"),
        # German-style "7." days, a weekend named beside its days, typos, going home
        ("en", "from 7. to 10. January", "2027-01-07", "2027-01-10"),
        ("es", "tienen lugar el finde? del jueves 3 al domingo 6 de diciembre", "2026-12-03", "2026-12-06"),
        ("en", "need a room from tommorow for 2 nights", "2026-11-25", "2026-11-27"),
        ("es", "llegamos el 3 de diciembre y nos regresamos el 6", "2026-12-03", "2026-12-06"),
        ("pt", "a gente chega dia 3 de dezembro e vai embora dia 6", "2026-12-03", "2026-12-06"),
        (
            "es",
            "entrando el 2 de diciembre, saliendo el 5",
            "2026-12-02",
            "2026-12-05",
        ),  # "saliendo" is no "do"
        ("en", "checking in 12/20, checking out 12/23", "2026-12-20", "2026-12-23"),
    ],
)
def test_dates_as_typed_on_a_phone(lang: str, text: str, check_in: str | None, check_out: str | None) -> None:
    stay = extract_stay(text, lang, TODAY)
    assert (stay.check_in and str(stay.check_in), stay.check_out and str(stay.check_out)) == (
        check_in,
        check_out,
    )


@pytest.mark.parametrize(
    ("lang", "text", "past"),
    [
        ("es", "quiero una habitacion para ayer", True),
        ("en", "book it for the day before yesterday", True),
        ("pt", "reserva pra anteontem", True),
        ("pt", "anteontem, 3 noites", True),
        ("en", "a room for last night please", True),
        ("en", "the heating was off last night", False),  # a complaint, no stay
        ("es", "la habitacion ayer estaba sucia", False),
    ],
)
def test_yesterday_and_the_day_before_are_past_stays(lang: str, text: str, past: bool) -> None:
    assert extract_stay(text, lang, TODAY).past is past
