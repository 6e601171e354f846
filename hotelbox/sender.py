"""The outbox sender: delivers committed outbox rows through their channels, in order.

One loop per box. It wakes when the pipeline commits replies (or at the next retry time),
sends each conversation's rows strictly in order and different conversations in parallel,
and retries failures with exponential back-off. A row found "sending" after a restart was
maybe delivered: it is resent only on channels whose send is idempotent, otherwise marked
"uncertain" for the channel's delivery statuses (or staff) to settle.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Mapping

from hotelbox.background import WakeableJob
from hotelbox.channels import Channel, SendError, SendUncertain
from hotelbox.live_updates import LiveUpdates
from hotelbox.ops.failpoints import failpoint
from hotelbox.store import Store, conversations, outbox
from hotelbox.store.database import Conn
from hotelbox.store.outbox import OutboxItem

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
PARALLEL_CONVERSATIONS = 32
REQUEUE_CHECK_S = 15.0


class OutboxSender(WakeableJob):
    name = "outbox-sender"

    def __init__(
        self,
        store: Store,
        channels: Mapping[str, Channel],
        live: LiveUpdates,
        *,
        on_sent: Callable[[OutboxItem, float], None] | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.channels = dict(channels)
        self.live = live
        self._flush_lock = asyncio.Lock()  # one pass at a time, or two passes send a row twice
        self.sent = 0
        self.failed = 0
        self.retry_base_s = 1.0
        self.on_sent: Callable[[OutboxItem, float], None] = on_sent or (lambda item, seconds: None)
        self._next_requeue = 0.0

    def wake(self, channel: str | None = None) -> None:
        if channel is None or channel in self.channels:
            super().wake()

    async def run_pass(self) -> int:
        if time.monotonic() >= self._next_requeue:
            self._next_requeue = time.monotonic() + REQUEUE_CHECK_S
            await self.requeue_uncertain()
        return await self.flush()

    async def requeue_uncertain(self) -> None:
        for name, channel in self.channels.items():
            wait_s = getattr(channel, "uncertain_resend_after_s", None)
            if wait_s is not None:
                requeued = await self.store.write(
                    functools.partial(outbox.requeue_uncertain, channel=name, older_than_s=wait_s)
                )
                if requeued:
                    log.warning(
                        "no status came for uncertain sends: sending again channel=%s rows=%d", name, requeued
                    )

    async def flush(self) -> int:
        """Send everything due now; returns how many rows were sent."""
        if not self.channels:
            return 0
        async with self._flush_lock:
            return await self._flush()

    async def _flush(self) -> int:
        items = await self.store.read(lambda c: outbox.due(c, list(self.channels)))
        if not items:
            return 0
        by_conversation: dict[int, list[OutboxItem]] = defaultdict(list)
        for item in items:
            by_conversation[item.conversation_id].append(item)
        gate = asyncio.Semaphore(PARALLEL_CONVERSATIONS)
        delivered: list[tuple[OutboxItem, str | None]] = []

        async def drain(rows: list[OutboxItem]) -> None:
            async with gate:
                for row in rows:
                    if not await self._send_one(row, delivered):
                        break  # keep this conversation's order: later rows wait

        await asyncio.gather(*(drain(rows) for rows in by_conversation.values()))
        if delivered:
            # one write for the whole pass; until it commits the rows still look due, but no
            # other pass can start before this one ends (flush lock), so nothing is sent twice
            await self.store.write(lambda c: outbox.mark_sent_many(c, delivered), label="outbox.sent")
            for item, _ in delivered:
                self.live.publish(
                    {
                        "type": "message",
                        "conversation_id": item.conversation_id,
                        "direction": "out",
                        "channel": item.channel,
                        "message_id": item.message_id,
                    }
                )
        self.sent += len(delivered)
        return len(delivered)

    async def _send_one(self, item: OutboxItem, delivered: list[tuple[OutboxItem, str | None]]) -> bool:
        """Send one row; False stops this conversation's pass (its later rows keep their place)."""
        channel = self.channels[item.channel]
        never_requested = (
            item.status == "sending"
            and getattr(channel, "marks_requests", False)
            and item.requested_at is None
        )
        if never_requested:  # claimed, then the box died before the request left: nothing to wait for
            log.warning(
                "outbox row interrupted before its request: sending now outbox=%d conversation=%d",
                item.id,
                item.conversation_id,
            )
        elif not channel.idempotent_send:
            if item.status == "sending":
                if getattr(channel, "uncertain_resend_after_s", None) is not None:  # a status will settle it
                    await self.store.write(
                        lambda c: outbox.mark_uncertain(c, item, "interrupted while sending")
                    )
                    log.warning(
                        "outbox row uncertain outbox=%d conversation=%d", item.id, item.conversation_id
                    )
                    return False  # the guest's next replies wait until it is settled
                await self.store.write(
                    lambda c: outbox.mark_final(c, item, "uncertain", "interrupted while sending")
                )
                log.warning("outbox row uncertain outbox=%d conversation=%d", item.id, item.conversation_id)
                return True
            # durable before the send: a crash after it leaves the row "sending", never resent blindly
            if not await self.store.write(lambda c: outbox.mark_sending(c, item.id)):
                return True  # settled since it was read (its status came): nothing to send
            failpoint("outbox.after_claim")  # claimed, not requested: the crash test's moment
        started = time.perf_counter()
        try:
            result = await channel.send(item)
        except SendUncertain as exc:
            reason = str(exc)
            await self.store.write(lambda c: outbox.mark_uncertain(c, item, reason))
            log.warning(
                "send outcome unknown, waiting for its status outbox=%d conversation=%d",
                item.id,
                item.conversation_id,
            )
            return False  # the guest's next replies wait until its status (or the resend) settles it
        except SendError as exc:
            return await self._failed(
                item, str(exc), exc.code, retry=exc.retry, after_s=exc.retry_after_s, attention=exc.attention
            )
        except Exception as exc:
            log.exception("channel send crashed outbox=%d", item.id)
            return await self._failed(item, repr(exc), "send_crashed", retry=True)
        delivered.append((item, result.channel_message_id))
        self.on_sent(item, time.perf_counter() - started)
        return True

    async def _failed(
        self,
        item: OutboxItem,
        error: str,
        code: str,
        *,
        retry: bool,
        after_s: float | None = None,
        attention: str = "delivery_failed",
    ) -> bool:
        attempts = item.attempts + 1
        if retry and attempts < MAX_ATTEMPTS:
            delay = min(
                max(after_s or 0.0, self.retry_base_s) * 2.0 ** (attempts - 1), outbox.MAX_RETRY_DELAY_S
            )
            await self.store.write(lambda c: outbox.mark_retry(c, item, error, delay))
            log.warning(
                "send failed, will retry outbox=%d conversation=%d code=%s attempt=%d in_s=%.0f",
                item.id,
                item.conversation_id,
                code,
                attempts,
                delay,
            )
            return False

        def op(c: Conn) -> None:
            outbox.mark_final(c, item, "failed", error)
            if attention:  # "" : nothing for staff to do (a voice note whose text already went)
                conversations.flag_attention(c, item.conversation_id, attention)

        await self.store.write(op)
        self.failed += 1
        log.error(
            "send failed for good outbox=%d conversation=%d code=%s",
            item.id,
            item.conversation_id,
            code,
        )
        return True
