"""Health that tells the truth (issue 14): ``/healthz`` said ``ok`` with QloApps down and with the
relay refusing the link's key; ``relay status`` hid a box that never connected; ``pms check``
with QloApps' database down said only "QloApps answered 500"."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from hotelbox.config import Settings, load_settings
from hotelbox.daemon import Box
from hotelbox.messages import Reply
from hotelbox.pms import admin
from hotelbox.relay.protocol import new_key
from hotelbox.relay.service import queue_status
from hotelbox.scheduler import Priority
from hotelbox.store import bookings, conversations, outbox
from hotelbox.store.database import Conn, utc_in, utcnow
from hotelbox.web.app import make_app
from tests.fakes.qloapps import FakeQloApps
from tests.integration.wa_rig import Rig, box_settings, relay_settings, started_box
from tests.support import RecordingChannel, wait_for


async def healthz(box: Box) -> tuple[int, dict]:  # type: ignore[type-arg]
    """GET /healthz of the box's real web app on 127.0.0.1, as a load balancer would."""
    runner = web.AppRunner(make_app(box))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/healthz") as answer:
            return answer.status, await answer.json()
    finally:
        await runner.cleanup()


def codes(health: dict) -> list[str]:  # type: ignore[type-arg]
    return [p["code"] for p in health["problems"]]


@pytest.mark.parametrize("pms_kind", ["qloapps"], indirect=True)
async def test_qloapps_down_makes_the_box_degraded_with_the_reason(
    settings: Settings, qloapps_fake: FakeQloApps
) -> None:
    async with Box(settings, {"test": RecordingChannel()}) as box:
        status, health = await asyncio.wait_for(healthz(box), 30)
        assert (status, health["status"], health["problems"]) == (200, "ok", [])
        await qloapps_fake.go_down()
        sync = box.pms.sync  # type: ignore[attr-defined]
        for _ in range(settings.pms.qloapps.breaker_failures):
            await asyncio.wait_for(sync.run_job("near", Priority.STAFF), 60)
        status, health = await asyncio.wait_for(healthz(box), 30)
        assert status == 503
        assert health["status"] == "degraded"
        assert {"pms_unavailable", "pms_sync_failed"} <= set(codes(health))
        problem = next(p for p in health["problems"] if p["code"] == "pms_unavailable")
        assert problem["part"] == "pms"
        assert "bookings wait" in problem["reason"]
        await qloapps_fake.come_back()
        await asyncio.sleep(settings.pms.qloapps.breaker_cooldown_s)
        # every job the scheduler tried during the outage (under load: far and bookings too) runs again
        for job in ("near", "far", "bookings"):
            assert await asyncio.wait_for(sync.run_job(job, Priority.STAFF), 60)
        _, health = await asyncio.wait_for(healthz(box), 30)
        assert (health["status"], health["problems"]) == ("ok", [])


async def test_a_link_the_relay_refuses_is_a_problem_with_its_reason(rig: Rig) -> None:
    wrong = box_settings(rig.tmp, rig.relay_url, rig.graph.url, new_key())  # not the relay's key
    async with Box(wrong, {}, live_channels=True) as box:
        link = box.whatsapp.link  # type: ignore[union-attr]
        await wait_for(lambda: link.state.reconnects >= 1, 15)
        status, health = await asyncio.wait_for(healthz(box), 30)
        assert status == 503
        assert health["status"] == "degraded"
        [problem] = [p for p in health["problems"] if p["part"] == "relay_link"]
        assert problem["code"] == "relay_link_refused"
        assert "401" in problem["reason"]
        assert "key_file" in problem["reason"]
    async with started_box(rig) as box:  # the right key: connected, nothing wrong
        _, health = await asyncio.wait_for(healthz(box), 30)
        assert (health["status"], health["problems"]) == ("ok", [])


async def test_relay_status_lists_a_box_that_never_connected(rig: Rig, tmp_path: Path) -> None:
    async with started_box(rig):
        pass
    settings = relay_settings(tmp_path, rig.key)
    boxes = {
        "hotel-1": settings.relay.boxes["hotel-1"],
        "hotel-2": {"phone_number_ids": ["999"], "key": new_key()},
    }
    settings = load_settings(state_dir=tmp_path / "relay", relay={"boxes": boxes})
    status = await queue_status(settings)
    assert status["boxes"]["hotel-2"] == {"configured": True, "last_seen_ms": None, "last_seen_age_s": None}
    seen = status["boxes"]["hotel-1"]
    assert seen["last_seen_ms"] is not None
    assert 0 <= seen["last_seen_age_s"] < 600


@pytest.mark.parametrize("pms_kind", ["qloapps"], indirect=True)
async def test_pms_check_with_qloapps_answering_500_says_what_it_likely_means(
    settings: Settings, qloapps_fake: FakeQloApps
) -> None:
    qloapps_fake.fail_next(50, 500)  # what QloApps answers when its MySQL is down
    steps, _ = await asyncio.wait_for(admin.check(settings, qloapps_fake.key), 60)
    assert steps[0].level == "fail"
    assert "500" in steps[0].detail
    assert "database" in steps[0].detail


async def test_healthz_metrics_and_settle_count_the_same_backlog(box: tuple[Box, RecordingChannel]) -> None:
    """The pending backlog is one store function (issue 19): /healthz and /metrics show the same
    counts, and settle does not wait for work that is not due (a PMS write backing off, a send
    waiting for its status)."""
    b, _ = box
    address = "+34600000777"

    def waiting_work(c: Conn) -> int:
        conversation = conversations.get_or_create(c, "test", address)
        guest_id = c.execute("SELECT guest_id FROM conversations WHERE id = ?", (conversation,)).fetchone()[0]
        request = {"check_in": "2030-01-01", "check_out": "2030-01-03", "adults": 2, "children": 0}
        bookings.queue_create(c, conversation, guest_id, "backlog-1", {**request, "room_type": "1"})
        c.execute("UPDATE pms_outbox SET next_attempt_at = ?", (utc_in(60),))  # within the back-off
        sent = outbox.enqueue(c, conversation, "test", address, Reply(text="hola", lang="es"))
        c.execute(
            "UPDATE outbox SET status = 'uncertain', uncertain_since = ? WHERE id = ?", (utcnow(), sent)
        )
        return conversation

    conversation = await b.store.write(waiting_work)
    await b.settle(conversation, within_s=10)
    _, health = await asyncio.wait_for(healthz(b), 30)
    assert health["backlog"] == {"outbox": 0, "inbox": 0, "pms": 1}
    runner = web.AppRunner(make_app(b))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/metrics"
        async with aiohttp.ClientSession() as http, http.get(url) as answer:
            metrics = await answer.text()
    finally:
        await runner.cleanup()
    assert 'hotelbox_backlog{queue="pms"} 1.0' in metrics
    assert 'hotelbox_backlog{queue="inbox"} 0.0' in metrics
    assert 'hotelbox_backlog{queue="outbox"} 0.0' in metrics
    assert "hotelbox_outbox_uncertain 1.0" in metrics
