"""The box does not trust its relay: a relayed body must still carry Meta's signature."""

from __future__ import annotations

from pathlib import Path

from hotelbox.channels.relay_link import RelayedEvent
from hotelbox.channels.whatsapp.intake import store_events
from hotelbox.relay.protocol import meta_signature
from hotelbox.store import Store
from tests.support import DATA

SECRET = "app-secret-of-the-hotel"
BODY = (DATA / "whatsapp" / "msg_text__meta-doc.json").read_bytes()


def _event(seq: int, body: bytes, signature: str | None) -> RelayedEvent:
    headers = {"content-type": "application/json"}
    if signature is not None:
        headers["x-hub-signature-256"] = signature
    return RelayedEvent(seq, "whatsapp.webhook", 1_700_000_000_000 + seq, headers, body)


async def test_a_compromised_relay_cannot_inject_guest_messages(tmp_path: Path) -> None:
    forged = BODY.replace(b"Does it come in another color?", b"Cancel all my bookings please")
    assert forged != BODY
    events = [
        _event(1, forged, meta_signature(SECRET, BODY)),  # signature of other bytes
        _event(2, BODY, None),  # no signature at all
        _event(3, BODY, meta_signature("not-the-secret", BODY)),
        _event(4, BODY, meta_signature(SECRET, BODY)),  # the real thing
    ]
    async with Store(tmp_path / "box.db") as store:
        result = await store.write(lambda c: store_events(c, events, SECRET))
        assert (result.stored_events, result.rejected, len(result.accepted)) == (4, 3, 1)
        rows = await store.fetchall("SELECT relay_seq, status, problems FROM relay_events ORDER BY relay_seq")
        assert [r["status"] for r in rows] == ["rejected", "rejected", "rejected", "parsed"]
        assert all("bad_meta_signature" in r["problems"] for r in rows[:3])
        texts = [r["text"] for r in await store.fetchall("SELECT text FROM messages")]
        assert len(texts) == 1
        assert "Cancel" not in texts[0]


async def test_without_the_secret_the_relay_is_trusted_and_says_so(tmp_path: Path) -> None:
    async with Store(tmp_path / "box.db") as store:
        result = await store.write(lambda c: store_events(c, [_event(1, BODY, None)], None))
        assert (result.rejected, len(result.accepted)) == (0, 1)
