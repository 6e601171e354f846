"""WhatsApp formats: every recorded webhook parses into the right kind, the signature vectors
pass and fail exactly as documented, replies render within Meta's limits."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hotelbox.channels.whatsapp.webhook import parse_body
from hotelbox.channels.whatsapp.whatsapp_channel import recipient_fields, render, shorten
from hotelbox.config import WhatsAppSettings
from hotelbox.dialogue.catalog import Catalog
from hotelbox.messages import Option, Reply, merge_replies
from hotelbox.relay.protocol import meta_signature_ok
from tests.fakes.graph import Invalid, check_message
from tests.support import DATA

FIXTURES = DATA / "whatsapp"
PAYLOADS = sorted(p for p in FIXTURES.glob("*__*.json") if not p.name.startswith("signature"))

# what each fixture must come out as: (messages' kinds, statuses, identity changes)
EXPECTED = {
    "msg_text": ("text",),
    "msg_audio": ("audio",),
    "msg_image": ("image",),
    "msg_location": ("location",),
    "msg_interactive": ("interactive",),
    "msg_button": ("button",),
    "msg_reaction": ("reaction",),
    "msg_unsupported": ("unsupported",),
}


def test_the_fixture_set_is_there() -> None:
    assert len(PAYLOADS) == 37


@pytest.mark.parametrize("path", PAYLOADS, ids=lambda p: p.stem)
def test_every_recorded_payload_parses_into_the_right_kind(path: Path) -> None:
    parsed = parse_body(path.read_bytes())
    name = path.stem
    if name.startswith("status_"):
        assert [s.status for s in parsed.statuses] == [name.split("_")[1]]
        assert not parsed.messages
    elif name.startswith("msg_system"):
        assert len(parsed.identity_changes) == 1
        assert not parsed.messages
    else:
        prefix = next(k for k in EXPECTED if name.startswith(k))
        assert [m.kind for m in parsed.messages] == list(EXPECTED[prefix])
        m = parsed.messages[0]
        pnid = m.payload["phone_number_id"]
        assert m.sender.startswith(f"{pnid}:")
        assert m.channel_message_id.startswith(f"{pnid}:wamid.") or m.channel_message_id.startswith(
            f"{pnid}:ABGG"
        )
        assert m.sent_at is not None
        assert m.sent_at.year >= 2017


def test_guests_are_keyed_by_bsuid_and_the_phone_is_optional() -> None:
    no_phone = parse_body(
        (FIXTURES / "msg_text_bsuid_username_no_phone__meta-doc.json").read_bytes()
    ).messages[0]
    assert no_phone.sender == "106540352242922:US.13491208655302741918"
    assert no_phone.phone is None
    assert no_phone.payload["username"] == "realsheenanelson"
    both = parse_body((FIXTURES / "msg_text_reply_context__pywa.json").read_bytes()).messages[0]
    assert both.sender.endswith(":US.13491208655302741918")
    assert both.phone == "+972987654321"
    assert both.reply_to is not None
    old = parse_body((FIXTURES / "msg_text__meta-doc.json").read_bytes()).messages[0]
    assert old.sender == "106540352242922:+16505551234"
    assert old.phone == "+16505551234"


def test_the_details_that_matter_are_kept() -> None:
    def one(name: str):  # type: ignore[no-untyped-def]
        return parse_body((FIXTURES / name).read_bytes()).messages[0]

    voice = one("msg_audio_voice__meta-doc.json")
    assert voice.payload["media"]["voice"] is True
    assert voice.payload["media"]["sha256"]
    assert one("msg_audio_forwarded_not_voice__pywa.json").payload["forwarded"] is True
    button = one("msg_interactive_button_reply__meta-doc.json")
    assert (button.text, button.choice) == ("Cancel", "cancel-button")
    template = one("msg_button_template_quick_reply__meta-doc.json")
    assert (template.text, template.choice) == ("Unsubscribe", "Unsubscribe")
    assert one("msg_image__meta-doc.json").text == "Taj Mahal"
    assert one("msg_location_current_no_name__pywa.json").payload["location"]["latitude"]
    removed = one("msg_reaction_removed__meta-doc.json")
    added = one("msg_reaction__meta-doc.json")
    assert removed.payload["reaction"]["emoji"] is None
    assert removed.channel_message_id != added.channel_message_id  # Meta reuses the wamid
    broken = parse_body((FIXTURES / "msg_interactive_missing_body_with_value_errors__pywa.json").read_bytes())
    assert broken.messages[0].text is None
    assert [p.code for p in broken.problems] == ["meta_131000"]
    assert one("msg_unsupported__meta-doc.json").payload["unsupported_type"] == "edit"


def test_statuses_carry_what_settles_the_outbox() -> None:
    sent = parse_body((FIXTURES / "status_sent_biz_opaque_callback_data__pywa.json").read_bytes()).statuses[0]
    assert sent.callback == "some data"
    assert sent.rank == 1
    failed = parse_body((FIXTURES / "status_failed_131049__meta-doc.json").read_bytes()).statuses[0]
    assert failed.errors[0]["code"] == 131049
    to_bsuid = parse_body(
        (FIXTURES / "status_delivered_bsuid_no_phone__meta-doc.json").read_bytes()
    ).statuses[0]
    assert to_bsuid.recipient is not None


def test_identity_changes() -> None:
    moved = parse_body(
        (FIXTURES / "msg_system_user_changed_number__pywa.json").read_bytes()
    ).identity_changes[0]
    assert (moved.old_address, moved.new_address, moved.new_phone) == (
        "1122334455667:+972987654321",
        "1122334455667:+972912345678",
        "+972912345678",
    )
    update = parse_body(
        json.dumps(
            {
                "object": "whatsapp_business_account",
                "entry": [
                    {
                        "changes": [
                            {
                                "field": "user_id_update",
                                "value": {
                                    "metadata": {"phone_number_id": "1"},
                                    "user_id": {"previous": "US.1", "current": "US.2"},
                                },
                            }
                        ]
                    }
                ],
            }
        ).encode()
    ).identity_changes[0]
    assert (update.old_address, update.new_address) == ("1:US.1", "1:US.2")


@pytest.mark.parametrize(
    "body",
    [b"[]", b'{"entry": "x"}', b'{"entry": [{"changes": [{"field": "messages", "value": {"messages": [1]}}]}]}',
     b'{"entry": [{"changes": [{"field": "messages", "value": {"metadata": {"phone_number_id": "1"}, "messages": [{"id": "w", "type": "text", "text": "oops"}]}}]}]}'],
)  # fmt: skip
def test_odd_bodies_become_problems_not_crashes(body: bytes) -> None:
    try:
        parsed = parse_body(body)
    except ValueError:
        assert body == b"[]"  # not an object at all: the intake keeps it as unparsed
        return
    assert not parsed.messages or parsed.messages[0].text is None


def test_signature_vectors_pass_and_fail_exactly_as_documented() -> None:
    doc = json.loads((FIXTURES / "signature_vectors__generated.json").read_text())
    assert len(doc["vectors"]) == 5
    for vector in doc["vectors"]:
        body = base64.b64decode(vector["body_b64"])
        assert meta_signature_ok(doc["app_secret"], body, vector["x_hub_signature_256"]) is vector["valid"], (
            vector["name"]
        )
    assert not meta_signature_ok(doc["app_secret"], b"{}", None)
    assert not meta_signature_ok(
        "another secret",
        base64.b64decode(doc["vectors"][0]["body_b64"]),
        doc["vectors"][0]["x_hub_signature_256"],
    )


# -- rendering ------------------------------------------------------------------------------------
CATALOG = Catalog.load()


def options(n: int, title: str = "Habitación doble superior con vistas") -> tuple[Option, ...]:
    return tuple(Option(f"room:{i}", f"{title} {i}") for i in range(n))


def test_two_choices_are_buttons_within_limits() -> None:
    body = render(
        Reply("¿Confirmo la reserva?", "es", (Option("yes", "Sí, confirmar"), Option("no", "No"))), CATALOG
    )
    assert body["interactive"]["type"] == "button"
    check_message({"messaging_product": "whatsapp", "to": "+34600000000", **body})


def test_long_titles_and_many_choices_become_a_list_then_numbered_lines() -> None:
    listed = render(Reply("Elige habitación", "es", options(7)), CATALOG)
    assert listed["interactive"]["type"] == "list"
    rows = listed["interactive"]["action"]["sections"][0]["rows"]
    assert all(len(r["title"]) <= 24 for r in rows)
    assert rows[0]["description"].startswith("Habitación doble")
    assert listed["interactive"]["action"]["button"] == "Elegir"
    check_message({"messaging_product": "whatsapp", "to": "+34600000000", **listed})
    numbered = render(Reply("Elige", "pt", options(12)), CATALOG)
    assert numbered["type"] == "text"
    assert "\n12. " in numbered["text"]["body"]
    long_text = render(Reply("x " * 3000, "en"), CATALOG)
    assert len(long_text["text"]["body"]) <= 4096
    check_message({"messaging_product": "whatsapp", "to": "+34600000000", **long_text})


def test_the_fake_refuses_what_meta_refuses() -> None:
    bad = render(Reply("?", "es", (Option("a", "A"), Option("b", "B"))), CATALOG)
    bad["interactive"]["action"]["buttons"][0]["reply"]["title"] = "x" * 21
    with pytest.raises(Invalid):
        check_message({"messaging_product": "whatsapp", "to": "+34600000000", **bad})
    with pytest.raises(Invalid):
        check_message({"messaging_product": "whatsapp", "type": "text", "text": {"body": "hola"}})


def test_shorten_cuts_on_words() -> None:
    assert shorten("Habitación doble superior", 20) == "Habitación doble…"
    assert len(shorten("a" * 50, 20)) == 20


def test_replies_go_to_the_phone_when_known_else_the_bsuid() -> None:
    assert recipient_fields("1:US.99", "+34600111222") == ("1", {"to": "+34600111222"})
    assert recipient_fields("1:US.99", None) == ("1", {"recipient": "US.99"})
    assert recipient_fields("1:+34600111222", None) == ("1", {"to": "+34600111222"})


def test_the_24_hour_window_closes_early_by_the_margin() -> None:
    from hotelbox.channels.whatsapp.whatsapp_channel import WhatsAppChannel

    channel = WhatsAppChannel(WhatsAppSettings(window_margin_s=600), None, None, CATALOG)  # type: ignore[arg-type]
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert channel.window_open((now - timedelta(hours=23)).isoformat(), now)
    assert not channel.window_open((now - timedelta(hours=23, minutes=55)).isoformat(), now)
    assert not channel.window_open(None, now)


def test_a_turn_is_one_message() -> None:
    merged = merge_replies([Reply("Hola", "es", key="greet"), Reply("¿Fechas?", "es", options(2), key="ask")])
    assert len(merged) == 1
    assert merged[0].text == "Hola\n\n¿Fechas?"
    assert len(merged[0].options) == 2


# -- hostile input ---------------------------------------------------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

leaf = st.none() | st.booleans() | st.integers() | st.text(max_size=12)
anything = st.recursive(
    leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=25,
)
message_like = st.fixed_dictionaries(
    {},
    optional={
        "id": anything,
        "from": anything,
        "from_user_id": anything,
        "timestamp": anything,
        "type": st.sampled_from([*sorted(EXPECTED), "system", "text", "order", "interactive"]).map(
            lambda k: k.removeprefix("msg_")
        )
        | anything,
        "text": anything,
        "interactive": anything,
        "button": anything,
        "audio": anything,
        "reaction": anything,
        "system": anything,
        "context": anything,
    },
)
webhook_like = st.fixed_dictionaries(
    {"object": st.just("whatsapp_business_account") | anything},
    optional={
        "entry": st.lists(
            st.fixed_dictionaries(
                {"changes": st.lists(st.fixed_dictionaries({
                    "field": st.sampled_from(["messages", "user_id_update", "account_update"]) | anything,
                    "value": st.fixed_dictionaries({}, optional={
                        "metadata": st.fixed_dictionaries({}, optional={"phone_number_id": anything}),
                        "contacts": st.lists(anything, max_size=2) | anything,
                        "messages": st.lists(message_like, max_size=3) | anything,
                        "statuses": st.lists(anything, max_size=2) | anything,
                        "errors": anything,
                    }) | anything,
                }), max_size=3) | anything},
            ),
            max_size=2,
        ) | anything
    },
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(webhook_like)
def test_no_webhook_shape_makes_the_parser_raise(body: dict) -> None:  # type: ignore[type-arg]
    parsed = parse_body(json.dumps(body).encode())
    for message in parsed.messages:  # what comes out is always usable by the pipeline
        assert message.channel == "whatsapp"
        assert message.sender
        assert message.channel_message_id
        assert message.text is None or isinstance(message.text, str)
