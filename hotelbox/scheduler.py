"""The bounded-resource scheduler: named lanes, priorities, deadlines, back-off under pressure.

The box is one small machine doing four kinds of work: transcribing voice notes (``speech``,
CPU heavy), understanding messages (``nlu``), talking to the PMS (``pms``, network I/O) and
housekeeping (``maintenance``). Each lane has a fixed concurrency — thread lanes own exactly
that many threads, and ``threads`` is the budget one job may use inside its library
(CTranslate2, onnxruntime) — so no kind of work can take the whole machine.

Inside a lane, waiting jobs start by priority (a guest waiting beats the front desk, which
beats a sync), first come first served within a priority. A job may carry a deadline: if it is
still waiting when the deadline passes it is dropped with :class:`DeadlineExceeded` (a guest's
live check that could not start in time is better answered from the mirror than late).

Background jobs give way twice over:

* **pause** — while guest work is *queued* in any guest-facing lane (guests are waiting for a
  slot), no background job starts; after ``max_pause_s`` one is let through so a sync cannot
  starve for ever, and the rest catch up once the queue is gone;
* **back-off** — while CPU use or memory use (the cgroup's limit when there is one, so a
  container's budget counts, not the host's) is above its threshold, background jobs start one
  at a time with a pause between them that doubles up to ``backoff_max_s`` and resets when the
  pressure is gone.

Every lane counts its queue depth, waits, busy time, completions, failures and expiries
(:meth:`Scheduler.snapshot`, for health and metrics).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import heapq
import itertools
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import psutil

from hotelbox.config import LaneSettings, SchedulerSettings
from hotelbox.errors import Unavailable

log = logging.getLogger(__name__)
T = TypeVar("T")
GUEST_FACING = ("speech", "nlu", "pms")


class Priority(IntEnum):
    GUEST = 0  # a guest is waiting for this
    STAFF = 1  # the front desk is waiting for this
    BACKGROUND = 2  # nobody is waiting: syncs, clean-ups


class DeadlineExceeded(Unavailable):
    code = "deadline_exceeded"


@dataclass
class LaneStats:
    submitted: int = 0
    completed: int = 0
    failed: int = 0
    expired: int = 0  # dropped: deadline passed while waiting
    running: int = 0
    wait_seconds: float = 0.0
    busy_seconds: float = 0.0
    waits: deque[float] = field(default_factory=lambda: deque(maxlen=512))  # recent, for p95

    def wait_p95(self) -> float:
        if not self.waits:
            return 0.0
        ordered = sorted(self.waits)
        return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


@dataclass(order=True)
class _Waiter:
    priority: int
    seq: int
    future: asyncio.Future[None] = field(compare=False)
    since: float = field(compare=False)


class Lane:
    """Runs jobs with at most ``concurrency`` at once, highest priority first."""

    def __init__(self, scheduler: Scheduler, name: str, spec: LaneSettings, *, threaded: bool) -> None:
        self.scheduler = scheduler
        self.name = name
        self.concurrency = spec.concurrency
        self.threads = spec.thread_budget
        self.guest_facing = name in GUEST_FACING
        self._executor = (
            ThreadPoolExecutor(max_workers=spec.concurrency, thread_name_prefix=f"lane-{name}")
            if threaded
            else None
        )
        self._heap: list[_Waiter] = []
        self._seq = itertools.count()
        self._running = 0
        self._running_background = 0
        self.stats = LaneStats()

    # -- queue -----------------------------------------------------------------------------
    def queued(self, priority: Priority | None = None) -> int:
        return sum(
            1 for w in self._heap if not w.future.done() and (priority is None or w.priority == priority)
        )

    @property
    def running(self) -> int:
        return self._running

    def saturated(self) -> bool:
        """Every slot taken (a new job would wait), or jobs already waiting."""
        return self._running >= self.concurrency or self.queued() > 0

    async def _acquire(self, priority: Priority, deadline_s: float | None) -> float:
        """Wait for a slot; returns the seconds waited."""
        started = time.perf_counter()
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._heap, _Waiter(int(priority), next(self._seq), future, started))
        self.dispatch()
        if not future.done():
            self.scheduler.queue_changed()
        try:
            if deadline_s is None:
                await future
            else:  # asyncio.timeout, not wait_for (python/cpython#86296); it cancels the waiter
                async with asyncio.timeout(max(0.0, deadline_s)):
                    await future
        except TimeoutError:
            self.stats.expired += 1
            raise DeadlineExceeded(
                f"{self.name} lane: no slot within {deadline_s:.1f} s", code="deadline_exceeded"
            ) from None
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self._release(priority)  # the slot came just as we were cancelled
            raise
        waited = time.perf_counter() - started
        self.stats.wait_seconds += waited
        self.stats.waits.append(waited)
        return waited

    def _release(self, priority: Priority) -> None:
        self._running -= 1
        if priority >= Priority.BACKGROUND:
            self._running_background -= 1
        self.stats.running = self._running
        self.scheduler.slot_freed(self)

    def dispatch(self) -> None:
        """Hand free slots to the best waiters (background ones only when the scheduler allows)."""
        while self._running < self.concurrency and self._heap:
            waiter = self._heap[0]
            if waiter.future.done():  # cancelled or expired
                heapq.heappop(self._heap)
                continue
            if waiter.priority >= Priority.BACKGROUND and not self.scheduler.background_may_start(self):
                return
            heapq.heappop(self._heap)
            self._running += 1
            if waiter.priority >= Priority.BACKGROUND:
                self._running_background += 1
                self.scheduler.background_started()
            self.stats.running = self._running
            waiter.future.set_result(None)

    # -- running -----------------------------------------------------------------------------
    async def run(
        self,
        fn: Callable[..., T],
        *args: Any,
        priority: Priority = Priority.GUEST,
        deadline_s: float | None = None,
        **kwargs: Any,
    ) -> T:
        """Run ``fn`` on one of the lane's threads once a slot is free, and wait for it.

        ``fn``'s arguments are not checked against it (``Any``): ``priority`` and ``deadline_s``
        after ``*args`` are not expressible with a ParamSpec (PEP 612)."""
        if self._executor is None:
            raise TypeError(f"lane {self.name} runs coroutines: use call()")
        executor = self._executor
        ctx = contextvars.copy_context()
        loop = asyncio.get_running_loop()
        return await self._with_slot(
            priority,
            deadline_s,
            lambda: loop.run_in_executor(executor, ctx.run, functools.partial(fn, *args, **kwargs)),
        )

    async def call(
        self,
        job: Callable[[], Awaitable[T]],
        *,
        priority: Priority = Priority.GUEST,
        deadline_s: float | None = None,
    ) -> T:
        """Await ``job()`` once a slot is free (I/O lanes: the slot bounds calls in flight)."""
        return await self._with_slot(priority, deadline_s, job)

    async def _with_slot(
        self, priority: Priority, deadline_s: float | None, job: Callable[[], Awaitable[T]]
    ) -> T:
        self.stats.submitted += 1
        await self._acquire(priority, deadline_s)
        started = time.perf_counter()
        try:
            result = await job()
        except BaseException:
            self.stats.failed += 1
            raise
        finally:
            self.stats.busy_seconds += time.perf_counter() - started
            self._release(priority)
        self.stats.completed += 1
        return result

    def snapshot(self) -> dict[str, Any]:
        s = self.stats
        return {
            "concurrency": self.concurrency,
            "threads": self.threads,
            "running": self._running,
            "queued": {p.name.lower(): self.queued(p) for p in Priority},
            "submitted": s.submitted,
            "completed": s.completed,
            "failed": s.failed,
            "expired": s.expired,
            "wait_seconds": round(s.wait_seconds, 3),
            "wait_p95_s": round(s.wait_p95(), 4),
            "busy_seconds": round(s.busy_seconds, 3),
        }

    def close(self) -> None:
        for waiter in self._heap:
            if not waiter.future.done():
                waiter.future.cancel()
        self._heap.clear()
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)


class Pressure:
    """CPU and memory use of the box, the cgroup's memory limit when there is one."""

    def __init__(self, cgroup_root: Path = Path("/sys/fs/cgroup")) -> None:
        self.cgroup_root = cgroup_root
        self.cpu_percent = 0.0
        self.memory_percent = 0.0
        self.memory_source = "host"
        psutil.cpu_percent(interval=None)  # prime: the next call measures since now

    def sample(self) -> None:
        self.cpu_percent = psutil.cpu_percent(interval=None)
        cgroup = self._cgroup_memory_percent()
        if cgroup is not None:
            self.memory_percent, self.memory_source = cgroup, "cgroup"
        else:
            self.memory_percent, self.memory_source = psutil.virtual_memory().percent, "host"

    def _cgroup_memory_percent(self) -> float | None:
        """Working set (usage minus reclaimable file cache) over the limit; None when unlimited."""
        root = self.cgroup_root
        for limit_file, usage_file, inactive_key in (
            ("memory.max", "memory.current", "inactive_file"),  # cgroup v2
            ("memory/memory.limit_in_bytes", "memory/memory.usage_in_bytes", "total_inactive_file"),  # v1
        ):
            try:
                raw_limit = (root / limit_file).read_text().strip()
                usage = int((root / usage_file).read_text().strip())
            except (OSError, ValueError):
                continue
            if raw_limit == "max" or not raw_limit.isdigit():
                return None
            limit = int(raw_limit)
            if limit <= 0 or limit >= psutil.virtual_memory().total:
                return None  # "unlimited" (v1 writes a huge number) or above the host's memory
            inactive = 0
            with contextlib.suppress(OSError, ValueError):
                stat_file = root / Path(usage_file).parent / "memory.stat"
                for line in stat_file.read_text().splitlines():
                    key, _, value = line.partition(" ")
                    if key == inactive_key:
                        inactive = int(value)
            return 100.0 * max(0, usage - inactive) / limit
        return None


class Scheduler:
    """The box's lanes by name, and the rules background work follows."""

    THREADED: ClassVar[dict[str, bool]] = {"speech": True, "nlu": True, "pms": False, "maintenance": True}

    def __init__(self, settings: SchedulerSettings | None = None, pressure: Pressure | None = None) -> None:
        self.settings = settings or SchedulerSettings()
        self.lanes: dict[str, Lane] = {
            name: Lane(self, name, getattr(self.settings, name), threaded=threaded)
            for name, threaded in self.THREADED.items()
        }
        self.pressure = pressure or Pressure()
        self.under_pressure = False
        self.backoff_s = 0.0
        self._next_background_at = 0.0
        self._paused_since: float | None = None
        self.paused_seconds = 0.0
        self.pauses = 0
        self.backoffs = 0
        self._monitor: asyncio.Task[None] | None = None
        self._kick: asyncio.TimerHandle | None = None
        self._rng = random.Random()

    def lane(self, name: str) -> Lane:
        return self.lanes[name]

    async def start(self) -> None:
        if self._monitor is None:
            self._monitor = asyncio.create_task(self._watch(), name="scheduler-pressure")

    async def stop(self) -> None:
        if self._monitor is not None:
            self._monitor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._monitor
            self._monitor = None
        if self._kick is not None:
            self._kick.cancel()
            self._kick = None

    def close(self) -> None:
        for lane in self.lanes.values():
            lane.close()

    # -- background rules --------------------------------------------------------------------
    def guests_queued(self) -> bool:
        return any(
            lane.guest_facing and lane.queued(Priority.GUEST) + lane.queued(Priority.STAFF) > 0
            for lane in self.lanes.values()
        )

    def background_may_start(self, lane: Lane) -> bool:
        now = time.monotonic()
        if self.guests_queued():
            if self._paused_since is None:
                self._paused_since = now
                self.pauses += 1
            if now - self._paused_since < self.settings.max_pause_s:
                return False
            self._paused_since = now  # let one through, then pause again
        elif self._paused_since is not None:
            self.paused_seconds += now - self._paused_since
            self._paused_since = None
        if self.under_pressure and (lane._running_background > 0 or now < self._next_background_at):
            self._schedule_kick(max(0.01, self._next_background_at - now))
            return False
        return True

    def background_started(self) -> None:
        if self.under_pressure:
            self._next_background_at = time.monotonic() + self.backoff_s
            self.backoffs += 1

    def slot_freed(self, lane: Lane) -> None:
        lane.dispatch()
        if lane.guest_facing:  # guest work finished: background elsewhere may go on
            self.queue_changed()

    def queue_changed(self) -> None:
        for lane in self.lanes.values():
            if lane._heap:
                lane.dispatch()

    def _schedule_kick(self, delay: float) -> None:
        if self._kick is not None and not self._kick.cancelled():
            return
        with contextlib.suppress(RuntimeError):
            loop = asyncio.get_running_loop()

            def kick() -> None:
                self._kick = None
                self.queue_changed()

            self._kick = loop.call_later(delay, kick)

    def update_pressure(self) -> None:
        self.pressure.sample()
        s = self.settings
        # above, not at: a threshold of 100 means "never" (a CPU at 100 % is not over 100 %)
        high = (
            self.pressure.cpu_percent > s.cpu_high_percent
            or self.pressure.memory_percent > s.memory_high_percent
        )
        if high:
            self.backoff_s = min(s.backoff_max_s, max(0.1, self.backoff_s * 2 or 0.25))
            if not self.under_pressure:
                log.info(
                    "background work backing off cpu_percent=%.0f memory_percent=%.0f memory_source=%s",
                    self.pressure.cpu_percent,
                    self.pressure.memory_percent,
                    self.pressure.memory_source,
                )
        elif self.under_pressure:
            self.backoff_s = 0.0
            self._next_background_at = 0.0
        self.under_pressure = high
        self.queue_changed()

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.settings.sample_interval_s)
            try:
                self.update_pressure()
            except Exception:
                log.exception("pressure sampling failed")

    # -- periodic jobs ---------------------------------------------------------------------------
    def jittered(self, interval_s: float) -> float:
        spread = self.settings.jitter
        return interval_s * (1 + self._rng.uniform(-spread, spread))

    def snapshot(self) -> dict[str, Any]:
        paused = self.paused_seconds
        if self._paused_since is not None:
            paused += time.monotonic() - self._paused_since
        return {
            "lanes": {name: lane.snapshot() for name, lane in self.lanes.items()},
            "cpu_percent": round(self.pressure.cpu_percent, 1),
            "memory_percent": round(self.pressure.memory_percent, 1),
            "memory_source": self.pressure.memory_source,
            "under_pressure": self.under_pressure,
            "backoff_s": round(self.backoff_s, 2),
            "background_paused_s": round(paused, 2),
            "background_pauses": self.pauses,
        }
