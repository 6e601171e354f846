"""Builds the box's parts and starts/stops them in order — wiring only.

``async with Box(settings, channels) as box:`` opens the store (migrations first), the PMS, the
understanding models (trained first if the examples changed), the dialogue, then starts the
pipeline, the booking worker and the outbox sender. Every part is built with the callbacks it
calls (nothing is attached afterwards), and started through one :class:`contextlib.AsyncExitStack`:
leaving the block stops the parts in the reverse of their start order, and a part that fails to
start stops every part started before it (each stop is registered before its start, so a part
that fails half-way is stopped too). The PMS is built by :func:`hotelbox.pms.build.make_pms`, the
health report by :func:`hotelbox.ops.health.report`.
``hotelbox run`` wraps a Box with the web server and systemd notifications; ``hotelbox chat``
uses a Box with the console channel only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from hotelbox.channels.email import Email
from hotelbox.channels.whatsapp import WhatsApp
from hotelbox.config import Settings
from hotelbox.dialogue.catalog import Catalog
from hotelbox.dialogue.engine import Dialogue
from hotelbox.dialogue.knowledge import Knowledge
from hotelbox.errors import PmsUnavailable
from hotelbox.live_updates import LiveUpdates
from hotelbox.maintenance import Maintenance
from hotelbox.nlu.understanding import Understander
from hotelbox.ops import health
from hotelbox.ops.metrics import BoxMetrics
from hotelbox.pipeline import Pipeline
from hotelbox.pms.booking_worker import BookingWorker
from hotelbox.pms.build import make_pms
from hotelbox.scheduler import Scheduler
from hotelbox.sender import OutboxSender
from hotelbox.speech.notes import VoiceNotes
from hotelbox.speech.voice import VoiceService
from hotelbox.store import Store, backlog, desk
from hotelbox.store import bookings as bookings_db
from hotelbox.store.database import utcnow

if TYPE_CHECKING:
    from hotelbox.channels import Channel
    from hotelbox.messages import Inbound
    from hotelbox.store.outbox import OutboxItem

log = logging.getLogger(__name__)


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
        live: LiveUpdates | None = None,
        *,
        live_channels: bool = False,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """``live_channels``: also connect the channels that live outside the box (WhatsApp through
        the relay) — ``hotelbox run`` does, one-shot commands (chat, bookings) must not.
        ``clock``: the hotel's time (aware), pinned by the conversation corpus (issue 12)."""
        self.settings = settings
        self.live = live or LiveUpdates()
        self.channels = dict(channels)
        self.metrics = BoxMetrics(self)  # fed by the parts below; reads the box's state when scraped
        self.store = Store(settings.db_path, settings.store)
        self.scheduler = Scheduler(settings.scheduler)
        self.pms = make_pms(
            settings,
            self.store,
            self.scheduler,
            today=(lambda: clock().date()) if clock is not None else None,
            on_catalogue=self._catalogue_changed,
            on_recovered=self._pms_recovered,
            on_answering_again=self._pms_answering_again,
            on_booking_changed=lambda conversation_id: self.live.publish(
                {"type": "conversation", "conversation_id": conversation_id, "by": "pms"}
            ),
        )
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
        self.sender = OutboxSender(self.store, self.channels, self.live, on_sent=self._sent)
        self.voice = VoiceService(settings, self.scheduler)
        self.maintenance = Maintenance(settings, self.store, self.scheduler)
        voice_channels = {name for name, ch in self.channels.items() if ch.accepts_voice}
        self.pipeline = Pipeline(
            store=self.store,
            understander=self.understander,
            dialogue=self.dialogue,
            scheduler=self.scheduler,
            live=self.live,
            settings=settings,
            channels=list(self.channels),
            merge_replies={name for name, ch in self.channels.items() if ch.merge_replies},
            voice_notes=VoiceNotes(
                settings,
                self.store,
                self.voice,
                voice_channels,
                on_committed=self._committed,  # a voice reply queued: wake its channel's sender
                on_synthesized=self._synthesized,
            )
            if settings.speech.enabled
            else None,
            on_committed=self._committed,
            on_accepted=self._accepted,
            observe=self.metrics.observe,
            clock=clock,
        )
        self.bookings = BookingWorker(
            self.store,
            self.pms,
            settings.pms,
            self.pipeline.schedule,
            on_call=lambda seconds: self.metrics.observe("pms", seconds),
        )
        self.started_at = 0.0
        self.load_seconds: dict[str, float] = {}
        self.ready = False
        self._running: contextlib.AsyncExitStack | None = None

    # -- what the parts call ----------------------------------------------------------------------
    def _accepted(self, inbound: Inbound) -> None:
        self.metrics.messages_in.labels(inbound.channel, inbound.kind).inc()

    def _synthesized(self, seconds: float) -> None:
        """A voice reply was spoken (after its text went): the pipeline's "synthesize" stage."""
        self.pipeline.times.add("synthesize", seconds)

    def _sent(self, item: OutboxItem, seconds: float) -> None:
        reply = item.reply
        kind = "audio" if reply.audio else ("interactive" if reply.options else "text")
        self.metrics.messages_out.labels(item.channel, kind).inc()
        self.metrics.observe("send", seconds)

    def _delivery_news(self) -> None:
        """Statuses came in: an uncertain send may be settled, so that guest's next replies can go."""
        self.sender.wake()
        self.live.publish({"type": "delivery"})

    def _committed(self, channel: str) -> None:
        if channel == "pms":
            self.bookings.wake()
        else:
            self.sender.wake(channel)

    async def _catalogue_changed(self, catalogue: object) -> None:
        await self.dialogue.refresh_catalogue()
        if self.understander.model is not None:
            self.understander.set_room_aliases(self.dialogue.room_aliases())

    async def _pms_recovered(self) -> None:
        count = await self.store.write(bookings_db.retry_now, label="pms.retry_now")
        if count:
            log.info("PMS back: %d waiting writes due now", count)
        self.bookings.wake()

    def _pms_answering_again(self) -> None:
        self.bookings.push_now()

    # -- start and stop -------------------------------------------------------------------------
    async def __aenter__(self) -> Box:
        self.started_at = time.time()
        async with contextlib.AsyncExitStack() as stack:  # a failure in _start unwinds what started
            await self._start(stack)
            self._running = stack.pop_all()
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

    async def __aexit__(self, *exc: object) -> None:
        self.ready = False
        running, self._running = self._running, None
        if running is not None:
            await running.aclose()

    async def _start(self, stack: contextlib.AsyncExitStack) -> None:
        """Start the parts in order; each one's stop goes on ``stack`` before it starts."""
        stack.callback(self.metrics.detach)
        self.metrics.attach()
        t = time.perf_counter()
        stack.callback(self.scheduler.close)
        stack.push_async_callback(self.scheduler.stop)
        await self.scheduler.start()
        stack.push_async_callback(self.store.close)
        await self.store.open()
        self.load_seconds["store"] = time.perf_counter() - t
        t = time.perf_counter()
        stack.push_async_callback(self.pms.close)
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
        stack.push_async_callback(self.pipeline.stop)
        await self.pipeline.start()
        stack.push_async_callback(self.bookings.stop)
        await self.bookings.start()
        stack.push_async_callback(self.maintenance.stop)
        await self.maintenance.start()
        stack.push_async_callback(self.sender.stop)
        await self.sender.start()
        if self.whatsapp is not None:
            stack.push_async_callback(self.whatsapp.stop)
            await self.whatsapp.start(self.pipeline.accepted, self._delivery_news)
        if self.email is not None:
            stack.push_async_callback(self.email.stop)
            await self.email.start(self.pipeline.accepted)

    # -- for tests and one-shot commands ------------------------------------------------------------
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

    async def health(self) -> dict[str, Any]:
        """The facts /healthz and the front desk show (built by :func:`hotelbox.ops.health.report`)."""
        return await health.report(self)
