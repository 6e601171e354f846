"""The pipeline's promises: stored before acked, in order per guest, answered once, durable."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from hotelbox.config import Settings
from hotelbox.daemon import Box
from hotelbox.errors import PmsUnavailable
from hotelbox.messages import Inbound
from hotelbox.store import Store, conversations, inbox
from tests.helpers import say_date
from tests.support import RecordingChannel, hotel_today, wait_for


def message(address: str, n: int, text: str) -> Inbound:
    return Inbound(
        channel="test", channel_message_id=f"{address}-{n}", sender=address, text=text, phone=address
    )


async def test_one_guests_messages_are_answered_in_order(box) -> None:  # type: ignore[no-untyped-def]
    b, channel = box
    texts = ["hola", "¿tenéis parking?", "¿y wifi?", "¿admitís perros?", "gracias"]
    accepted = [await b.pipeline.accept(message("+34600000100", n, t)) for n, t in enumerate(texts)]
    await b.settle(accepted[0].conversation_id)
    reply_to = [
        r["reply_to"]
        for r in await b.store.fetchall("SELECT reply_to FROM messages WHERE direction = 'out' ORDER BY id")
    ]
    assert reply_to == sorted(reply_to)
    assert sorted(set(reply_to)) == [a.inbox_id for a in accepted]  # every message answered
    assert [r.key for r in channel.replies()] == ["greet", "info:parking", "info:wifi", "info:pets", "thanks"]


async def test_many_guests_are_served_in_parallel(box) -> None:  # type: ignore[no-untyped-def]
    b, channel = box
    guests = [f"+3460001{n:04d}" for n in range(60)]
    await asyncio.gather(*(b.pipeline.accept(message(g, 0, "hello, is there parking?")) for g in guests))
    await wait_for(lambda: len(channel.sent) >= 60, within_s=30)
    assert {i.recipient for i in channel.sent} == set(guests)
    assert b.pipeline.processed == 60


async def test_the_same_message_delivered_twice_is_answered_once(box) -> None:  # type: ignore[no-untyped-def]
    b, channel = box
    m = message("+34600000200", 1, "what time is check-in?")
    first, second = await asyncio.gather(b.pipeline.accept(m), b.pipeline.accept(m))
    assert {first.duplicate, second.duplicate} == {True, False}
    await b.settle(first.conversation_id)
    again = await b.pipeline.accept(m)
    assert again.duplicate
    await b.settle(first.conversation_id)
    assert [r.key for r in channel.replies()] == ["info:checkin_time"]


async def test_a_restart_resumes_what_was_stored_but_not_answered(settings: Settings) -> None:
    # stored (acked to the channel) by a box that died before processing it
    async with Store(settings.db_path, settings.store) as store:
        for n, text in enumerate(["hola", "¿a qué hora es el check-out?"]):
            await store.write(lambda c, n=n, text=text: inbox.accept(c, message("+34600000300", n, text)))
    channel = RecordingChannel()
    async with Box(settings, {"test": channel}):
        await wait_for(lambda: len(channel.sent) == 2)
        assert [r.key for r in channel.replies()] == ["greet", "info:checkout_time"]
    channel2 = RecordingChannel()
    async with Box(settings, {"test": channel2}):  # and nothing is answered twice
        await asyncio.sleep(0.3)
        assert channel2.sent == []


async def test_a_booking_in_progress_survives_a_restart(settings: Settings) -> None:
    start = hotel_today() + timedelta(days=33)
    first_half = [
        f"quiero reservar la suite del {say_date(start, 'es')} al {say_date(start + timedelta(days=2), 'es')}",
        "somos 2 adultos",
    ]
    channel = RecordingChannel()
    async with Box(settings, {"test": channel}) as b:
        for n, text in enumerate(first_half):
            accepted = await b.pipeline.accept(message("+34600000400", n, text))
            await b.settle(accepted.conversation_id)
    assert channel.replies()[-1].key == "ask_name"
    channel = RecordingChannel()
    async with Box(settings, {"test": channel}) as b:
        for n, text in enumerate(["Marta Vidal", "marta@example.com", "sí"], start=10):
            accepted = await b.pipeline.accept(message("+34600000400", n, text))
            await b.settle(accepted.conversation_id)
        assert [r.key for r in channel.replies()] == [
            "confirm_booking_email",
            "confirm_booking",
            "booking_confirmed",
        ]
        assert len(await b.pms.all_bookings()) == 1  # type: ignore[attr-defined]


async def test_staff_taking_over_silences_a_reply_already_being_prepared(box, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    b, channel = box
    thinking = asyncio.Event()
    release = asyncio.Event()
    respond = b.dialogue.respond

    async def slow_respond(*args, **kwargs):  # type: ignore[no-untyped-def]
        thinking.set()
        await release.wait()
        return await respond(*args, **kwargs)

    monkeypatch.setattr(b.dialogue, "respond", slow_respond)
    accepted = await b.pipeline.accept(message("+34600000500", 1, "hola, ¿tenéis parking?"))
    await asyncio.wait_for(thinking.wait(), 10)
    await b.store.write(lambda c: conversations.set_control(c, accepted.conversation_id, "staff"))
    release.set()
    await b.settle(accepted.conversation_id)
    assert channel.sent == []
    row = await b.store.fetchone("SELECT status FROM inbox WHERE id = ?", (accepted.inbox_id,))
    assert row is not None
    assert row["status"] == "done"  # stored and understood, just not answered by the bot
    annotated = await b.store.fetchone("SELECT payload FROM messages WHERE id = ?", (accepted.message_id,))
    assert annotated is not None
    assert "understanding" in annotated["payload"]


async def test_pms_down_booking_pending_then_made_once_when_back(box, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    b, channel = box
    real_create = b.pms.create_booking
    calls = {"n": 0}

    async def flaky(request):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] <= 2:
            raise PmsUnavailable("connection refused")
        return await real_create(request)

    monkeypatch.setattr(b.pms, "create_booking", flaky)
    monkeypatch.setattr(b.settings.pms, "retry_base_s", 0.05)
    start = hotel_today() + timedelta(days=20)
    address = "+34600000600"
    script = [
        f"I want the double room from {say_date(start, 'en')} to {say_date(start + timedelta(days=3), 'en')}, "
        "2 adults, my name is Tom Harris, tom@example.com",
        "yes",
    ]
    for n, text in enumerate(script):
        accepted = await b.pipeline.accept(message(address, n, text))
        await b.settle(accepted.conversation_id)
    assert channel.replies()[-1].key == "booking_pending"
    await wait_for(lambda: channel.replies()[-1].key == "booking_confirmed", within_s=20)
    assert calls["n"] == 3
    assert len(await b.pms.all_bookings()) == 1
    keys = [r.key for r in channel.replies()]
    assert keys.count("booking_pending") == 1  # told once, not at every retry


async def test_a_failed_send_is_retried_in_order(box) -> None:  # type: ignore[no-untyped-def]
    b, channel = box
    b.sender.retry_base_s = 0.05
    channel.fail_next = 2
    accepted = await b.pipeline.accept(message("+34600000700", 1, "hello"))
    await b.pipeline.accept(message("+34600000700", 2, "is there wifi?"))
    await wait_for(lambda: len(channel.sent) == 2, within_s=10)
    assert [r.key for r in channel.replies()] == ["greet", "info:wifi"]
    rows = await b.store.fetchall("SELECT status, attempts FROM outbox ORDER BY id")
    assert [r["status"] for r in rows] == ["sent", "sent"]
    assert rows[0]["attempts"] == 3
    assert accepted.conversation_id


async def test_processing_that_keeps_failing_goes_to_staff_with_a_word_to_the_guest(box, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    b, channel = box

    async def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("a bug")

    monkeypatch.setattr(b.dialogue, "respond", broken)
    monkeypatch.setattr(b.settings.pipeline, "max_attempts", 2)
    accepted = await b.pipeline.accept(message("+34600000800", 1, "hola"))
    await wait_for(lambda: channel.sent, within_s=15)
    assert [r.key for r in channel.replies()] == ["bot_error"]
    conv = await b.store.fetchone(
        "SELECT control, attention FROM conversations WHERE id = ?", (accepted.conversation_id,)
    )
    assert conv is not None
    assert (conv["control"], conv["attention"]) == ("waiting_staff", "bot_error")
    row = await b.store.fetchone("SELECT status, attempts FROM inbox WHERE id = ?", (accepted.inbox_id,))
    assert row is not None
    assert row["status"] == "failed"


async def test_a_burst_of_guests_is_fully_answered(box) -> None:  # type: ignore[no-untyped-def]
    """Not a benchmark (tests/bench measures speed): a burst is answered completely, intact."""
    b, channel = box
    n = 200
    await asyncio.gather(
        *(b.pipeline.accept(message(f"+3460002{k:04d}", 0, "¿tenéis parking?")) for k in range(n))
    )
    await wait_for(lambda: len(channel.sent) >= n, within_s=120)
    assert len({i.recipient for i in channel.sent}) == n
    assert await b.store.integrity_check() == "ok"
