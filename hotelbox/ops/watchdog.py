"""systemd's watchdog, fed by the event loop itself.

With ``WatchdogSec=`` in the unit, systemd sets ``WATCHDOG_USEC``; the box then sends
``WATCHDOG=1`` every third of that — from a coroutine, so a blocked event loop stops the pings
and systemd restarts the box. A ping is also withheld when the store's writer thread has died
(nothing could be committed). ``STATUS=`` carries a one-line summary for ``systemctl status``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from typing import TYPE_CHECKING

from hotelbox.ops.failpoints import failpoint
from hotelbox.ops.notify import notify

if TYPE_CHECKING:
    from hotelbox.daemon import Box

log = logging.getLogger(__name__)


def watchdog_interval() -> float | None:
    usec = os.environ.get("WATCHDOG_USEC")
    pid = os.environ.get("WATCHDOG_PID")
    if not usec or (pid and pid != str(os.getpid())):
        return None
    try:
        return max(0.5, int(usec) / 1e6 / 3)
    except ValueError:
        return None


class Watchdog:
    def __init__(self, box: Box, url: str) -> None:
        self.box = box
        self.url = url
        self.interval = watchdog_interval()
        self.lag_s = 0.0

    def healthy(self) -> bool:
        return self.box.store.writer_alive

    async def run(self) -> None:
        interval = self.interval or 15.0
        while True:
            started = time.monotonic()
            await asyncio.sleep(interval)
            self.lag_s = time.monotonic() - started - interval  # how late the loop woke us
            failpoint("watchdog.tick")
            if self.interval and self.healthy():
                notify("WATCHDOG=1", f"STATUS={await self.status()}")
            elif self.interval:
                log.error("watchdog ping withheld: the store writer is dead code=store_writer_dead")
            if self.lag_s > 1.0:
                log.warning("event loop was late lag_s=%.2f code=loop_lag", self.lag_s)

    async def status(self) -> str:
        h = await self.box.health()
        backlog = h.get("backlog") or {}
        wa = (h.get("whatsapp") or {}).get("link") or {}
        link = (
            "relay connected"
            if wa.get("connected")
            else ("relay down" if h.get("whatsapp") else "no WhatsApp")
        )
        problems = ",".join(p["code"] for p in h.get("problems", []))
        return (
            f"serving on {self.url}: {h['status']}{f' ({problems})' if problems else ''}, inbox {backlog.get('inbox', '?')}, "
            f"outbox {backlog.get('outbox', '?')}, PMS writes {backlog.get('pms', '?')}, {link}"
        )
