"""Understanding in context, fourth round (issue 12): classes found by a probe set written apart
from the bot (who the room is for, names after a relation, misspelt months, weekday ranges,
clock times, references with a space). Sentences here are new ones of each class."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hotelbox.nlu.understanding import Understander

TODAY = date(2027, 3, 10)  # a Wednesday


def entities(u: Understander, lang: str, text: str) -> dict[str, Any]:
    return u.understand(text, today=TODAY, lang=lang).entities


def party(u: Understander, lang: str, text: str) -> tuple[Any, Any]:
    e = entities(u, lang, text)
    return e.get("adults"), e.get("children")


@pytest.mark.parametrize(
    ("lang", "text", "adults", "children"),
    [
        # a room for someone else: they are the party, not the writer
        ("en", "a double for my grandparents please", 2, None),
        ("en", "one single room for my brother", 1, None),
        ("en", "its only for my mother", 1, None),
        ("es", "una habitacion individual para mi abuela", 1, None),
        ("es", "es para mis suegros", 2, None),
        ("es", "la doble es para mi hija y su marido", 2, None),
        ("pt", "um quarto pro meu pai", 1, None),
        ("pt", "é para os meus sogros", 2, None),
        ("pt", "um duplo para o meu irmão e a mulher dele", 2, None),
        ("es", "una doble para mi madre y mi padre", 2, None),
        ("en", "its for my dad and his partner", 2, None),
        # the writer with a child whose age is said apart
        ("en", "just me and my daughter, she's 8", 1, 1),
        ("en", "two adults, the boy is 11", 2, 1),
        ("es", "solo mi hijo y yo, tiene 9 años", 1, 1),
        ("pt", "só eu e o meu filho, ele tem 6 anos", 1, 1),
        # unchanged: the writer comes too, or it is no party at all
        ("en", "a surprise for my wife, we arrive friday", 2, None),
        ("es", "para mi y mi madre", 2, None),
        ("en", "my mother's birthday present", None, None),
    ],
)
def test_the_party_of_someone_else(
    understander: Understander, lang: str, text: str, adults: Any, children: Any
) -> None:
    assert party(understander, lang, text) == (adults, children)


@pytest.mark.parametrize(
    ("lang", "text", "name"),
    [
        ("en", "one double for my parents, Paul and Jane Webb", None),  # two people: no one guest name
        ("en", "a single room for my aunt Helen Moss please", "Helen Moss"),
        ("en", "its for my boss james whitaker", "James Whitaker"),
        ("en", "my wife Ana and I", None),
        ("es", "una individual para mi abuela Pilar Soto Vega", "Pilar Soto Vega"),
        ("es", "la reserva es para mi jefe, Andrés Molina", "Andrés Molina"),
        ("es", "es para mi hermana lucia prieto", "Lucia Prieto"),
        ("pt", "um quarto para o meu sogro Antônio Ribeiro", "Antônio Ribeiro"),
        ("pt", "é pra minha tia rosana campos", "Rosana Campos"),
        ("pt", "é para a minha mãe na sexta", None),
    ],
)
def test_a_name_after_a_relation(understander: Understander, lang: str, text: str, name: str | None) -> None:
    got = entities(understander, lang, text).get("guest_name")
    assert (got and got.lower()) == (name and name.lower())


@pytest.mark.parametrize(
    ("lang", "text", "check_in", "check_out"),
    [
        ("en", "do you have a double novmber 3 to 6", "2027-11-03", "2027-11-06"),
        ("en", "2 adults from janury 8 to 11", "2028-01-08", "2028-01-11"),
        ("en", "the 4th to the 7th of aprli", "2027-04-04", "2027-04-07"),
        ("es", "del 3 al 6 de novimbre", "2027-11-03", "2027-11-06"),
        ("es", "8 al 11 de jullio, 2 personas", "2027-07-08", "2027-07-11"),
        ("es", "del 20 al 22 de setiempre", "2027-09-20", "2027-09-22"),
        ("pt", "de 3 a 6 de novenbro", "2027-11-03", "2027-11-06"),
        ("pt", "dia 8 a 11 de jullho", "2027-07-08", "2027-07-11"),
        ("pt", "de 20 a 22 de dezenbro", "2027-12-20", "2027-12-22"),
    ],
)
def test_misspelt_months(
    understander: Understander, lang: str, text: str, check_in: str, check_out: str
) -> None:
    e = entities(understander, lang, text)
    assert (e.get("check_in"), e.get("check_out")) == (check_in, check_out)


@pytest.mark.parametrize(
    ("lang", "text"),
    [("es", "somos 2 mayores y 1 niño"), ("es", "vamos 3 juntos"), ("pt", "somos 4 juntos na viagem")],
)
def test_words_like_months_are_no_dates(understander: Understander, lang: str, text: str) -> None:
    assert "check_in" not in entities(understander, lang, text)


@pytest.mark.parametrize(
    ("lang", "text", "check_in", "check_out", "adults"),
    [
        # today is Wednesday 10 March 2027
        ("en", "can we do fri to sun", "2027-03-12", "2027-03-14", None),
        ("en", "thu-sat for the double", "2027-03-11", "2027-03-13", None),
        ("en", "saturday to monday, 3 guests", "2027-03-13", "2027-03-15", 3),
        ("en", "thursday till sunday, 2 pax", "2027-03-11", "2027-03-14", 2),
        ("es", "de vie a dom", "2027-03-12", "2027-03-14", None),
        ("es", "del jueves al sabado, 2 huespedes", "2027-03-11", "2027-03-13", 2),
        ("pt", "sex a dom", "2027-03-12", "2027-03-14", None),
        ("pt", "chego sexta e saio domingo", "2027-03-12", "2027-03-14", None),
        ("pt", "chegamos segunda e vamos embora quarta", "2027-03-15", "2027-03-17", None),
    ],
)
def test_weekday_ranges(
    understander: Understander, lang: str, text: str, check_in: str, check_out: str, adults: int | None
) -> None:
    e = entities(understander, lang, text)
    assert (e.get("check_in"), e.get("check_out"), e.get("adults")) == (check_in, check_out, adults)


@pytest.mark.parametrize(
    ("lang", "text"),
    [("en", "i sat down to check the prices"), ("pt", "a segunda opção a mais barata"), ("es", "el sab ado")],
)
def test_weekday_abbreviations_alone_are_no_dates(understander: Understander, lang: str, text: str) -> None:
    assert "check_in" not in entities(understander, lang, text)


@pytest.mark.parametrize(
    ("lang", "text", "adults"),
    [
        # a clock time is no party
        ("es", "llegaremos a las 7", None),
        ("es", "el sabado llegamos sobre las 9", None),
        ("es", "salimos hasta las 11", None),
        ("en", "we'll get there at 7", None),
        ("pt", "chegamos por volta das 9", None),
        # a party still is
        ("es", "seremos los 3", 3),
        ("es", "somos 4, llegamos a las 6", 4),
    ],
)
def test_clock_times_are_no_party(
    understander: Understander, lang: str, text: str, adults: int | None
) -> None:
    assert entities(understander, lang, text).get("adults") == adults


@pytest.mark.parametrize(
    ("lang", "text", "ref"),
    [
        ("en", "my booking is HB 5521, can I add a night", "HB-5521"),
        ("es", "la reserva hb 7710 la quiero anular", "HB-7710"),
        ("pt", "reserva hb 1204, quero mudar", "HB-1204"),
        ("es", "cuesta EUR 150 la noche?", None),
        ("es", "estamos en la HAB 204", None),
        ("en", "can we pay 300 in cash", None),
    ],
)
def test_references_written_with_a_space(
    understander: Understander, lang: str, text: str, ref: str | None
) -> None:
    assert entities(understander, lang, text).get("booking_ref") == ref


@pytest.mark.parametrize(
    ("lang", "text", "room"),
    [
        ("en", "is the suit free on the 20th", "suite"),
        ("es", "queremos una suit con vistas", "suite"),
        ("pt", "a suit ainda tem vaga?", "suite"),
        ("en", "does the 20th suit you?", None),
        ("en", "would that suit you", None),
    ],
)
def test_suite_without_its_e(understander: Understander, lang: str, text: str, room: str | None) -> None:
    assert entities(understander, lang, text).get("room_type") == room


@pytest.mark.parametrize(
    ("lang", "text", "check_in", "check_out"),
    [
        ("en", "two nights, 14 and 15 june", "2027-06-14", "2027-06-16"),
        ("es", "2 noches, el 14 y el 15 de junio", "2027-06-14", "2027-06-16"),
        ("pt", "duas noites, 14 e 15 de junho", "2027-06-14", "2027-06-16"),
        ("en", "2 nights, from the 14th to the 16th of june", "2027-06-14", "2027-06-16"),
    ],
)
def test_nights_named_by_their_dates(
    understander: Understander, lang: str, text: str, check_in: str, check_out: str
) -> None:
    e = entities(understander, lang, text)
    assert (e.get("check_in"), e.get("check_out")) == (check_in, check_out)


@pytest.mark.parametrize(
    ("lang", "text", "adults", "children", "name"),
    [
        ("en", "a double for my daughter Amy Cole and her husband", 2, None, "Amy Cole"),
        ("es", "una doble para mi hermano Raúl Pardo y su novia", 2, None, "Raúl Pardo"),
        ("pt", "um quarto para o meu pai Jorge Leal e a esposa", 2, None, "Jorge Leal"),
        ("en", "me and my 2 little girls", 1, 2, None),
        ("en", "just me with my three young kids", 1, 3, None),
    ],
)
def test_someone_else_named_with_their_partner(
    understander: Understander, lang: str, text: str, adults: int, children: int | None, name: str | None
) -> None:
    e = entities(understander, lang, text)
    assert (e.get("adults"), e.get("children"), e.get("guest_name")) == (adults, children, name)


@pytest.mark.parametrize(
    ("lang", "text", "check_in", "check_out"),
    [
        ("en", "do you have anything 8/3 to 8/6", "2027-08-03", "2027-08-06"),
        ("en", "6/1-6/4 for two", "2027-06-01", "2027-06-04"),
        ("es", "del 3/8 al 6/8", "2027-08-03", "2027-08-06"),
        ("pt", "de 1/6 a 4/6", "2027-06-01", "2027-06-04"),
        ("en", "from 3/4 to 6/4", "2027-04-03", "2027-04-06"),
    ],
)
def test_numeric_ranges_read_the_way_that_makes_a_stay(
    understander: Understander, lang: str, text: str, check_in: str, check_out: str
) -> None:
    e = entities(understander, lang, text)
    assert (e.get("check_in"), e.get("check_out")) == (check_in, check_out)


@pytest.mark.parametrize(
    ("text", "adults", "children"),
    [("2 adults and a 7yo", 2, 1), ("me, my wife and our 3 y/o", 2, 1), ("3 adults plus a 10 yrs", 3, 1)],
)
def test_a_child_by_age_shorthand(understander: Understander, text: str, adults: int, children: int) -> None:
    assert party(understander, "en", text) == (adults, children)


@pytest.mark.parametrize(
    ("lang", "text", "adults", "name"),
    [
        ("en", "hi, I'd like a single for my dad Peter Lowe, 3 to 5 june", 1, "Peter Lowe"),
        ("en", "great, the booking is for Marco Bianchi", None, "Marco Bianchi"),
        ("es", "vale, la reserva es para Julia Marco Sanz", None, "Julia Marco Sanz"),
        ("pt", "ok, a reserva é para Marco Antunes", None, "Marco Antunes"),
        ("es", "una individual para mi padre Tomás Gil Soto del 3 al 5 de junio", 1, "Tomás Gil Soto"),
        ("pt", "um quarto para a minha mãe Ana Reis da Costa de 3 a 5 de junho", 1, "Ana Reis da Costa"),
        ("en", "the booking is for next week", None, None),
    ],
)
def test_who_the_booking_is_for(
    understander: Understander, lang: str, text: str, adults: int | None, name: str | None
) -> None:
    e = entities(understander, lang, text)
    assert (e.get("adults"), e.get("guest_name")) == (adults, name)


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # WhatsApp shorthand: abbreviated weekdays and rooms, glued counts, "p/ 2", "15-17/5"
        (
            "es",
            "hab doble x 3 noches desde el jue",
            {"check_in": "2027-03-11", "check_out": "2027-03-14", "room_type": "double"},
        ),
        (
            "en",
            "sgl room 2 nights from thu",
            {"check_in": "2027-03-11", "check_out": "2027-03-13", "room_type": "single"},
        ),
        (
            "en",
            "a dbl for 2 this wknd",
            {"check_in": "2027-03-12", "check_out": "2027-03-14", "room_type": "double", "adults": 2},
        ),
        (
            "es",
            "hay lugar p/ 3 el finde q viene?",
            {"check_in": "2027-03-19", "check_out": "2027-03-21", "adults": 3},
        ),
        (
            "es",
            "3pax del 8 al 10 de mayo",
            {"check_in": "2027-05-08", "check_out": "2027-05-10", "adults": 3},
        ),
        (
            "es",
            "hab. doble 20-22/6",
            {"check_in": "2027-06-20", "check_out": "2027-06-22", "room_type": "double"},
        ),
        (
            "pt",
            "quarto p/ 2 pessoas de 8 a 10/6",
            {"check_in": "2027-06-08", "check_out": "2027-06-10", "adults": 2},
        ),
        ("es", "somos 3 adul y 2 nenes", {"adults": 3, "children": 2}),
        ("es", "x2 personas x3 noches desde el 5 de abril", {"adults": 2, "check_out": "2027-04-08"}),
        ("pt", "reserva pra sexta, 1 noite", {"check_in": "2027-03-12", "check_out": "2027-03-13"}),
        ("es", "vale, a nombre d maria soler", {"guest_name": "Maria Soler"}),
    ],
)
def test_whatsapp_shorthand(
    understander: Understander, lang: str, text: str, expected: dict[str, Any]
) -> None:
    e = entities(understander, lang, text)
    assert {k: e.get(k) for k in expected} == expected


@pytest.mark.parametrize(
    ("lang", "text", "absent"),
    [
        ("pt", "pode reservar pra mim tb", "guest_name"),
        ("es", "lo reservas para ti?", "guest_name"),
        ("es", "es para ella", "guest_name"),
        ("en", "we sat in the sun", "check_in"),
        ("es", "vamos al mar el domingo por la tarde?", "room_type"),
    ],
)
def test_shorthand_that_is_not(understander: Understander, lang: str, text: str, absent: str) -> None:
    assert absent not in entities(understander, lang, text)


@pytest.mark.parametrize(
    ("lang", "text", "children"),
    [
        # children's ages without "años": no dates
        ("es", "vamos con 2 niños de 4 y 8", 2),
        ("es", "mis hijas de 11 y 14 vienen tambien", None),
        ("pt", "2 crianças de 6 e 9", 2),
        ("pt", "com os filhos de 2 e 7", None),
        ("en", "2 kids 5 and 10", 2),
    ],
)
def test_childrens_ages_are_no_dates(
    understander: Understander, lang: str, text: str, children: int | None
) -> None:
    e = entities(understander, lang, text)
    assert "check_in" not in e
    if children is not None:
        assert e.get("children") == children


def test_childrens_ages_beside_real_dates(understander: Understander) -> None:
    e = entities(understander, "es", "2 niños de 4 y 8, del 3 al 5 de mayo")
    assert (e.get("check_in"), e.get("check_out"), e.get("children")) == ("2027-05-03", "2027-05-05", 2)
    e = entities(understander, "es", "las noches del 12 y 13 de abril")
    assert (e.get("check_in"), e.get("check_out")) == ("2027-04-12", "2027-04-14")


@pytest.mark.parametrize(
    ("lang", "text", "adults", "children"),
    [
        ("es", "somos 2 adultos, 3 niños y un bebe", 2, 4),
        ("en", "2 adults, 1 kid and a baby", 2, 2),
        ("pt", "2 adultos, 2 crianças e um bebê", 2, 3),
        ("en", "2 adults and 2 babies", 2, 2),
    ],
)
def test_a_baby_on_top_of_the_children(
    understander: Understander, lang: str, text: str, adults: int, children: int
) -> None:
    assert party(understander, lang, text) == (adults, children)


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "can we add a night to our stay?", {"extra_nights": 1, "nights": None}),
        ("en", "we'd like to add 2 nights", {"extra_nights": 2, "nights": None}),
        ("es", "se puede añadir una noche?", {"extra_nights": 1, "nights": None}),
        ("pt", "queria acrescentar uma noite", {"extra_nights": 1, "nights": None}),
        ("es", "quiero alargar a 3 noches", {"extra_nights": None, "nights": 3}),
        ("en", "can we extend it to 4 nights", {"extra_nights": None, "nights": 4}),
        ("es", "la podemos pasar al finde siguiente?", {"check_in": "2027-03-19", "check_out": "2027-03-21"}),
        ("es", "quiero hablar con una persona", {"adults": None}),
        ("en", "can I speak to a person please", {"adults": None}),
        ("pt", "quero falar com uma pessoa", {"adults": None}),
        ("es", "una habitacion para una persona", {"adults": 1}),
    ],
)
def test_nights_added_and_people_at_the_desk(
    understander: Understander, lang: str, text: str, expected: dict[str, Any]
) -> None:
    e = entities(understander, lang, text)
    assert {k: e.get(k) for k in expected} == expected


@pytest.mark.parametrize(
    ("lang", "text", "name"),
    [
        ("es", "hola soy maria jose garcia de la vega", "Maria Jose Garcia de la Vega"),
        ("es", "Reserva a nombre de: Elena Ruiz Martín", "Elena Ruiz Martín"),
        ("es", "nombre y apellidos: luis mora rey", "Luis Mora Rey"),
        ("pt", "nome e sobrenome: ana lima", "Ana Lima"),
        ("en", "first and last name: tom hardy", "Tom Hardy"),
        ("pt", "em nome de: Rita Paiva", "Rita Paiva"),
    ],
)
def test_names_after_a_form_like_cue(understander: Understander, lang: str, text: str, name: str) -> None:
    assert entities(understander, lang, text).get("guest_name") == name


def test_ella_is_a_name_too(understander: Understander) -> None:
    e = entities(understander, "en", "double for 2 adults june 3 to 5, Ella Fox, ella@mail.com")
    assert e.get("guest_name") == "Ella Fox"


@pytest.mark.parametrize(
    ("lang", "text", "absent"),
    [
        ("en", "the 2nd one please", "check_in"),
        ("es", "el 3 piso esta bien", "check_in"),
        ("es", "habitacion nº 2", "check_in"),
        ("en", "a room with 2 single beds", "room_type"),
        ("pt", "um quarto com duas camas de solteiro", "room_type"),
        ("es", "con dos camas individuales", "room_type"),
    ],
)
def test_choices_floors_and_beds_are_no_dates_or_rooms(
    understander: Understander, lang: str, text: str, absent: str
) -> None:
    assert absent not in entities(understander, lang, text)


@pytest.mark.parametrize(
    ("lang", "text", "room"),
    [
        ("en", "a single room please", "single"),
        ("pt", "quarto de solteiro", "single"),
        ("es", "doble con cama de matrimonio", "double"),
    ],
)
def test_room_words_still_read(understander: Understander, lang: str, text: str, room: str) -> None:
    assert entities(understander, lang, text).get("room_type") == room


@pytest.mark.parametrize(
    ("lang", "text", "email"),
    [
        ("es", "mi correo es lucia punto romero arroba gmail punto com", "lucia.romero@gmail.com"),
        ("en", "email is mark dot lee at outlook dot com thanks", "mark.lee@outlook.com"),
        ("pt", "o email é bia underline souza arroba uol ponto com ponto br", "bia_souza@uol.com.br"),
        ("es", "rosa.m@gmail,com", "rosa.m@gmail.com"),
        ("en", "we arrive at 5, see you at the desk", None),
    ],
)
def test_emails_said_in_words(understander: Understander, lang: str, text: str, email: str | None) -> None:
    assert entities(understander, lang, text).get("email") == email


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        (
            "en",
            "we are 2 adults with 2 childs, room 12.7 - 15.7",
            {"check_in": "2027-07-12", "check_out": "2027-07-15", "children": 2},
        ),
        ("es", "del 3.8 al 6.8", {"check_in": "2027-08-03", "check_out": "2027-08-06"}),
        (
            "en",
            "we come from 12.9. until 16.9., family room",
            {"check_in": "2027-09-12", "check_out": "2027-09-16"},
        ),
        (
            "en",
            "12.9.-16.9. for 2 adults",
            {"check_in": "2027-09-12", "check_out": "2027-09-16", "adults": 2},
        ),
        ("es", "hab p 4 personas (2 adultos 2 chicos)", {"adults": 2, "children": 2}),
        ("en", "breakfast from 7.30 to 10.30?", {"check_in": None}),
        ("es", "somos 2 chicos y 2 chicas", {"children": None}),
    ],
)
def test_dotted_ranges_childs_and_chicos(
    understander: Understander, lang: str, text: str, expected: dict[str, Any]
) -> None:
    e = entities(understander, lang, text)
    assert {k: e.get(k) for k in expected} == expected


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        (
            "en",
            "we come the 3rd of july and go the 6th",
            {"check_in": "2027-07-03", "check_out": "2027-07-06"},
        ),
        (
            "es",
            "entramos el 3 de julio y nos vamos el 6",
            {"check_in": "2027-07-03", "check_out": "2027-07-06"},
        ),
        (
            "pt",
            "chegamos dia 28 de julho e saímos dia 2",
            {"check_in": "2027-07-28", "check_out": "2027-08-02"},
        ),
    ],
)
def test_a_bare_departure_day_after_a_full_date(
    understander: Understander, lang: str, text: str, expected: dict[str, Any]
) -> None:
    e = entities(understander, lang, text)
    assert {k: e.get(k) for k in expected} == expected


@pytest.mark.parametrize(
    ("lang", "text", "check_in", "check_out"),
    [
        ("es", "de mañana a pasado mañana", "2027-03-11", "2027-03-12"),
        # the nights named (issue 12, nlu5): tomorrow night and the night after
        ("es", "mañana y pasado", "2027-03-11", "2027-03-13"),
        ("pt", "de amanhã a depois de amanhã", "2027-03-11", "2027-03-12"),
        ("pt", "amanhã e depois", "2027-03-11", "2027-03-13"),
    ],
)
def test_tomorrow_and_the_day_after(
    understander: Understander, lang: str, text: str, check_in: str, check_out: str
) -> None:
    e = entities(understander, lang, text)
    assert (e.get("check_in"), e.get("check_out")) == (check_in, check_out)


@pytest.mark.parametrize(
    ("lang", "text", "today", "expected"),
    [
        # the weekend and its nights named: the nights said win ("viernes y sábado a la noche" = Fri to Sun)
        (
            "es",
            "tienen lugar este finde? viernes y sabado a la noche, somos dos",
            date(2027, 5, 19),
            {"check_in": "2027-05-21", "check_out": "2027-05-23", "adults": 2},
        ),
        (
            "en",
            "this weekend, friday and saturday night",
            date(2027, 5, 19),
            {"check_in": "2027-05-21", "check_out": "2027-05-23"},
        ),
        ("es", "somos mi pareja y yo y un crio de 3 años", TODAY, {"adults": 2, "children": 1}),
        ("es", "vamos mi marido, yo y la chamaca", TODAY, {"adults": 2, "children": 1}),
        ("es", "mi mujer y yo con el pibe", TODAY, {"adults": 2, "children": 1}),
    ],
)
def test_dev_corpus_classes(
    understander: Understander, lang: str, text: str, today: date, expected: dict[str, Any]
) -> None:
    e = understander.understand(text, today=today, lang=lang).entities
    assert {k: e.get(k) for k in expected} == expected


@pytest.mark.parametrize(
    ("lang", "text", "adults"),
    [
        ("en", "a double room for me and a colleague", 2),
        ("es", "una doble para mi y una amiga", 2),
        ("pt", "um quarto so pra mim", 1),
        ("pt", "é pra mim sozinha", 1),
    ],
)
def test_me_and_a_companion_or_just_me(understander: Understander, lang: str, text: str, adults: int) -> None:
    assert entities(understander, lang, text).get("adults") == adults


@pytest.mark.parametrize(
    ("text", "check_in", "check_out"),
    [
        ("anything from 19 till sunday?", "2027-03-19", "2027-03-21"),
        ("from 25 for 3 nights", "2027-03-25", "2027-03-28"),
    ],
)
def test_from_a_bare_day(understander: Understander, text: str, check_in: str, check_out: str) -> None:
    e = entities(understander, "en", text)
    assert (e.get("check_in"), e.get("check_out")) == (check_in, check_out)


@pytest.mark.parametrize("text", ["prices from 90 euros", "from 2 people up", "open from 7 am"])
def test_from_a_number_that_is_no_day(understander: Understander, text: str) -> None:
    assert "check_in" not in entities(understander, "en", text)


def test_every_room_named_reads_shorthand_and_skips_beds(understander: Understander) -> None:
    assert understander.rooms.find_all("a dbl with 2 single beds, or the suite") == ["double", "suite"]
