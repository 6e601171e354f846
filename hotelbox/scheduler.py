"""Bounded-resource lanes for CPU work: never on the event loop, never unbounded.

Each lane owns a fixed pool of threads (its concurrency) and counts its queue depth, waits
and busy time. Guest-facing work (understanding, later speech) and background work (PMS sync,
maintenance) run in separate lanes so one cannot starve the other.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


@dataclass
class LaneStats:
    submitted: int = 0
    completed: int = 0
    failed: int = 0
    queued: int = 0  # waiting for a thread now
    running: int = 0
    wait_seconds: float = 0.0
    busy_seconds: float = 0.0


class Lane:
    def __init__(self, name: str, workers: int) -> None:
        self.name = name
        self.workers = workers
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"lane-{name}")
        self.stats = LaneStats()

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``fn`` on one of the lane's threads and wait for it."""
        loop = asyncio.get_running_loop()
        stats = self.stats
        stats.submitted += 1
        stats.queued += 1
        submitted = time.perf_counter()
        ctx = contextvars.copy_context()

        def call() -> T:
            started = time.perf_counter()
            stats.queued -= 1
            stats.running += 1
            stats.wait_seconds += started - submitted
            try:
                return ctx.run(functools.partial(fn, *args, **kwargs))
            finally:
                stats.running -= 1
                stats.busy_seconds += time.perf_counter() - started

        try:
            result = await loop.run_in_executor(self._executor, call)
        except BaseException:
            stats.failed += 1
            raise
        stats.completed += 1
        return result

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


class Scheduler:
    """The box's lanes by name."""

    def __init__(self, lanes: dict[str, int]) -> None:
        self.lanes = {name: Lane(name, workers) for name, workers in lanes.items()}

    def lane(self, name: str) -> Lane:
        return self.lanes[name]

    def close(self) -> None:
        for lane in self.lanes.values():
            lane.close()
