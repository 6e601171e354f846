from __future__ import annotations

import pytest

from hotelbox.nlu.entities import (
    RoomTypeLexicon,
    clean_name,
    extract_booking_ref,
    extract_email,
    extract_guests,
    extract_name,
    extract_phone,
    looks_like_email_attempt,
)
from hotelbox.nlu.text import fold, numbers_to_digits
from hotelbox.nlu.understanding import DEMO_ROOM_ALIASES


@pytest.mark.parametrize(
    ("lang", "text", "adults", "children"),
    [
        ("es", "somos dos adultos y un niño", 2, 1),
        ("es", "2 adultos y 2 niños", 2, 2),
        ("es", "para 4 personas, 2 niños", 2, 2),
        ("es", "mi mujer y yo", 2, None),
        ("es", "una pareja con mi hijo", 2, 1),
        ("es", "voy sola", 1, None),
        ("es", "somos 5", 5, None),
        ("es", "40 personas", 40, None),
        ("es", "0 adultos", 0, None),
        ("en", "two adults and one child", 2, 1),
        ("en", "we are 3", 3, None),
        ("en", "just me", 1, None),
        ("en", "my wife and I", 2, None),
        ("en", "for 2 nights", None, None),  # nights, not people
        ("en", "the 2 of us", 2, None),
        ("pt", "duas pessoas e uma criança", 1, 1),
        ("pt", "2 adultos e 2 crianças", 2, 2),
        ("pt", "eu e a minha esposa", 2, None),
        ("pt", "para mim e minha esposa", 2, None),
        ("pt", "sozinho", 1, None),
        ("pt", "chegamos às 2", None, None),  # a time, not people
        # issue 12, the party in words
        ("es", "una doble para mi marido y para mi", 2, None),
        ("es", "vamos mi chica y yo", 2, None),
        ("es", "iria con mi señora", 2, None),
        ("es", "somos 2 y una nena de 4", 2, 1),
        ("es", "voy con mis padres", 3, None),
        ("es", "se viene tambien mi hijo de 7 años", None, 1),
        ("en", "2 adults + our little one", 2, 1),
        ("en", "me and the wife", 2, None),
        ("en", "my partner, me and our 2 kids", 2, 2),
        ("en", "we're 2 plus a baby", 2, 1),
        ("pt", "eu e a minha sogra", 2, None),
        ("pt", "vou com o meu namorado", 2, None),
        ("pt", "somos 2 e um bebê", 2, 1),
        ("es", "mi esposa pregunta si hay spa", None, None),  # a companion, no party said
    ],
)
def test_guests(lang: str, text: str, adults: int | None, children: int | None) -> None:
    g = extract_guests(text, lang)
    assert (g.adults, g.children) == (adults, children)


def test_numbers_to_digits_keeps_portuguese_room_words() -> None:
    assert numbers_to_digits(fold("um quarto para dois"), "pt") == "um quarto para 2"
    assert numbers_to_digits(fold("veintidós noches"), "es") == "22 noches"
    assert numbers_to_digits(fold("twenty-one nights"), "en") == "21 nights"
    assert numbers_to_digits(fold("trinta e um de dezembro"), "pt") == "31 de dezembro"
    assert numbers_to_digits(fold("dos quartos"), "pt") == "dos quartos"  # "of the" in Portuguese


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Me llamo Lucía Fernández, somos 2", "Lucía Fernández"),
        ("my name is john smith", "John Smith"),
        ("Meu nome é Ana Souza, somos 2", "Ana Souza"),
        ("Chamo-me Joana Pereira", "Joana Pereira"),
        ("a nombre de Pedro Ruiz", "Pedro Ruiz"),
        ("I'm Emma Wilson and I want a room", "Emma Wilson"),
        ("soy alérgico al polen", None),
        ("I'm looking for a room", None),
        # issue 12: the verb after the cue is not part of the name
        ("yes sounds good, name is Sarah Connolly", "Sarah Connolly"),
        ("Name's Declan Murphy, d.murphy@example.ie", "Declan Murphy"),
        ("el nombre es Inés Prieto Gallardo", "Inés Prieto Gallardo"),
        ("o nome é Tomás de Castro Neves", "Tomás de Castro Neves"),
        ("cool, it's for Ruby Shah", "Ruby Shah"),
        ("it's for Christmas", None),
        ("oops, I spelled my name wrong, it's Kate Brennan", "Kate Brennan"),
        ("it's for 2 people", None),
    ],
)
def test_names(text: str, name: str | None) -> None:
    assert extract_name(text) == name


def test_a_bare_name_answers_a_name_question() -> None:
    assert clean_name("ana garcía") == "Ana García"
    assert clean_name("José Luis de la Fuente") == "José Luis de la Fuente"
    assert clean_name("quiero 2 noches") is None
    assert clean_name("ana@example.com") is None


def test_email_and_bad_email() -> None:
    assert extract_email("mi correo es Ana.Garcia@Example.COM.") == "Ana.Garcia@example.com"
    assert extract_email("no email here") is None
    assert looks_like_email_attempt("ana@example")
    assert not looks_like_email_attempt("ana@example.com")


def test_phone_numbers_in_e164() -> None:
    assert extract_phone("mi teléfono es 612 345 678", "ES") == "+34612345678"
    assert extract_phone("call +44 7911 123456", "ES") == "+447911123456"
    assert extract_phone("somos 2 del 3 al 5", "ES") is None


def test_booking_references() -> None:
    assert extract_booking_ref("cancela la reserva hb-2207") == "HB-2207"
    assert extract_booking_ref("reserva HB2207") == "HB-2207"
    assert extract_booking_ref("my booking XKBKNABJK please") == "XKBKNABJK"  # QloApps style
    assert extract_booking_ref("ESTOY MUY ENFADADO") is None


def test_room_types_with_plurals_and_accents() -> None:
    rooms = RoomTypeLexicon(DEMO_ROOM_ALIASES)
    assert rooms.find("quedan habitaciones dobles?") == "double"
    assert rooms.find("ainda há quartos duplos?") == "double"
    assert rooms.find("a suíte") == "suite"
    assert rooms.find("the family one") == "family"
    assert rooms.find("una habitación") is None


def test_room_words_with_a_typo_are_still_rooms() -> None:
    rooms = RoomTypeLexicon(DEMO_ROOM_ALIASES)
    assert rooms.find("una indivudual para mañana") == "single"
    assert rooms.find("a doubel room please") == "double"
    assert rooms.find("quarto familair") == "family"
    assert rooms.find("somos una familia de 4") is None  # a family is not a misspelt "familiar"
    assert rooms.find("quiero reservar") is None


def test_the_party_before_blanked_dates_is_still_the_party() -> None:
    """ "para 2 del 8 al 10 de este mes": once the dates are blanked, "de este mes" is no "2 de…"."""
    from datetime import date

    from hotelbox.nlu.dates import extract_stay

    text = "quiero una suite para 2 del 8 al 10 de este mes"
    stay = extract_stay(text, "es", date(2026, 11, 24))
    assert extract_guests(text, "es", folded=stay.without_dates).adults == 2
