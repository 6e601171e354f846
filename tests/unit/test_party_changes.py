"""Who comes, said against an existing booking (issue 12): more, fewer, a new count, a cot."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hotelbox.dialogue.changes import Party, new_party, says_party_change
from hotelbox.pms import PmsBooking, Stay, StayChange

# (message, language, booking's adults, children, entities understanding found) → wanted party
CASES: list[tuple[str, str, int, int, dict[str, Any], Party | None]] = [
    ("añade a mi hijo a la reserva", "es", 2, 0, {}, Party(2, 1)),
    ("al final seremos 3", "es", 2, 0, {"adults": 3}, Party(3, 0)),
    ("una persona más", "es", 2, 0, {"adults": 1}, Party(3, 0)),
    ("al final somos 4, 2 adultos y 2 niños", "es", 2, 0, {"adults": 2, "children": 2}, Party(2, 2)),
    ("mi amigo no viene", "es", 3, 0, {}, Party(2, 0)),
    ("una cuna para el bebé por favor", "es", 2, 0, {}, Party(2, 0, cot=True)),
    ("one more adult", "en", 2, 0, {}, Party(3, 0)),
    ("we'll be 3 now", "en", 2, 0, {}, Party(3, 0)),
    ("actually only me", "en", 2, 0, {"adults": 1}, Party(1, 0)),
    ("one more night and add my wife", "en", 1, 0, {"extra_nights": 1}, Party(2, 0)),
    ("can we add a baby cot?", "en", 2, 0, {"children": 1}, Party(2, 0, cot=True)),
    ("my parents are coming too", "en", 2, 0, {}, Party(4, 0)),
    ("só eu afinal", "pt", 2, 0, {"adults": 1}, Party(1, 0)),
    ("mais um adulto", "pt", 2, 0, {"adults": 1}, Party(3, 0)),
    ("afinal vamos levar o nosso bebé, tem 6 meses", "pt", 2, 0, {}, Party(2, 1)),
    ("mudar para o quarto familiar e mais uma criança", "pt", 2, 0, {}, Party(2, 1)),
    ("can we stay until the 30th instead?", "en", 2, 0, {}, None),
    ("hola, necesito cambiar las fechas de la reserva", "es", 2, 0, {}, None),
]


@pytest.mark.parametrize(("text", "lang", "adults", "children", "entities", "wanted"), CASES)
def test_the_party_wanted_is_read_against_the_bookings(
    text: str, lang: str, adults: int, children: int, entities: dict[str, Any], wanted: Party | None
) -> None:
    assert new_party(text, lang, adults, children, entities) == wanted
    assert says_party_change(text, lang) == (wanted is not None)


def test_a_stay_change_keeps_what_it_does_not_name_and_knows_when_it_is_done() -> None:
    booking = PmsBooking(
        "HB-1", "confirmed", "double", date(2027, 7, 20), date(2027, 7, 23), 2, 0, "Ana", None, None,
        total_price=0, currency="EUR",  # type: ignore[arg-type]
    )  # fmt: skip
    change = StayChange.from_request({"reference": "HB-1", "room_type": "family", "adults": 3})
    assert change.on(booking) == Stay("family", date(2027, 7, 20), date(2027, 7, 23), 3, 0)
    assert not change.reached_by(booking)
    dates_only = StayChange.from_request({"check_in": "2027-07-20", "check_out": "2027-07-24"})  # an old row
    assert dates_only.on(booking) == Stay("double", date(2027, 7, 20), date(2027, 7, 24), 2, 0)
    assert StayChange(adults=2).reached_by(booking)
