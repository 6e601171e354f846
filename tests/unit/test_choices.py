"""The shared yes/no reader (hotelbox.dialogue.choices.polarity), issue 12 class 1."""

from __future__ import annotations

import pytest

from hotelbox.dialogue.changes import relative_shift
from hotelbox.dialogue.choices import polarity, read_choice
from hotelbox.messages import Option


@pytest.mark.parametrize(
    "text",
    [
        "la misma habitación si es posible",
        "si no es mucha molestia",
        "junto con mis padres si hay sitio",
        "si se puede",
    ],
)
def test_an_unaccented_si_opening_a_clause_is_if_not_yes(text: str) -> None:
    assert polarity(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "si no es molestia, resérvala",
        "sí se puede",
        "claro q si",
        "si dale",
        "sure why not",
        "why not, go on",
        "por que no",
        "bora",
        "pode ser",
        "certinho",  # Brazilian WhatsApp yeses
        "fechou, pode fazer",
        "ótimo",
    ],
)
def test_yes_words(text: str) -> None:
    assert polarity(text) == "yes"


@pytest.mark.parametrize(
    "text",
    ["nah thanks", "nope", "mejor no", "deixa pra la", "nah, i'm good", "nops", "naum, obrigado", "nn"],
)
def test_no_words(text: str) -> None:
    assert polarity(text) == "no"


SUMMARY = (
    Option("yes", "Sí, confirmar"),
    Option("change", "Cambiar algo"),
    Option("dont_book", "No reservar"),
)


@pytest.mark.parametrize("text", ["no", "nope", "não", "no, está mal"])
def test_a_plain_no_to_the_summary_is_change(text: str) -> None:
    assert read_choice(text, SUMMARY) == "change"


@pytest.mark.parametrize("text", ["no gracias", "nah thanks", "olvídalo", "não quero", "forget it"])
def test_a_no_that_drops_the_request(text: str) -> None:
    assert read_choice(text, SUMMARY) == "dont_book"


@pytest.mark.parametrize(
    ("text", "lang", "shift"),
    [
        ("llegamos al finde siguiente", "es", (7, 7)),
        ("we arrive the following weekend", "en", (7, 7)),
        ("chegamos dois dias antes", "pt", (-2, 0)),
        ("saímos um dia depois", "pt", (0, 1)),
    ],
)
def test_a_shift_moves_the_end_named_and_a_weekend_the_whole_stay(
    text: str, lang: str, shift: tuple[int, int]
) -> None:
    assert relative_shift(text, lang) == shift


@pytest.mark.parametrize(
    "text", ["¿y cuánto sale con la suite?", "e quanto fica, pode ser?", "how much is it, ok?"]
)
def test_a_question_is_no_yes(text: str) -> None:
    assert polarity(text) is None


@pytest.mark.parametrize("text", ["ya, resérvela no más", "dale nomás", "sí, confírmala no más porfa"])
def test_no_mas_after_a_verb_is_just(text: str) -> None:
    assert polarity(text) == "yes"


@pytest.mark.parametrize(
    ("text", "chosen"),
    [
        ("sí, ni modo, cancélenla", "cancel_booking"),  # Mexican "ni modo": oh well, not a "ni"
        ("ni modo, cancélala", "cancel_booking"),
        ("ni modo, no la cancelen", "keep"),
        ("me la quedo", "keep"),  # keeping it, to "are you sure you want to cancel?"
        ("vale, entonces la mantengo", "keep"),
    ],
)
def test_resignation_and_keeping_at_the_cancel_question(text: str, chosen: str) -> None:
    options = (Option("cancel_booking", "Sí, cancelar"), Option("keep", "No, mantener"))
    assert read_choice(text, options) == chosen


def test_keeping_a_room_on_offer_takes_it() -> None:
    options = (Option("room:double", "Doble"), Option("dont_book", "No reservar"))
    assert read_choice("me la quedo", options) != "dont_book"
