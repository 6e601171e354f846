from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from hotelbox.dialogue.catalog import Catalog, CatalogError
from hotelbox.dialogue.knowledge import Knowledge


def test_every_language_has_every_message_with_the_same_placeholders() -> None:
    catalog = Catalog.load()  # load() checks; this would raise
    assert set(catalog.messages) == {"es", "en", "pt"}
    broken = Catalog({"en": {"a": "{x}"}, "es": {"a": "{y}"}, "pt": {"a": "{x}"}})
    with pytest.raises(CatalogError, match=r"es\.a"):
        broken.check()


@pytest.mark.parametrize(
    ("lang", "day", "money", "guests"),
    [
        ("es", "jueves 3 de diciembre", "1.234,50\xa0€", "2 adultos y 1 niño"),
        ("en", "Thursday 3 December", "€1,234.50", "2 adults and 1 child"),
        ("pt", "quinta-feira, 3 de dezembro", "1\xa0234,50\xa0€", "2 adultos e 1 criança"),
    ],
)
def test_formatting_per_language(lang: str, day: str, money: str, guests: str) -> None:
    c = Catalog.load()
    assert c.date(lang, date(2026, 12, 3)) == day
    assert c.money(lang, Decimal("1234.5"), "EUR") == money
    assert c.guests(lang, 2, 1) == guests
    assert c.nights(lang, 1) != c.nights(lang, 2)


def test_knowledge_covers_every_topic_in_every_language(tmp_path) -> None:  # type: ignore[no-untyped-def]
    k = Knowledge()
    for topic in k.topics():
        for lang in ("es", "en", "pt"):
            assert k.answer(lang, topic), f"{lang}/{topic} has no answer"
    (tmp_path / "en.toml").write_text('[topics]\nwifi = "Network HOTEL, password on your key card."\n')
    hotel = Knowledge(tmp_path)
    assert hotel.answer("en", "wifi") == "Network HOTEL, password on your key card."
    assert hotel.answer("es", "wifi") == k.answer("es", "wifi")
