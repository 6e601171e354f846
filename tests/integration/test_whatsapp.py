"""WhatsApp end to end inside one test process, every hop real: signed webhooks → relay (aiohttp,
SQLite) → link (WebSocket) → box (store, pipeline) → fake Graph API (aiohttp), and Meta's
status webhooks back through the relay."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from hotelbox.daemon import Box
from hotelbox.relay.protocol import new_key
from tests.fakes.graph import PNID, FakeGraph, encode, message_body, wamid
from tests.integration.wa_rig import FIXTURES, VERIFY, Rig, box_settings, started_box
from tests.support import DATA, wait_for


def sent_to(graph: FakeGraph, phone: str) -> list[str]:
    return [m.text for m in graph.sent if m.recipient == phone]


async def test_a_guests_text_gets_an_answer_and_statuses_come_back(rig: Rig) -> None:
    async with started_box(rig) as box:
        await rig.meta.post(
            message_body("+34600111222", text="hola, ¿a qué hora es el check-in?", user_id="ES.1")
        )
        [reply] = await rig.graph.wait_sent(1)
        assert reply.body["to"] == "+34600111222"
        assert reply.body["biz_opaque_callback_data"].startswith("outbox:")
        assert "check-in" in reply.text.lower() or "entrada" in reply.text.lower()
        assert reply.pnid == PNID
        # Meta's sent → delivered → read come back through the relay and move the row forward
        await wait_for(lambda: rig.box_query("SELECT delivery FROM outbox WHERE channel = 'whatsapp'"), 10)

        async def delivered() -> bool:
            rows = await rig.box_query("SELECT status, delivery, channel_message_id FROM outbox")
            return rows == [{"status": "sent", "delivery": "read", "channel_message_id": reply.wamid}]

        await wait_for(delivered, 10)
        assert rig.graph.read  # the guest's message was marked read
        health = await box.health()
        assert health["whatsapp"]["link"]["connected"] is True


async def test_choices_go_out_as_buttons_and_a_button_reply_is_understood(rig: Rig) -> None:
    from datetime import timedelta

    from tests.helpers import say_date
    from tests.support import hotel_today

    day = hotel_today() + timedelta(days=40)
    async with started_box(rig):
        text = f"quiero reservar una doble del {say_date(day, 'es')} al {say_date(day + timedelta(days=2), 'es')} para 2 adultos, soy Ana Pérez, ana@example.com"
        await rig.meta.post(message_body("+34600111333", text=text))
        [summary] = await rig.graph.wait_sent(1)
        assert summary.body["type"] == "interactive", summary.body
        buttons = summary.body["interactive"]["action"]["buttons"]
        yes = next(b["reply"] for b in buttons if b["reply"]["id"].startswith("yes"))
        await rig.meta.post(
            message_body(
                "+34600111333",
                kind="interactive",
                part={"type": "button_reply", "button_reply": yes},
                context={"from": "15550783881", "id": summary.wamid},
            )
        )
        sent = await rig.graph.wait_sent(2, 30)
        assert "ANA" in sent[1].text.upper() or any(ch.isdigit() for ch in sent[1].text)
        rows = await rig.box_query("SELECT status, pms_reference FROM bookings")
        assert rows
        assert rows[0]["status"] in ("confirmed", "pending")


async def test_every_recorded_fixture_is_accepted_and_handled_without_an_error(rig: Rig) -> None:
    payloads = sorted(p for p in FIXTURES.glob("*__*.json") if not p.name.startswith("signature"))
    async with started_box(rig):
        for n, path in enumerate(payloads):
            # ids repeat across the fixtures (see their README): give each file its own
            raw = (
                path.read_text()
                .replace("wamid.", f"wamid.F{n:02d}")
                .replace('"ABGGFlA5Fpa"', f'"ABGG{n:02d}"')
            )
            body = json.loads(raw)
            status, _ = await rig.meta.post_raw(encode(body))
            assert status == 200, path.name

        async def all_in() -> bool:
            rows = await rig.box_query("SELECT count(*) AS n FROM relay_events")
            return rows[0]["n"] == len(payloads)

        await wait_for(all_in, 20)

        async def settled() -> bool:
            rows = await rig.box_query("SELECT count(*) AS n FROM inbox WHERE status = 'pending'")
            return rows[0]["n"] == 0

        await wait_for(settled, 30)
        events = await rig.box_query("SELECT status, problems FROM relay_events")
        assert {e["status"] for e in events} == {"parsed"}
        inbox_rows = await rig.box_query("SELECT status, error FROM inbox")
        assert len(inbox_rows) == 25  # 27 message files, of which 2 are system messages (identity changes)
        assert {r["status"] for r in inbox_rows} == {"done"}, inbox_rows
        statuses = await rig.box_query("SELECT count(*) AS n FROM delivery_statuses")
        assert statuses[0]["n"] == 10
        # the fixtures are months old: nobody is answered as if live, staff are told instead
        conversations = await rig.box_query("SELECT control, attention FROM conversations")
        handed = [c for c in conversations if c["control"] == "waiting_staff"]
        assert handed
        assert {c["attention"] for c in handed} <= {"stale_message", "window_closed"}
        # ... and no free text goes out of the 24-hour window either
        assert not rig.graph.sent


async def test_duplicates_same_bytes_and_same_wamid_with_other_bytes_get_one_answer(rig: Rig) -> None:
    async with started_box(rig):
        body = message_body("+34600111444", text="¿tenéis parking?", wamid_=wamid())
        raw = encode(body)
        for _ in range(3):
            assert (await rig.meta.post_raw(raw))[0] == 200
        # Meta's retry of the same event from another subscribed app: other bytes, same wamid
        reordered = json.dumps(body, ensure_ascii=False, indent=1).encode()
        assert (await rig.meta.post_raw(reordered))[0] == 200
        await rig.graph.wait_sent(1)
        await asyncio.sleep(1.0)
        assert len(sent_to(rig.graph, "+34600111444")) == 1
        stored = await rig.relay.queue.read_from("hotel-1", 0, 100)
        mine = [
            e
            for e in stored
            if body["entry"][0]["changes"][0]["value"]["messages"][0]["id"].encode() in e.body
        ]
        assert len(mine) == 2  # the same bytes stored once at the relay, the other bytes once
        assert len(await rig.box_query("SELECT * FROM inbox")) == 1


async def test_bad_input_is_refused_or_kept_and_nothing_crashes(rig: Rig) -> None:
    raw = encode(message_body("+34600111555", text="hola"))
    assert (await rig.meta.post_raw(raw, signature=None))[0] == 401
    assert (await rig.meta.post_raw(raw, signature="sha256=" + "0" * 64))[0] == 403
    assert (await rig.meta.post_raw(raw + b" ", signature=None))[0] == 401
    assert (await rig.meta.post_raw(b"x" * (70 * 1024)))[0] == 413
    assert (await rig.meta.post_raw(b'{"object": "whatsapp_business_account", "entry": [')) == (
        200,
        pytest.approx(0, abs=5),
    )
    unknown = message_body("+34600111555", text="hola", pnid="999999")
    assert (await rig.meta.post_raw(encode(unknown)))[0] == 200
    backlog = await rig.relay.queue.backlog()
    assert backlog["_unrouted"].events == 2  # kept and reported, not dropped
    async with aiohttp.ClientSession() as http:
        async with http.get(
            f"{rig.relay_url}/wa/webhook",
            params={"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"},
        ) as resp:
            assert (resp.status, await resp.text()) == (200, "1158201444")
        async with http.get(
            f"{rig.relay_url}/wa/webhook",
            params={"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        ) as resp:
            assert resp.status == 403
        async with http.get(f"{rig.relay_url}/metrics") as resp:
            metrics = await resp.text()
    assert 'hotelbox_relay_webhooks_total{outcome="bad_signature"} 1.0' in metrics
    assert 'hotelbox_relay_backlog_events{box="_unrouted"} 2.0' in metrics


async def test_a_box_with_a_wrong_key_is_refused_and_loses_nothing(rig: Rig) -> None:
    await rig.meta.post(message_body("+34600111666", text="hola"))
    good_key = rig.key
    rig.key = new_key()
    settings = box_settings(rig.tmp, rig.relay_url, rig.graph.url, rig.key)
    async with Box(settings, {}, live_channels=True) as box:
        assert box.whatsapp is not None
        assert box.whatsapp.link is not None
        await wait_for(lambda: box.whatsapp.link.state.reconnects >= 2, 10)  # type: ignore[union-attr]
        assert not box.whatsapp.link.state.connected
        assert not rig.graph.sent
    assert (await rig.relay.queue.backlog())["hotel-1"].events == 1
    rig.key = good_key
    async with started_box(rig):
        await rig.graph.wait_sent(1)
    assert "hotelbox_relay_link_auth_failures_total" in (await _metrics(rig))


async def _metrics(rig: Rig) -> str:
    async with aiohttp.ClientSession() as http, http.get(f"{rig.relay_url}/metrics") as resp:
        return await resp.text()


async def test_a_send_whose_answer_was_lost_is_settled_by_its_status_not_resent(rig: Rig) -> None:
    rig.graph.switches.lose_answers = 1
    async with started_box(rig):
        await rig.meta.post(message_body("+34600111777", text="¿tenéis wifi?"))
        [sent] = await rig.graph.wait_sent(1)

        async def settled() -> bool:
            rows = await rig.box_query("SELECT status, channel_message_id FROM outbox")
            return rows == [{"status": "sent", "channel_message_id": sent.wamid}]

        await wait_for(settled, 10)
        await asyncio.sleep(1.5)  # longer than uncertain_resend_after_s: a status settled it
        assert len(rig.graph.sent) == 1


async def test_an_uncertain_send_with_no_status_is_sent_again_later(rig: Rig) -> None:
    rig.graph.switches.lose_answers = 1
    rig.graph.switches.statuses = ()  # Meta never says a word about it
    async with started_box(rig) as box:
        await rig.meta.post(message_body("+34600111888", text="¿tenéis wifi?"))
        await rig.graph.wait_sent(1)

        async def uncertain() -> bool:
            return await rig.box_query("SELECT status FROM outbox") == [{"status": "uncertain"}]

        await wait_for(uncertain, 10)
        box.sender._next_requeue = 0  # the periodic check, now
        await asyncio.sleep(1.1)
        box.sender.wake()
        await rig.graph.wait_sent(2, 20)


async def test_a_guests_replies_stay_in_order_behind_an_uncertain_send(rig: Rig) -> None:
    rig.graph.switches.lose_answers = 1
    rig.graph.switches.statuses = ()  # no status will settle the first send: it is resent, in order
    async with started_box(rig) as box:
        await rig.meta.post(message_body("+34600113000", text="¿tenéis wifi?"))
        await rig.graph.wait_sent(1)
        await rig.meta.post(message_body("+34600113000", text="¿y parking?"))

        async def two_rows() -> bool:
            return len(await rig.box_query("SELECT id FROM outbox")) == 2

        await wait_for(two_rows, 10)
        await asyncio.sleep(0.5)
        assert len(rig.graph.sent) == 1  # the second answer waits behind the uncertain first
        box.sender._next_requeue = 0
        await asyncio.sleep(1.1)
        box.sender.wake()
        sent = await rig.graph.wait_sent(3, 20)
        assert "wifi" in sent[1].text.lower()
        assert "parking" in sent[2].text.lower()


async def test_outside_the_24_hour_window_no_free_text_is_sent(rig: Rig) -> None:
    async with started_box(rig) as box:
        old = int(time.time()) - 25 * 3600
        await rig.meta.post(message_body("+34600111999", text="hola", timestamp=old))

        async def flagged() -> list[dict[str, Any]]:
            return await rig.box_query(
                "SELECT attention FROM conversations WHERE attention = 'window_closed'"
            )

        await wait_for(flagged, 10)
        assert not rig.graph.sent
        rows = await rig.box_query("SELECT status, last_error FROM outbox")
        assert rows[0]["status"] == "failed"
        assert "24-hour" in rows[0]["last_error"]
        assert box.whatsapp is not None


async def test_meta_saying_the_window_closed_is_not_retried_and_staff_are_told(rig: Rig) -> None:
    rig.graph.switches.window_closed_for.add("+34600112000")
    async with started_box(rig):
        await rig.meta.post(message_body("+34600112000", text="hola"))

        async def flagged() -> list[dict[str, Any]]:
            return await rig.box_query(
                "SELECT attention FROM conversations WHERE attention = 'window_closed'"
            )

        await wait_for(flagged, 10)
        await asyncio.sleep(1.0)
        assert rig.graph.requests - len(rig.graph.read) == 1  # one send, not retried


async def test_a_voice_note_is_downloaded_and_checked(rig: Rig) -> None:
    audio = (DATA / "speech" / "fleurs" / "fleurs-es-000.ogg").read_bytes()
    media = rig.graph.add_media(audio)
    from tests.fakes.graph import sha256_b64

    async with started_box(rig):
        part = {
            "mime_type": "audio/ogg; codecs=opus",
            "sha256": sha256_b64(audio),
            "id": media.id,
            "voice": True,
        }
        await rig.meta.post(message_body("+34600112111", kind="audio", part=part))
        bad = rig.graph.add_media(b"OggS not really")
        await rig.meta.post(
            message_body("+34600112112", kind="audio", part={**part, "id": bad.id})
        )  # sha256 of another file

        async def downloaded() -> list[dict[str, Any]]:
            rows = await rig.box_query("SELECT status, path, size FROM media ORDER BY id")
            return rows if [r["status"] for r in rows] == ["stored", "failed"] else []

        rows = await wait_for(downloaded, 20)
        assert rows[0]["size"] == len(audio)
        assert await asyncio.to_thread(Path(rows[0]["path"]).read_bytes) == audio
        assert rig.graph.read  # marked read (with a typing indicator: a voice note takes a moment)


async def test_a_newer_connection_supersedes_the_older_one(rig: Rig) -> None:
    async with started_box(rig) as first:
        assert first.whatsapp is not None
        assert first.whatsapp.link is not None
        settings = box_settings(rig.tmp / "second", rig.relay_url, rig.graph.url, rig.key)
        async with Box(settings, {}, live_channels=True) as second:
            assert second.whatsapp is not None
            assert second.whatsapp.link is not None
            await wait_for(lambda: second.whatsapp.link.state.connected, 10)  # type: ignore[union-attr]
            await wait_for(lambda: first.whatsapp.link.state.reconnects >= 1, 10)  # type: ignore[union-attr]
            assert rig.relay.sessions["hotel-1"] is not None


async def test_relay_health_names_a_box_that_stopped_fetching_without_sending_meta_elsewhere(
    rig: Rig,
) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{rig.relay_url}/healthz") as resp:
            assert (resp.status, (await resp.json())["problems"]) == (200, [])
        await rig.meta.post(message_body("+34600111888", text="hola"))  # no box connected
        rig.relay.settings = rig.relay.settings.model_copy(update={"backlog_page_s": 0.05})
        await asyncio.sleep(0.1)
        async with http.get(f"{rig.relay_url}/healthz") as resp:
            status, body = resp.status, await resp.json()
    assert status == 200  # another relay would not help: the box is what is away
    assert body["status"] == "degraded"
    [problem] = body["problems"]
    assert (problem["code"], problem["part"]) == ("box_backlog_old", "box:hotel-1")
    assert "not connected" in problem["reason"]
    assert "1 event" in problem["reason"]
