"""A turn's voice note says the gist and the question (issue 16): one short script out of the turn's
replies, real catalogue replies in es/en/pt; lists, prices per room type, links and addresses stay
in writing, and the note says so."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from hotelbox.dialogue.catalog import Catalog
from hotelbox.dialogue.knowledge import Knowledge
from hotelbox.speech.script import estimate_seconds, spoken_script, units

LANGS = ("es", "en", "pt")
BUDGET = 6.0
CATALOG = Catalog.load()
KNOWLEDGE = Knowledge()


def note(lang: str) -> str:
    return CATALOG.text(lang, "voice_details_in_writing")


def offers(lang: str) -> str:
    """The availability answer: an introduction, one line per room type with its price, the question."""
    c = CATALOG
    intro = c.text(
        lang,
        "offers_intro",
        guests=c.guests(lang, 2, 1),
        check_in=c.date(lang, date(2026, 12, 12)),
        check_out=c.date(lang, date(2026, 12, 15)),
        nights=c.nights(lang, 3),
    )
    lines = [
        c.text(lang, "offer_line", room=room, total=c.money(lang, Decimal(total), "EUR"))
        for room, total in (("Doble", "360"), ("Familiar", "450"), ("Suite", "612.50"))
    ]
    return "\n".join([intro, *lines, c.text(lang, "offers_choose")])


def room_then_name(lang: str) -> str:
    """Two replies of one turn: the room chosen with its dates and price, then the next question."""
    c = CATALOG
    chosen = c.text(
        lang,
        "room_chosen",
        room="Doble",
        check_in=c.date(lang, date(2026, 12, 12)),
        check_out=c.date(lang, date(2026, 12, 15)),
        nights=c.nights(lang, 3),
        guests=c.guests(lang, 2, 0),
        total=c.money(lang, Decimal("360"), "EUR"),
    )
    return f"{chosen}\n\n{c.text(lang, 'ask_name')}"


@pytest.mark.parametrize("lang", LANGS)
def test_a_short_reply_is_spoken_whole(lang: str) -> None:
    question = CATALOG.text(lang, "ask_guests")
    script = spoken_script(question, lang, BUDGET)
    assert script.whole
    assert script.left_out == 0
    assert script.text == question
    answer = KNOWLEDGE.answer(lang, "checkin_time")
    assert answer is not None
    assert spoken_script(answer, lang, 30.0).text == answer  # within a larger budget: said whole


@pytest.mark.parametrize("lang", LANGS)
def test_room_types_and_their_prices_stay_in_writing_the_question_is_said(lang: str) -> None:
    text = offers(lang)
    script = spoken_script(text, lang, BUDGET)
    question = CATALOG.text(lang, "offers_choose")
    assert script.text == f"{note(lang)} {question}"  # the note, then the question the guest answers
    assert "€" not in script.text
    assert "Suite" not in script.text
    assert script.left_out == 4  # the introduction of the list and its three lines
    assert script.seconds <= BUDGET
    # even with room to spare a price list is not read out
    roomy = spoken_script(text, lang, 60.0)
    assert "€" not in roomy.text
    assert roomy.text.endswith(question)


@pytest.mark.parametrize("lang", LANGS)
def test_two_replies_become_one_script_with_the_question_never_dropped(lang: str) -> None:
    text = room_then_name(lang)
    question = CATALOG.text(lang, "ask_name")
    for budget in (2.0, BUDGET):  # a question the guest must answer is said even over the budget
        script = spoken_script(text, lang, budget)
        assert script.text.endswith(question)
        assert script.text.startswith(note(lang))
        assert not script.whole
    whole = spoken_script(text, lang, 60.0)  # room for everything: both replies, in order
    assert whole.whole
    assert whole.text.endswith(question)
    assert whole.text.startswith(text.split("\n\n")[0])


@pytest.mark.parametrize("lang", LANGS)
def test_the_opening_is_the_gist_when_an_answer_is_too_long(lang: str) -> None:
    checkin, luggage = KNOWLEDGE.answer(lang, "checkin_time"), KNOWLEDGE.answer(lang, "luggage")
    assert checkin is not None
    assert luggage is not None
    script = spoken_script(f"{checkin}\n\n{luggage}", lang, BUDGET)
    opening = units(checkin)[0].text
    assert script.text == f"{opening} {note(lang)}"
    assert script.seconds <= BUDGET
    assert script.left_out == 2


@pytest.mark.parametrize("lang", LANGS)
def test_links_addresses_and_phone_numbers_are_written_only(lang: str) -> None:
    answer = KNOWLEDGE.answer(lang, "checkin_time")
    assert answer is not None
    extra = {
        "es": "Más información en https://hotel.example/llegada o en reservas@hotel.example, teléfono +34 952 123 456.",
        "en": "More at https://hotel.example/arrival or reservas@hotel.example, phone +34 952 123 456.",
        "pt": "Mais informação em https://hotel.example/chegada ou reservas@hotel.example, telefone +34 952 123 456.",
    }[lang]
    script = spoken_script(f"{answer}\n\n{extra}", lang, 60.0)
    assert "http" not in script.text
    assert "@" not in script.text
    assert "952" not in script.text
    assert script.text == f"{answer} {note(lang)}"


def test_the_estimate_grows_with_what_is_said_and_the_script_is_deterministic() -> None:
    for lang in LANGS:
        short, long = CATALOG.text(lang, "ask_name"), room_then_name(lang)
        assert 0 < estimate_seconds([short], lang) < estimate_seconds(long.split("\n\n"), lang)
        assert spoken_script(offers(lang), lang, BUDGET) == spoken_script(offers(lang), lang, BUDGET)
    assert spoken_script("", "en", BUDGET).text == ""


@pytest.mark.parametrize(
    ("lang", "text", "said", "not_said"),
    [
        (
            "pt",
            "Guardamos sua bagagem sem custos antes do check-in e depois do check-out, no nosso depósito"
            " vigiado ao lado da recepção, até às 22:00 do dia de saída.",
            "Guardamos sua bagagem sem custos antes do check-in e depois do check-out.",
            "depósito",
        ),
        (
            "es",
            "Guardamos tu equipaje gratis antes del check-in y después del check-out, en la consigna"
            " vigilada junto a recepción, hasta las 22:00 del día de salida.",
            "Guardamos tu equipaje gratis antes del check-in y después del check-out.",
            "consigna",
        ),
    ],
)
def test_an_opening_too_long_for_the_note_is_cut_after_the_clauses_that_fit(
    lang: str, text: str, said: str, not_said: str
) -> None:
    script = spoken_script(text, lang, 6.0)
    assert script.text.startswith(said), script
    assert not_said not in script.text


def test_a_closing_sentence_is_never_said_without_its_opening() -> None:
    """ "It costs 12 euros." alone says nothing: the opening is the gist, the note goes if it fits."""
    text = (
        "Breakfast is a buffet served from 7:30 to 10:30 in the ground-floor restaurant, with gluten-free"
        " options on request. It costs 12 euros per person."
    )
    script = spoken_script(text, "en", 6.0)
    assert script.text.startswith("Breakfast is a buffet"), script
    assert "12 euros" not in script.text, script
