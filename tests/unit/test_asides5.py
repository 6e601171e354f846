"""Words around the flows (issue 12, answers5): where the hotel is in every wording, parking in
every variety's word, and "sorry, wrong chat" told apart from a correction or a question."""

from __future__ import annotations

import pytest

from hotelbox.dialogue.asides import _OOPS, requests_in
from hotelbox.dialogue.knowledge import topics_in
from hotelbox.nlu.text import fold


@pytest.mark.parametrize(
    "text",
    [
        "oi, onde vcs ficam?",
        "onde voces estao localizados",
        "donde quedan ustedes?",
        "¿y dónde estáis exactamente?",
        "dónde queda el hotel",
        "where r u guys located",
        "where are you?",
        "como chego ai?",
        "cómo llego desde la estación?",
        "how do we get there from the train station",
        "a que distancia estan del centro",
        "is it far from the beach?",
        "qual é a vossa morada?",
        "en que zona estan?",
    ],
)
def test_where_the_hotel_is(text: str) -> None:
    assert "location" in topics_in(text)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("onde fica o estacionamento?", "parking"),
        ("where is breakfast served?", "breakfast"),
        ("donde puedo pagar?", "payment"),
    ],
)
def test_where_something_in_the_hotel_is_is_that_thing(text: str, topic: str) -> None:
    assert topic in topics_in(text)
    if topic != "parking":
        assert "location" not in topics_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "si tienen parqueadero y cuanto vale",
        "tem vaga de garagem?",
        "where can we leave the car",
        "hay parqueo?",
    ],
)
def test_parking_in_every_variety(text: str) -> None:
    assert "parking" in topics_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "perdon, me equivoque de chat",
        "uy perdón, número equivocado",
        "no era para ti jaja",
        "era para otra persona, disculpa",
        "lol ignore that",
        "sorry wrong number",
        "sorry that was for another chat",
        "never mind",
        "foi mal, era outra conversa",
        "opa desculpa, numero errado",
        "mandei errado kkk",
        "esquece isso",
    ],
)
def test_a_message_that_was_not_for_us(text: str) -> None:
    assert _OOPS.search(" ".join(fold(text).split()))


@pytest.mark.parametrize(
    "text",
    [
        "perdon, quise decir del 5 al 7",
        "sorry, I meant the suite",
        "desculpa, somos 3 e nao 2",
        "ignora la fecha anterior, mejor el 12",  # a correction: its facts go on (the flow reads them)
        "no era para tanto",
        "es para otra fecha",
    ],
)
def test_a_correction_is_not_an_apology_for_the_wrong_chat(text: str) -> None:
    folded = " ".join(fold(text).split())
    assert not _OOPS.search(folded) or any(ch.isdigit() for ch in folded)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("tengo la reserva HB-1407. vamos a llegar tarde, sobre las 23h", "late_arrival"),
        ("oi, tenho a reserva HB-7305, vamos chegar tarde, lá pelas 23h", "late_arrival"),
        ("booking HB-9544 - can we get a cot for the baby?", "cot"),
    ],
)
def test_requests_about_a_booking(text: str, kind: str) -> None:
    assert kind in requests_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "reserva HB-1: llegamos un día más tarde pero nos vamos el mismo día",
        "booking HB-1: we arrive a day later but leave the same day",
        "reserva HB-1: chegamos um dia mais tarde mas saímos no mesmo dia",
    ],
)
def test_a_stay_moved_by_days_is_no_late_arrival(text: str) -> None:
    assert "late_arrival" not in requests_in(text)
