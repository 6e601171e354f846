"""The relay link frames: they round-trip, their MACs bind what they must, and nothing a peer
sends makes the parser raise anything but ProtocolError."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotelbox.relay import protocol as p

KEY = bytes(range(32))
OTHER = bytes(range(1, 33))


def test_frames_round_trip() -> None:
    challenge = p.Challenge.new("relay-1")
    auth = p.Auth.sign(KEY, challenge.nonce, "hotel-1", 41, 32)
    event = p.Event.sign(KEY, "hotel-1", 42, "whatsapp.webhook", 1700000000000, {"a": "b"}, b'{"x":1}')
    for frame in (challenge, auth, event, p.Ack(42), p.Nack(43, "bad_mac"), p.Welcome(42, 0, 1)):
        assert p.from_json(p.to_json(frame)) == frame


def test_auth_mac_binds_nonce_box_and_position() -> None:
    auth = p.Auth.sign(KEY, "nonce-1", "hotel-1", 41, 32)
    assert auth.verify(KEY, "nonce-1")
    assert not auth.verify(KEY, "nonce-2")  # a replayed auth answers another challenge
    assert not auth.verify(OTHER, "nonce-1")
    assert not p.Auth("hotel-2", 41, 32, auth.mac).verify(KEY, "nonce-1")
    assert not p.Auth("hotel-1", 99, 32, auth.mac).verify(KEY, "nonce-1")


def test_event_mac_binds_box_seq_and_body() -> None:
    event = p.Event.sign(KEY, "hotel-1", 42, "whatsapp.webhook", 1, {}, b"body")
    assert event.verify(KEY, "hotel-1") == b"body"
    with pytest.raises(p.ProtocolError) as wrong_box:
        event.verify(KEY, "hotel-2")
    assert wrong_box.value.code == "bad_mac"
    moved = p.Event(43, event.kind, event.received_at_ms, {}, event.body_b64, event.body_sha256, event.mac)
    with pytest.raises(p.ProtocolError):
        moved.verify(KEY, "hotel-1")
    swapped = p.Event(42, event.kind, 1, {}, "b3RoZXI=", event.body_sha256, event.mac)
    with pytest.raises(p.ProtocolError) as bad_hash:
        swapped.verify(KEY, "hotel-1")
    assert bad_hash.value.code == "bad_hash"


def test_bearer_tokens_are_per_box() -> None:
    assert p.bearer_token(KEY, "hotel-1") != p.bearer_token(KEY, "hotel-2")
    assert p.bearer_token(KEY, "hotel-1").startswith("hotel-1.")


def test_keys_must_be_32_bytes_of_hex() -> None:
    assert p.parse_key(p.new_key()) != p.parse_key(p.new_key())
    for bad in ("", "zz" * 32, "ab" * 16):
        with pytest.raises(ValueError, match="64 hexadecimal characters"):
            p.parse_key(bad)


@pytest.mark.parametrize(
    "text",
    ["", "null", "[]", '{"t":"ack"}', '{"t":"ack","v":2,"upto":1}', '{"t":"ack","v":1,"upto":-1}',
     '{"t":"ack","v":1,"upto":true}', '{"t":"event","v":1,"seq":1}', '{"t":"nope","v":1}',
     '{"t":"event","v":1,"seq":1,"kind":"k","received_at_ms":1,"headers":{"a":1},"body_b64":"","body_sha256":"","mac":""}',
     '{"t":[],"v":1}', '{"t":{},"v":1}'],
)  # fmt: skip
def test_malformed_frames_are_protocol_errors(text: str) -> None:
    with pytest.raises(p.ProtocolError):
        p.from_json(text)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=6),
    max_leaves=20,
)
frame_like = st.fixed_dictionaries(
    {"t": st.sampled_from(["challenge", "auth", "welcome", "event", "ack", "nack", "error", "x"])},
    optional={
        "v": st.sampled_from([1, 1, 2, "1"]),
        "seq": json_values,
        "upto": json_values,
        "box_id": json_values,
        "mac": json_values,
        "headers": json_values,
        "body_b64": json_values,
        "ack_upto": json_values,
        "window": json_values,
    },
)


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.text(max_size=200),
        st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
        frame_like.map(json.dumps),
    )
)
def test_no_input_makes_the_parser_raise_anything_else(text: str) -> None:
    try:
        frame = p.from_json(text)
    except p.ProtocolError:
        return
    if isinstance(frame, p.Event):  # parsed frames are still checked before use
        with pytest.raises(p.ProtocolError):
            frame.verify(KEY, "hotel-1")
