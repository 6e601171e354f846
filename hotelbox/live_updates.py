"""Live updates (new message, conversation changed, reply sent…) for the pages that watch the box:
the front desk and the try-it chat. ("Update" means other things elsewhere: a relay update is one
webhook delivery queued at the relay; a conversation update is an inbox row of kind ``update``, such
as the PMS's answer to a booking, that the dialogue answers. A live update is neither: it is not
stored, and a page that missed it reloads.)

Publishing never blocks: every subscriber has a bounded queue, and a subscriber that falls
that far behind is dropped (its page reconnects and reloads), so one slow browser can never
slow the pipeline down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

log = logging.getLogger(__name__)
Update = dict[str, Any]  # {"type": ..., ...}: the pages' wire format


class Subscription:
    def __init__(self, bus: LiveUpdates, accept: Callable[[Update], bool], maxsize: int) -> None:
        self._bus = bus
        self.accept = accept
        self.queue: asyncio.Queue[Update | None] = asyncio.Queue(maxsize)
        self.dropped = False

    def offer(self, update: Update) -> None:
        if self.dropped or not self.accept(update):
            return
        try:
            self.queue.put_nowait(update)
        except asyncio.QueueFull:
            self.dropped = True
            self._bus.unsubscribe(self)
            with contextlib.suppress(asyncio.QueueEmpty):
                self.queue.get_nowait()
            self.queue.put_nowait(None)  # wakes the reader, who sees it was dropped

    async def __aiter__(self) -> AsyncIterator[Update]:
        while True:
            update = await self.queue.get()
            if update is None:
                return
            yield update

    def close(self) -> None:
        self._bus.unsubscribe(self)
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(None)


class LiveUpdates:
    def __init__(self) -> None:
        self._subscribers: set[Subscription] = set()
        self.published = 0
        self.dropped_subscribers = 0

    def subscribe(
        self, accept: Callable[[Update], bool] = lambda e: True, maxsize: int = 256
    ) -> Subscription:
        sub = Subscription(self, accept, maxsize)
        self._subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        if sub in self._subscribers:
            self._subscribers.discard(sub)
            if sub.dropped:
                self.dropped_subscribers += 1
                log.warning("live subscriber dropped reason=queue_full")

    def publish(self, update: Update) -> None:
        self.published += 1
        for sub in list(self._subscribers):
            sub.offer(update)

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)
