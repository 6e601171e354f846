"""Hostile input at the entry points that take the outside world's bytes, property-based:
the understanding of any text (what guests type, and what they do not mean to type), and the
audio decoder fed real recordings broken in every way hypothesis finds (bit flips, truncation,
splices, junk headers). The promise: a result within bounds, or our own error with a stable
code — never another exception, never a hang. (The webhook parser, relay frames and e-mail
parser have theirs in tests/unit.)"""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotelbox.nlu.intents import split_label
from hotelbox.nlu.understanding import Understander
from hotelbox.speech.audio import AudioError, decode, encode_voice_note
from tests.support import DATA

TRIED = {"understanding": 0, "audio": 0}
AUDIO_CODES = {"audio_empty", "audio_corrupt", "audio_too_large", "audio_too_long"}
TODAY = date(2026, 11, 28)

hotel_words = st.sampled_from(
    ["reservar", "book", "reservar um quarto", "doble", "suite", "del 3 al 5", "from the 3rd to the 5th",
     "de 3 a 5 de março", "2 adultos", "3 kids", "mañana", "tomorrow", "31 de febrero", "0000-00-00",
     "29/02/2027", "ayer", "next friday", "@", "€€€", "+34 600 000 000", "ana@example.com", "\u202e", "🙂",
     "\x00", "ñ" * 50, "NaN", "1e309", "-1 noches", "99999999999 adults"]
)  # fmt: skip
texts = st.one_of(
    st.text(max_size=400),
    st.lists(hotel_words, max_size=12).map(" ".join),
    st.lists(st.one_of(hotel_words, st.text(max_size=20)), max_size=8).map(" ".join),
    st.text(min_size=4000, max_size=6000),  # far over any message a guest writes
)


@pytest.fixture(scope="module")
def understander(nlu_cache: Path) -> Understander:
    u = Understander(cache_root=nlu_cache)
    u.load()
    return u


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(text=texts, hint=st.sampled_from([None, "es", "en", "pt"]))
def test_understanding_any_text_stays_within_bounds(
    understander: Understander, text: str, hint: str | None
) -> None:
    TRIED["understanding"] += 1
    u = understander.understand(text, today=TODAY, lang_hint=hint)
    assert u.lang in ("es", "en", "pt")
    assert 0.0 <= u.confidence <= 1.0
    assert 0.0 <= u.lang_confidence <= 1.0
    assert understander.model is not None
    assert u.intent in {split_label(label)[0] for label in understander.model.labels} | {"out_of_scope"}
    json.dumps(u.to_record())  # what is stored must serialise
    stay = u.entities.get("check_in"), u.entities.get("check_out")
    if all(stay):
        assert date.fromisoformat(str(stay[0])) < date.fromisoformat(str(stay[1]))
    for value in u.entities.values():
        if isinstance(value, float):
            assert math.isfinite(value)
    assert u.entities.get("adults", 1) >= 1
    assert u.entities.get("children", 0) >= 0


def _seeds() -> list[bytes]:
    speech = DATA / "speech"
    seeds = [
        (speech / name).read_bytes()[:400_000]
        for name in ("jfk.flac", "living_room_light_en.wav", "multilingual.mp3")
    ]
    t = np.linspace(0, 2, 32000, dtype=np.float32)
    seeds.append(encode_voice_note(0.3 * np.sin(2 * np.pi * 440 * t), 16000))  # OGG/Opus, as WhatsApp sends
    return seeds


SEEDS = _seeds()


@st.composite
def broken_audio(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 4))):
        how = draw(st.sampled_from(["flip", "truncate", "insert", "splice", "header", "repeat"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if how == "flip":
            for _ in range(draw(st.integers(1, 64))):
                i = draw(st.integers(0, len(data) - 1))
                data[i] ^= 1 << draw(st.integers(0, 7))
        elif how == "truncate":
            del data[at:]
        elif how == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=256))
        elif how == "splice":
            other = draw(st.sampled_from(SEEDS))
            data = data[:at] + bytearray(other[draw(st.integers(0, len(other) - 1)) :])
        elif how == "header":
            data[: draw(st.integers(1, 64))] = draw(st.binary(min_size=1, max_size=64))
        else:
            data = data[:at] + data[at : at + 4096] * draw(st.integers(2, 50)) + data[at:]
    return bytes(data)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(data=broken_audio())
def test_the_audio_decoder_survives_broken_files(data: bytes) -> None:
    TRIED["audio"] += 1
    try:
        decoded = decode(data, max_bytes=2 * 1024 * 1024, max_seconds=60)
    except AudioError as exc:
        refused = exc.code
    else:
        refused = None
    if refused is not None:
        assert refused in AUDIO_CODES, refused
        return
    assert decoded.samples.dtype == np.float32
    assert np.isfinite(decoded.samples).all()
    assert float(np.abs(decoded.samples).max()) <= 1.0
    assert decoded.duration_s <= 60.0 + 1.0


def test_inputs_tried() -> None:
    print("hostile inputs tried:", TRIED)
    assert TRIED["understanding"] >= 100
    assert TRIED["audio"] >= 100
