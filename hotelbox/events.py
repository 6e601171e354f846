"""In-process live events (new message, conversation changed…) for pages that watch the box.

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
Event = dict[str, Any]


class Subscription:
    def __init__(self, bus: EventBus, accept: Callable[[Event], bool], maxsize: int) -> None:
        self._bus = bus
        self.accept = accept
        self.queue: asyncio.Queue[Event | None] = asyncio.Queue(maxsize)
        self.dropped = False

    def offer(self, event: Event) -> None:
        if self.dropped or not self.accept(event):
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.dropped = True
            self._bus.unsubscribe(self)
            with contextlib.suppress(asyncio.QueueEmpty):
                self.queue.get_nowait()
            self.queue.put_nowait(None)  # wakes the reader, who sees it was dropped

    async def __aiter__(self) -> AsyncIterator[Event]:
        while True:
            event = await self.queue.get()
            if event is None:
                return
            yield event

    def close(self) -> None:
        self._bus.unsubscribe(self)
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(None)


class EventBus:
    def __init__(self) -> None:
        self._subscribers: set[Subscription] = set()
        self.published = 0
        self.dropped_subscribers = 0

    def subscribe(self, accept: Callable[[Event], bool] = lambda e: True, maxsize: int = 256) -> Subscription:
        sub = Subscription(self, accept, maxsize)
        self._subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        if sub in self._subscribers:
            self._subscribers.discard(sub)
            if sub.dropped:
                self.dropped_subscribers += 1
                log.warning("live subscriber dropped reason=queue_full")

    def publish(self, event: Event) -> None:
        self.published += 1
        for sub in list(self._subscribers):
            sub.offer(event)

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)
