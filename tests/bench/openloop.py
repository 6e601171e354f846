"""Open-loop load: requests start on a clock, whether earlier ones have been answered or not
(closed loops hide queueing: a slow server slows the generator down with it)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


async def open_loop(rate: float, seconds: float, job: Callable[[int], Awaitable[None]]) -> int:
    """Start ``job(n)`` ``rate`` times a second for ``seconds``; wait for all; return how many."""
    tasks: set[asyncio.Task[None]] = set()
    start = time.monotonic()
    n = 0
    while (elapsed := time.monotonic() - start) < seconds:
        due = int(elapsed * rate) + 1
        while n < due:
            task = asyncio.ensure_future(job(n))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            n += 1
        await asyncio.sleep(0.002)
    await asyncio.gather(*tasks)
    return n
