"""Housekeeping in the background, at the lowest priority: retention of guests' data.

Runs every ``privacy.maintenance_interval_s`` through the scheduler's maintenance lane (it
yields to guests and backs off under pressure); files are deleted only after the database
transaction that forgot them has committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hotelbox.background import WakeableJob
from hotelbox.config import Settings
from hotelbox.scheduler import Priority, Scheduler
from hotelbox.store import Store, privacy, sessions
from hotelbox.store.database import utcnow

log = logging.getLogger(__name__)


def delete_files(paths: list[str], root: Path) -> int:
    """Delete files we own (under the state directory), ignoring ones already gone."""
    gone = 0
    for p in paths:
        path = Path(p)
        if root not in path.resolve().parents:
            log.warning("not deleting a file outside the state directory path=%s", path)
            continue
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            gone += 1
    return gone


class Maintenance(WakeableJob):
    name = "maintenance"

    def __init__(self, settings: Settings, store: Store, scheduler: Scheduler) -> None:
        super().__init__()
        self.settings = settings
        self.store = store
        self.scheduler = scheduler
        self.interval_s = settings.privacy.maintenance_interval_s
        self.last_run: str | None = None
        self.last_counts: dict[str, int] = {}

    async def run_pass(self) -> dict[str, int]:
        return await self.scheduler.lane("maintenance").call(self.enforce, priority=Priority.BACKGROUND)

    async def enforce(self) -> dict[str, int]:
        p = self.settings.privacy
        files, counts = await self.store.write(
            lambda c: privacy.enforce_retention(
                c,
                audio_days=p.audio_retention_days,
                message_days=p.message_retention_days,
                raw_event_days=p.raw_event_retention_days,
            ),
            label="retention",
        )
        week_ago = (datetime.now(UTC) - timedelta(days=7)).isoformat(timespec="milliseconds")
        await self.store.write(  # sessions idle for a week are gone for good
            lambda c: sessions.purge_idle(c, week_ago),
            label="sessions.cleanup",
        )
        counts["files"] = await asyncio.to_thread(delete_files, files, self.settings.state_dir.resolve())
        self.last_run, self.last_counts = utcnow(), counts
        if any(counts.values()):
            log.info("retention enforced %s", " ".join(f"{k}={v}" for k, v in counts.items()))
        return counts
