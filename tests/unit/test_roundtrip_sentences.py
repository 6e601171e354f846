"""The round-trip bench speaks every reply of the catalogues: each placeholder a reply can have
must have a sample value there, or the bench stops at the first new reply key."""

from __future__ import annotations

import pytest

from hotelbox.dialogue.catalog import LANGS, Catalog
from tests.bench.bench_roundtrip import SKIP, sentences


@pytest.mark.parametrize("lang", LANGS)
def test_every_reply_is_filled_with_sample_values(lang: str) -> None:
    catalog = Catalog.load()
    said = dict(sentences(catalog, lang))  # raises KeyError on a placeholder with no sample value
    assert set(said) == set(catalog.messages[lang]) - SKIP
    assert all("{" not in text for text in said.values())
