"""A background job that runs a pass when woken (or every ``interval_s``), for the box's workers.

``start()`` creates the task, ``wake()`` asks for a pass soon, ``stop()`` cancels and awaits it.
A pass that raises is logged with the job's name and retried after the interval, so one bad
row or a flaky dependency never kills the worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod

log = logging.getLogger(__name__)


class WakeableJob(ABC):
    name = "job"
    interval_s = 1.0

    def __init__(self) -> None:
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @abstractmethod
    async def run_pass(self) -> object:
        """Do whatever is due now."""

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        self._wake.set()
        self._task = asyncio.create_task(self._loop(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancel that lands just
            # as the event fires (python/cpython#86296), and stop() would then wait a whole pass
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.interval_s):
                    await self._wake.wait()
            self._wake.clear()
            try:
                await self.run_pass()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("background pass failed job=%s", self.name)
                await asyncio.sleep(self.interval_s)
