"""The relay's side of the link: one WebSocket per box, events in order, acks after commit.

A box connects with ``Authorization: Bearer <box id>.<token>`` (junk is refused before the
upgrade), answers a fresh nonce with a MAC under its key, and says up to where it has
committed (``ack_upto``). The relay resumes right after that, keeps at most ``window`` events
unacknowledged, never resends on a timer while connected (the link is TCP), and marks events
delivered only on the box's cumulative ack. A newer connection of the same box closes the older
one (4001). A ``nack`` (the event's MAC failed on the box) quarantines the event and alerts.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import itertools
import logging
from collections.abc import Awaitable
from typing import TYPE_CHECKING

from aiohttp import WSMsgType, web

from hotelbox.relay import protocol as p
from hotelbox.relay.queue import now_ms

if TYPE_CHECKING:
    from hotelbox.relay.server import Relay

log = logging.getLogger(__name__)
AUTH_TIMEOUT_S = 10.0
_ids = itertools.count(1)


class LinkSession:
    def __init__(self, relay: Relay, box_id: str, ws: web.WebSocketResponse, auth: p.Auth) -> None:
        self.relay = relay
        self.box_id = box_id
        self.ws = ws
        self.key = relay.secrets.box_keys[box_id]
        self.id = next(_ids)
        self.window = max(1, min(auth.window, relay.settings.max_window))
        self.cursor = auth.ack_upto  # last seq sent
        self.unacked: list[int] = []
        self.progress = asyncio.Event()  # an ack or nack came: the window may have room

    async def close(self, code: int, message: str) -> None:
        with contextlib.suppress(Exception):
            await self.ws.close(code=code, message=message.encode())

    async def run(self) -> None:
        sender = asyncio.create_task(self._send_loop(), name=f"relay-send-{self.box_id}")
        try:
            await self._receive_loop()
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender

    async def _send_loop(self) -> None:
        queue = self.relay.queue
        waiter = queue.waiter(self.box_id)
        while not self.ws.closed:
            room = self.window - len(self.unacked)
            if room <= 0:
                self.progress.clear()
                await self.progress.wait()
                continue
            waiter.clear()
            events = await queue.read_from(self.box_id, self.cursor, room)
            if not events:
                self.progress.clear()
                await _first(waiter.wait(), self.progress.wait())
                continue
            for event in events:
                frame = p.Event.sign(
                    self.key,
                    self.box_id,
                    event.seq,
                    event.kind,
                    event.received_at_ms,
                    event.headers,
                    event.body,
                )
                await self.ws.send_str(p.to_json(frame))
                self.unacked.append(event.seq)
                self.cursor = event.seq
            self.relay.metrics.events_sent.labels(self.box_id).inc(len(events))
            resent = sum(1 for e in events if e.attempts)
            if resent:
                self.relay.metrics.resends.labels(self.box_id).inc(resent)
            await queue.mark_sent(self.box_id, [e.seq for e in events])

    async def _receive_loop(self) -> None:
        async for msg in self.ws:
            if msg.type != WSMsgType.TEXT:
                continue
            try:
                frame = p.from_json(msg.data)
            except p.ProtocolError as exc:
                log.warning("link frame refused box=%s link=%d code=%s", self.box_id, self.id, exc.code)
                await self.close(p.CLOSE_PROTOCOL, exc.code)
                return
            if isinstance(frame, p.Ack):
                if frame.upto > self.cursor:  # acking what was never sent: a confused box
                    log.warning(
                        "ack beyond what was sent box=%s upto=%d sent=%d",
                        self.box_id,
                        frame.upto,
                        self.cursor,
                    )
                    frame = p.Ack(self.cursor)
                await self.relay.queue.ack(self.box_id, frame.upto)
                self.unacked = [s for s in self.unacked if s > frame.upto]
                self.progress.set()
            elif isinstance(frame, p.Nack):
                log.error(
                    "box rejected an event: quarantined box=%s seq=%d reason=%s",
                    self.box_id,
                    frame.seq,
                    frame.reason,
                )
                self.relay.metrics.nacks.labels(self.box_id).inc()
                await self.relay.queue.quarantine(self.box_id, frame.seq, f"nack: {frame.reason}")
                self.unacked = [s for s in self.unacked if s != frame.seq]
                self.progress.set()
            else:
                log.warning("unexpected frame box=%s type=%s", self.box_id, frame.t)


async def _first(*waits: Awaitable[object]) -> None:
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for t in tasks:
            t.cancel()


class LinkServer:
    def __init__(self, relay: Relay) -> None:
        self.relay = relay

    def _box_from_bearer(self, request: web.Request) -> str | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or not header.isascii():  # non-ASCII was a 500 (issue 13)
            return None
        token = header.removeprefix("Bearer ").strip()
        box_id = token.rsplit(".", 1)[0]
        key = self.relay.secrets.box_keys.get(box_id)
        if key is None or not hmac.compare_digest(p.bearer_token(key, box_id), token):
            return None
        return box_id

    async def handle(self, request: web.Request) -> web.StreamResponse:
        box_id = self._box_from_bearer(request)
        if box_id is None:
            self.relay.metrics.auth_failures.labels("bearer").inc()
            log.warning("link refused before upgrade: bad bearer remote=%s", request.remote)
            return web.Response(status=401, text="unknown box or bad token")
        ws = web.WebSocketResponse(heartbeat=self.relay.settings.heartbeat_s, max_msg_size=1 << 20)
        await ws.prepare(request)
        challenge = p.Challenge.new(self.relay.settings.relay_id)
        await ws.send_str(p.to_json(challenge))
        try:
            msg = await ws.receive(timeout=AUTH_TIMEOUT_S)
            auth = p.from_json(msg.data) if msg.type == WSMsgType.TEXT else None
        except (TimeoutError, p.ProtocolError):
            auth = None
        key = self.relay.secrets.box_keys[box_id]
        if not isinstance(auth, p.Auth) or auth.box_id != box_id or not auth.verify(key, challenge.nonce):
            self.relay.metrics.auth_failures.labels("mac").inc()
            log.warning("link refused: bad auth box=%s remote=%s", box_id, request.remote)
            await ws.close(code=p.CLOSE_AUTH_FAILED, message=b"auth failed")
            return ws
        session = LinkSession(self.relay, box_id, ws, auth)
        old = self.relay.sessions.get(box_id)
        self.relay.sessions[box_id] = session
        if old is not None:
            log.info("link superseded box=%s old=%d new=%d", box_id, old.id, session.id)
            await old.close(p.CLOSE_SUPERSEDED, "superseded")
        await self.relay.queue.ack(box_id, auth.ack_upto)  # also "last seen" for `hotelbox relay status`
        await self.relay.refresh_backlog()
        backlog = self.relay.backlog.get(box_id)
        await ws.send_str(p.to_json(p.Welcome(auth.ack_upto + 1, backlog.events if backlog else 0, now_ms())))
        self.relay.metrics.connected.labels(box_id).set(1)
        log.info(
            "link up box=%s link=%d resume_from=%d window=%d",
            box_id,
            session.id,
            auth.ack_upto + 1,
            session.window,
        )
        try:
            await session.run()
        finally:
            if self.relay.sessions.get(box_id) is session:
                del self.relay.sessions[box_id]
                self.relay.metrics.connected.labels(box_id).set(0)
            log.info("link down box=%s link=%d", box_id, session.id)
        return ws
