"""The pipeline: inbox → understand → dialogue → outbox, one conversation at a time.

Messages of one guest are processed strictly in order by a single worker per conversation;
different guests are processed in parallel (up to ``pipeline.max_active_conversations``). A
message's whole outcome — dialogue state, replies, booking requests, handoff — is committed in
one transaction together with marking its inbox row done, so after a crash at any point the
message is either fully handled or handled again from scratch, and answered exactly once.
The commit re-checks who is in control: once staff take over, nothing the bot was still
thinking about is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from hotelbox import bursts
from hotelbox.config import Settings
from hotelbox.dialogue.engine import Dialogue, GuestContext
from hotelbox.dialogue.state import DialogueState, Turn
from hotelbox.live_updates import LiveUpdates
from hotelbox.messages import Inbound, Reply, merge_replies
from hotelbox.nlu.language import phone_language
from hotelbox.nlu.understanding import Understander, Understanding
from hotelbox.scheduler import Scheduler
from hotelbox.speech.notes import Heard, VoiceNotes
from hotelbox.store import Store, audit, conversations, inbox, outbox, turns
from hotelbox.store.conversations import Conversation
from hotelbox.store.database import Conn
from hotelbox.store.inbox import Accepted, InboxItem
from hotelbox.store.turns import TurnOutcome, VersionConflict

log = logging.getLogger(__name__)


@dataclass
class StageTimes:
    """Per-message latencies (seconds), for benchmarks and metrics."""

    transcribe: list[float] = field(default_factory=list)
    understand: list[float] = field(default_factory=list)
    synthesize: list[float] = field(default_factory=list)
    dialogue: list[float] = field(default_factory=list)
    commit: list[float] = field(default_factory=list)
    total: list[float] = field(default_factory=list)

    observer: Callable[[str, float], None] | None = None  # the box's metrics

    def add(self, stage: str, seconds: float) -> None:
        if self.observer is not None:
            self.observer(stage, seconds)
        values: list[float] = getattr(self, stage)
        values.append(seconds)
        if len(values) > 100_000:
            del values[:50_000]


class Pipeline:
    def __init__(
        self,
        *,
        store: Store,
        understander: Understander,
        dialogue: Dialogue,
        scheduler: Scheduler,
        live: LiveUpdates,
        settings: Settings,
        channels: list[str],
        merge_replies: set[str] | None = None,
        voice_notes: VoiceNotes | None = None,
        on_committed: Callable[[str], None] | None = None,
        on_accepted: Callable[[Inbound], None] | None = None,
        observe: Callable[[str, float], None] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """``on_accepted``: a guest message was stored; ``observe``: a stage took this long
        (both the box's metrics)."""
        self.store = store
        self.understander = understander
        self.dialogue = dialogue
        self.scheduler = scheduler
        self.live = live
        self.settings = settings
        self.channels = channels
        self.merge_replies = merge_replies or set()  # channels that want one message per turn
        self.merge_windows = {"email": settings.email.merge_window_s}  # a burst is one turn (issue 18)
        self.voice_notes = voice_notes
        self.on_committed = on_committed or (lambda channel: None)
        self.on_accepted: Callable[[Inbound], None] = on_accepted or (lambda inbound: None)
        self.tz = ZoneInfo(settings.hotel.timezone)
        self.clock = clock or (lambda: datetime.now(self.tz))
        self._active: dict[int, asyncio.Task[None]] = {}
        self._dirty: set[int] = set()
        self._slots = asyncio.Semaphore(settings.pipeline.max_active_conversations)
        self._idle = asyncio.Event()
        self._idle.set()
        self._stopping = False
        self.times = StageTimes(observer=observe)
        self.processed = 0
        self.failed = 0

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        """Resume what a previous run left unfinished."""
        pending = await self.store.read(lambda c: inbox.conversations_with_pending(c, self.channels))
        if pending:
            log.info("pipeline resuming conversations=%d", len(pending))
        for conversation_id in pending:
            self.schedule(conversation_id)
        if self.voice_notes is not None:
            await self.voice_notes.start()

    async def stop(self) -> None:
        self._stopping = True
        if self.voice_notes is not None:
            await self.voice_notes.stop()
        tasks = list(self._active.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def today(self) -> date:
        return self.clock().astimezone(self.tz).date()

    # -- inbound ---------------------------------------------------------------------------
    async def accept(self, inbound: Inbound) -> Accepted:
        """Store a guest message durably, then schedule it; safe to ack once this returns."""
        self.store.require_space()
        accepted = await self.store.write(lambda c: inbox.accept(c, inbound), label="inbox.accept")
        self.accepted([(inbound, accepted)])
        return accepted

    def accepted(self, items: list[tuple[Inbound, Accepted]]) -> None:
        """After a commit that stored guest messages (here or in a channel's own transaction):
        log them, tell the live pages, and schedule their conversations."""
        for inbound, accepted in items:
            if not accepted.duplicate:
                self.on_accepted(inbound)
                log.info(
                    "message accepted conversation=%d message=%s channel=%s kind=%s",
                    accepted.conversation_id,
                    accepted.message_id,
                    inbound.channel,
                    inbound.kind,
                )
                self.live.publish(
                    {
                        "type": "message",
                        "conversation_id": accepted.conversation_id,
                        "direction": "in",
                        "channel": inbound.channel,
                        "message_id": accepted.message_id,
                    }
                )
            self.schedule(accepted.conversation_id)

    def schedule(self, conversation_id: int) -> None:
        if self._stopping:
            return
        self._dirty.add(conversation_id)
        if conversation_id not in self._active:
            self._idle.clear()
            self._active[conversation_id] = asyncio.create_task(
                self._worker(conversation_id), name=f"conversation-{conversation_id}"
            )

    def busy(self, conversation_id: int) -> bool:
        return conversation_id in self._active

    async def wait_idle(self) -> None:
        await self._idle.wait()

    async def _worker(self, conversation_id: int) -> None:
        try:
            async with self._slots:
                while conversation_id in self._dirty:
                    self._dirty.discard(conversation_id)
                    items = await self.store.read(lambda c: inbox.pending(c, conversation_id))
                    window = self._merge_window(items)
                    if window:  # the guest may still be writing: wait for quiet, then one turn
                        wait = bursts.wait_s(items, window, self.clock())
                        if wait > 0:
                            await asyncio.sleep(wait)
                            self._dirty.add(conversation_id)
                            continue
                        items = bursts.fold(items, window)
                    for item in items:
                        await self._handle(item)
                        self._dirty.add(conversation_id)  # look again: more may have come
        finally:
            self._active.pop(conversation_id, None)
            if not self._active:
                self._idle.set()

    def _merge_window(self, items: list[InboxItem]) -> float:
        channel = next((str(i.payload.get("channel")) for i in items if i.kind == "message"), "")
        return self.merge_windows.get(channel, 0.0)

    async def _handle(self, item: InboxItem) -> None:
        started = time.perf_counter()
        for attempt in range(1, self.settings.pipeline.max_attempts + 1):
            try:
                await self._process(item)
                self.processed += 1
                self.times.add("total", time.perf_counter() - started)
                return
            except VersionConflict:
                continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.exception(
                    "processing failed conversation=%d inbox=%d attempt=%d code=%s",
                    item.conversation_id,
                    item.id,
                    attempt,
                    getattr(exc, "code", type(exc).__name__),
                )
                attempts = await self.store.write(
                    functools.partial(inbox.record_attempt, inbox_id=item.id, error=repr(exc))
                )
                if attempts >= self.settings.pipeline.max_attempts:
                    break
                await asyncio.sleep(min(0.2 * 2**attempt, 10))
        self.failed += 1
        await self._give_up(item)

    # -- processing ------------------------------------------------------------------------
    async def _process(self, item: InboxItem) -> None:
        conv = await self.store.read(lambda c: conversations.load(c, item.conversation_id))
        if conv is None:
            await self.store.write(lambda c: inbox.finish(c, item.id, "skipped", "no conversation"))
            return
        state = DialogueState.from_json(conv.dialogue)
        guest = GuestContext(
            conversation_id=conv.id,
            channel=conv.channel,
            today=self.today(),
            phone=None if conv.channel == "webchat" else conv.guest_phone,  # a web page vouches for nothing
            email=vouched_email(conv, item),  # only what the receiving mail server proved (issue 13)
            claimed_email=conv.address if conv.channel == "email" and not vouched_email(conv, item) else None,
            name=conv.guest_name,
        )
        understanding: Understanding | None = None
        heard: Heard | None = None
        heard_lang: str | None = None  # the language Whisper detected in a first voice note
        if item.kind == "message":
            inbound = Inbound.from_json(item.payload)
            stale = self._stale(inbound)
            if inbound.kind == "audio" and self.voice_notes is not None and not stale:
                t0 = time.perf_counter()
                heard = await self.voice_notes.hear(item.message_id, conv.language or inbound.language_hint)
                self.times.add("transcribe", time.perf_counter() - t0)
                if heard.transcript is not None and not heard.problem:
                    inbound = replace(inbound, text=heard.transcript.text)
                    if (
                        heard.transcript.lang_prob is not None
                    ):  # nothing known: answer what was heard (issue 16)
                        inbound = replace(inbound, language_hint=heard.transcript.lang)
                        heard_lang = heard.transcript.lang
                guest = replace(
                    guest, voice=self.voice_notes.replies_wanted(conv.channel) and not state.text_only
                )
            if conv.control == "bot":
                if heard is not None and heard.problem:
                    minutes = max(1, round(self.settings.speech.max_audio_seconds / 60))
                    special: Turn | None = self.dialogue.voice_problem(state, guest, heard.problem, minutes)
                else:
                    special = self.dialogue.without_words(state, inbound, guest, stale=stale)
                if special is not None:
                    await self._commit(item, conv, special, None, heard)
                    return
            t0 = time.perf_counter()
            understanding = await self._understand(inbound, conv, heard_lang)
            self.times.add("understand", time.perf_counter() - t0)
            if conv.control != "bot":
                await self._commit(item, conv, None, understanding, heard)
                return
            t1 = time.perf_counter()
            turn = await self.dialogue.respond(state, understanding, guest, inbound)
            self.times.add("dialogue", time.perf_counter() - t1)
        else:
            if conv.control != "bot" and item.payload.get("type") != "pms_result":
                await self._commit(item, conv, None, None)
                return
            turn = await self.dialogue.on_event(state, item.payload, guest)
        await self._commit(item, conv, turn, understanding, heard)

    def _stale(self, inbound: Inbound) -> bool:
        if inbound.sent_at is None:
            return False
        return (self.clock() - inbound.sent_at).total_seconds() > self.settings.pipeline.stale_after_s

    async def _understand(
        self, inbound: Inbound, conv: Conversation, heard_lang: str | None = None
    ) -> Understanding:
        text = inbound.text or ""
        hint = conv.language or inbound.language_hint
        if len(text) > self.settings.dialogue.max_message_chars:
            lang = hint or self.settings.hotel.default_language
            return Understanding(text, lang, 0.0, "out_of_scope", 1.0, flags={"too_long"})
        lane = self.scheduler.lane("nlu")
        fallback = phone_language(conv.guest_phone) if conv.channel != "webchat" else None
        return await lane.run(
            self.understander.understand,
            text,
            today=self.today(),
            lang=heard_lang,
            lang_hint=hint,
            fallback_lang=fallback,
            phone=conv.guest_phone,
        )

    async def _commit(
        self,
        item: InboxItem,
        conv: Conversation,
        turn: Turn | None,
        understanding: Understanding | None,
        heard: Heard | None = None,
    ) -> None:
        """Make the turn durable in one transaction (:func:`hotelbox.store.turns.commit_turn`),
        then wake what has work from it: the channel's sender, the speech runner, the PMS worker."""
        replies: list[Reply] = []
        voice = self.voice_notes
        if turn is not None and conv.control == "bot":
            replies = (
                merge_replies(turn.replies) if conv.channel in self.merge_replies else list(turn.replies)
            )
        voiced = [reply for reply in replies if voice is not None and voice.wants_voice(reply)]

        t0 = time.perf_counter()
        result = await self.store.write(
            lambda c: turns.commit_turn(
                c, item, conv, turn, understanding, heard, replies=replies, voiced=voiced
            ),
            label="pipeline.commit",
        )
        self.times.add("commit", time.perf_counter() - t0)  # the write alone (speech is "synthesize")
        log.info(
            "message processed conversation=%d inbox=%d outcome=%s replies=%d actions=%d intent=%s lang=%s",
            conv.id,
            item.id,
            result.outcome.value,
            len(turn.replies) if turn else 0,
            len(turn.actions) if turn else 0,
            understanding.intent if understanding else "-",
            understanding.lang if understanding else "-",
        )
        if result.outcome is TurnOutcome.COMMITTED and turn is not None:
            if result.replies:
                self.on_committed(conv.channel)
            if result.voice_notes and voice is not None:
                voice.wake()
            if turn.actions:
                self.on_committed("pms")
            self.live.publish({"type": "conversation", "conversation_id": conv.id, "handoff": turn.handoff})

    async def _give_up(self, item: InboxItem) -> None:
        """After repeated failures: hand the conversation to staff, tell the guest once."""
        conv = await self.store.read(lambda c: conversations.load(c, item.conversation_id))
        lang = (conv.language if conv else None) or self.settings.hotel.default_language
        text = self.dialogue.catalog.text(lang, "bot_error")

        def op(c: Conn) -> None:
            if not inbox.finish(c, item.id, "failed", "gave up after repeated errors"):
                return
            for merged in item.merged:
                inbox.finish(c, merged, "failed", "gave up after repeated errors")
            if conv is None:
                return
            if conv.control == "bot":
                reply = Reply(text, lang, key="bot_error")
                outbox.enqueue(c, conv.id, conv.channel, conv.address, reply, reply_to=item.id)
                conversations.set_control(c, conv.id, "waiting_staff", "bot_error")
            audit.record(
                c,
                "system",
                "processing_failed",
                conversation_id=conv.id,
                details={"inbox": item.id},
            )

        await self.store.write(op, label="pipeline.give_up")
        if conv is not None:
            self.on_committed(conv.channel)


def vouched_email(conv: Conversation, item: InboxItem) -> str | None:
    """The guest's e-mail address when the hotel's mail server authenticated this very mail
    (``Authentication-Results``: DMARC or aligned DKIM pass) and we answer to it; else None."""
    if conv.channel != "email" or item.kind != "message":
        return None
    proven = item.payload.get("payload", {}).get("email", {}).get("authenticated_from")
    address = (conv.address or "").casefold()
    return address if proven and str(proven).casefold() == address else None


def stage_summary(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)

    def pct(p: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))], 3)

    return {"n": len(values), "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99)}
