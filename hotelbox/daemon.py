"""Builds the box's parts and starts/stops them in order.

``async with Box(settings, channels) as box:`` opens the store (migrations first), the PMS, the
understanding models (trained first if the examples changed), the dialogue, then starts the
pipeline, the booking worker and the outbox sender; leaving the block stops them in reverse
order, every background task cancelled and awaited. ``hotelbox run`` wraps a Box with the web
server and systemd notifications; ``hotelbox chat`` uses a Box with the console channel only.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from hotelbox.channels import Channel
from hotelbox.channels.email import Email
from hotelbox.channels.whatsapp import WhatsApp
from hotelbox.config import ConfigError, Settings, read_secret
from hotelbox.dialogue.catalog import Catalog
from hotelbox.dialogue.engine import Dialogue
from hotelbox.dialogue.knowledge import Knowledge
from hotelbox.errors import PmsUnavailable
from hotelbox.events import EventBus
from hotelbox.maintenance import Maintenance
from hotelbox.nlu.understanding import Understander
from hotelbox.ops.health import Problem
from hotelbox.ops.health import problems as find_problems
from hotelbox.ops.metrics import BoxMetrics
from hotelbox.pipeline import Pipeline
from hotelbox.pms import Pms
from hotelbox.pms.demo import DemoPms
from hotelbox.pms.mirror import MirroredPms
from hotelbox.pms.qloapps import QloAppsPms
from hotelbox.pms.sync import MirrorSync
from hotelbox.pms.worker import BookingWorker
from hotelbox.scheduler import Scheduler
from hotelbox.sender import OutboxSender
from hotelbox.speech.notes import VoiceNotes
from hotelbox.speech.voice import VoiceService
from hotelbox.store import Store, backlog, conversations, desk
from hotelbox.store import bookings as bookings_db
from hotelbox.store.database import utcnow
from hotelbox.store.outbox import OutboxItem

log = logging.getLogger(__name__)


def qloapps_key(settings: Settings) -> str:
    q = settings.pms.qloapps
    key = read_secret(q.key, q.key_file, "qloapps_key")
    if not key:
        raise ConfigError(
            "pms.kind is 'qloapps' but no webservice key was given: set pms.qloapps.key_file "
            "(or the systemd credential 'qloapps_key', or HOTELBOX_PMS__QLOAPPS__KEY)"
        )
    return key


def make_pms(settings: Settings, store: Store, scheduler: Scheduler) -> Pms:
    if settings.pms.kind == "demo":
        return DemoPms(settings.demo_pms_path)
    if settings.pms.kind == "qloapps":
        remote = QloAppsPms(settings.pms.qloapps, qloapps_key(settings))
        sync = MirrorSync(remote, store, scheduler, settings.pms.sync, settings.hotel.today)
        return MirroredPms(remote, sync, settings.pms.sync)
    raise ValueError(f"unknown pms.kind {settings.pms.kind!r}")


def make_understander(settings: Settings) -> Understander:
    return Understander(
        cache_root=settings.nlu_cache_root,
        extra_examples_dir=settings.nlu.extra_examples_dir,
        region=settings.hotel.country,
        default_language=settings.hotel.default_language,
        min_confidence=settings.nlu.min_confidence,
        threads=settings.scheduler.nlu.thread_budget,
    )


class Box:
    def __init__(
        self,
        settings: Settings,
        channels: Mapping[str, Channel],
        events: EventBus | None = None,
        *,
        live_channels: bool = False,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """``live_channels``: also connect the channels that live outside the box (WhatsApp through
        the relay) — ``hotelbox run`` does, one-shot commands (chat, bookings) must not.
        ``clock``: the hotel's time (aware), pinned by the conversation corpus (issue 12)."""
        self.settings = settings
        self.events = events or EventBus()
        self.channels = dict(channels)
        self.store = Store(settings.db_path, settings.store)
        self.scheduler = Scheduler(settings.scheduler)
        self.pms = make_pms(settings, self.store, self.scheduler)
        if clock is not None and isinstance(self.pms, DemoPms):
            self.pms.today = lambda: clock().date()
        self.understander = make_understander(settings)
        self.dialogue = Dialogue(
            pms=self.pms,
            catalog=Catalog.load(),
            knowledge=Knowledge(settings.hotel.knowledge_dir),
            settings=settings.dialogue,
            default_language=settings.hotel.default_language,
        )
        self.whatsapp = (
            WhatsApp.from_settings(settings, self.store, self.dialogue.catalog) if live_channels else None
        )
        if self.whatsapp is not None:
            self.channels["whatsapp"] = self.whatsapp.channel
        self.email = Email.from_settings(settings, self.store) if live_channels else None
        if self.email is not None:
            self.channels["email"] = self.email.channel
        self.sender = OutboxSender(self.store, self.channels, self.events)
        self.voice = VoiceService(settings, self.scheduler)
        self.maintenance = Maintenance(settings, self.store, self.scheduler)
        voice_channels = {name for name, ch in self.channels.items() if ch.accepts_voice}
        self.pipeline = Pipeline(
            store=self.store,
            understander=self.understander,
            dialogue=self.dialogue,
            scheduler=self.scheduler,
            events=self.events,
            settings=settings,
            channels=list(self.channels),
            merge_replies={name for name, ch in self.channels.items() if ch.merge_replies},
            voice_notes=VoiceNotes(settings, self.store, self.voice, voice_channels)
            if settings.speech.enabled
            else None,
            on_committed=self._committed,
            clock=clock,
        )
        self.bookings = BookingWorker(self.store, self.pms, settings.pms, self.pipeline.schedule)
        if isinstance(self.pms, MirroredPms):
            self.pms.sync.on_catalogue = self._catalogue_changed
            self.pms.sync.on_recovered = self._pms_recovered
            self.pms.remote.api.breaker.on_close = self.bookings.push_now
        self.metrics = BoxMetrics(self)
        self.pipeline.times.observer = self.metrics.observe
        self.pipeline.on_accepted = lambda inbound: self.metrics.messages_in.labels(
            inbound.channel, inbound.kind
        ).inc()
        self.sender.on_sent = self._sent
        self.bookings.on_call = lambda seconds: self.metrics.observe("pms", seconds)
        self.started_at = 0.0
        self.load_seconds: dict[str, float] = {}
        self.ready = False

    def _sent(self, item: OutboxItem, seconds: float) -> None:
        reply = item.reply
        kind = "audio" if reply.audio else ("interactive" if reply.options else "text")
        self.metrics.messages_out.labels(item.channel, kind).inc()
        self.metrics.observe("send", seconds)

    def _delivery_news(self) -> None:
        """Statuses came in: an uncertain send may be settled, so that guest's next replies can go."""
        self.sender.wake()
        self.events.publish({"type": "delivery"})

    def _committed(self, channel: str) -> None:
        if channel == "pms":
            self.bookings.wake()
        else:
            self.sender.wake(channel)

    async def __aenter__(self) -> Box:
        self.started_at = time.time()
        self.metrics.attach()
        t = time.perf_counter()
        await self.store.open()
        await self.scheduler.start()
        self.load_seconds["store"] = time.perf_counter() - t
        try:
            t = time.perf_counter()
            await self.pms.open()
            try:
                await self.dialogue.refresh_catalogue()
            except PmsUnavailable as exc:  # QloApps down and nothing mirrored yet: start anyway
                log.error("starting without the hotel's catalogue code=%s: %s", exc.code, exc)
            self.load_seconds["pms"] = time.perf_counter() - t
            t = time.perf_counter()
            await asyncio.to_thread(self.understander.load)
            self.understander.set_room_aliases(self.dialogue.room_aliases())
            self.load_seconds["nlu"] = time.perf_counter() - t
            t = time.perf_counter()
            await asyncio.to_thread(self.voice.load)
            self.load_seconds["speech"] = time.perf_counter() - t
            for lang, topic, text in await self.store.read(desk.saved_answers):  # staff's edits win
                self.dialogue.knowledge.set(lang, topic, text)
            await self.pipeline.start()
            await self.bookings.start()
            await self.maintenance.start()
            await self.sender.start()
            if self.whatsapp is not None:
                await self.whatsapp.start(self.pipeline.accepted, self._delivery_news)
            if self.email is not None:
                await self.email.start(self.pipeline.accepted)
        except BaseException:
            await self._shutdown()
            raise
        self.ready = True
        log.info(
            "box ready pms=%s channels=%s store_s=%.2f pms_s=%.2f nlu_s=%.2f speech_s=%.2f",
            self.pms.kind,
            ",".join(self.channels),
            self.load_seconds["store"],
            self.load_seconds["pms"],
            self.load_seconds["nlu"],
            self.load_seconds["speech"],
        )
        return self

    async def _catalogue_changed(self, catalogue: object) -> None:
        await self.dialogue.refresh_catalogue()
        if self.understander.model is not None:
            self.understander.set_room_aliases(self.dialogue.room_aliases())

    async def _pms_recovered(self) -> None:
        count = await self.store.write(bookings_db.retry_now, label="pms.retry_now")
        if count:
            log.info("PMS back: %d waiting writes due now", count)
        self.bookings.wake()

    async def __aexit__(self, *exc: object) -> None:
        await self._shutdown()

    async def _shutdown(self) -> None:
        self.ready = False
        self.metrics.detach()
        if self.whatsapp is not None:
            await self.whatsapp.stop()
        if self.email is not None:
            await self.email.stop()
        await self.sender.stop()
        await self.maintenance.stop()
        await self.bookings.stop()
        await self.pipeline.stop()
        await self.pms.close()
        await self.store.close()
        await self.scheduler.stop()
        self.scheduler.close()

    async def settle(self, conversation_id: int, within_s: float = 30.0) -> None:
        """Wait until everything due for a conversation has been processed and sent."""
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline:
            await self.pipeline.wait_idle()
            await self.bookings.drain()
            await self.sender.flush()
            due = await self.store.read(lambda c: backlog.pending(c, conversation_id, due_at=utcnow()))
            if due.total == 0 and not self.pipeline.busy(conversation_id):
                return
            await asyncio.sleep(0.01)
        raise TimeoutError(f"conversation {conversation_id} did not settle in {within_s}s")

    async def pms_status(self) -> dict[str, Any]:
        status: dict[str, Any] = {"kind": self.pms.kind}
        if isinstance(self.pms, MirroredPms):
            try:
                status["mirror"] = await self.pms.status()
            except Exception as exc:  # health must answer even when the store struggles
                status["mirror"] = {"error": str(exc)}
        return status

    async def health(self) -> dict[str, Any]:
        """The facts /healthz and the front desk show."""
        integrity_ok = True
        try:
            pending: backlog.Backlog | None = await self.store.read(backlog.pending)
        except Exception:
            integrity_ok = False
            pending = None
        base = [] if integrity_ok else [Problem("store_unreadable", "store", "the database cannot be read")]
        if self.store.disk.low():  # new work refused until space is freed
            base.append(Problem("disk_full", "disk", "the disk is nearly full: new messages are refused"))
        facts = {
            "base_problems": base,
            "pms": await self.pms_status(),
            "models": {"nlu": self.understander.model is not None, "speech": self.voice.health()},
            "whatsapp": self.whatsapp.health() if self.whatsapp is not None else None,
            "email": self.email.health() if self.email is not None else None,
        }
        problems = [p.to_json() for p in find_problems(facts)]
        del facts["base_problems"]
        return {
            "status": "starting" if not self.ready else "degraded" if problems else "ok",
            "problems": problems,
            "uptime_s": round(time.time() - self.started_at, 1) if self.started_at else 0,
            **facts,
            "backlog": (
                {"outbox": pending.outbox, "inbox": pending.inbox, "pms": pending.pms} if pending else None
            ),
            "pipeline": {"processed": self.pipeline.processed, "failed": self.pipeline.failed},
            "scheduler": self.scheduler.snapshot(),
            "load_seconds": {k: round(v, 3) for k, v in self.load_seconds.items()},
            "disk": disk_usage(self.settings.state_dir) | {"min_free_bytes": self.store.disk.min_free_bytes},
            "maintenance": {"last_run": self.maintenance.last_run, "last": self.maintenance.last_counts},
        }


def disk_usage(path: Path) -> dict[str, Any]:
    try:
        usage = shutil.disk_usage(path)
    except OSError as exc:
        return {"error": str(exc)}
    return {
        "free_bytes": usage.free,
        "total_bytes": usage.total,
        "free_percent": round(100 * usage.free / usage.total, 1) if usage.total else 0.0,
    }


async def conversation_for(store: Store, channel: str, address: str) -> int | None:
    return await store.read(lambda c: conversations.find(c, channel, address))
