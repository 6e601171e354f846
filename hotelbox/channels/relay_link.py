"""The box's side of the relay link: one WebSocket held open to the cloud relay.

The box connects out (it sits behind the hotel's NAT), proves who it is by answering the
relay's nonce with its link key, and says up to where it has committed (the last relay seq in
its ``relay_events``): the relay resumes right after. Events are checked (body hash, relay MAC),
committed in batches (everything queued when the commit starts goes in one transaction), and
acknowledged cumulatively **only after the commit**. An event whose MAC fails is refused with a
``nack`` (the relay quarantines it) and never stored. A silent link (no frame or pong for
``dead_after_s``) is dropped; reconnection backs off exponentially with jitter; a newer
connection at the relay supersedes this one (close code 4001).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp

from hotelbox.config import RelayLinkSettings
from hotelbox.errors import Unavailable
from hotelbox.ops.failpoints import failpoint
from hotelbox.relay import protocol as p

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RelayedEvent:
    """An event whose relay MAC has been checked."""

    seq: int
    kind: str
    received_at_ms: int
    headers: dict[str, str]
    body: bytes


@dataclass
class LinkState:
    connected: bool = False
    last_seq: int = 0
    connects: int = 0
    reconnects: int = 0
    events: int = 0
    nacks: int = 0
    last_error: str | None = None
    connected_since: float | None = None
    backlog_at_connect: int = 0
    refused: bool = False  # the relay said no to this box (401/403, auth refused): a key to fix


class RelayLink:
    def __init__(
        self,
        settings: RelayLinkSettings,
        key: bytes,
        *,
        resume_point: Callable[[], Awaitable[int]],
        store_batch: Callable[[list[RelayedEvent]], Awaitable[object]],
    ) -> None:
        if not settings.url:
            raise ValueError("relay_link.url is not set")
        self.settings = settings
        self.url = settings.url
        self.key = key
        self.resume_point = resume_point
        self.store_batch = store_batch
        self.state = LinkState()
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self._session = aiohttp.ClientSession()
        self._task = asyncio.create_task(self._run(), name="relay-link")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._session is not None:
            await self._session.close()
        self.state.connected = False

    def backoff(self, failures: int) -> float:
        """Exponential, capped, with full jitter in the upper half (many boxes, one relay)."""
        ceiling = min(self.settings.backoff_max_s, self.settings.backoff_min_s * 2 ** min(failures, 16))
        return random.uniform(ceiling / 2, ceiling)

    async def _run(self) -> None:
        failures = 0
        while True:
            started = time.monotonic()
            try:
                await self._session_once()
                self.state.last_error = "closed by the relay"
            except asyncio.CancelledError:
                raise
            except Unavailable as exc:  # the box cannot store now (disk): events wait at the relay
                self.state.last_error = f"{exc.code}: {exc}"[:200]
                log.warning("relay link paused: box cannot store events code=%s", exc.code)
            except (aiohttp.ClientError, TimeoutError, OSError, p.ProtocolError) as exc:
                self.state.last_error = f"{type(exc).__name__}: {exc}"[:200]
                self.state.refused = (
                    isinstance(exc, aiohttp.WSServerHandshakeError) and exc.status in (401, 403)
                ) or getattr(exc, "code", None) == "auth_refused"
                log.warning("relay link down error=%s", self.state.last_error)
            except Exception as exc:
                self.state.last_error = f"{type(exc).__name__}: {exc}"[:200]
                log.exception("relay link failed")
            finally:
                self.state.connected = False
                self.state.connected_since = None
            # a link that stayed up a while starts its back-off afresh
            failures = 0 if time.monotonic() - started > 30 else failures + 1
            self.state.reconnects += 1
            delay = self.backoff(failures)
            log.info("relay link reconnecting in_s=%.1f", delay)
            await asyncio.sleep(delay)

    async def _session_once(self) -> None:
        assert self._session is not None
        headers = {"Authorization": f"Bearer {p.bearer_token(self.key, self.settings.box_id)}"}
        async with self._session.ws_connect(
            self.url,
            headers=headers,
            heartbeat=self.settings.heartbeat_s,
            timeout=aiohttp.ClientWSTimeout(ws_receive=self.settings.dead_after_s, ws_close=5.0),
            max_msg_size=8 * 1024 * 1024,
        ) as ws:
            challenge = p.from_json(await ws.receive_str(timeout=10))
            if not isinstance(challenge, p.Challenge):
                raise p.ProtocolError("the relay did not start with a challenge")
            ack_upto = await self.resume_point()
            auth = p.Auth.sign(
                self.key, challenge.nonce, self.settings.box_id, ack_upto, self.settings.window
            )
            await ws.send_str(p.to_json(auth))
            msg = await ws.receive(timeout=10)
            if msg.type != aiohttp.WSMsgType.TEXT:
                raise p.ProtocolError(
                    f"the relay refused the link (close code {ws.close_code})", "auth_refused"
                )
            welcome = p.from_json(msg.data)
            if not isinstance(welcome, p.Welcome):
                raise p.ProtocolError("the relay did not welcome the box")
            self.state.connected = True
            self.state.connected_since = time.time()
            self.state.connects += 1
            self.state.last_seq = ack_upto
            self.state.backlog_at_connect = welcome.backlog
            self.state.last_error = None
            self.state.refused = False
            log.info(
                "relay link up relay=%s resume_from=%d backlog=%d",
                challenge.relay_id,
                welcome.resume_from,
                welcome.backlog,
            )
            await self._pump(ws)
            if ws.close_code == p.CLOSE_SUPERSEDED:
                log.warning("relay link superseded by a newer connection of this box")

    async def _pump(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Read frames into a queue; commit whatever is queued in one go, then ack it."""
        queue: asyncio.Queue[RelayedEvent | None] = asyncio.Queue()
        committer = asyncio.create_task(self._commit_loop(ws, queue), name="relay-link-commit")
        try:
            async for msg in ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    continue
                frame = p.from_json(msg.data)
                if not isinstance(frame, p.Event):
                    log.info("relay frame ignored type=%s", frame.t)
                    continue
                try:
                    body = frame.verify(self.key, self.settings.box_id)
                except p.ProtocolError as exc:
                    self.state.nacks += 1
                    log.error("relay event refused seq=%d code=%s", frame.seq, exc.code)
                    await ws.send_str(p.to_json(p.Nack(frame.seq, exc.code)))
                    continue
                queue.put_nowait(
                    RelayedEvent(frame.seq, frame.kind, frame.received_at_ms, frame.headers, body)
                )
                if committer.done():
                    break
        finally:
            queue.put_nowait(None)
            with contextlib.suppress(asyncio.CancelledError, aiohttp.ClientError, ConnectionError):
                await committer

    async def _commit_loop(
        self, ws: aiohttp.ClientWebSocketResponse, queue: asyncio.Queue[RelayedEvent | None]
    ) -> None:
        try:
            await self._commit_all(ws, queue)
        except BaseException:
            await ws.close(code=p.CLOSE_TRY_LATER)  # nothing acked: the relay keeps the events
            raise

    async def _commit_all(
        self, ws: aiohttp.ClientWebSocketResponse, queue: asyncio.Queue[RelayedEvent | None]
    ) -> None:
        while True:
            first = await queue.get()
            if first is None:
                return
            batch = [first]
            while not queue.empty():
                item = queue.get_nowait()
                if item is None:
                    await self._commit(ws, batch)
                    return
                batch.append(item)
            await self._commit(ws, batch)

    async def _commit(self, ws: aiohttp.ClientWebSocketResponse, batch: list[RelayedEvent]) -> None:
        await self.store_batch(batch)  # durable when this returns: only now may the relay forget
        failpoint("box.before_ack")  # committed, not acked: the relay resends, the box dedupes
        upto = max(e.seq for e in batch)
        self.state.events += len(batch)
        self.state.last_seq = max(self.state.last_seq, upto)
        if not ws.closed:
            await ws.send_str(p.to_json(p.Ack(upto)))

    def health(self) -> dict[str, object]:
        s = self.state
        return {
            "connected": s.connected,
            "last_seq": s.last_seq,
            "events": s.events,
            "nacks": s.nacks,
            "reconnects": s.reconnects,
            "backlog_at_connect": s.backlog_at_connect,
            "connected_for_s": round(time.time() - s.connected_since, 1) if s.connected_since else None,
            "last_error": s.last_error,
            "refused": s.refused,
        }
