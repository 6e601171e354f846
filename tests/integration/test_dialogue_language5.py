"""Dates the guest did not say (issue 12, nlu5): a holiday instead of dates is said to be unknown
and the nights asked, never guessed; numeric dates are read the way the guest's country writes
them (a US number: month first). Whole conversations through the real pipeline and demo hotel."""

from __future__ import annotations

from datetime import date, datetime
from itertools import count
from zoneinfo import ZoneInfo

import pytest

from hotelbox.daemon import Box
from hotelbox.nlu.text import fold
from tests.support import Guest, RecordingChannel

TODAY = date(2027, 3, 10)
_ids = count(1)


def _guest(box: tuple[Box, RecordingChannel], phone: str) -> Guest:
    b, channel = box
    b.pipeline.clock = lambda: datetime(
        TODAY.year, TODAY.month, TODAY.day, 11, tzinfo=ZoneInfo("Europe/Madrid")
    )
    return Guest(b, channel, phone, phone)


HOLIDAYS = {
    "es": ("hola, una doble para el puente de mayo, somos dos", "adivinar"),
    "en": ("hi, a double for the bank holiday weekend for two please", "guess"),
    "pt": ("oi, quarto de casal pro feriado de abril, somos 2", "adivinhar"),
}


@pytest.mark.parametrize("lang", ["es", "en", "pt"])
async def test_a_holiday_instead_of_dates_is_asked_not_guessed(
    lang: str, box: tuple[Box, RecordingChannel]
) -> None:
    g = _guest(box, f"+346{next(_ids):08d}")
    text, word = HOLIDAYS[lang]
    replies = await g.says(text)
    keys = [r.key for r in replies]
    assert keys[-2:] == ["dates_holiday", "ask_dates"], keys
    assert word in fold(" ".join(r.text for r in replies))
    assert "offer" not in " ".join(k or "" for k in keys)  # no nights picked for the guest


@pytest.mark.parametrize(
    ("phone", "text"),
    [
        ("+13105550142", "hi, a double arriving 6/3 for 2 nights, 2 adults"),  # a US number: month first
        ("+447700900142", "hi, a double arriving 3/6 for 2 nights, 2 adults"),  # a UK number: day first
    ],
)
async def test_numeric_dates_by_the_guests_number(
    phone: str, text: str, box: tuple[Box, RecordingChannel]
) -> None:
    g = _guest(box, phone)
    replies = await g.says(text)
    said = fold(" ".join(r.text for r in replies))
    assert "3 june" in said, said
    assert "5 june" in said, said
