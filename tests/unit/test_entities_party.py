"""The party said the many ways guests say it (issue 12): counts with a people word only."""

from __future__ import annotations

from datetime import date

import pytest

from hotelbox.nlu.dates import extract_stay
from hotelbox.nlu.entities import extract_guests

TODAY = date(2027, 3, 10)


def guests(lang: str, text: str) -> tuple[int | None, int | None]:
    stay = extract_stay(text, lang, TODAY)
    g = extract_guests(text, lang, folded=stay.without_dates)
    return g.adults, g.children


@pytest.mark.parametrize(
    ("lang", "text", "adults", "children"),
    [
        # friends, cousins, colleagues: the writer is one more when they say "me and…"
        ("es", "vamos 4 amigas a la playa", 4, None),
        ("es", "seria para mi y 3 amigos", 4, None),
        ("en", "me and 3 mates", 4, None),
        ("en", "it's me with 2 colleagues", 3, None),
        ("pt", "eu e mais 2 amigas", 3, None),
        # couples counted twice
        ("es", "somos tres parejas", 6, None),
        ("en", "2 couples", 4, None),
        ("pt", "tres casais", 6, None),
        # a couple said as such
        ("es", "viajamos en pareja con un peque", 2, 1),
        ("es", "somos un matrimonio y 1 niña", 2, 1),
        ("pt", "casal e 2 filhos", 2, 2),
        ("en", "just me plus one", 2, None),
        # counts with chat spelling
        ("en", "we r 3", 3, None),
        ("en", "5 ppl", 5, None),
        ("pt", "vamos em 3", 3, None),
        ("es", "seriamos 3", 3, None),
        # children in other words, and each one named
        ("es", "2 adultos y 3 crios", 2, 3),
        ("en", "2 grown-ups and 2 toddlers", 2, 2),
        ("en", "my wife and I and our 4-year-old", 2, 1),
        ("en", "my partner, me and baby", 2, 1),
        ("es", "2 adultos, un nene de 9 y otro de 4", 2, 2),
        # the writer alone with a child, a wife in Australian
        ("en", "it would just be me and my daughter, we'd need a cot", 1, 1),
        ("es", "solo yo y mi hija de 3 años, necesitamos cuna", 1, 1),
        ("en", "me and the missus", 2, None),
        ("es", "2 mayores y 1 menor", 2, 1),
        ("pt", "seremos nós dois e o bebé", 2, 1),
        ("pt", "Somos 2. E o pequeno-almoço está incluído?", 2, None),  # breakfast is no little one
        ("pt", "somos 2 e o pequeno vem connosco", 2, 1),
        # numbers that are no party
        ("en", "we need 3 nites", None, None),
        ("pt", "somos 2 por 3 diarias", 2, None),
        ("es", "vamos el 5 de mayo", None, None),
    ],
)
def test_party_in_words(lang: str, text: str, adults: int | None, children: int | None) -> None:
    assert guests(lang, text) == (adults, children)
