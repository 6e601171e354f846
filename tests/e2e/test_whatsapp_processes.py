"""WhatsApp with real processes on 127.0.0.1: fake Meta → ``hotelbox relay`` → ``hotelbox run`` →
fake Graph API; and the crashes the durability rules are about, each hit on purpose with a
failpoint (SIGKILL on the spot): the relay killed between its commit and Meta's 200, the box
killed between its commit and its ack, the relay killed and restarted with a backlog. Every
message must be answered exactly once, in order per guest."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.processes import World
from tests.fakes.graph import FakeGraph, message_body, wamid


@pytest.fixture
async def world(tmp_path: Path, nlu_cache: Path) -> AsyncIterator[World]:
    async with FakeGraph() as graph:
        w = World(tmp_path, graph)
        try:
            yield w
        finally:
            await w.meta.close()
            await w.box.stop()
            await w.relay.stop()


@pytest.mark.timeout(240)
async def test_a_guest_on_whatsapp_gets_an_answer_through_real_processes(world: World) -> None:
    world.relay.supervise()
    world.box.supervise()
    await world.box_connected()
    asked = await world.guests_ask(guests=3, per_guest=2)
    await world.check_answered_once_in_order(asked)


@pytest.mark.timeout(300)
async def test_relay_killed_between_commit_and_200_box_killed_between_commit_and_ack(world: World) -> None:
    world.relay.supervise(failpoints="relay.after_commit@5")
    world.box.supervise(failpoints="box.before_ack@3")
    await world.box_connected()
    asked = await world.guests_ask(guests=6, per_guest=4)
    await world.check_answered_once_in_order(asked)
    assert world.relay.kills == 1, world.relay.log()  # the failpoints really fired
    assert world.box.kills == 1, world.box.log()


@pytest.mark.timeout(300)
async def test_relay_restart_with_a_backlog_and_the_box_offline(world: World) -> None:
    world.relay.supervise()
    await world.meta.post(message_body("+34600999000", text="hola"), retry_for_s=60)  # relay is up
    asked = await world.guests_ask(guests=5, per_guest=3)  # no box: all kept by the relay
    world.relay.kill()  # and the relay dies with its backlog
    world.box.supervise()
    await world.box_connected()
    asked["+34600999000"] = ["hotel"]
    await world.check_answered_once_in_order(asked)
    assert world.relay.kills == 1


@pytest.mark.timeout(300)
async def test_a_box_killed_before_its_request_left_sends_the_reply_at_once_after_restart(
    world: World,
) -> None:
    """Killed between claiming a reply and its POST to Meta: the request never left, so after the
    restart it is sent at once, not after whatsapp.uncertain_resend_after_s (issue 14: 128 s late)."""
    world.box.env["HOTELBOX_WHATSAPP__UNCERTAIN_RESEND_AFTER_S"] = "600"
    world.relay.supervise()
    world.box.supervise(failpoints="outbox.after_claim@1")
    await world.box_connected()
    await world.meta.post(
        message_body("+34600777111", text="¿tenéis parking?", wamid_=wamid()), retry_for_s=90
    )
    try:
        await world.graph.wait_sent(1, 120)  # far less than the 600 s an uncertain send waits
    except TimeoutError as exc:
        raise AssertionError(f"{exc}\n{world.box.log()}") from exc
    assert world.box.kills == 1, world.box.log()  # the failpoint fired: the first run died there
    await asyncio.sleep(2.0)
    replies = [m.text.lower() for m in world.graph.sent if m.recipient == "+34600777111"]
    assert len(replies) == 1
    assert "parking" in replies[0]
