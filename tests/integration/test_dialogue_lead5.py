"""A complaint is read from the guest's words, not from a faint guess (issue 12, class 8):
"no wait, keep it" to "are you sure you want to cancel?" keeps the booking, "too expensive, the
double then" to an offer changes the room, and "the hotel I'm in is awful, can I come to you
from today to Saturday?" is a booking, not a case for a person — while "the room smells of
smoke" still goes to one. Whole conversations through the real pipeline and the demo hotel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from itertools import count
from zoneinfo import ZoneInfo

import pytest

from hotelbox.daemon import Box
from hotelbox.nlu.text import fold
from tests.support import Guest, RecordingChannel, seed_booking

TODAY = date(2027, 5, 30)
_ids = count(1)


@pytest.fixture
def guest(box: tuple[Box, RecordingChannel]) -> Callable[[str], Guest]:
    b, channel = box
    b.pipeline.clock = lambda: datetime(
        TODAY.year, TODAY.month, TODAY.day, 11, tzinfo=ZoneInfo("Europe/Madrid")
    )

    def make(prefix: str) -> Guest:
        address = f"{prefix}{next(_ids):08d}"
        return Guest(b, channel, address, address)

    return make


@pytest.mark.parametrize(
    ("prefix", "cancel", "keep"),
    [
        ("+447", "i want cancel reservation {ref}", "no wait, keep it. we still come"),
        ("+346", "quiero anular la reserva {ref}", "no no espera, déjala, al final sí vamos"),
        ("+3519", "quero cancelar a reserva {ref}", "não espera, fica com ela, afinal vamos"),
    ],
)
async def test_changing_ones_mind_at_the_cancel_question_keeps_the_booking(
    box: tuple[Box, RecordingChannel], guest: Callable[[str], Guest], prefix: str, cancel: str, keep: str
) -> None:
    g = guest(prefix)
    booking = await seed_booking(box[0], g.phone, check_in=date(2027, 7, 2), check_out=date(2027, 7, 5))
    await g.says(cancel.format(ref=booking.reference))
    replies = await g.says(keep)
    keys = " ".join(r.key or "" for r in replies)
    assert "cancel_aborted" in keys, [(r.key, r.text) for r in replies]
    assert (await g.conversation())["control"] == "bot"
    assert (await box[0].pms.get_booking(booking.reference)).status == "confirmed"


@pytest.mark.parametrize(
    ("prefix", "ask", "cheaper", "room"),
    [
        (
            "+393",
            "suite for 2 people from 5 to 8 july please",
            "mamma mia is very expensive.. maybe the double room is better, same dates",
            "double",
        ),
        (
            "+346",
            "una suite para 2 del 5 al 8 de julio",
            "uf qué caro.. mejor la doble, mismas fechas",
            "doble",
        ),
        (
            "+5511",
            "uma suíte pra 2 de 5 a 8 de julho",
            "nossa que caro.. melhor o quarto duplo, mesmas datas",
            "duplo",
        ),
    ],
)
async def test_too_expensive_then_another_room_is_a_change_not_a_complaint(
    guest: Callable[[str], Guest], prefix: str, ask: str, cheaper: str, room: str
) -> None:
    g = guest(prefix)
    await g.says(ask)
    replies = await g.says(cheaper)
    said = fold(" ".join(r.text for r in replies))
    assert (await g.conversation())["control"] == "bot", said
    assert fold(room) in said, said


@pytest.mark.parametrize(
    ("prefix", "text"),
    [
        (
            "+5521",
            "oi, o hotel onde to é horrivel 😩 da pra reservar com vcs de hoje ate sabado? só eu",
        ),
        ("+346", "hola, el hotel donde estoy es un asco, ¿tenéis algo para mí solo de hoy al sábado?"),
        (
            "+447",
            "hi, the hotel I'm in is filthy, have you got a room for just me from today until saturday?",
        ),
    ],
)
async def test_a_complaint_about_another_hotel_with_a_stay_is_a_booking(
    guest: Callable[[str], Guest], prefix: str, text: str
) -> None:
    g = guest(prefix)
    replies = await g.says(text)
    assert (await g.conversation())["control"] == "bot", [(r.key, r.text) for r in replies]
    assert any(k in (r.key or "") for r in replies for k in ("offer", "room", "ask_guests")), [
        (r.key, r.text) for r in replies
    ]


@pytest.mark.parametrize(
    ("prefix", "text"),
    [
        ("+447", "booking {ref}: the room smells of smoke and nobody at reception helps"),
        ("+346", "reserva {ref}: la habitación huele a tabaco y en recepción nadie hace nada"),
    ],
)
async def test_a_complaint_in_words_still_goes_to_a_person(
    box: tuple[Box, RecordingChannel], guest: Callable[[str], Guest], prefix: str, text: str
) -> None:
    g = guest(prefix)
    booking = await seed_booking(box[0], g.phone)
    await g.says(text.format(ref=booking.reference))
    conversation = await g.conversation()
    assert conversation["control"] == "waiting_staff"
    assert conversation["attention"] == "complaint"


@pytest.mark.parametrize(
    ("prefix", "text"),
    [
        ("+447", "hi, booking {ref}: we can only stay 2 nights now"),
        ("+346", "hola, reserva {ref}: al final solo podemos 2 noches"),
        ("+3519", "olá, reserva {ref}: afinal só podemos ficar 2 noites"),
    ],
)
async def test_a_stay_said_with_a_booking_reference_changes_that_booking(
    box: tuple[Box, RecordingChannel], guest: Callable[[str], Guest], prefix: str, text: str
) -> None:
    """However the model reads it (a new stay, faintly), a message naming the guest's booking is about it."""
    g = guest(prefix)
    booking = await seed_booking(box[0], g.phone, check_in=date(2027, 7, 20), check_out=date(2027, 7, 23))
    replies = await g.says(text.format(ref=booking.reference))
    assert replies[-1].key == "confirm_modify", [(r.key, r.text) for r in replies]
