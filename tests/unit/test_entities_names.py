"""Names said as the answer to "who is the booking under?" (issue 12)."""

from __future__ import annotations

import pytest

from hotelbox.nlu.entities import clean_name


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("if u need it", None),  # "email is t@x.com if u need it": the rest of a sentence
        ("where do you need it", None),
        ("por si acaso", None),
        ("Tom Hadley", "Tom Hadley"),
        ("Will Smith", "Will Smith"),
        ("maria das dores", "Maria das Dores"),
    ],
)
def test_a_piece_of_a_sentence_is_no_name(text: str, name: str | None) -> None:
    assert clean_name(text) == name
