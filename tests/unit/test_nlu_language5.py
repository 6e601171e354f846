"""Understanding, fifth round (issue 12): classes found by a probe set of WhatsApp messages written
apart from the bot — nights named by listing them, one night named by its evening, stays counted in
days, numeric dates by the guest's country, holidays instead of dates, ordinals in words. The
sentences here are new ones of each class."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hotelbox.nlu.understanding import Understander

TODAY = date(2027, 5, 4)  # a Tuesday


def stay(u: Understander, lang: str, text: str, phone: str | None = None) -> tuple[Any, Any]:
    e = u.understand(text, today=TODAY, lang=lang, phone=phone).entities
    return e.get("check_in"), e.get("check_out")


@pytest.mark.parametrize(
    ("lang", "text", "check_in", "check_out"),
    [
        # two days in a row joined by "and" are the nights: the guest leaves the morning after
        ("es", "el 14 y 15 de junio, hay sitio?", "2027-06-14", "2027-06-16"),
        ("en", "the 20th and 21st for two", "2027-05-20", "2027-05-22"),
        ("pt", "dia 3 e 4 de julho", "2027-07-03", "2027-07-05"),
        ("es", "hoy y mañana", "2027-05-04", "2027-05-06"),
        ("en", "saturday and sunday", "2027-05-08", "2027-05-10"),
        ("pt", "sáb e dom", "2027-05-08", "2027-05-10"),
        ("en", "tomorrow and the day after", "2027-05-05", "2027-05-07"),
        # arrival and departure stay so
        ("es", "entre el 14 y el 15 de junio", "2027-06-14", "2027-06-15"),
        ("en", "arriving the 20th and leaving the 21st", "2027-05-20", "2027-05-21"),
        ("es", "del 14 al 15 de junio", "2027-06-14", "2027-06-15"),
        ("pt", "chegamos dia 13 e saímos dia 15", "2027-05-13", "2027-05-15"),
    ],
)
def test_listed_days_are_nights(
    understander: Understander, lang: str, text: str, check_in: str, check_out: str
) -> None:
    assert stay(understander, lang, text) == (check_in, check_out)


@pytest.mark.parametrize(
    ("lang", "text", "check_in", "check_out"),
    [
        ("en", "saturday night only", "2027-05-08", "2027-05-09"),
        ("es", "solo la noche del sábado", "2027-05-08", "2027-05-09"),
        ("pt", "só a noite de sexta-feira", "2027-05-07", "2027-05-08"),
        ("en", "just the night of the 20th", "2027-05-20", "2027-05-21"),
        ("pt", "só sexta à noite", "2027-05-07", "2027-05-08"),
        ("pt", "quinta pela noite, somos 2", "2027-05-06", "2027-05-07"),
        ("pt", "a segunda noite é mais barata?", None, None),
        # the evening they arrive is no length of stay
        ("es", "llegamos el viernes por la noche", "2027-05-07", None),
        ("en", "we get in friday night", "2027-05-07", None),
    ],
)
def test_one_night_named_by_its_evening(
    understander: Understander, lang: str, text: str, check_in: str | None, check_out: str | None
) -> None:
    assert stay(understander, lang, text) == (check_in, check_out)


@pytest.mark.parametrize(
    ("lang", "text", "check_in", "check_out"),
    [
        ("en", "5 days from friday", "2027-05-07", "2027-05-12"),
        ("es", "cuatro días a partir del lunes", "2027-05-10", "2027-05-14"),
        ("pt", "por 3 dias a partir de amanhã", "2027-05-05", "2027-05-08"),
        ("pt", "de hoje a 8 dias", "2027-05-11", None),
        ("es", "de hoy en quince días", "2027-05-18", None),
        ("pt", "de hoje a 10 dias, 2 noites", "2027-05-14", "2027-05-16"),
    ],
)
def test_days_counted_from_a_day(
    understander: Understander, lang: str, text: str, check_in: str, check_out: str | None
) -> None:
    assert stay(understander, lang, text) == (check_in, check_out)


@pytest.mark.parametrize(
    ("lang", "text", "check_in", "check_out"),
    [
        # "out" is October only in Portuguese
        ("en", "in 3/6, out 5/6", "2027-06-03", "2027-06-05"),
        ("en", "arrive the 9th of may and go out the 12th", "2027-05-09", "2027-05-12"),
        ("pt", "chegada 2 out, saída 5 out", "2027-10-02", "2027-10-05"),
        # ordinals in words, as dictated
        ("en", "from the twenty first to the twenty fourth", "2027-05-21", "2027-05-24"),
        ("en", "june the third until june the sixth", "2027-06-03", "2027-06-06"),
        ("en", "first of all, do you have parking?", None, None),
        ("en", "is it my second booking with you?", None, None),
    ],
)
def test_out_and_ordinal_words(
    understander: Understander, lang: str, text: str, check_in: str | None, check_out: str | None
) -> None:
    assert stay(understander, lang, text) == (check_in, check_out)


@pytest.mark.parametrize(
    ("lang", "phone", "text", "check_in", "check_out"),
    [
        ("en", "+14155550123", "arriving 6/3 leaving 6/5", "2027-06-03", "2027-06-05"),
        ("en", "+447911123456", "arriving 3/6 leaving 5/6", "2027-06-03", "2027-06-05"),
        ("en", "+4915112345678", "from 3/6 to 5/6", "2027-06-03", "2027-06-05"),
        # a date only readable day first: this guest writes day first whatever the number
        ("en", "+14155550123", "28/5 to 2/6", "2027-05-28", "2027-06-02"),
        ("es", "+18095551234", "del 3/6 al 5/6", "2027-06-03", "2027-06-05"),
        ("pt", "+5511987654321", "de 3/6 a 5/6", "2027-06-03", "2027-06-05"),
    ],
)
def test_numeric_dates_by_the_guests_country(
    understander: Understander, lang: str, phone: str, text: str, check_in: str, check_out: str
) -> None:
    assert stay(understander, lang, text, phone) == (check_in, check_out)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("es", "una habitación para el puente"),
        ("pt", "tem vaga pro feriado?"),
        ("en", "easter weekend, 2 adults"),
        ("pt", "para o carnaval, somos 4"),
        ("es", "para semana santa"),
        ("en", "over the bank holiday weekend"),
    ],
)
def test_a_holiday_is_no_dates(understander: Understander, lang: str, text: str) -> None:
    u = understander.understand(text, today=TODAY, lang=lang)
    assert (u.entities.get("check_in"), u.entities.get("check_out")) == (None, None)
    assert "vague_dates" in u.flags


@pytest.mark.parametrize(
    ("lang", "text", "check_in", "check_out"),
    [
        ("en", "new year's eve, one night", "2027-12-31", "2028-01-01"),
        ("es", "nochebuena y navidad", "2027-12-24", None),
        ("pt", "réveillon, 2 noites", "2027-12-31", "2028-01-02"),
        # the days said win over the holiday's name
        ("es", "para el puente, del 6 al 8 de diciembre", "2027-12-06", "2027-12-08"),
        ("es", "este finde", "2027-05-07", "2027-05-09"),
    ],
)
def test_holiday_eves_are_dates(
    understander: Understander, lang: str, text: str, check_in: str, check_out: str | None
) -> None:
    u = understander.understand(text, today=TODAY, lang=lang)
    assert (u.entities.get("check_in"), u.entities.get("check_out")) == (check_in, check_out)
    assert "vague_dates" not in u.flags


@pytest.mark.parametrize(
    ("lang", "text", "phone", "expected"),
    [
        ("es", "ocupamos dos cuartos para el sabado", None, "es-419"),
        ("es", "me regalas el precio de la doble?", None, "es-419"),
        ("pt", "tô indo de carro, tem garagem?", None, "pt-BR"),
        ("pt", "estamos saindo de São Paulo amanhã", None, "pt-BR"),
        ("pt", "estamos a sair de Lisboa amanhã", None, "pt-PT"),
        ("pt", "tá bom, pode reservar", None, "pt-BR"),
        ("es", "queremos un cuarto con baño", "+34612345678", None),
    ],
)
def test_variety_words(lang: str, text: str, phone: str | None, expected: str | None) -> None:
    from hotelbox.nlu.language import variety

    assert variety(lang, text, phone) == expected


@pytest.mark.parametrize(
    ("lang", "text", "adults"),
    [
        ("pt", "e se formos 4, quanto fica?", 4),
        ("pt", "caso sejamos 3 pessoas", 3),
        ("es", "y si fuésemos 5?", 5),
        ("en", "what if we're 3", 3),
    ],
)
def test_a_party_in_a_conditional(understander: Understander, lang: str, text: str, adults: int) -> None:
    assert understander.understand(text, today=TODAY, lang=lang).entities.get("adults") == adults


@pytest.mark.parametrize(
    ("lang", "text", "email"),
    [
        ("en", "sure, my email is mary jane at outlook dot com", "maryjane@outlook.com"),
        ("es", "mi correo es carlos ruiz arroba yahoo punto es", "carlosruiz@yahoo.es"),
        ("pt", "o e-mail é rita campos arroba sapo ponto pt", "ritacampos@sapo.pt"),
        ("es", "el correo es lola punto vidal arroba gmail punto com", "lola.vidal@gmail.com"),
    ],
)
def test_a_dictated_address_of_several_words(
    understander: Understander, lang: str, text: str, email: str
) -> None:
    assert understander.understand(text, today=TODAY, lang=lang).entities.get("email") == email


@pytest.mark.parametrize(
    ("lang", "text", "intents"),
    [
        ("en", "okay thx!", {"thanks"}),
        ("pt", "ok, obgd", {"thanks"}),
        ("es", "ok, muchas gracias", {"thanks"}),
        ("en", "nah im good", {"deny"}),
        ("en", "is a late check out possible?", {"special_request"}),
        ("pt", "tem como sair mais tarde do quarto?", {"special_request"}),
        ("es", "tendríais una cuna de viaje?", {"special_request"}),
    ],
)
def test_short_thanks_refusals_and_requests(
    understander: Understander, lang: str, text: str, intents: set[str]
) -> None:
    assert understander.understand(text, today=TODAY, lang=lang).intent in intents


@pytest.mark.parametrize(
    ("lang", "text", "check_in", "check_out"),
    [
        # the second day of a pair said without its "dia"/"el"
        ("pt", "tem quarto dia 20 e 21?", "2027-05-20", "2027-05-22"),
        ("es", "el 27 y 28 hay algo?", "2027-05-27", "2027-05-29"),
        ("pt", "dia 20 e 3 pessoas", "2027-05-20", None),
        # a day counted from today is a day, not a stay
        ("es", "de hoy a una semana", "2027-05-11", None),
        ("en", "two weeks from today, 2 nights", "2027-05-18", "2027-05-20"),
        ("en", "3 days from now", "2027-05-07", None),
        ("pt", "de hoje a uma semana, 3 noites", "2027-05-11", "2027-05-14"),
        # ordinals in words after "until", "to"
        ("en", "the twenty-second until twenty-fifth", "2027-05-22", "2027-05-25"),
        ("en", "from the fifth to seventh of june", "2027-06-05", "2027-06-07"),
    ],
)
def test_pairs_weeks_from_today_and_ordinals(
    understander: Understander, lang: str, text: str, check_in: str, check_out: str | None
) -> None:
    assert stay(understander, lang, text) == (check_in, check_out)


@pytest.mark.parametrize(
    ("lang", "text", "adults", "children"),
    [
        ("es", "somos yo y mis 3 hijos", 1, 3),
        ("en", "we are me and my 2 kids", 1, 2),
        ("pt", "somos eu e os meus 2 filhos", 1, 2),
        ("es", "somos yo y mi mujer y 2 niños", 2, 2),
        ("es", "una doble pa 2 el finde", 2, None),
    ],
)
def test_the_writer_with_children_and_pa(
    understander: Understander, lang: str, text: str, adults: int, children: int | None
) -> None:
    e = understander.understand(text, today=TODAY, lang=lang).entities
    assert (e.get("adults"), e.get("children")) == (adults, children)


@pytest.mark.parametrize(
    ("lang", "text", "intents"),
    [
        ("pt", "esquece, deixa pra lá", {"deny"}),
        ("en", "what time does the bar open?", {"ask_info"}),
        ("es", "a qué hora abre el bar?", {"ask_info"}),
    ],
)
def test_colloquial_refusals_and_opening_hours(
    understander: Understander, lang: str, text: str, intents: set[str]
) -> None:
    assert understander.understand(text, today=TODAY, lang=lang).intent in intents


@pytest.mark.parametrize(
    ("lang", "text", "name", "room"),
    [
        # the surname said as such goes last; "family name" is no family room
        ("en", "name is WANG Lei, Wang is the family name", "Lei Wang", None),
        ("en", "Park Ji-woo, my surname is Park", "Ji-woo Park", None),
        (
            "es",
            "a nombre de Ortega Blanco Marta, Ortega Blanco son los apellidos",
            "Marta Ortega Blanco",
            None,
        ),
        ("pt", "em nome de Sato Hana, Sato é o sobrenome", "Hana Sato", None),
        ("en", "the family room, name Tom Hardy", "Tom Hardy", "family"),
    ],
)
def test_the_surname_said_as_such(
    understander: Understander, lang: str, text: str, name: str, room: str | None
) -> None:
    e = understander.understand(text, today=TODAY, lang=lang).entities
    assert (e.get("guest_name"), e.get("room_type")) == (name, room)


@pytest.mark.parametrize(
    ("lang", "text", "intents"),
    [
        # a stay still to come with "how does X work": a question, not a complaint
        ("pt", "vamos em julho de 3 a 6, e o estacionamento como funciona?", {"ask_info"}),
        ("es", "llegamos el 3 de julio, ¿y el desayuno cómo funciona?", {"ask_info"}),
        ("en", "we're coming 3-6 july, how does the parking work?", {"ask_info"}),
        # still complaints
        ("pt", "o chuveiro do quarto não funciona", {"complaint"}),
        ("es", "la calefacción no funciona", {"complaint"}),
    ],
)
def test_how_does_it_work_is_a_question(
    understander: Understander, lang: str, text: str, intents: set[str]
) -> None:
    assert understander.understand(text, today=TODAY, lang=lang).intent in intents


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # "pa" is "para" as spoken
        ("es", "una doble pa mi chica y pa mi", {"adults": 2, "guest_name": None}),
        ("es", "una doble pa nosotros 2", {"adults": 2}),
        # a group named by who they are, and a hen party is no single room
        ("es", "somos 6 chicas, despedida de soltera", {"adults": 6, "room_type": None}),
        ("en", "we're a stag do, 8 lads", {"adults": 8}),
        ("pt", "somos 5 meninas", {"adults": 5}),
        ("es", "2 adultos y 2 chicos", {"adults": 2, "children": 2}),
        # children by regional words: the count of us minus them
        ("es", "somos 5, mi señora, yo y los 3 pibes de 2, 6 y 9", {"adults": 2, "children": 3}),
        ("es", "somos 4: mi marido y yo y los 2 chavales", {"adults": 2, "children": 2}),
        # a name after "les escribe"; a capitalised name before lower-case words beside an e-mail
        (
            "es",
            "Buenas tardes, les escribe Rosa María Quintero (rosa.q@gmail.com)",
            {"guest_name": "Rosa María Quintero"},
        ),
        ("pt", "sou só eu, viagem de negócios. Rui Matos, rui.matos@firma.pt", {"guest_name": "Rui Matos"}),
    ],
)
def test_pa_groups_and_names_beside_lower_case_words(
    understander: Understander, lang: str, text: str, expected: dict[str, Any]
) -> None:
    e = understander.understand(text, today=TODAY, lang=lang).entities
    assert {k: e.get(k) for k in expected} == expected


@pytest.mark.parametrize(
    ("text", "phone", "lang"),
    [
        # spelling only one of our languages has
        ("perdão, enganei-me na conversa", None, "pt"),
        ("diga-me só o preço", None, "pt"),
        ("¿cuánto cuesta?", None, "es"),
        # words of no language we speak, from a number abroad: English
        ("Marhaba habibi", "+971501234567", "en"),
        ("Namaste ji", "+919812345678", "en"),
    ],
)
def test_language_by_spelling_and_by_a_foreign_number(
    understander: Understander, text: str, phone: str | None, lang: str
) -> None:
    assert understander.understand(text, today=TODAY, phone=phone).lang == lang
